"""The network: gradients, the cost formula, mini-batches, determinism, parallel = sequential."""

import math

import numpy as np
import pytest

from ravine.core.datasets import DATASETS, make_dataset, split
from ravine.core.loss_landscape import filter_normalized_direction, loss_slice, pca_directions, project
from ravine.core.network import (batch_gradient, buffers, full_cost, he_init, layout, minibatches, seed_state,
                                 weight_mask)
from ravine.core.params import SceneError
from ravine.core.training import Trainer, network_from_dict, train, training_csv

LAYERS = [2, 5, 3, 1]


def grad_and_cost(theta, X, Y, lambd, layers=LAYERS):
    sizes, w_off, b_off, n = layout(layers)
    g = np.empty(n)
    idx = np.arange(len(Y))
    J, _ = batch_gradient(theta, sizes, w_off, b_off, weight_mask(layers), X, Y, idx, 0, len(Y),
                          lambd, g, *buffers(layers, len(Y)))
    return J, g


def reference_cost(theta, X, Y, lambd, layers=LAYERS):
    """J by the formula, with plain NumPy matrices (W[l] is n_l x n_{l-1}, X is 2 x m)."""
    sizes, w_off, b_off, _ = layout(layers)
    A = X.T
    sq = 0.0
    for l in range(1, len(layers)):
        W = theta[w_off[l - 1]: w_off[l - 1] + layers[l] * layers[l - 1]].reshape(layers[l], layers[l - 1])
        b = theta[b_off[l - 1]: b_off[l - 1] + layers[l]].reshape(-1, 1)
        Z = W @ A + b
        A = np.maximum(Z, 0) if l < len(layers) - 1 else 1 / (1 + np.exp(-Z))
        sq += (W**2).sum()
    yhat = A.ravel()
    m = len(Y)
    return -np.mean(Y * np.log(yhat) + (1 - Y) * np.log(1 - yhat)) + lambd / (2 * m) * sq


@pytest.fixture
def data():
    X, y = make_dataset("moons", seed=3, n=40, noise=0.2)
    return X, y


@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_cost_matches_the_formula(data, lambd):
    X, y = data
    theta = he_init(LAYERS, 5)
    J, _ = grad_and_cost(theta, X, y, lambd)
    assert J == pytest.approx(reference_cost(theta, X, y, lambd), rel=1e-12)


def test_cost_by_hand_for_one_example():
    # layers [2, 1]: yhat = sigmoid(w . x + b); one example x = (1, 2), y = 1, w = (0.5, -0.25), b = 0.1
    theta = np.array([0.5, -0.25, 0.1])
    X = np.array([[1.0, 2.0]])
    Y = np.array([1.0])
    z = 0.5 * 1 - 0.25 * 2 + 0.1
    J, g = grad_and_cost(theta, X, Y, 0.0, layers=[2, 1])
    assert J == pytest.approx(-math.log(1 / (1 + math.exp(-z))))
    # with lambda = 2 and m = 1: + 2/2 * (0.25 + 0.0625); dJ/dw gains lambda/m * w
    J2, g2 = grad_and_cost(theta, X, Y, 2.0, layers=[2, 1])
    assert J2 == pytest.approx(J + 1.0 * (0.25 + 0.0625))
    np.testing.assert_allclose(g2 - g, [2 * 0.5, 2 * -0.25, 0.0])


def test_a_tiny_cost_stays_tiny_not_zero():
    """A confident, right prediction costs log(1 + e^-70) = 3.98e-31, not 0: the per-example
    loss is summed in SIMD lanes (reassociated), and max(z, 0) - z y + log1p(e^-|z|) must not
    become (z + log1p) - z y, which rounds to 0 (the log axis of the cost plot needs it > 0)."""
    layers = [2, 1]
    sizes, w_off, b_off, P = layout(layers)
    theta = np.array([35.0, 35.0, 0.0])
    X, Y = np.ones((2, 2)), np.ones(2)
    grad = np.empty(P)
    A, Z, D = buffers(layers, 2)
    J, _ = batch_gradient(theta, sizes, w_off, b_off, weight_mask(layers), X, Y, np.arange(2), 0, 2, 0.0, grad,
                          A, Z, D)
    expected = math.log1p(math.exp(-70.0))  # the formula, with z = 35 + 35
    assert J == pytest.approx(expected, rel=1e-12, abs=0)
    assert full_cost(theta, sizes, w_off, b_off, weight_mask(layers), X, Y, 0.0) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("lambd", [0.0, 0.3])
def test_gradient_matches_finite_differences(data, lambd):
    X, y = data
    theta = he_init(LAYERS, 11)
    _, g = grad_and_cost(theta, X, y, lambd)
    h = 1e-6
    for p in range(len(theta)):
        e = np.zeros_like(theta)
        e[p] = h
        fd = (grad_and_cost(theta + e, X, y, lambd)[0] - grad_and_cost(theta - e, X, y, lambd)[0]) / (2 * h)
        assert g[p] == pytest.approx(fd, rel=1e-5, abs=1e-8), p


def test_he_init():
    theta = he_init([2, 400, 1], 0)
    sizes, w_off, b_off, n = layout([2, 400, 1])
    W1 = theta[:800]
    assert np.std(W1) == pytest.approx(math.sqrt(2 / 2), rel=0.1)
    assert np.all(theta[b_off[0]: b_off[0] + 400] == 0)
    np.testing.assert_array_equal(he_init([2, 400, 1], 0), theta)


def test_minibatches_cover_every_example_once_and_the_last_is_partial():
    state = np.array([seed_state(4)], dtype=np.uint64)
    batches = minibatches(300, 64, state)
    assert [len(b) for b in batches] == [64, 64, 64, 64, 44]
    assert sorted(np.concatenate(batches)) == list(range(300))
    again = minibatches(300, 64, state)  # the next epoch reshuffles
    assert not np.array_equal(np.concatenate(batches), np.concatenate(again))
    assert sorted(np.concatenate(again)) == list(range(300))


SPEC = {
    "dataset": "moons", "data": {"n": 120, "noise": 0.2}, "layers": [2, 5, 2, 1], "epochs": 40,
    "batch_size": 16, "test_fraction": 0.25, "seed": 2,
    "configs": [
        {"kind": "gd", "lr": 0.1},
        {"kind": "momentum", "lr": 0.1, "beta": 0.9, "batch_size": 1},
        {"kind": "nesterov", "lr": 0.05, "seed": 9},
        {"kind": "rmsprop", "lr": 0.01, "schedule": {"kind": "inverse_time", "decay_rate": 0.1}},
        {"kind": "adagrad", "lr": 0.1},
        {"kind": "adam", "lr": 0.01, "batch_size": 90},
    ],
}


def test_training_is_deterministic_and_parallel_equals_sequential():
    spec = network_from_dict(SPEC, "network")
    a = train(spec, parallel=True)
    b = train(spec, parallel=True)
    c = train(spec, parallel=False)
    for ra, rb, rc in zip(a, b, c):
        np.testing.assert_array_equal(ra.theta, rb.theta)
        np.testing.assert_array_equal(ra.theta, rc.theta)
        np.testing.assert_array_equal(ra.iteration_cost, rc.iteration_cost)
        assert np.all(np.isfinite(ra.epoch_cost))


def test_chunked_training_equals_training_at_once():
    spec = network_from_dict(SPEC, "network")
    whole = train(spec)
    t = Trainer(spec)
    while not t.done:
        t.step(7)
    for a, b in zip(whole, t.runs()):
        np.testing.assert_array_equal(a.theta, b.theta)
        np.testing.assert_array_equal(a.epoch_cost, b.epoch_cost)


def reference_training(spec, config_index):
    """Plain-Python mini-batch GD for one config, from the formulas, with the kernel's shuffles."""
    cfg = spec.configs[config_index]
    X, y = make_dataset(spec.dataset, seed=spec.seed, **spec.data)
    X, y, _, _ = split(X, y, spec.test_fraction, spec.seed)
    seed = spec.seed if cfg.seed is None else cfg.seed
    theta = he_init(spec.layers, seed)
    state = np.array([seed_state(seed)], dtype=np.uint64)
    bs = cfg.batch_size or spec.batch_size
    costs = []
    for _ in range(spec.epochs):
        total = 0.0
        for idx in minibatches(len(y), bs, state):
            J, g = grad_and_cost(theta, X[idx], y[idx], spec.lambd, spec.layers)
            total += J * len(idx)
            theta = theta - cfg.params["lr"] * g
        costs.append(total / len(y))
    return theta, np.array(costs)


@pytest.mark.parametrize("batch_size", [1, 16, 90])
def test_batch_sizes_one_mini_and_all(batch_size):
    """batch_size 1 is stochastic GD, m is batch GD: both against the plain reference."""
    raw = dict(SPEC, configs=[{"kind": "gd", "lr": 0.05, "batch_size": batch_size}], epochs=6)
    spec = network_from_dict(raw, "network")
    run = train(spec)[0]
    theta, costs = reference_training(spec, 0)
    np.testing.assert_allclose(run.theta, theta, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run.epoch_cost, costs, rtol=1e-9)
    m = 90
    assert len(run.iteration_cost) == 6 * math.ceil(m / batch_size)
    if batch_size == m:  # batch GD: the epoch cost is the one batch's cost
        np.testing.assert_allclose(run.epoch_cost, run.iteration_cost, rtol=1e-12)


def test_divergence_stops_a_config_and_leaks_no_nan():
    raw = dict(SPEC, configs=[{"kind": "gd", "lr": 1e6, "label": "wild"}, {"kind": "adam", "lr": 0.01}])
    runs = train(network_from_dict(raw, "network"))
    wild, calm = runs
    assert wild.diverged_at is not None and wild.epochs_done == wild.diverged_at - 1
    assert calm.diverged_at is None and calm.epochs_done == 40
    for r in runs:
        for arr in (r.epoch_cost, r.train_accuracy, r.lr, r.iteration_cost, r.theta):
            assert np.all(np.isfinite(arr))


def test_schedule_is_per_epoch():
    raw = dict(SPEC, configs=[{"kind": "gd", "lr": 0.2, "schedule": {"kind": "inverse_time", "decay_rate": 1.0}}])
    run = train(network_from_dict(raw, "network"))[0]
    np.testing.assert_allclose(run.lr[:4], [0.1, 0.2 / 3, 0.05, 0.04])


@pytest.mark.parametrize("name", [d for d in DATASETS if DATASETS[d].file_param is None])
def test_datasets_are_seeded_two_class_sets(name):
    X, y = make_dataset(name, seed=1, n=101)
    assert X.shape == (101, 2) and set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_array_equal(make_dataset(name, seed=1, n=101)[0], X)
    assert not np.array_equal(make_dataset(name, seed=2, n=101)[0], X)
    Xtr, ytr, Xte, yte = split(X, y, 0.2, seed=1)
    assert len(yte) == 20 and len(ytr) == 81


def test_filter_normalisation():
    theta = he_init(LAYERS, 3)
    d = filter_normalized_direction(theta, LAYERS, np.random.default_rng(0))
    sizes, w_off, b_off, _ = layout(LAYERS)
    for l in range(1, len(LAYERS)):
        for j in range(LAYERS[l]):
            row = slice(w_off[l - 1] + j * LAYERS[l - 1], w_off[l - 1] + (j + 1) * LAYERS[l - 1])
            assert np.linalg.norm(d[row]) == pytest.approx(np.linalg.norm(theta[row]))
        assert np.all(d[b_off[l - 1]: b_off[l - 1] + LAYERS[l]] == 0)


def test_pca_directions_and_projection():
    rng = np.random.default_rng(0)
    center = rng.normal(size=10)
    u, v = np.linalg.qr(rng.normal(size=(10, 2)))[0].T
    coords = rng.normal(size=(30, 2)) * [3.0, 1.0]
    pts = center + coords[:, :1] * u + coords[:, 1:] * v
    d1, d2, share = pca_directions(pts, center)
    assert d1 @ d2 == pytest.approx(0, abs=1e-12) and np.linalg.norm(d1) == pytest.approx(1)
    assert share.sum() == pytest.approx(1)
    back = project(pts, center, d1, d2)
    np.testing.assert_allclose(center + back[:, :1] * d1 + back[:, 1:] * d2, pts, atol=1e-10)


def test_the_pca_plane_keeps_its_orientation_as_snapshots_are_added():
    """An SVD's signs are arbitrary: the start lies on the negative side of both directions,
    so a landscape recomputed during training does not mirror."""
    rng = np.random.default_rng(1)
    center = rng.normal(size=12)
    u, v = np.linalg.qr(rng.normal(size=(12, 2)))[0].T
    t = np.linspace(1.0, 0.0, 40)[:, None]
    path = center + t * (4.0 * u - 2.0 * v) + 0.3 * np.sin(7 * t) * v  # from a start to the centre
    for k in (10, 20, 30, 40):  # the same path, trained further
        d1, d2, _ = pca_directions(path[:k], center)
        start = project(path[:1], center, d1, d2)[0]
        assert start[0] < 0 and start[1] < 0, k
    d1, d2, _ = pca_directions(np.vstack([path[:1], center[None, :] + 1e-9]), center)  # a start on no axis
    assert d2[np.argmax(np.abs(d2))] > 0


@pytest.mark.parametrize("method", ["pca", "random"])
def test_loss_slice(method):
    spec = network_from_dict(SPEC, "network")
    t = Trainer(spec).step()
    runs = t.runs()
    sl = loss_slice(t, runs, center_index=5, method=method, n=21)
    assert sl.cost.shape == (21, 21) and np.all(np.isfinite(sl.cost))
    assert set(sl.paths) == {r.label for r in runs}
    # the centre of the plane is the trained weights: the path of the centre run ends at (0, 0)
    np.testing.assert_allclose(sl.paths[runs[5].label][-1], [0, 0], atol=1e-9)
    j = np.argmin(np.abs(sl.alphas))
    i = np.argmin(np.abs(sl.betas))
    theta = runs[5].theta + sl.alphas[j] * sl.d1 + sl.betas[i] * sl.d2
    expected = full_cost(theta, t.sizes, t.w_off, t.b_off, weight_mask(spec.layers), t.X, t.y, spec.lambd)
    assert sl.cost[i, j] == pytest.approx(expected, rel=1e-12)


BAD = [
    ({"dataset": "iris"}, r"network.dataset: unknown dataset 'iris' \(allowed: moons"),
    ({"layers": [3, 5, 1]}, r"network.layers: must start with 2"),
    ({"layers": [2, 5, 2]}, r"must start with 2 .* and end with 1"),
    ({"lambda": -1}, r"network.lambda: must be a number >= 0"),
    ({"epochs": 0}, r"network.epochs: must be an integer in \[1, 1000000\]"),
    ({"batch_size": 1000}, r"network.batch_size: must be at most the 90 training examples"),
    ({"data": {"n": 120, "noise": -1}}, r"network.data.noise: must be a number in \[0, 10\]"),
    ({"data": {"points": 3}}, r"network.data: unknown key 'points'"),
    ({"configs": []}, r"network.configs: needs at least one"),
    ({"configs": [{"kind": "sgd", "lr": 0.1}]}, r"network.configs\[0\].kind: unknown optimizer 'sgd'"),
    ({"configs": [{"kind": "gd", "lr": 0.1, "beta": 0.9}]}, r"network.configs\[0\].beta: unknown key for gd"),
    ({"configs": [{"kind": "gd", "lr": 0.1, "batch_size": 0}]}, r"configs\[0\].batch_size: must be an integer in \[1, 90\]"),
    ({"test_fraction": 0.95}, r"network.test_fraction: must be a number in \[0, 0.9\]"),
    ({"optimizer": "adam"}, r"network.optimizer: unknown key"),
]


@pytest.mark.parametrize("change,message", BAD, ids=range(len(BAD)))
def test_network_validation(change, message):
    with pytest.raises(SceneError, match=message):
        network_from_dict({**SPEC, **change}, "network")


def test_training_csv():
    spec = network_from_dict(dict(SPEC, epochs=3), "network")
    runs = train(spec)
    lines = training_csv(runs).splitlines()
    assert lines[0] == "config,epoch,cost,train_accuracy,test_accuracy,lr"
    assert len(lines) == 1 + 3 * len(runs)
    first = lines[1].split(",")
    assert first[0] == "gd" and first[1] == "1" and float(first[2]) == runs[0].epoch_cost[0]


@pytest.mark.parametrize("name", ["course-adam", "course-decay", "minibatch-noise"])
def test_network_examples_tell_their_story(name):
    from ravine.core import load_example

    runs = {r.label: r for r in train(load_example(name).network)}
    assert all(r.diverged_at is None for r in runs.values())
    cost = {k: r.epoch_cost for k, r in runs.items()}
    if name == "course-adam":  # lr 0.0007: Adam far ahead at epoch 4000
        assert cost["Adam"][3999] < 0.5 * min(cost["GD"][3999], cost["Momentum"][3999])
    elif name == "course-decay":  # decay closes the gap: all within 30% of each other
        final = [c[3999] for c in cost.values()]
        assert max(final) < 1.3 * min(final)
    else:  # mini-batches beat batch GD at the same lr; SGD's cost is the noisiest
        assert cost["mini-batch 32"][-1] < cost["batch GD (m)"][-1]
        noise = {k: np.std(np.diff(r.iteration_cost[-200:])) for k, r in runs.items()}
        assert noise["stochastic (1)"] > noise["mini-batch 32"] > noise["batch GD (m)"]


def test_a_diverged_config_keeps_its_last_finite_weights():
    # 2,500 epochs: snapshots every 3 epochs; the lr jumps at epoch 1502 and blows up
    raw = dict(SPEC, epochs=2500, configs=[{"kind": "gd", "lr": 0.1, "schedule": {
        "kind": "piecewise", "boundaries": [1502], "values": [1.0, 1e8]}}])
    t = Trainer(network_from_dict(raw, "network"))
    assert t.snap_every > 1
    run = t.step().runs()[0]
    assert run.diverged_at is not None and run.epochs_done == run.diverged_at - 1
    ref = Trainer(network_from_dict(dict(raw, epochs=run.epochs_done), "network")).step().runs()[0]
    np.testing.assert_array_equal(run.theta, ref.theta)


def test_network_config_labels_differ_and_epoch_schedules_have_no_steps_per_epoch():
    with pytest.raises(SceneError, match=r"configs\[1\].label: 'gd' is already the label"):
        network_from_dict(dict(SPEC, configs=[{"kind": "gd", "lr": 0.1}, {"kind": "gd", "lr": 0.2}]), "network")
    with pytest.raises(SceneError, match=r"schedule.steps_per_epoch: a network's schedule counts epochs"):
        network_from_dict(dict(SPEC, configs=[{"kind": "gd", "lr": 0.1, "schedule": {
            "kind": "inverse_time", "steps_per_epoch": 5}}]), "network")


def test_pca_fallback_is_orthogonal():
    rng = np.random.default_rng(1)
    c = rng.normal(size=10)
    d1, d2, _ = pca_directions(c + rng.normal(size=(1, 10)), c)
    assert d1 @ d2 == pytest.approx(0, abs=1e-12) and np.linalg.norm(d2) == pytest.approx(1)


def test_kernel_cache_name_changes_with_every_optimizer_module(monkeypatch):
    import inspect

    from ravine.core import kernels

    monkeypatch.setattr(kernels, "_digests", {})
    base = kernels._dependencies_digest(kernels._registry_modules())
    real = inspect.getsource

    def edited(module):
        text = real(module)
        return text + "\n# edited" if module.__name__ == "ravine.core.optimizers.nesterov" else text

    monkeypatch.setattr(inspect, "getsource", edited)
    monkeypatch.setattr(kernels, "_digests", {})
    assert kernels._dependencies_digest(kernels._registry_modules()) != base


CSV_SCENE = """
[network]
dataset = "csv"
layers = [2, 4, 1]
epochs = 50
batch_size = 8
test_fraction = 0.25

[network.data]
path = "mine/points.csv"

[[network.configs]]
kind = "adam"
lr = 0.05
"""


def test_your_own_points_from_a_csv_file(tmp_path):
    from ravine.core import load_scene, save_scene

    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-1, 0.3, (20, 2)), rng.normal(1, 0.3, (20, 2))]
    labels = np.r_[["cat"] * 0, [3] * 20, [7] * 20]  # any two label values
    (tmp_path / "mine").mkdir()
    lines = ["x,y,label"] + [f"{a},{b},{c}" for (a, b), c in zip(X, labels)]
    (tmp_path / "mine" / "points.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "scene.toml").write_text(CSV_SCENE)
    scene = load_scene(tmp_path / "scene.toml")  # the path is relative to the scene's folder
    trainer = Trainer(scene.network)
    np.testing.assert_allclose(trainer.X_all, X)
    assert list(trainer.y_all) == [0.0] * 20 + [1.0] * 20
    assert len(trainer.y_test) == 10
    run = trainer.step().runs()[0]
    assert run.train_accuracy[-1] > 0.9
    save_scene(scene, tmp_path / "again.toml")
    assert load_scene(tmp_path / "again.toml") == scene


@pytest.mark.parametrize("content,message", [
    (None, r"network.data.path: .*mine/points.csv: no such file"),
    ("x,y,label\n1,2,0\n3,oops,1\n", r"network.data.path: .*points.csv line 3: expected three numbers x, y, label "
                                      r"\(the y is not a number\)$"),
    ("1,2,0\n2,3,1\n3,4,2\n4,5,0\n", r"the label column must hold exactly two values \(got 3 different values\)$"),
    ("1,2,0\n2,3,1\n", r"needs at least 4 points \(got 2\)"),
    ("1,2\n", r"line 1: expected three numbers x, y, label \(got 2 fields\)$"),
    ("1,2,0\n\n2,3,1\n3,4,0\n4,5,1e999\n", r"points.csv line 5: every value must be a finite number$"),
    ("x,y,label\n", r"no data rows"),
])
def test_bad_csv_files_are_one_line(tmp_path, content, message):
    from ravine.core import load_scene

    (tmp_path / "mine").mkdir()
    if content is not None:
        (tmp_path / "mine" / "points.csv").write_text(content)
    (tmp_path / "scene.toml").write_text(CSV_SCENE)
    with pytest.raises(SceneError, match=message) as info:
        load_scene(tmp_path / "scene.toml")
    assert "\n" not in str(info.value)
