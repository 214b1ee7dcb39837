"""Narrated step mode: every registered optimizer's narration against the formulas.

The reference numbers come from tests/naive.py (typed from the notes) and from the bowl's
gradient written out here; nothing is taken from the optimizer modules' code.
"""

import dataclasses
import math
import re

import numpy as np
import pytest

from ravine.core import Trajectory, loads_scene, simulate
from ravine.core.jit import jit
from ravine.core.narration import Part, narrate, num, vec
from ravine.core.optimizers import OPTIMIZERS, ORDER, Optimizer
from ravine.core.stepinfo import step_info
from tests import naive

KAPPA, ANGLE, LR0, DECAY = 10.0, 30.0, 0.05, 0.1
STEPS = 30
TS = [1, 2, 3, 7, 30]

SCENE = f"""
surface = "elongated_bowl"
steps = {STEPS}
[surface_params]
kappa = {KAPPA}
angle = {ANGLE}
""" + "".join(f"""
[[optimizers]]
kind = "{k}"
lr = {LR0}
[optimizers.schedule]
kind = "inverse_time"
decay_rate = {DECAY}
""" for k in ORDER) + f"""
[[optimizers]]
kind = "adam"
label = "adam raw"
lr = {LR0}
bias_correction = false
beta1 = 0.8
[optimizers.schedule]
kind = "inverse_time"
decay_rate = {DECAY}
"""

NUMBER = r"-?\d+(?:\.\d*)?(?:e-?\d+)?"
FINAL = re.compile(rf"\(({NUMBER}), ({NUMBER})\)$")


def bowl_grad(w):
    """Gradient of 1/2 (u^2 + kappa w^2), (u, w) = R (x, y), R the rotation by ANGLE: R^T D R x."""
    a = math.radians(ANGLE)
    r = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    return r.T @ np.diag([1.0, KAPPA]) @ r @ np.asarray(w, dtype=np.float64)


def lr_at(t):
    """The lecture's decay with one update an epoch: lr0 / (1 + decay_rate * epoch)."""
    return LR0 / (1.0 + DECAY * t)


def reference(kind, hp, start):
    """Per update t: W, the gradient, v/s before and after, W_new, by tests/naive.py."""
    w = list(start)
    state = {"v": [0.0, 0.0], "s": [0.0, 0.0]}
    rows = [None]
    for t in range(1, STEPS + 1):
        before = {k: np.array(x) for k, x in state.items()}
        new, g = naive.optimizer_step(kind, w, lambda p: list(bowl_grad(p)), state, lr_at(t), hp, t)
        rows.append(dict(W=np.array(w), g=np.array(g), v_prev=before["v"], s_prev=before["s"],
                         v=np.array(state["v"]), s=np.array(state["s"]), W_new=np.array(new)))
        w = new
    return rows


@pytest.fixture(scope="module")
def runs():
    scene = loads_scene(SCENE)
    return [(cfg, traj, reference(cfg.kind, cfg.params, scene.start))
            for cfg, traj in zip(scene.optimizers, simulate(scene))]


def final(line):
    """The vector that ends a line, as printed."""
    m = FINAL.search(line)
    assert m, line
    return np.array([float(m.group(1)), float(m.group(2))])


def printed(got, want):
    """`got` is `want` to the 4 significant digits it was printed with."""
    want = np.asarray(want, dtype=np.float64)
    assert np.all(np.abs(got - want) <= 5e-4 * np.abs(want) + 1e-12), (got, want)


def line(n, start):
    found = [s for s in n.lines if s.startswith(start)]
    assert len(found) == 1, (start, n.text)
    return found[0]


def expected_parts(kind, hp, r, t, lr):
    """The parts each kind's narration must show, from the notes' formulas (name: vector)."""
    g, v0, v = r["g"], r["v_prev"], r["v"]
    step = r["W_new"] - r["W"]
    if kind == "gd":
        return {"dW": g, "-lr·dW = step": -lr * g}
    if kind in ("momentum", "nesterov"):
        b = hp["beta"]
        out = {"beta·v": b * v0, "(1-beta)·dW": (1 - b) * g, "v": v, "-lr·v = step": step}
        if kind == "nesterov":
            out["-lr·beta·v (to the look-ahead)"] = -lr * b * v0
            out["-lr·(1-beta)·dW (correction)"] = -lr * (1 - b) * g
        return out
    if kind in ("rmsprop", "adagrad"):
        return {"dW": g, "-lr·dW (plain GD)": -lr * g, "-lr·dW/(sqrt(S)+eps) = step": step}
    if kind == "adam":
        b1 = hp["beta1"]
        out = {"beta1·V": b1 * v0, "(1-beta1)·dW": (1 - b1) * g, "V": v}
        if hp["bias_correction"]:
            out["V^ = V/(1-beta1^t)"] = v / (1 - b1**t)
            out["-lr·V^/(sqrt(S^)+eps) = step"] = step
        else:
            out["-lr·V/(sqrt(S)+eps) = step"] = step
        return out
    raise AssertionError(f"{kind}: add its formula's parts to this test")


def expected_scale(kind, hp, r, t, lr):
    """lr/(sqrt(S_hat)+eps) per axis for the kinds that scale per axis, else None."""
    if kind in ("rmsprop", "adagrad"):
        return lr / (np.sqrt(r["s"]) + hp["eps"])
    if kind == "adam":
        s_hat = r["s"] / (1 - hp["beta2"] ** t) if hp["bias_correction"] else r["s"]
        return lr / (np.sqrt(s_hat) + hp["eps"])
    return None


def test_every_registered_optimizer_declares_its_narration():
    for opt in OPTIMIZERS.values():
        assert callable(opt.explain), opt.name
        assert not hasattr(opt.explain, "py_func"), f"{opt.name}: explain is plain Python"


@pytest.mark.parametrize("t", TS)
def test_parts_add_up_and_the_step_is_the_step_taken(runs, t):
    for cfg, traj, _ in runs:
        n = narrate(traj, cfg.params, t)
        names = [p.name for p in n.parts]
        assert len(set(names)) == len(names), names
        for i, p in enumerate(n.parts):
            assert p.origin == "W" or p.origin in names[:i], (cfg.label, p.name, p.origin)
            assert set(p.sum_of) <= set(names), (cfg.label, p.sum_of)
            if p.sum_of:
                total = sum(n.part(q).vec for q in p.sum_of)
                np.testing.assert_allclose(p.vec, total, rtol=1e-12, atol=1e-15, err_msg=p.name)
                # drawn tail to head, the summands end where the sum ends
                np.testing.assert_allclose(n.tip(p.sum_of[-1]), n.tip(p.name), rtol=1e-12, atol=1e-15)
        steps = [p for p in n.parts if p.step]
        assert len(steps) == 1, cfg.label
        np.testing.assert_allclose(n.step.vec, traj.path[t] - traj.path[t - 1], rtol=0, atol=1e-12,
                                   err_msg=cfg.label)
        np.testing.assert_allclose(n.tip(n.step.name), traj.path[t], rtol=0, atol=1e-12)


@pytest.mark.parametrize("t", TS)
def test_parts_and_printed_numbers_match_the_formulas(runs, t):
    for cfg, traj, ref in runs:
        r, hp, lr = ref[t], cfg.params, lr_at(t)
        assert math.isclose(traj.lr[t - 1], lr, rel_tol=1e-12)
        np.testing.assert_allclose(traj.path[t], r["W_new"], rtol=1e-10, atol=1e-12)
        n = narrate(traj, hp, t, cfg.schedule)
        for name, want in expected_parts(cfg.kind, hp, r, t, lr).items():
            np.testing.assert_allclose(n.part(name).vec, want, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{cfg.label}: {name}")
        # the last line is the W update and ends with the new position
        assert n.lines[-1].startswith("W -= "), n.lines[-1]
        printed(final(n.lines[-1]), traj.path[t])
        printed(final(line(n, "dW ")), r["g"])
        if cfg.kind in ("momentum", "nesterov"):
            printed(final(line(n, "v = ")), r["v"])
        if cfg.kind in ("rmsprop", "adam"):
            printed(final(line(n, "S = ")), r["s"])
        if cfg.kind == "adagrad":
            printed(final(line(n, "S += ")), r["s"])
        if cfg.kind == "adam":
            printed(final(line(n, "V = ")), r["v"])
            if hp["bias_correction"]:
                printed(final(line(n, "V^ = ")), r["v"] / (1 - hp["beta1"] ** t))
                printed(final(line(n, "S^ = ")), r["s"] / (1 - hp["beta2"] ** t))
        scale = expected_scale(cfg.kind, hp, r, t, lr)
        if scale is None:
            assert n.scale is None, cfg.label
        else:
            np.testing.assert_allclose(n.scale, scale, rtol=1e-9, err_msg=cfg.label)
            printed(final(line(n, "lr/(sqrt(")), scale)
            assert n.scale_name.startswith("lr/(sqrt(S")


@pytest.mark.parametrize("t", TS)
def test_nesterov_gradient_is_taken_at_the_look_ahead(runs, t):
    for cfg, traj, _ in runs:
        if cfg.kind != "nesterov":
            continue
        n = narrate(traj, cfg.params, t)
        v_prev = traj.v[t - 2] if t > 1 else np.zeros(2)
        look = traj.path[t - 1] - traj.lr[t - 1] * cfg.params["beta"] * v_prev
        np.testing.assert_allclose(n.tip("-lr·beta·v (to the look-ahead)"), look, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(traj.grad[t - 1], bowl_grad(look), rtol=1e-10, atol=1e-12)
        printed(final(line(n, "look-ahead = ")), look)
        if t > 1:  # not at W: the gradient there differs
            assert not np.allclose(bowl_grad(traj.path[t - 1]), traj.grad[t - 1], rtol=1e-6)


def test_notation_is_the_notes(runs):
    equations = {
        "gd": ["W -= lr·dW"],
        "momentum": ["v = beta·v + (1-beta)·dW", "W -= lr·v"],
        "nesterov": ["W - lr·beta·v", "v = beta·v + (1-beta)·dW", "W -= lr·v"],
        "rmsprop": ["S = beta2·S + (1-beta2)·dW^2", "W -= lr·dW/(sqrt(S)+eps)"],
        "adagrad": ["S += dW^2", "W -= lr·dW/(sqrt(S)+eps)"],
        "adam": ["V = beta1·V + (1-beta1)·dW", "S = beta2·S + (1-beta2)·dW^2",
                 "V^ = V/(1-beta1^t)", "S^ = S/(1-beta2^t)", "W -= lr·V^/(sqrt(S^)+eps)"],
    }
    seen = set()
    for cfg, traj, _ in runs:
        text = "\n".join(narrate(traj, cfg.params, 3).lines)
        assert "*" not in text and "·" in text, text
        assert re.search(r"^dW .*= \(", text, re.M) and "W -= " in text
        for p in OPTIMIZERS[cfg.kind].params:
            if p.kind != "bool":
                assert re.search(rf"\b{p.name}\b", text), (cfg.label, p.name)
        if cfg.params.get("bias_correction", True):
            seen.add(cfg.kind)
            for eq in equations[cfg.kind]:
                assert eq in text, (cfg.label, eq, text)
    assert seen == set(ORDER)


def test_adam_shows_the_bias_correction_factors(runs):
    by = {cfg.label: (cfg, traj) for cfg, traj, _ in runs}
    cfg, traj = by["adam"]
    text = narrate(traj, cfg.params, 3).text
    assert "1-beta1^t = 1-0.9^3 = 0.271" in text
    assert "1-beta2^t = 1-0.999^3 = 0.002997" in text
    cfg, traj = by["adam raw"]
    n = narrate(traj, cfg.params, 3)
    assert "V^" not in n.text and "no bias correction" in n.text
    assert n.lines[-1].startswith("W -= lr·V/(sqrt(S)+eps)")


def test_header_names_the_update_and_its_learning_rate(runs):
    cfg, traj, _ = runs[0]
    n = narrate(traj, cfg.params, 3, cfg.schedule)
    assert n.header == f"update t = 3 of {STEPS}, lr = {num(lr_at(3))} (schedule: inverse_time, lr0 = 0.05)"
    assert n.text.splitlines()[0] == n.header
    assert narrate(traj, cfg.params, 3, "constant").header.endswith("(schedule: constant, lr0 = 0.05)")
    assert narrate(traj, {}, 3).header == f"update t = 3 of {STEPS}, lr = 0.03846"


def test_agrees_with_step_info(runs):
    for cfg, traj, _ in runs:
        for t in TS:
            n, info = narrate(traj, cfg.params, t), step_info(traj, cfg.params, t)
            np.testing.assert_allclose(n.step.vec, info.step, rtol=0, atol=1e-12)
            assert n.lr == info.lr
            if n.scale is not None and info.direction_name == "grad":
                np.testing.assert_allclose(n.scale, info.effective_lr, rtol=1e-12)


def test_out_of_range_update_is_refused(runs):
    cfg, traj, _ = runs[0]
    for t in (0, STEPS + 1):
        with pytest.raises(ValueError, match=f"1..{STEPS}"):
            narrate(traj, cfg.params, t)


def test_numbers_are_short():
    assert num(0.1 + 0.2) == "0.3"
    assert num(1e-8) == "1e-8"
    assert num(-2.5e6) == "-2.5e6"
    assert num(-1e-20, 2) == "-1e-20"
    assert num(-0.0) == "0" and num(-0.00001, 1) == "-1e-5"
    assert num(0.8125) == "0.8125" and num(-1.21234) == "-1.212"
    assert vec([0.238, -0.25]) == "(0.238, -0.25)"


# An optimizer the narrator has never seen: sign descent with a decaying mean of |dW| as S.

@jit
def _sign_update(g, w, s, lr, beta2, eps):
    s = beta2 * s + (1.0 - beta2) * abs(g)
    return -lr * math.copysign(1.0, g), s


def _sign_reference(w, grad, state, lr, hp, t):
    g = grad(w)
    return w - lr * np.sign(g), {"s": hp["beta2"] * state["s"] + (1 - hp["beta2"]) * np.abs(g)}


SIGN = Optimizer(
    name="signdescent", description="steps of lr against the sign of dW",
    formula="S = beta2*S + (1-beta2)*|dW|; W -= lr*sign(dW)",
    params=(OPTIMIZERS["rmsprop"].params), update=_sign_update, reference=_sign_reference, state=("s",))


def _run_by_hand(opt, start, steps, lr):
    w, s = np.array(start, dtype=np.float64), np.zeros(2)
    path, grads, ss = [w.copy()], [], []
    hp = opt.defaults()
    for _ in range(steps):
        g = bowl_grad(w)
        out = [opt.update(g[i], w[i], s[i], lr, hp["beta2"], hp["eps"]) for i in range(2)]
        w = w + np.array([o[0] for o in out])
        s = np.array([o[1] for o in out])
        path.append(w.copy()), grads.append(g), ss.append(s)
    path = np.array(path)
    return Trajectory("sign", opt.name, path, np.zeros(len(path)), np.full(steps, lr),
                      np.array(grads), {"s": np.array(ss)})


def test_an_unregistered_optimizer_is_narrated_from_its_formula_and_state():
    assert SIGN.explain is None and SIGN.name not in OPTIMIZERS
    traj = _run_by_hand(SIGN, (-1.5, 1.0), 5, 0.1)
    n = narrate(traj, {"lr": 0.1}, 3, "constant", opt=SIGN)
    assert n.kind == "signdescent"
    assert n.lines[0] == "signdescent: S = beta2·S + (1-beta2)·|dW|; W -= lr·sign(dW)"
    assert "lr = 0.1, beta2 = 0.9, eps = 1e-8" in n.text
    printed(final(line(n, "dW = ")), traj.grad[2])
    printed(final(line(n, "S: ")), traj.s[2])
    assert not any(s.startswith("v: ") for s in n.lines)  # no first moment: not shown
    assert n.lines[-1].startswith("W = W + step = ")
    printed(final(n.lines[-1]), traj.path[3])
    np.testing.assert_allclose(n.step.vec, traj.path[3] - traj.path[2], rtol=0, atol=1e-15)
    np.testing.assert_allclose(n.part("dW").vec, traj.grad[2])
    assert n.scale is None


def test_a_module_without_explain_falls_back(runs):
    """Momentum with its explain removed: the generic narration shows v and the step."""
    cfg, traj, ref = next(r for r in runs if r[0].kind == "momentum")
    bare = dataclasses.replace(OPTIMIZERS["momentum"], explain=None)
    n = narrate(traj, cfg.params, 7, opt=bare)
    assert n.lines[0] == "momentum: v = beta·v + (1-beta)·dW; W -= lr·v"
    printed(final(line(n, "v: ")), ref[7]["v"])
    printed(final(n.lines[-1]), traj.path[7])
    np.testing.assert_allclose(n.part("v").vec, traj.v[6])
    np.testing.assert_allclose(n.step.vec, traj.path[7] - traj.path[6], rtol=0, atol=1e-15)
    assert isinstance(n.parts[0], Part) and n.parts[0].name == "dW"


def test_parts_chain_in_one_kind_of_units():
    """A part starts at the tip of a part of its own units (a move of W, or gradient-like),
    so the map can draw each chain on one scale; the step is always a move."""
    from ravine.core import load_example, simulate
    from ravine.core.narration import narrate as _narrate
    from ravine.core.optimizers import OPTIMIZERS as _OPTS
    from ravine.core.scene import OptimizerConfig

    scene = load_example("momentum-ravine")
    for kind, opt in _OPTS.items():
        cfg = OptimizerConfig(kind, kind, opt.defaults())
        traj = simulate(scene.with_(optimizers=[cfg]))[0]
        n = _narrate(traj, cfg.params, 5)
        assert n.step.move
        for p in n.parts:
            if p.origin != "W":
                assert n.part(p.origin).move == p.move, (kind, p.name)
