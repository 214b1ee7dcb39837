"""Every optimizer's trajectory against the plain reference in tests/naive.py."""

import math

import numpy as np
import pytest

from ravine.core import simulate_batch
from ravine.core.optimizers import OPTIMIZERS, ORDER
from ravine.landscapes import get_surface
from tests import naive

CASES = [
    ("gd", {}, 0.02),
    ("momentum", {"beta": 0.9}, 0.02),
    ("momentum", {"beta": 0.5}, 0.05),
    ("nesterov", {"beta": 0.9}, 0.02),
    ("rmsprop", {"beta2": 0.9, "eps": 1e-8}, 0.01),
    ("adagrad", {"eps": 1e-8}, 0.3),
    ("adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "bias_correction": True}, 0.05),
    ("adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "bias_correction": False}, 0.05),
]


def reference(kind, hp, lr, surface, start, steps, surface_params=None, lrs=None):
    surf = get_surface(surface)
    p = surf.packed(surface_params)
    grad = lambda w: [float(g) for g in surf.grad(w[0], w[1], p)]  # noqa: E731
    return naive.trajectory(kind, grad, start, steps, lrs or [lr] * steps, hp)


@pytest.mark.parametrize("kind,hp,lr", CASES)
@pytest.mark.parametrize("surface,start,scale", [("booth", (-5.0, -5.0), 1.0),
                                                 ("rosenbrock", (-1.5, 1.5), 0.05),
                                                 ("elongated_bowl", (-1.5, 1.0), 1.0)])
def test_trajectory_matches_the_formula(kind, hp, lr, surface, start, scale):
    steps = 60
    lr = lr * scale  # rosenbrock's walls are ~100x steeper
    r = simulate_batch(surface, kind, [start], steps, lr=lr, record=True, **hp)
    path, grads = reference(kind, hp, lr, surface, start, steps)
    assert r.diverged_at[0] == -1
    np.testing.assert_allclose(r.path[0], path, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r.grad[0], grads, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(r.final[0], path[-1], rtol=1e-10, atol=1e-12)


def test_the_courses_six_are_covered_here():
    """tests/naive.py types the notes' six optimizers again, independently of their modules;
    every registered optimizer (these and any other) is also checked against the NumPy
    reference its own module carries, in test_contract.py, which needs no list."""
    assert {k for k, _, _ in CASES} == set(ORDER) and set(ORDER) <= set(OPTIMIZERS)


def test_adam_bias_correction_divides():
    """Step 1 of Adam with bias correction: V^ = dW, S^ = dW**2, so the step is lr per axis.

    ConvNetJS multiplied by (1 - beta**t) instead of dividing; that would give a first
    step of lr * 0.1 / sqrt(0.001) * 0.1 ... far smaller. Without bias correction the first
    step is lr * 0.1 / sqrt(0.001) = 3.16 lr: too long, which the GUI shows.
    """
    lr = 0.01
    on = simulate_batch("booth", "adam", [(-5.0, -5.0)], 1, lr=lr, record=True)
    off = simulate_batch("booth", "adam", [(-5.0, -5.0)], 1, lr=lr, record=True,
                         bias_correction=False)
    step_on = on.path[0, 1] - on.path[0, 0]
    step_off = off.path[0, 1] - off.path[0, 0]
    g = on.grad[0, 0]
    np.testing.assert_allclose(step_on, -lr * np.sign(g), rtol=1e-6)
    np.testing.assert_allclose(step_off, -lr * 0.1 / math.sqrt(0.001) * np.sign(g), rtol=1e-6)


def test_nesterov_takes_the_gradient_at_the_look_ahead_point():
    r = simulate_batch("booth", "nesterov", [(-5.0, -5.0)], 3, lr=0.02, beta=0.9, record=True)
    booth = get_surface("booth")
    p = booth.packed()
    v = r.v[0, 1]  # momentum after update 2
    look = r.path[0, 2] - 0.02 * 0.9 * v
    np.testing.assert_allclose(r.grad[0, 2], booth.grad(look[0], look[1], p), rtol=1e-12)


def test_state_is_recorded():
    r = simulate_batch("booth", "adam", [(-5.0, -5.0)], 5, lr=0.05, record=True)
    g = r.grad[0]
    v = naive.ewa(g[:, 0], 0.9)
    s = naive.ewa(g[:, 0] ** 2, 0.999)
    np.testing.assert_allclose(r.v[0, :, 0], v, rtol=1e-12)
    np.testing.assert_allclose(r.s[0, :, 0], s, rtol=1e-12)


def test_batch_hyperparameters_per_trajectory_equal_single_runs():
    starts = np.array([[-1.5, 1.5], [0.0, 2.0], [1.5, -0.5], [-0.3, 0.2]] * 40)
    lrs = np.linspace(0.001, 0.05, len(starts))
    b1 = np.linspace(0.5, 0.95, len(starts))
    batch = simulate_batch("rosenbrock", "adam", starts, 80, lr=lrs, beta1=b1)
    for i in [0, 7, 63, 64, 65, 159]:  # across chunk boundaries
        one = simulate_batch("rosenbrock", "adam", starts[i:i + 1], 80, lr=lrs[i], beta1=b1[i])
        np.testing.assert_array_equal(batch.final[i], one.final[0])


def test_one_value_for_all_equals_the_same_value_given_per_trajectory():
    """A scalar lr or hyperparameter is handed to the kernel once (not copied n times) and
    read for every trajectory: the same numbers, to the bit, as n copies of it, alone or
    beside a value given per trajectory, across chunk boundaries."""
    n = 150
    starts = np.random.default_rng(4).uniform(-1.5, 1.5, (n, 2))
    b1 = np.linspace(0.5, 0.95, n)
    for lr, beta1 in [(0.01, 0.9), (0.01, b1), (np.linspace(0.001, 0.02, n), 0.9)]:
        shared = simulate_batch("rosenbrock", "adam", starts, 60, lr=lr, beta1=beta1, eps=1e-7)
        copies = simulate_batch("rosenbrock", "adam", starts, 60, lr=np.broadcast_to(lr, n).copy(),
                                beta1=np.broadcast_to(beta1, n).copy(), eps=np.full(n, 1e-7))
        np.testing.assert_array_equal(shared.final, copies.final)
        np.testing.assert_array_equal(shared.final_loss, copies.final_loss)
        assert shared.lr.shape == (n,)
        np.testing.assert_array_equal(shared.lr, copies.lr)


def test_the_starts_are_read_not_changed_whatever_their_layout():
    starts = np.random.default_rng(5).uniform(-1.5, 1.5, (70, 2))
    kept = starts.copy()
    r = simulate_batch("rosenbrock", "adam", starts, 30, lr=0.01)
    np.testing.assert_array_equal(starts, kept)
    for other in (np.asfortranarray(starts), np.repeat(starts, 2, axis=1)[:, ::2], starts.tolist()):
        np.testing.assert_array_equal(simulate_batch("rosenbrock", "adam", other, 30, lr=0.01).final, r.final)


def test_schedule_reaches_the_kernel():
    sched = {"kind": "inverse_time", "decay_rate": 1.0, "steps_per_epoch": 2}
    r = simulate_batch("booth", "gd", [(-5.0, -5.0)], 6, lr=0.02, schedule=sched, record=True)
    lrs = [0.02 / (1 + (t // 2 + 1)) for t in range(6)]
    np.testing.assert_allclose(r.lr_per_step(0), lrs)
    path, _ = reference("gd", {}, None, "booth", (-5.0, -5.0), 6, lrs=lrs)
    np.testing.assert_allclose(r.path[0], path, rtol=1e-12)


def test_a_scheduled_lr_is_the_schedule_of_lr_to_the_last_digit():
    """lr / (1 + decay_rate * epoch), not lr * (1 / (1 + ...)): the lecture's table is
    0.1, 0.0666..., 0.05, 0.04 (not 0.04000000000000001), in the result and in the steps taken."""
    sched = {"kind": "inverse_time", "decay_rate": 1.0}
    r = simulate_batch("booth", "gd", [(-5.0, -5.0)], 4, lr=0.2, schedule=sched, record=True)
    lrs = [0.2 / (1 + 1.0 * e) for e in (1, 2, 3, 4)]
    assert r.lr_per_step(0).tolist() == lrs
    assert lrs[3] == 0.04
    path = [np.array([-5.0, -5.0])]
    for lr in lrs:  # booth's gradient, by hand
        x, y = path[-1]
        g = np.array([2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5), 4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5)])
        path.append(path[-1] - lr * g)
    np.testing.assert_array_equal(r.path[0], np.array(path))


def test_bad_arguments_are_refused():
    with pytest.raises(KeyError, match="adam"):
        simulate_batch("booth", "nosuch", [(0, 0)], 5)
    with pytest.raises(TypeError, match="beta1"):
        simulate_batch("booth", "gd", [(0, 0)], 5, beta1=0.9)
    with pytest.raises(ValueError, match="steps"):
        simulate_batch("booth", "gd", [(0, 0)], 0)
    with pytest.raises(ValueError, match="shape"):
        simulate_batch("booth", "gd", [(0, 0), (1, 1)], 5, lr=[0.1, 0.2, 0.3])


def test_batch_values_are_checked_like_scene_values():
    from ravine.core.params import SceneError

    with pytest.raises(ValueError, match=r"beta1: must be a number in \[0, 1\) \(got 1 for trajectory 1\)"):
        simulate_batch("booth", "adam", [(0, 0)] * 3, 5, beta1=[0.9, 1.0, 0.5])
    with pytest.raises(ValueError, match=r"lr: must be a number > 0 \(got -0.1"):
        simulate_batch("booth", "gd", [(0, 0)], 5, lr=-0.1)
    with pytest.raises(ValueError, match=r"lr: must be a number > 0 \(got nan"):
        simulate_batch("booth", "gd", [(0, 0)], 5, lr=float("nan"))
    with pytest.raises(SceneError, match=r"surface_params: unknown key 'kapa' \(allowed: kappa, angle\)"):
        simulate_batch("elongated_bowl", "gd", [(0, 0)], 5, surface_params={"kapa": 100})
    with pytest.raises(SceneError, match=r"surface_params.width: must be a number in \[0.05, 5\]"):
        simulate_batch("plateau", "gd", [(0, 0)], 5, surface_params={"width": 0})
