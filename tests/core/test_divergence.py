"""Divergence: a run that leaves the finite region stops there, says when, and leaks no NaN."""

import numpy as np

from ravine.core import load_example, simulate, simulate_batch
from ravine.landscapes import get_surface


def first_bad_step(lr, start, steps):
    """GD on booth by hand: the first update whose result has |x| or |y| > 1e6."""
    booth = get_surface("booth")
    p = booth.packed()
    x, y = start
    for t in range(1, steps + 1):
        gx, gy = booth.grad(x, y, p)
        x, y = x - lr * gx, y - lr * gy
        if not (abs(x) <= 1e6 and abs(y) <= 1e6):
            return t
    return -1


def test_gd_with_a_too_large_lr_diverges_at_the_right_step():
    expected = first_bad_step(0.5, (-5.0, -5.0), 200)
    assert expected > 1
    r = simulate_batch("booth", "gd", [(-5.0, -5.0)], 200, lr=0.5, record=True)
    assert r.diverged_at[0] == expected
    assert np.all(np.isfinite(r.final)) and np.all(np.isfinite(r.final_loss))
    np.testing.assert_array_equal(r.final[0], r.path[0, expected - 1])


def test_overflow_to_nan_is_caught_and_not_returned():
    # rosenbrock with a huge step overflows to inf and then NaN within a few updates
    r = simulate_batch("rosenbrock", "gd", [(-1.5, 1.5)], 100, lr=10.0, record=True)
    assert r.diverged_at[0] > 0
    assert np.all(np.isfinite(r.final)) and np.isfinite(r.final_loss[0])


def test_simulate_cuts_a_diverged_trajectory_at_its_last_finite_step():
    scene = load_example("momentum-ravine")
    scene.optimizers[0].params["lr"] = 0.5  # GD: 0.5 * kappa 20 = 10 > 2: diverges
    sim = simulate(scene)
    gd = sim[0]
    assert gd.diverged_at is not None
    assert gd.steps_done == gd.diverged_at - 1
    for arr in (gd.path, gd.loss, gd.lr, gd.grad, gd.v, gd.s):
        assert np.all(np.isfinite(arr))
    assert len(gd.lr) == len(gd.grad) == gd.steps_done
    # the others are unaffected
    assert all(t.diverged_at is None for t in sim.trajectories[1:])


def test_diverged_rows_in_a_batch_do_not_affect_their_neighbours():
    starts = np.array([[-5.0, -5.0]] * 3)
    r = simulate_batch("booth", "gd", starts, 300, lr=np.array([0.05, 0.5, 0.05]))
    assert list(r.diverged_at == -1) == [True, False, True]
    np.testing.assert_allclose(r.final[[0, 2]], [[1.0, 3.0]] * 2, atol=1e-6)
