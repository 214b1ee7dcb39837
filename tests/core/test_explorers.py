"""The explorers against closed forms: gradient descent and the course's momentum on an
elongated bowl converge exactly where the eigenvalues say, the steps to a tolerance match a
plain loop, basins end at the minima they start in, and tuning finds the optimal step."""

import numpy as np
import pytest

from ravine.core import simulate_batch
from ravine.core.explorers import (Axis, basins, convergence_map, default_axes, parse_axis, tune, tune_csv,
                                   tuned)
from ravine.core.params import SceneError
from ravine.core.scene import OptimizerConfig, Scene

KAPPA = 20.0


def bowl(kind="gd", steps=3000, **params):
    cfg = OptimizerConfig(kind, kind, {"lr": 0.01, **params})
    return Scene("bowl", "elongated_bowl", (1.5, 1.0), steps, [cfg], {"kappa": KAPPA, "angle": 0.0})


def test_gd_converges_exactly_below_two_over_kappa():
    """GD on 1/2 (u^2 + kappa w^2) multiplies w by (1 - lr kappa) each step: it converges for
    lr < 2/kappa. Cells at most 0.75 of that reach the tolerance, cells at 1.25 or more never."""
    bound = 2 / KAPPA
    m = convergence_map(bowl(), x=Axis("lr", bound / 4, bound * 2, "log", 41), tol=1e-8)
    assert m.y is None and m.final_loss.shape == (1, 41)
    ratio = m.xs / bound
    reached = m.steps_to_tol[0] >= 0
    assert reached[ratio <= 0.75].all()
    assert not reached[ratio >= 1.25].any()
    assert (m.diverged_at[0][ratio >= 1.25] > 0).all()  # it blows up, and the map says when
    assert m.csv().splitlines()[0] == "lr,final_loss,steps_to_tol,diverged_at" and len(m.csv().splitlines()) == 42


def test_steps_to_tolerance_match_a_plain_loop():
    lrs = np.array([0.01, 0.03, 0.07, 0.09])
    r = simulate_batch("elongated_bowl", "gd", np.tile([1.5, 1.0], (4, 1)), 2000, lr=lrs,
                       surface_params={"kappa": KAPPA, "angle": 0.0}, tol=1e-6)
    for lr, got in zip(lrs, r.steps_to_tol):
        u, w, expected = 1.5, 1.0, -1
        for t in range(2001):  # f(x_t) <= tol first at update t (t = 0: the start)
            if 0.5 * (u * u + KAPPA * w * w) <= 1e-6:
                expected = t
                break
            u, w = u - lr * u, w - lr * KAPPA * w
        assert got == expected
    g = simulate_batch("elongated_bowl", "gd", [(1.5, 1.0)], 2000, lr=0.05,
                       surface_params={"kappa": KAPPA, "angle": 0.0}, tol=1e-6, criterion="grad")
    u, w, t = 1.5, 1.0, 0
    while np.hypot(u, KAPPA * w) > 1e-6:
        u, w, t = u - 0.05 * u, w - 0.05 * KAPPA * w, t + 1
    assert g.steps_to_tol[0] == t


def test_the_courses_momentum_converges_where_heavy_ball_says():
    """v = beta v + (1 - beta) dW, W -= lr v is heavy ball with step lr (1 - beta): on
    eigenvalue lambda it converges iff lr (1 - beta) lambda < 2 (1 + beta). Cells at most 0.75
    of the boundary (for the largest eigenvalue, kappa) converge; at 1.25 or more they do not."""
    m = convergence_map(bowl("momentum", steps=4000, beta=0.9), x=Axis("lr", 0.01, 20.0, "log", 48),
                        y=Axis("beta", 0.0, 0.99, "log1m", 24), tol=1e-8)
    assert m.final_loss.shape == (24, 48)
    lr, beta = np.meshgrid(m.xs, m.ys)
    ratio = lr * (1 - beta) * KAPPA / (2 * (1 + beta))
    reached = m.steps_to_tol >= 0
    assert reached[ratio <= 0.75].all()
    assert not reached[ratio >= 1.25].any()
    assert (ratio <= 0.75).sum() > 100 and (ratio >= 1.25).sum() > 100  # both sides are really tested


def test_default_axes_follow_the_optimizer():
    assert default_axes("gd")[1] is None
    assert default_axes("momentum")[1].name == "beta" and default_axes("momentum")[1].scale == "log1m"
    assert default_axes("rmsprop")[1].name == "beta2"
    assert default_axes("adam")[1].name == "beta1"
    assert default_axes("adagrad")[1].name == "eps" and default_axes("adagrad")[1].scale == "log"
    x, _ = default_axes("adam")
    assert (x.name, x.scale, x.count) == ("lr", "log", 64)


def test_axes_read_as_written():
    a = parse_axis("lr:1e-4:1:log:5", "gd")
    np.testing.assert_allclose(a.values(), [1e-4, 1e-3, 1e-2, 1e-1, 1])
    b = parse_axis("beta:0:0.999:log1m:4", "momentum")
    np.testing.assert_allclose(1 - b.values(), [1, 0.1, 0.01, 0.001])
    assert str(b) == "beta:0:0.999:log1m:4"


@pytest.mark.parametrize("text, message", [
    ("lr:1e-4:1:log", r"must be NAME:LOW:HIGH:SCALE:COUNT"),
    ("lr:a:1:log:4", r"LOW and HIGH must be numbers"),
    ("beta:0:1:lin:4", r"momentum has no hyperparameter|beta: must be"),
    ("lr:0:1:log:4", r"lr: must be a number > 0"),
    ("lr:1e-3:1:cubic:4", r"SCALE must be one of lin, log, log1m"),
    ("lr:1e-3:1:log:0", r"COUNT: must be an integer in \[1, 4096\]"),
    ("gamma:0:1:lin:4", r"momentum has no hyperparameter 'gamma' to sweep \(allowed: lr, beta\)"),
])
def test_bad_axes_are_one_line(text, message):
    with pytest.raises(SceneError, match=message):
        parse_axis(text, "momentum", "--x")


def test_the_map_csv_has_a_row_per_cell():
    m = convergence_map(bowl("momentum", beta=0.9), x=Axis("lr", 0.01, 0.1, "log", 3),
                        y=Axis("beta", 0.5, 0.9, "lin", 2), steps=50, tol=1e-3)
    rows = [r.split(",") for r in m.csv().splitlines()]
    assert rows[0] == ["lr", "beta", "final_loss", "steps_to_tol", "diverged_at"]
    assert len(rows) == 1 + 6
    assert all(r[4] == "" for r in rows[1:])  # none diverged


def test_basins_end_in_the_minimum_they_start_in():
    """Himmelblau's four minima; small steps of GD from a 24 x 24 grid: a start next to a
    minimum ends in it, and most starts end in one of the four."""
    scene = Scene("b", "himmelblau", (0.0, 0.0), 2000, [OptimizerConfig("gd", "GD", {"lr": 0.005})], {})
    b = basins(scene, "GD", grid=24)
    assert len(b.minima) == 4
    assert (b.minimum >= 0).mean() > 0.9
    for k, (mx, my) in enumerate(b.minima):
        i, j = np.abs(b.ys - my).argmin(), np.abs(b.xs - mx).argmin()
        assert b.minimum[i, j] == k
    rows = b.csv().splitlines()
    assert rows[0] == "x,y,minimum,steps_to_tol,diverged_at" and len(rows) == 1 + 24 * 24
    wild = basins(Scene("b", "himmelblau", (0.0, 0.0), 200, [OptimizerConfig("gd", "GD", {"lr": 0.2})], {}), 0, grid=8)
    assert (wild.diverged_at >= 0).any() and (wild.minimum[wild.diverged_at >= 0] == -1).all()


def test_tuning_finds_the_optimal_step_of_a_quadratic():
    """On a quadratic with eigenvalues 1 and kappa the fixed step that shrinks the error
    fastest is 2 / (1 + kappa): the sweep's choice is within one step of the grid of it."""
    scene = bowl(steps=60)
    scene.optimizers.append(OptimizerConfig("momentum", "Momentum", {"lr": 0.01, "beta": 0.9}))
    results = tune(scene, Axis("lr", 1e-3, 1.0, "log", 64), by="final")
    gd = results[0]
    step = 10 ** (3 / 63)
    assert 2 / (1 + KAPPA) / step <= gd.best_lr <= 2 / (1 + KAPPA) * step
    assert gd.final_loss[gd.chosen] == gd.criterion.min()
    raced = tuned(scene, results)
    assert raced.optimizers[0].params["lr"] == gd.best_lr and scene.optimizers[0].params["lr"] == 0.01
    rows = tune_csv(results).splitlines()
    assert rows[0] == "optimizer,lr,criterion,chosen" and len(rows) == 1 + 2 * 64
    assert sum(r.endswith(",1") for r in rows) == 2
    by_steps = tune(scene, Axis("lr", 1e-3, 1.0, "log", 64), by="steps", steps=300, tol=1e-6)
    assert 2 / (1 + KAPPA) / step <= by_steps[0].best_lr <= 2 / (1 + KAPPA) * step  # the fastest too


def test_explorer_mistakes_are_one_line():
    with pytest.raises(SceneError, match=r"no optimizer labelled 'Adam' \(it has: 'gd'\)"):
        convergence_map(bowl(), "Adam")
    with pytest.raises(SceneError, match=r"criterion: must be one of loss, grad"):
        convergence_map(bowl(), criterion="fast")
    with pytest.raises(SceneError, match=r"by: must be one of final, steps"):
        tune(bowl(), by="best")
    with pytest.raises(SceneError, match=r"x and y both sweep lr"):
        convergence_map(bowl("momentum", beta=0.9), x=Axis("lr", 0.1, 1, "log", 2), y=Axis("lr", 0.1, 1, "log", 2))
    with pytest.raises(SceneError, match=r"criterion: rastrigin has no known minimum|grid: must be"):
        basins(Scene("b", "rastrigin", (0.0, 0.0), 10, [OptimizerConfig("gd", "GD", {"lr": 0.01})], {}), grid=1)


def test_basins_of_your_own_surface_find_its_minima():
    """x**4 - 2x**2 + y**2 has minima at (+-1, 0) and a saddle at the origin: found from a
    grid of starts (nothing declared), and the basins split at x = 0."""
    from ravine.core.custom import custom_surface

    surf = custom_surface("x**4 - 2*x**2 + y**2", domain=((-2, 2), (-2, 2)))
    scene = Scene("mine", surf.name, (1.5, 1.5), 1500, [OptimizerConfig("gd", "GD", {"lr": 0.01})], {})
    b = basins(scene, grid=20)
    assert sorted((round(x, 6), round(y, 6)) for x, y in b.minima) == [(-1.0, 0.0), (1.0, 0.0)]
    left = b.minima.index(min(b.minima))
    assert (b.minimum[:, b.xs < -0.05] == left).all() and (b.minimum[:, b.xs > 0.05] == 1 - left).all()
