"""AdamW, AMSGrad, NAdam and Adadelta against torch.optim in float64, step for step; Lion
against the pseudo-code of its paper (no torch needed). Skipped where torch is not installed.

The surfaces' losses are written again here in torch, and torch's autograd takes their
gradients: nothing is shared with Ravine's code but the start, the steps and the numbers.
"""

import math

import numpy as np
import pytest

from ravine.core import simulate_batch

STEPS = 150


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _booth(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


LOSSES = {"rosenbrock": _rosenbrock, "booth": _booth}
STARTS = {"rosenbrock": (-1.5, 1.5), "booth": (-5.0, -5.0)}


def torch_run(torch, surface, make, start, steps, lrs):
    """Positions 0..steps of torch optimizer make([w]) on `surface`, with lr lrs[t-1] at update
    t; and the optimizer's final state for w.

    The default dtype is float64 meanwhile: torch keeps its scalar state (NAdam's mu_product,
    the step count) in the default dtype, float32 otherwise, whatever the parameters' dtype."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = make([w])
        path = [w.detach().numpy().copy()]
        for t in range(1, steps + 1):
            for group in opt.param_groups:
                group["lr"] = float(lrs[t - 1])
            opt.zero_grad()
            LOSSES[surface](w[0], w[1]).backward()
            opt.step()
            path.append(w.detach().numpy().copy())
    finally:
        torch.set_default_dtype(before)
    return np.array(path), {k: (v.numpy().copy() if hasattr(v, "numpy") else v) for k, v in opt.state[w].items()}


# (ravine's name, its hyperparameters, lr, surface, steps, schedule)
CASES = [
    ("adamw", {}, 1e-3, "rosenbrock", STEPS, None),
    ("adamw", {}, 0.05, "booth", STEPS, None),
    ("adamw", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}, 0.05, "booth", STEPS, None),
    ("adamw", {"weight_decay": 0.5}, 2e-3, "rosenbrock", STEPS, {"kind": "inverse_time", "decay_rate": 0.5,
                                                               "steps_per_epoch": 10}),
    ("amsgrad", {}, 1e-3, "rosenbrock", STEPS, None),
    ("amsgrad", {}, 0.05, "booth", STEPS, None),
    ("amsgrad", {"beta1": 0.5, "beta2": 0.9, "eps": 1e-4}, 0.2, "booth", STEPS, None),
    ("nadam", {}, 1e-3, "rosenbrock", STEPS, None),
    ("nadam", {}, 0.05, "booth", STEPS, None),
    ("nadam", {"beta1": 0.95, "beta2": 0.99, "eps": 1e-6, "momentum_decay": 0.05}, 0.05, "booth", STEPS, None),
    ("adadelta", {}, 1.0, "rosenbrock", STEPS, None),
    ("adadelta", {}, 1.0, "booth", STEPS, None),
    ("adadelta", {"rho": 0.95, "eps": 1e-4}, 0.5, "rosenbrock", STEPS, None),
]


def torch_optimizer(torch, kind, hp, lr):
    """torch's optimizer for ravine's `kind` and hyperparameters (torch's defaults where ravine
    leaves them at its own, which are torch's)."""
    b = (hp.get("beta1", 0.9), hp.get("beta2", 0.999))
    eps = hp.get("eps", 1e-6 if kind == "adadelta" else 1e-8)
    if kind == "adamw":
        return lambda ps: torch.optim.AdamW(ps, lr=lr, betas=b, eps=eps,
                                            weight_decay=hp.get("weight_decay", 0.01), foreach=False)
    if kind == "amsgrad":
        return lambda ps: torch.optim.Adam(ps, lr=lr, betas=b, eps=eps, amsgrad=True, foreach=False)
    if kind == "nadam":
        return lambda ps: torch.optim.NAdam(ps, lr=lr, betas=b, eps=eps,
                                            momentum_decay=hp.get("momentum_decay", 0.004), foreach=False)
    if kind == "adadelta":
        return lambda ps: torch.optim.Adadelta(ps, lr=lr, rho=hp.get("rho", 0.9), eps=eps, foreach=False)
    raise AssertionError(kind)


# torch's state names for ravine's slots
TORCH_STATE = {"v": "exp_avg", "s": "exp_avg_sq", "s_max": "max_exp_avg_sq", "mu_product": "mu_product"}
ADADELTA_STATE = {"s": "square_avg", "u": "acc_delta"}


@pytest.mark.parametrize("kind,hp,lr,surface,steps,schedule", CASES,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_path_matches_torch(kind, hp, lr, surface, steps, schedule):
    torch = pytest.importorskip("torch")
    start = STARTS[surface]
    r = simulate_batch(surface, kind, [start], steps, lr=lr, schedule=schedule, record=True, **hp)
    assert r.diverged_at[0] == -1
    lrs = r.lr_per_step(0)
    if schedule is not None:
        assert lrs[-1] < 0.5 * lrs[0]  # the schedule did lower lr
    path, state = torch_run(torch, surface, torch_optimizer(torch, kind, hp, lr), start, steps, lrs)
    assert np.linalg.norm(path[-1] - path[0]) > 1e-2, "the run should move visibly"
    np.testing.assert_allclose(r.path[0], path, rtol=1e-9, atol=1e-12)
    names = ADADELTA_STATE if kind == "adadelta" else TORCH_STATE
    for slot, a in r.state.items():
        want = np.broadcast_to(np.asarray(state[names[slot]], dtype=np.float64), (2,))
        np.testing.assert_allclose(a[0, -1], want, rtol=1e-9, atol=1e-15, err_msg=slot)


def test_adamw_weight_decay_is_decoupled_and_pulls_to_the_origin():
    """On a flat spot (booth's minimum, dW = 0) AdamW's step is the decay alone:
    W_1 = W_0 * (1 - lr*weight_decay); Adam's part is 0/(0 + eps)."""
    lr, wd = 0.1, 0.3
    r = simulate_batch("booth", "adamw", [(1.0, 3.0)], 1, lr=lr, record=True, weight_decay=wd)
    np.testing.assert_allclose(r.path[0, 1], np.array([1.0, 3.0]) * (1 - lr * wd), rtol=1e-15)


def test_adamw_trains_the_network():
    from ravine.core.training import network_from_dict, train

    spec = network_from_dict({
        "dataset": "moons", "data": {"n": 80, "noise": 0.2}, "layers": [2, 5, 1], "epochs": 15,
        "batch_size": 16, "seed": 4,
        "configs": [{"kind": "adamw", "lr": 0.01, "weight_decay": 0.1}],
    }, "network")
    (run,) = train(spec)
    assert run.epochs_done == 15
    assert np.all(np.isfinite(run.epoch_cost)) and np.all(np.isfinite(run.theta))
    assert run.epoch_cost[-1] < run.epoch_cost[0]


# Lion: Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2, typed
# from the paper as a plain loop over coordinates.

def _sign(x):
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


def lion_by_the_paper(grad, start, steps, lr, beta1, beta2, wd):
    theta, m = list(start), [0.0, 0.0]
    path = [list(theta)]
    for _ in range(steps):
        g = grad(theta)
        new = list(theta)
        for i in range(2):
            c = beta1 * m[i] + (1 - beta1) * g[i]  # update
            new[i] = theta[i] - lr * (_sign(c) + wd * theta[i])  # update model parameters
            m[i] = beta2 * m[i] + (1 - beta2) * g[i]  # update EMA of g_t
        theta = new
        path.append(list(theta))
    return np.array(path), np.array(m)


def _rosenbrock_grad(p):
    x, y = p
    return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]


def _booth_grad(p):
    x, y = p
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return [2 * a + 4 * b, 4 * a + 2 * b]


@pytest.mark.parametrize("surface,lr,hp", [
    ("rosenbrock", 1e-3, {}),
    ("rosenbrock", 1e-2, {"beta1": 0.5, "beta2": 0.9, "weight_decay": 0.1}),
    ("booth", 0.05, {"weight_decay": 0.1}),
])
def test_lion_matches_the_paper(surface, lr, hp):
    grad = {"rosenbrock": _rosenbrock_grad, "booth": _booth_grad}[surface]
    start = STARTS[surface]
    r = simulate_batch(surface, "lion", [start], STEPS, lr=lr, record=True, **hp)
    full = {"beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0, **hp}
    path, m = lion_by_the_paper(grad, start, STEPS, lr, full["beta1"], full["beta2"], full["weight_decay"])
    assert r.diverged_at[0] == -1
    np.testing.assert_allclose(r.path[0], path, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(r.v[0, -1], m, rtol=1e-12, atol=1e-14)
    if not full["weight_decay"]:  # every coordinate moves by exactly lr
        np.testing.assert_allclose(np.abs(np.diff(r.path[0], axis=0)), lr, rtol=1e-9)


def test_lion_sign_of_zero_is_zero():
    """At booth's minimum dW = 0 and v = 0, so C = 0: Lion does not move (sign(0) = 0), or
    moves by the decay alone."""
    r = simulate_batch("booth", "lion", [(1.0, 3.0)], 3, lr=0.1, record=True)
    np.testing.assert_array_equal(r.path[0], [[1.0, 3.0]] * 4)
    r = simulate_batch("booth", "lion", [(1.0, 3.0)], 1, lr=0.1, record=True, weight_decay=0.5)
    np.testing.assert_allclose(r.path[0, 1], np.array([1.0, 3.0]) * (1 - 0.1 * 0.5), rtol=1e-15)


def test_nadam_mu_product_is_the_product_of_the_schedule():
    r = simulate_batch("booth", "nadam", [(-5.0, -5.0)], 20, lr=0.05, record=True, momentum_decay=0.1)
    mus = [0.9 * (1 - 0.5 * 0.96 ** (t * 0.1)) for t in range(1, 21)]
    want = np.cumprod(mus)
    np.testing.assert_allclose(r.state["mu_product"][0, :, 0], want, rtol=1e-13)
    np.testing.assert_array_equal(r.state["mu_product"][0, :, 0], r.state["mu_product"][0, :, 1])


def test_adadelta_first_step_is_set_by_eps():
    """u starts at 0: the first step is lr*sqrt(eps)/sqrt((1-rho)*dW^2 + eps)*dW per axis."""
    lr, rho, eps = 1.0, 0.9, 1e-6
    r = simulate_batch("booth", "adadelta", [(-5.0, -5.0)], 1, lr=lr, record=True)
    g = np.array(_booth_grad((-5.0, -5.0)))
    want = -lr * math.sqrt(eps) / np.sqrt((1 - rho) * g**2 + eps) * g
    np.testing.assert_allclose(r.path[0, 1] - r.path[0, 0], want, rtol=1e-12)


NARRATED = [("adamw", 0.05, {"weight_decay": 0.1}), ("amsgrad", 0.05, {}), ("nadam", 0.05, {}),
            ("lion", 0.05, {}), ("lion", 0.05, {"weight_decay": 0.2}), ("adadelta", 1.0, {})]


@pytest.mark.parametrize("kind,lr,hp", NARRATED)
def test_narration_adds_up_to_the_step_taken(kind, lr, hp):
    """These five's explain(): parts chained tail to head that sum as declared, one step part
    equal to the step the kernel took, every hyperparameter named, the last line the W update
    ending with the new position (tests/core/test_narration.py checks the course's six so)."""
    import re

    from ravine.core import load_example, simulate
    from ravine.core.narration import narrate
    from ravine.core.optimizers import OPTIMIZERS
    from ravine.core.scene import OptimizerConfig

    scene = load_example("momentum-ravine")
    cfg = OptimizerConfig(kind, kind, {**OPTIMIZERS[kind].defaults(), "lr": lr, **hp})
    traj = simulate(scene.with_(optimizers=[cfg]))[0]
    for t in (1, 2, 3, 17, traj.steps_done):
        n = narrate(traj, cfg.params, t)
        names = [p.name for p in n.parts]
        assert len(set(names)) == len(names)
        for i, p in enumerate(n.parts):
            assert p.origin == "W" or p.origin in names[:i], p.name
            if p.origin != "W":
                assert n.part(p.origin).move == p.move, p.name
            if p.sum_of:
                np.testing.assert_allclose(p.vec, sum(n.part(q).vec for q in p.sum_of), rtol=1e-12, atol=1e-15)
        assert sum(p.step for p in n.parts) == 1
        np.testing.assert_allclose(n.step.vec, traj.path[t] - traj.path[t - 1], rtol=0, atol=1e-12)
        assert n.lines[-1].startswith("W -= ")
        last = re.search(r"\((\S+), (\S+)\)$", n.lines[-1])
        np.testing.assert_allclose([float(last.group(1)), float(last.group(2))], traj.path[t], rtol=1e-3)
        text = "\n".join(n.lines)
        assert "*" not in text and text.startswith("dW ")
        for p in OPTIMIZERS[kind].params:
            assert re.search(rf"\b{p.name}\b", text), p.name
