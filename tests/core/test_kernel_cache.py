"""The generated kernels: compiled once and then loaded from numba's cache, generated from
the templates line for line, and old versions cleaned up."""

import json
import subprocess
import sys
import types

import numpy as np
import pytest

from ravine.core import kernels as K
from ravine.core.optimizers import OPTIMIZERS
from ravine.landscapes import SURFACES, get_surface

PROBE = """
import json
from ravine.core import load_example, simulate
from ravine.core.kernels import kernels
scene = load_example("momentum-ravine")
simulate(scene)
stats = [kernels().run(scene.surface, o.kind).stats for o in scene.optimizers]
from ravine.core.training import Trainer, network_from_dict
from ravine.core.training_kernel import train
spec = network_from_dict({"dataset": "moons", "data": {"n": 16}, "epochs": 1, "batch_size": 8,
                          "configs": [{"kind": "adam", "lr": 0.01}, {"kind": "gd", "lr": 0.01}]}, "probe")
Trainer(spec).step()
import sys
compiled = [m.compiled for m in sys.modules.values() if getattr(m, "compiled", None) is not None
            and getattr(m, "__name__", "").startswith("step_")]
print(json.dumps({"hits": sum(sum(s.cache_hits.values()) for s in stats),
                  "misses": sum(sum(s.cache_misses.values()) for s in stats),
                  "train_hits": sum(train.stats.cache_hits.values()),
                  "train_misses": sum(train.stats.cache_misses.values()),
                  "step_hits": sum(c.cache_hits for c in compiled), "steps": len(compiled)}))
"""


def probe():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_the_kernel_from_the_cache():
    probe()  # compiles if needed
    second = probe()
    assert second["misses"] == 0
    assert second["hits"] == 4  # one kernel per optimizer kind in the scene
    assert (second["train_hits"], second["train_misses"]) == (1, 0)  # the network's, shared
    assert second["steps"] == 2 and second["step_hits"] == 2  # and each optimizer's step


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_generated_modules_follow_the_templates_line_for_line(opt):
    surf = get_surface("rosenbrock")
    for template, text in ((K.TRAJECTORY, K.trajectory_source(surf, OPTIMIZERS[opt])),
                           (K.STEP, K.step_source(OPTIMIZERS[opt])), (K.GRID, K.grid_source(surf))):
        original = template.read_text().splitlines()
        generated = text.splitlines()
        assert len(generated) == len(original)
        compile(text, str(template), "exec")  # valid Python
        for a, b in zip(original, generated):  # only lines with a placeholder change
            if a != b:
                assert any(p in a for p in ("SURFACE", "OPTIMIZER", "STEP", "UPDATE", "AT", "POWERS", "SLOTS", "HYPER",
                                            "stand-ins")), a


def test_the_update_call_follows_the_declaration():
    text = K.trajectory_source(get_surface("booth"), OPTIMIZERS["adam"])
    assert ("dx, st[0, 0, j], st[1, 0, j] = update__adam(gx, x0, st[0, 0, j], st[1, 0, j], lrj, "
            "h[0, j], h[1, j], h[2, j], h[3, j] != 0.0, pw[0, j], pw[1, j])") in text
    assert "pw[0, j] = next_power(pw[0, j], h[0, j]); pw[1, j] = next_power(pw[1, j], h[1, j])" in text
    assert "from ravine.landscapes.booth import value as value__booth" in text
    nesterov = K.trajectory_source(get_surface("booth"), OPTIMIZERS["nesterov"])
    assert "grad__booth(eval_point__nesterov(x0, st[0, 0, j], lrj, h[0, j])" in nesterov
    gd = K.step_source(OPTIMIZERS["gd"])
    assert "            d = update__gd(grad[i], th[i], lr)" in gd
    assert "look[i] = th[i]" in gd
    assert "carray(st_p, (0, P)), carray(hp_p, 0), carray(pw_p, 0)" in gd
    adam = K.step_source(OPTIMIZERS["adam"])
    assert ("d, st[0, i], st[1, i] = update__adam(grad[i], th[i], st[0, i], st[1, i], lr, hp[0], hp[1], hp[2], "
            "hp[3] != 0.0, pw[0], pw[1])") in adam
    assert "carray(st_p, (2, P)), carray(hp_p, 4), carray(pw_p, 2)" in adam


def test_names_that_are_not_identifiers_are_refused():
    with pytest.raises(K.TemplateError, match="identifier"):
        K.substitute("run__SURFACE = 1\n", {"SURFACE": "os; import os"}, {}, "")
    with pytest.raises(K.TemplateError, match="cannot be imported"):
        K._module_name("a b.c")


def test_a_kernel_run_as_plain_python_from_its_template_agrees():
    """The generated kernel's plain-Python function, its code attributed to the template's file
    (generation keeps every line where it is), runs the template's own lines in Python, where
    coverage reaches them, and gives the compiled kernel's results to the bit."""
    from ravine.core.simulation import simulate_batch

    surf, opt = get_surface("rosenbrock"), OPTIMIZERS["adam"]
    py = K.kernels().run("rosenbrock", "adam").py_func
    run = types.FunctionType(py.__code__.replace(co_filename=str(K.TRAJECTORY)), py.__globals__, py.__name__)
    starts = np.array([[-1.5, 1.5], [0.5, -0.5], [2.0, 2.0]])
    steps = 7
    hyper = opt.hyper_table({}, 3)
    path, loss = np.empty((3, steps + 1, 2)), np.empty((3, steps + 1))
    grad, state = np.empty((3, steps, 2)), np.empty((3, steps, 2, 2))
    final, final_loss, bad = np.empty((3, 2)), np.empty(3), np.empty(3, np.int64)
    for mode, tol, criterion in [(1.0, 60.0, "loss"), (2.0, 300.0, "grad")]:
        reached = np.empty(3, np.int64)
        run(surf.packed(None), starts, np.full(3, 0.01), np.ones(steps), hyper, np.zeros(2), steps, True,
            path, loss, grad, state, final, final_loss, bad, np.array([mode, tol, 0.0]), reached)
        compiled = simulate_batch("rosenbrock", "adam", starts, steps, lr=0.01, record=True, tol=tol,
                                  criterion=criterion)
        np.testing.assert_array_equal(path, compiled.path)
        np.testing.assert_array_equal(state[:, :, 1], compiled.state["s"])
        np.testing.assert_array_equal(reached, compiled.steps_to_tol)


def test_old_versions_are_cleaned_up(tmp_path, monkeypatch):
    monkeypatch.setattr(K, "cache_dir", lambda: tmp_path)
    monkeypatch.setattr(K, "_loaded", {})
    old = tmp_path / "grid_booth_0123456789abcdef.py"
    legacy = tmp_path / "ravine_kernels_fedcba9876543210.py"
    other = tmp_path / "grid_booth2_0123456789abcdef.py"  # another kernel's: kept
    (tmp_path / "__pycache__").mkdir()
    cached = tmp_path / "__pycache__" / "grid_booth_0123456789abcdef.grid__booth-13.py311.nbi"
    for p in (old, legacy, other, cached):
        p.write_text("# old\n")
    K._load("grid_booth", K.grid_source(get_surface("booth")))
    names = sorted(p.name for p in tmp_path.glob("*.py"))
    assert len(names) == 2 and other.name in names and not old.exists() and not legacy.exists()
    assert not cached.exists()


def test_every_pair_has_its_own_module():
    assert len(SURFACES) * len(OPTIMIZERS) == len({(s, o) for s in SURFACES for o in OPTIMIZERS})
    run = K.kernels().run("booth", "gd")
    assert run.__name__ == "run__booth__gd"


def test_the_training_kernel_run_as_plain_python_agrees():
    """The training kernel's lines run in Python (where coverage reaches them; the step is
    still called through its address) give the compiled kernel's weights and records to the
    bit."""
    import ravine.core.training_kernel as TK
    from ravine.core.training import Trainer, network_from_dict

    for random in ("ravine", "legacy"):  # the kernel's own shuffles, and orders given to it
        spec = network_from_dict({"dataset": "moons", "data": {"n": 40}, "layers": [2, 3, 1], "epochs": 3,
                                  "batch_size": 8, "random": random,
                                  "configs": [{"kind": "nesterov", "lr": 0.05}]}, "network")
        compiled, plain = Trainer(spec).step(), Trainer(spec)
        py = TK.train.py_func
        run = types.FunctionType(py.__code__, {**py.__globals__, "_call_step": TK.call_step}, py.__name__)
        _, cfg, rec = plain._jobs[0]
        cfg.step[0] = K.kernels().step("nesterov")
        run(plain._net, cfg, rec, 0, spec.epochs, plain._orders(0, spec.epochs))
        np.testing.assert_array_equal(plain.theta, compiled.theta)
        np.testing.assert_array_equal(plain.ep_cost, compiled.ep_cost)
        np.testing.assert_array_equal(plain.state[0], compiled.state[0])


def test_every_optimizer_trains_with_one_kernel_and_its_own_step():
    """The training kernel is compiled once for all optimizers (what each adds is its step, a
    small module of its own), so a scene of several optimizers compiles it once."""
    import ravine.core.training_kernel as TK
    from ravine.core.training import Trainer, network_from_dict

    kinds = ["gd", "adam", "nesterov", "amsgrad"]
    spec = network_from_dict({"dataset": "moons", "data": {"n": 24}, "layers": [2, 3, 1], "epochs": 2,
                              "batch_size": 8, "configs": [{"kind": k, "lr": 0.01} for k in kinds]}, "network")
    Trainer(spec).step()
    assert len(TK.train.signatures) == 1
    addresses = [K.kernels().step(k) for k in kinds]
    assert len(set(addresses)) == len(kinds) and all(addresses)
    assert K.kernels().step("adam") == addresses[1]  # loaded once


def test_a_kernel_call_without_a_step_is_refused():
    """The address is set by Trainer before each call; a kernel called without it raises
    instead of jumping to address 0."""
    import ravine.core.training_kernel as TK
    from ravine.core.training import Trainer, network_from_dict

    spec = network_from_dict({"dataset": "moons", "data": {"n": 24}, "layers": [2, 3, 1], "epochs": 1,
                              "batch_size": 8, "configs": [{"kind": "adam", "lr": 0.01}]}, "network")
    trainer = Trainer(spec)
    _, cfg, rec = trainer._jobs[0]
    with pytest.raises(ValueError, match="step is not set"):
        TK.train(trainer._net, cfg, rec, 0, 1, trainer._orders(0, 1))


def test_a_step_asked_for_by_many_threads_at_once_is_compiled_once():
    """Its address must stay valid for every caller: one compiled function per module, kept
    with it, however many threads ask first."""
    from concurrent.futures import ThreadPoolExecutor

    ks = K.Kernels()  # (a fresh table: every thread makes the kernel)
    with ThreadPoolExecutor(4) as pool:
        addresses = list(pool.map(lambda _: ks.step("rmsprop"), range(8)))
    assert len(set(addresses)) == 1 and addresses[0] == K.kernels().step("rmsprop")
