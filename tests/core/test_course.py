"""The course experiment to the last printed digit, and the doors it goes through: legacy
random draws (data, weights, shuffles), the schedule's timing, and given data, weights and
shuffles.

The reference is the assignment's own printed output ("Cost after epoch i", 0-based i, and
the final training accuracy), copied here; nothing below is computed by Ravine first."""

from pathlib import Path

import numpy as np
import pytest

from ravine.core import load_example
from ravine.core.datasets import make_dataset, split
from ravine.core.network import he_init, layout
from ravine.core.params import SceneError
from ravine.core.training import Trainer, legacy_shuffles, lr_table, network_from_dict, train, training_csv

PRINTED = {
    "course-adam": {
        "GD": ([0.702405, 0.668101, 0.635288, 0.600491, 0.573367], "71.67"),
        "Momentum": ([0.702413, 0.668167, 0.635388, 0.600591, 0.573444], "71.67"),
        "Adam": ([0.702166, 0.167845, 0.141316, 0.138788, 0.136066], "94.33"),
    },
    "course-decay": {
        "GD, decay": ([0.701091, 0.127161, 0.120304, 0.117033, 0.117512], "94.33"),
        "Momentum, decay": ([0.702226, 0.128974, 0.125965, 0.123375, 0.123218], "95.33"),
        "Adam, decay": ([0.699346, 0.130074, 0.129826, 0.129282, 0.128361], "94.00"),
    },
}
"""The assignment's printout: costs after (0-based) epochs 0, 1000, 2000, 3000, 4000, and
the final training accuracy in %."""

FIXTURE = Path(__file__).parent / "data" / "sklearn_moons.csv"


@pytest.mark.parametrize("name", PRINTED)
def test_the_course_experiment_to_the_printed_digit(name):
    runs = train(load_example(name).network)
    assert [r.label for r in runs] == list(PRINTED[name])
    for r in runs:
        costs, accuracy = PRINTED[name][r.label]
        # the course's epoch i is Ravine's (1-based) epoch i + 1: row i of epoch_cost
        assert [f"{r.epoch_cost[i]:.6f}" for i in (0, 1000, 2000, 3000, 4000)] == [f"{c:.6f}" for c in costs], r.label
        assert f"{100 * r.train_accuracy[-1]:.2f}" == accuracy, r.label


def test_the_csv_numbers_epochs_from_1():
    """In the CSV, the course's "Cost after epoch 0" is the row of epoch 1."""
    spec = load_example("course-adam").network
    spec.epochs = 2
    rows = [line.split(",") for line in training_csv(train(spec)).splitlines()[1:]]
    assert rows[0][:2] == ["GD", "1"] and f"{float(rows[0][2]):.6f}" == "0.702405"


def _sklearn_fixture():
    rows = [line.split(",") for line in FIXTURE.read_text().splitlines() if not line.startswith("#")][1:]
    out = {}
    for case, x, y, label in rows:
        out.setdefault(case, []).append((float(x), float(y), float(label)))
    return {case: np.array(v) for case, v in out.items()}


def test_legacy_moons_are_scikit_learns_to_the_bit():
    """Stored once from scikit-learn 1.9.1 (see the fixture's header): the course's 300 points
    after np.random.seed(3), and an odd count from another seed."""
    fixture = _sklearn_fixture()
    X, y = make_dataset("moons", seed=3, random="legacy", n=300, noise=0.2)
    np.testing.assert_array_equal(X, fixture["course"][:, :2])
    np.testing.assert_array_equal(y, fixture["course"][:, 2])
    X, y = make_dataset("moons", seed=7, random="legacy", n=5, noise=0.3)
    np.testing.assert_array_equal(np.column_stack([X, y]), fixture["odd"])


def test_legacy_moons_against_scikit_learn_itself():
    datasets = pytest.importorskip("sklearn.datasets")
    for n, noise, seed in [(300, 0.2, 3), (7, 0.05, 11), (100, 0.0, 0)]:
        Xs, ys = datasets.make_moons(n_samples=n, noise=noise, random_state=np.random.RandomState(seed))
        X, y = make_dataset("moons", seed=seed, random="legacy", n=n, noise=noise)
        np.testing.assert_array_equal(X, Xs)
        np.testing.assert_array_equal(y, ys)


def test_legacy_weights_are_the_assignments_he_initialisation():
    layers = [2, 5, 2, 1]
    rng = np.random.RandomState(3)  # the assignment: np.random.seed(3), then per layer
    expected = []
    for l in range(1, len(layers)):
        expected += [(rng.randn(layers[l], layers[l - 1]) * np.sqrt(2 / layers[l - 1])).ravel(), np.zeros(layers[l])]
    np.testing.assert_array_equal(he_init(layers, 3, "legacy"), np.concatenate(expected))


def test_legacy_shuffles_are_randomstate_permutations():
    """Each epoch's order is a fresh RandomState's permutation, for any size and seed, and
    whatever the order in which epochs are asked for."""
    order = legacy_shuffles(10)
    for epoch in (1, 2, 5000, 3):  # in any order: each epoch reseeds
        np.testing.assert_array_equal(order(epoch, 300), np.random.RandomState(10 + epoch).permutation(300))
    for seed, m in [(0, 1), (0, 2), (7, 3), (2**31 - 1, 65), (12345, 1000), (99, 100_000)]:
        np.testing.assert_array_equal(legacy_shuffles(seed)(1, m), np.random.RandomState(seed + 1).permutation(m))
    orders = legacy_shuffles(4).orders(100, 300, 50)  # epochs 101..400 at once
    for k in (0, 77, 299):
        np.testing.assert_array_equal(orders[k], np.random.RandomState(4 + 101 + k).permutation(50))


def test_the_course_decay_first_drops_at_epoch_1002():
    """The assignment recomputes the rate after each epoch from its 0-based number: 1-based
    epoch E uses lr0 / (1 + floor(max(E - 2, 0) / 1000))."""
    spec = load_example("course-decay").network
    assert spec.decay_after_epoch
    gd = spec.configs[0]
    epochs = np.arange(1, 5001)
    expected = 0.1 / (1 + np.floor(np.maximum(epochs - 2, 0) / 1000))
    np.testing.assert_array_equal(lr_table(gd, epochs, True), expected)
    assert lr_table(gd, np.array([1001, 1002]), True).tolist() == [0.1, 0.05]
    assert lr_table(gd, np.array([999, 1000]), False).tolist() == [0.1, 0.05]  # Ravine's own timing
    runs = Trainer(spec).step(1002).runs()
    assert runs[0].lr[1000] == 0.1 and runs[0].lr[1001] == 0.05


def test_no_test_set_keeps_the_data_in_the_order_drawn():
    X, y = make_dataset("moons", seed=3, n=50)
    Xt, yt, Xs, ys = split(X, y, 0.0, 1)
    np.testing.assert_array_equal(Xt, X)
    np.testing.assert_array_equal(yt, y)
    assert Xs.shape == (0, 2) and ys.shape == (0,)


def _spec(**top):
    base = {"dataset": "moons", "data": {"n": 60}, "layers": [2, 4, 1], "epochs": 6, "batch_size": 16,
            "test_fraction": 0.0, "configs": [{"kind": "adam", "lr": 0.01}, {"kind": "momentum", "lr": 0.1}]}
    base.update(top)
    return network_from_dict(base, "network")


def test_given_data_weights_and_shuffles_are_the_door_legacy_draws_go_through():
    """A legacy spec, and a default spec handed the same data, weights and shuffles from
    outside, train to the same bits."""
    legacy = _spec(random="legacy", seed=4, shuffle_seed=21)
    own = _spec(seed=99)
    X, y = make_dataset("moons", seed=4, random="legacy", n=60)
    weights = he_init([2, 4, 1], 4, "legacy")
    mine = Trainer(own, data=(X, y), weights=weights,
                   shuffles=lambda e, m: np.random.RandomState(21 + e).permutation(m)).step()
    theirs = Trainer(legacy).step()
    np.testing.assert_array_equal(mine.theta, theirs.theta)
    np.testing.assert_array_equal(mine.ep_cost, theirs.ep_cost)


def test_given_shuffles_order_each_epoch_as_said():
    """Batch GD on a given order against a plain NumPy loop: the kernel takes the given order
    (the last mini-batch partial), not its own shuffle."""
    spec = _spec(epochs=3, batch_size=25, configs=[{"kind": "gd", "lr": 0.5}])
    X, y = make_dataset("moons", seed=2, n=60)
    orders = {e: np.random.default_rng(e).permutation(60) for e in (1, 2, 3)}
    w0 = np.array([0.3, -0.2, 0.1, 0.4, -0.5, 0.2, 0.05, -0.1, 0.2, 0.3, -0.4, 0.1, 0.0, 0.05, -0.3, 0.2, 0.1])
    sizes, w_off, b_off, P = layout([2, 4, 1])
    assert P == len(w0)
    run = Trainer(spec, data=(X, y), weights=w0, shuffles=lambda e, m: orders[e]).step().runs()[0]

    def grad(w, Xb, yb):  # the network's gradient by the formula: relu hidden layer, sigmoid output
        W1, b1, W2, b2 = w[:8].reshape(4, 2), w[8:12], w[12:16].reshape(1, 4), w[16:]
        z1 = Xb @ W1.T + b1
        a1 = np.maximum(z1, 0)
        z2 = (a1 @ W2.T + b2)[:, 0]
        a2 = 1 / (1 + np.exp(-z2))
        cost = np.mean(-(yb * np.log(a2) + (1 - yb) * np.log(1 - a2)))
        dz2 = (a2 - yb)[:, None] / len(yb)
        dz1 = (dz2 @ W2) * (z1 > 0)
        return np.concatenate([(dz1.T @ Xb).ravel(), dz1.sum(0), (dz2.T @ a1).ravel(), dz2.sum(0)]), cost

    w = w0.copy()
    for e in (1, 2, 3):
        total = 0.0
        for lo in range(0, 60, 25):
            batch = orders[e][lo:lo + 25]
            g, cost = grad(w, X[batch], y[batch])
            total += cost * len(batch)
            w = w - 0.5 * g
        assert run.epoch_cost[e - 1] == pytest.approx(total / 60, rel=1e-12)
    np.testing.assert_allclose(run.theta, w, rtol=1e-12, atol=1e-14)


def test_given_test_data_is_used_as_given_with_labels_mapped():
    spec = _spec(epochs=2)
    X, y = make_dataset("moons", seed=1, n=60)
    Xt, yt = make_dataset("moons", seed=2, n=30)
    trainer = Trainer(spec, data=(X, 2 * y + 3, Xt, 2 * yt + 3))  # labels 3 and 5: 5 is class 1
    np.testing.assert_array_equal(trainer.y, y)
    np.testing.assert_array_equal(trainer.X_test, Xt)
    np.testing.assert_array_equal(trainer.y_test, yt)
    runs = trainer.step().runs()
    assert np.isfinite(runs[0].test_accuracy).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"data": "points.csv"}, r"data: must be \(X, y\) or \(X, y, X_test, y_test\)"),
    ({"data": (np.zeros((5, 3)), np.zeros(5))}, r"data: X must have shape \(m, 2\) \(got \(5, 3\)\)"),
    ({"data": (np.zeros((5, 2)), np.zeros(4))}, r"data: y has 4 labels for 5 points"),
    ({"data": (np.zeros((5, 2)), np.zeros(5))}, r"data: y must hold exactly two label values \(got 1\)"),
    ({"data": (np.full((4, 2), np.nan), [0, 1, 0, 1])}, r"data: X must hold finite numbers only"),
    ({"data": (np.zeros((4, 2)), [0, 1, 0, 1], np.zeros((2, 2)), [0, 7])}, r"data: y_test must use y's two labels"),
    ({"data": ([["a", "b"]], [0])}, r"data: X must be an array of numbers"),
    ({"weights": np.zeros(5)}, r"weights: must have shape \(17,\) or \(2, 17\) for these layers and 2 enabled"),
    ({"weights": np.full(17, np.inf)}, r"weights: must hold finite numbers only"),
    ({"shuffles": 3}, r"shuffles: must be a function order\(epoch, m\)"),
    ({"shuffles": lambda e, m: np.zeros(m, dtype=int)}, r"shuffles: order\(1, 60\) must be a permutation of range\(60\)"),
    ({"shuffles": lambda e, m: np.arange(m + 1)}, r"shuffles: order\(1, 60\) must be a permutation .*shape \(61,\)"),
    ({"shuffles": lambda e, m: 1 / 0}, r"shuffles: order\(1, 60\) failed: ZeroDivisionError"),
])
def test_given_values_that_do_not_fit_are_one_line(kwargs, message):
    with pytest.raises(SceneError, match=message) as info:
        Trainer(_spec(), **kwargs).step()
    assert "\n" not in str(info.value)


def test_random_and_the_timing_are_scene_keys_checked_and_saved():
    with pytest.raises(SceneError, match=r"""network.random: must be one of "ravine", "legacy" \(got 'numpy'\)"""):
        _spec(random="numpy")
    with pytest.raises(SceneError, match=r"network.shuffle_seed: must be an integer"):
        _spec(shuffle_seed=1.5)
    with pytest.raises(SceneError, match=r"network.configs\[0\].schedule: inverse_sqrt has no finite rate at epoch 0"):
        _spec(decay_after_epoch=True, configs=[{"kind": "gd", "lr": 0.1, "schedule": {"kind": "inverse_sqrt"}}])
    spec = _spec(random="legacy", shuffle_seed=5, decay_after_epoch=True)
    table = spec.to_dict()
    assert (table["random"], table["shuffle_seed"], table["decay_after_epoch"]) == ("legacy", 5, True)
    assert network_from_dict(table, "network") == spec
    assert "random" not in _spec().to_dict()  # the defaults are not written


def test_a_scene_starts_from_exported_weights(tmp_path):
    """[network] weights = "w.json": the file `ravine train --weights` writes, relative to the
    scene's folder; one configuration's weights for all, or each configuration's by label."""
    from ravine.core.training import weights_json

    spec = _spec(epochs=3)
    runs = train(spec)
    (tmp_path / "w.json").write_text(weights_json(runs, spec))
    again = network_from_dict({**spec.to_dict(), "weights": "w.json"}, "network", base_dir=str(tmp_path))
    trainer = Trainer(again)
    np.testing.assert_array_equal(trainer.theta, np.array([r.theta for r in runs]))
    assert again.to_dict()["weights"] == "w.json"
    one = weights_json(runs[:1], spec)  # one configuration's weights: for every configuration
    (tmp_path / "one.json").write_text(one)
    both = Trainer(network_from_dict({**spec.to_dict(), "weights": "one.json"}, "network", base_dir=str(tmp_path)))
    np.testing.assert_array_equal(both.theta, np.array([runs[0].theta, runs[0].theta]))


@pytest.mark.parametrize("content, message", [
    (None, r"network.weights: .*w.json: no such weights file"),
    ("{", r"network.weights: w.json: not JSON \(line 1"),
    ('{"layers": [2, 3, 1], "configs": [{"W": [], "b": []}]}',
     r"network.weights: w.json: weights for layers \[2, 3, 1\], the network has \[2, 4, 1\]"),
    ('{"layers": [2, 4, 1], "configs": [{"W": [[1, 2]], "b": [0]}]}',
     r"network.weights: w.json: configs\[0\] does not hold W and b of the network's layer sizes"),
    ('[1, 2]', r"network.weights: w.json: expected the weights file `ravine train --weights` writes"),
])
def test_bad_weights_files_are_one_line(tmp_path, content, message):
    if content is not None:
        (tmp_path / "w.json").write_text(content)
    with pytest.raises(SceneError, match=message) as info:
        network_from_dict({**_spec().to_dict(), "weights": "w.json"}, "network", base_dir=str(tmp_path))
    assert "\n" not in str(info.value)


def test_weights_for_another_label_are_named(tmp_path):
    from ravine.core.training import weights_json

    spec = _spec(epochs=1)
    runs = train(spec)
    runs[1].label = "Other"
    (tmp_path / "w.json").write_text(weights_json(runs, spec))
    with pytest.raises(SceneError, match=r"no weights for 'momentum' \(the file has: adam, Other\)"):
        network_from_dict({**spec.to_dict(), "weights": "w.json"}, "network", base_dir=str(tmp_path))
