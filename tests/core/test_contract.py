"""The optimizer contract: every registered optimizer against its own NumPy reference (on the
surfaces and in the network), declarations the kernels cannot map refused at registration,
and an optimizer written outside the package working everywhere."""

import math
import sys
import textwrap

import numpy as np
import pytest

from ravine.core import loads_scene, simulate, simulate_batch
from ravine.core.jit import jit
from ravine.core.network import batch_gradient, buffers, minibatches, seed_state
from ravine.core.optimizers import LR, OPTIMIZERS, Optimizer, OptimizerError, check, register, unregister
from ravine.core.training import Trainer, network_from_dict
from ravine.landscapes import get_surface


def variants(opt):
    """The defaults, and every hyperparameter moved off its default (booleans flipped)."""
    out = [opt.defaults()]
    moved = opt.defaults()
    for p in opt.hyper:
        if p.kind == "bool":
            moved[p.name] = not p.default
        elif p.scale == "log1m" or p.hi == 1.0:
            moved[p.name] = 1 - (1 - p.default) * 2.5
        elif p.default == 0:
            moved[p.name] = 0.05
        else:
            moved[p.name] = p.default * 3
    out.append(moved)
    return out


def run_reference(opt, surface, start, steps, lr, hp):
    surf = get_surface(surface)
    p = surf.packed(None)
    grad = lambda w: np.array(surf.grad(w[0], w[1], p), dtype=np.float64)  # noqa: E731
    w = np.array(start, dtype=np.float64)
    state = {name: np.full(2, float(opt.initial.get(name, 0.0))) for name in opt.state}
    path, states = [w], []
    for t in range(1, steps + 1):
        w, state = opt.reference(w, grad, {k: v.copy() for k, v in state.items()}, lr, hp, t)
        path.append(w)
        states.append(state)
    return np.array(path), states


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("surface,start,lr_scale", [("booth", (-5.0, -5.0), 1.0), ("rosenbrock", (-1.5, 1.5), 0.05),
                                                   ("elongated_bowl", (-1.5, 1.0), 1.0)])
def test_every_optimizer_follows_its_own_reference_on_the_surfaces(name, surface, start, lr_scale):
    opt = OPTIMIZERS[name]
    steps = 60
    for hp in variants(opt):
        lr = hp["lr"] * lr_scale
        hyper = {k: v for k, v in hp.items() if k != "lr"}
        r = simulate_batch(surface, name, [start], steps, lr=lr, record=True, **hyper)
        path, states = run_reference(opt, surface, start, steps, lr, hp)
        assert r.diverged_at[0] == -1, (name, hp)
        np.testing.assert_allclose(r.path[0], path, rtol=1e-10, atol=1e-12, err_msg=f"{name} {hp}")
        assert set(r.state) == set(opt.state)
        for slot in opt.state:
            np.testing.assert_allclose(r.state[slot][0], [s[slot] for s in states], rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name}.{slot} {hp}")


NET = {"dataset": "moons", "data": {"n": 60, "noise": 0.2}, "layers": [2, 4, 1], "epochs": 12, "batch_size": 16,
       "test_fraction": 0.2, "seed": 4}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_trains_the_network_as_its_reference_says(name):
    """The training kernel's updates against a NumPy loop over the same mini-batches that
    applies the optimizer's reference to every weight at once."""
    opt = OPTIMIZERS[name]
    hp = variants(opt)[-1]
    lr = 0.01
    spec = network_from_dict({**NET, "configs": [{"kind": name, **{**hp, "lr": lr}}]}, "network")
    trainer = Trainer(spec).step()
    theta = trainer.snapshots[0, 0].copy()
    state = {s: np.full(trainer.P, float(opt.initial.get(s, 0.0))) for s in opt.state}
    rng = np.array([seed_state(spec.seed)], dtype=np.uint64)
    A, Z, D = buffers(spec.layers, spec.batch_size)
    g = np.empty(trainer.P)
    t = 0
    for e in range(spec.epochs):
        for batch in minibatches(len(trainer.y), spec.batch_size, rng):
            t += 1
            idx = batch.astype(np.int64)

            def grad(point):
                batch_gradient(point, trainer.sizes, trainer.w_off, trainer.b_off, trainer.mask, trainer.X,
                               trainer.y, idx, 0, len(idx), 0.0, g, A, Z, D)
                return g.copy()

            theta, state = opt.reference(theta, grad, state, lr, hp, t)
    assert trainer.diverged[0] == -1
    np.testing.assert_allclose(trainer.theta[0], theta, rtol=1e-9, atol=1e-12)
    for slot, value in trainer.state_of(0).items():
        np.testing.assert_allclose(value, state[slot], rtol=1e-8, atol=1e-12, err_msg=slot)


# ---- declarations that cannot be mapped are refused, naming the fault -------------------

@jit
def _plain(g, w, lr):
    return -lr * g


@jit
def _with_v(g, w, v, lr, beta):
    v = beta * v + g
    return -lr * v, v


def _ref(w, grad, state, lr, hp, t):
    return w - lr * grad(w), {}


def _opt(**changes):
    fields = dict(name="toy", description="toy", formula="W -= lr*dW", params=(LR,), update=_plain, reference=_ref)
    fields.update(changes)
    return Optimizer(**fields)


@pytest.mark.parametrize("changes,message", [
    ({"state": ("v",)}, r"update's arguments are \(g, w, lr\); its declaration needs \(g, w, v, lr\)"),
    ({"update": _with_v}, r"its declaration needs \(g, w, lr\)"),
    ({"params": (LR, OPTIMIZERS["momentum"].params[1]), "update": _with_v}, r"needs \(g, w, lr, beta\)"),
    ({"params": ()}, "first parameter must be lr"),
    ({"powers": ("beta",)}, "power 'beta' is not one of its number parameters"),
    ({"state": ("w",), "update": _plain}, "cannot name a parameter or a state slot"),
    ({"name": "Bad Name"}, "lower-case identifier"),
    ({"update": lambda g, w, lr: -lr * g}, "jitted function"),
    ({"reference": lambda w, g: w}, "reference must be reference"),
    ({"initial": {"s": 1.0}}, "initial names 's'"),
    ({"direction": "v"}, "direction 'v'"),
])
def test_a_declaration_that_cannot_be_mapped_is_refused(changes, message):
    with pytest.raises(OptimizerError, match=message):
        check(_opt(**changes))


def test_a_name_taken_is_refused_unless_replaced():
    with pytest.raises(OptimizerError, match="already registered"):
        register(_opt(name="gd"))


# ---- an optimizer written outside the package, registered the documented way -------------

MODULE = '''
"""Signum: steps of lr against the sign of a momentum average (Bernstein et al. 2018)."""
import math

import numpy as np

from ravine.core.jit import jit
from ravine.core.optimizers import BETA, LR, Optimizer


@jit
def update(g, w, v, lr, beta):
    v = beta * v + (1.0 - beta) * g
    return -lr * (0.0 if v == 0.0 else math.copysign(1.0, v)), v


def reference(w, grad, state, lr, hp, t):
    v = hp["beta"] * state["v"] + (1 - hp["beta"]) * grad(w)
    return w - lr * np.sign(v), {"v": v}


OPTIMIZER = Optimizer(name="signum", description="sign of momentum", formula="v = beta*v + (1-beta)*dW; W -= lr*sign(v)",
                      params=(LR, BETA), update=update, reference=reference, state=("v",), direction="v")
'''


@pytest.fixture
def signum(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "ravine_signum_test.py").write_text(textwrap.dedent(MODULE))
    monkeypatch.syspath_prepend(str(folder))
    import importlib

    module = importlib.import_module("ravine_signum_test")
    register(module.OPTIMIZER)
    yield module.OPTIMIZER
    unregister("signum")
    sys.modules.pop("ravine_signum_test", None)


SCENE = """
title = "Signum"
surface = "elongated_bowl"
start = [-1.5, 1.0]
steps = 40
[[optimizers]]
kind = "signum"
lr = 0.02
beta = 0.8
[[optimizers]]
kind = "adam"
lr = 0.05
[network]
dataset = "moons"
layers = [2, 4, 1]
epochs = 20
batch_size = 16
[network.data]
n = 60
[[network.configs]]
kind = "signum"
lr = 0.01
"""


def test_an_optimizer_from_outside_works_everywhere(signum, tmp_path, qtbot):
    scene = loads_scene(SCENE)
    traj = simulate(scene)[0]
    path, _ = run_reference(signum, "elongated_bowl", (-1.5, 1.0), 40, 0.02, {"lr": 0.02, "beta": 0.8})
    np.testing.assert_allclose(traj.path, path, rtol=1e-12)
    assert set(traj.state) == {"v"}
    batch = simulate_batch("booth", "signum", [(1.0, 1.0), (-2.0, 3.0)], 10, lr=[0.1, 0.2], beta=0.5)
    assert np.all(np.isfinite(batch.final))
    runs = Trainer(scene.network).step().runs()
    assert runs[0].kind == "signum" and np.all(np.isfinite(runs[0].epoch_cost))

    from ravine.app.rendering import render
    from ravine.app.window import MainWindow

    win = MainWindow(scene)
    qtbot.addWidget(win)
    win.show()
    assert win.model.wait()
    panel = win.controls.optimizers.panels[0]
    assert set(panel.editors) == {"lr", "beta"}
    assert panel.kind.findText("signum") >= 0
    win.model.set_param(0, "beta", 0.5)
    assert win.model.wait()
    assert win.model.runs[0].traj.path[1][0] == pytest.approx(-1.5 + 0.02)  # a sign step of lr
    out = render(scene, tmp_path / "signum.png", size=(640, 400))
    assert out.stat().st_size > 1000 and math.isfinite(out.stat().st_mtime)
