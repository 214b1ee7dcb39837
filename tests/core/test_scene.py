"""Scenes: validation (one clear line per mistake), defaults, save/load round trip, examples."""

import math

import pytest

from ravine.core import (SceneError, dumps_scene, example_names, load_example, load_scene,
                         loads_scene, save_scene, simulate)

GOOD = """\
title = "Momentum in a ravine"
surface = "elongated_bowl"       # a built-in name
start = [-1.5, 1.0]
steps = 300

[[optimizers]]
kind = "adam"
label = "Adam"
lr = 0.05

[optimizers.schedule]
kind = "inverse_time"
decay_rate = 1.0
steps_per_epoch = 50
"""


def test_the_issue_example_loads_with_defaults_filled_in():
    scene = loads_scene(GOOD)
    assert scene.surface == "elongated_bowl" and scene.steps == 300
    adam = scene.optimizers[0]
    assert adam.params == {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                           "bias_correction": True}
    assert adam.schedule == {"kind": "inverse_time", "decay_rate": 1.0, "steps_per_epoch": 50}
    assert scene.surface_params == {"kappa": 10.0, "angle": 0.0}


def test_minimal_scene_uses_the_surface_start_and_kind_as_label():
    scene = loads_scene('surface = "rosenbrock"\n[[optimizers]]\nkind = "gd"\n')
    assert scene.start == (-1.5, 1.5)
    assert scene.optimizers[0].label == "gd"
    assert scene.optimizers[0].params == {"lr": 0.01}


def edit(old, new):
    assert old in GOOD
    return GOOD.replace(old, new)


BAD = [
    (edit('surface = "elongated_bowl"', 'surface = "banana"'),
     r"<t>: surface: unknown surface 'banana' \(allowed: .*rosenbrock"),
    (edit('kind = "adam"', 'kind = "adamax"'),
     r"optimizers\[0\]\.kind: unknown optimizer 'adamax' \(allowed: gd, momentum, nesterov, rmsprop, adagrad, adam, "
     r"adadelta, adamw, amsgrad, lion, nadam\)"),
    (edit("lr = 0.05", "lr = 0"), r"optimizers\[0\]\.lr: must be a number > 0 \(got 0\)"),
    (edit("lr = 0.05", "lr = -0.1"), r"optimizers\[0\]\.lr: must be a number > 0 \(got -0.1\)"),
    (edit("lr = 0.05", 'lr = "fast"'), r"optimizers\[0\]\.lr: must be a number > 0 \(got 'fast'\)"),
    (edit("lr = 0.05", "lr = true"), r"optimizers\[0\]\.lr: must be a number > 0 \(got true\)"),
    (edit("lr = 0.05", "lr = nan"), r"optimizers\[0\]\.lr: must be a number > 0 \(got nan\)"),
    (edit("lr = 0.05", "lr = 0.05\nbeta1 = 1.0"), r"beta1: must be a number in \[0, 1\) \(got 1.0\)"),
    (edit("lr = 0.05", "lr = 0.05\nbeta2 = -0.1"), r"beta2: must be a number in \[0, 1\)"),
    (edit("lr = 0.05", "lr = 0.05\neps = 0"), r"eps: must be a number > 0 \(got 0\)"),
    (edit("lr = 0.05", "lr = 0.05\nbias_correction = 1"), r"bias_correction: must be true or false"),
    (edit("lr = 0.05", "lr = 0.05\nbeta = 0.9"), r"optimizers\[0\]\.beta: unknown key for adam \(allowed: .*beta1"),
    (edit("lr = 0.05", "lr = 0.05\nmomentum = 0.9"), r"optimizers\[0\]\.momentum: unknown key for adam"),
    (edit("steps = 300", "steps = 0"), r"steps: must be an integer in \[1, 1000000\] \(got 0\)"),
    (edit("steps = 300", "steps = 1000001"), r"steps: must be an integer in \[1, 1000000\]"),
    (edit("steps = 300", "steps = 2.5"), r"steps: must be an integer"),
    (edit("steps = 300", 'steps = "300"'), r"steps: must be an integer"),
    (edit("start = [-1.5, 1.0]", "start = [1.0]"), r"start: must be two numbers"),
    (edit("start = [-1.5, 1.0]", 'start = "here"'), r"start: must be a list of numbers"),
    (edit("start = [-1.5, 1.0]", "start = [1e7, 0]"), r"start: must be a list of numbers, each in"),
    (edit("steps = 300", "steps = 300\ncolour = 1"), r"<t>: colour: unknown key \(allowed: title, surface"),
    (edit('kind = "inverse_time"', 'kind = "cosine"'), r"optimizers\[0\]\.schedule\.kind: unknown schedule 'cosine'"),
    (edit("decay_rate = 1.0", "decay_rate = -1.0"), r"schedule\.decay_rate: must be a number >= 0"),
    (edit("steps_per_epoch = 50", "steps_per_epoch = 0"), r"schedule\.steps_per_epoch: must be an integer in \[1"),
    (edit('label = "Adam"', 'label = ""'), r"optimizers\[0\]\.label: must be a non-empty string"),
    (edit('label = "Adam"', 'label = "Adam"\ncolor = "red"'), r"optimizers\[0\]\.color: must be a colour like"),
    (edit('label = "Adam"', 'label = "Adam"\nstart = [1, 2, 3]'),
     r"^<t>: optimizers\[0\]\.start: must be two numbers \[x, y\] \(got 3\)$"),
    (edit('label = "Adam"', 'label = "Adam"\nstart = "here"'),
     r"^<t>: optimizers\[0\]\.start: must be a list of numbers, each in \[-1000000, 1000000\] \(got 'here'\)$"),
    (edit('label = "Adam"', 'label = "Adam"\nstart = [0, inf]'), r"^<t>: optimizers\[0\]\.start: must be a list of numbers"),
    (edit('label = "Adam"', 'label = "Adam"\nstart = [2e6, 0]'), r"^<t>: optimizers\[0\]\.start: must be a list of numbers, each in"),
    (edit('label = "Adam"', 'label = "Adam"\nstrat = [0, 0]'),
     r"optimizers\[0\]\.strat: unknown key for adam \(allowed: kind, label, schedule, color, enabled, start, lr"),
    (GOOD.split("[[optimizers]]")[0], r"<t>: optimizers: needs at least one \[\[optimizers\]\] table"),
    (edit('surface = "elongated_bowl"', 'surface = "elongated_bowl"\n[surface_params]\nkappa = 0.5\n'),
     r"surface_params\.kappa: must be a number in \[1, 1000\]"),
    ("surface = \n", r"<t>: not valid TOML: .*line 1"),
    ("[[optimizers]]\nkind = 'gd'\n", r"<t>: surface: missing \(one of: "),
]


@pytest.mark.parametrize("text,message", BAD, ids=range(len(BAD)))
def test_every_mistake_gives_one_line_naming_the_key(text, message):
    with pytest.raises(SceneError) as info:
        loads_scene(text, "<t>")
    msg = str(info.value)
    assert "\n" not in msg
    import re
    assert re.search(message, msg), msg


def test_file_errors_name_the_file(tmp_path):
    with pytest.raises(SceneError, match=r"nope.toml: no such scene file"):
        load_scene(tmp_path / "nope.toml")
    with pytest.raises(SceneError, match="is a folder"):
        load_scene(tmp_path)
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SceneError, match="not a text file"):
        load_scene(binary)
    bad = tmp_path / "bad.toml"
    bad.write_text('surface = "rosenbrock"\nsteps = -3\n[[optimizers]]\nkind = "gd"\n')
    with pytest.raises(SceneError, match=rf"^{bad}: steps: must be an integer"):
        load_scene(bad)


def test_save_and_load_round_trip_exactly(tmp_path):
    scene = loads_scene(GOOD)
    scene.title = 'Quotes " and \\ backslashes\tand tabs'
    scene.optimizers[0].params["lr"] = 0.1 + 0.2  # a float whose shortest repr is long
    scene.optimizers[0].params["eps"] = 1e-300
    scene.optimizers[0].color = "#ABCDEF"
    scene.optimizers.append(loads_scene(
        'surface = "booth"\n[[optimizers]]\nkind = "momentum"\nenabled = false\nbeta = 0.5\n'
        '[optimizers.schedule]\nkind = "piecewise"\nboundaries = [3, 9]\nvalues = [1.0, 0.5, 0.25]\n'
    ).optimizers[0])
    scene.optimizers[1].start = (-2.805118, 0.1 + 0.2)
    path = tmp_path / "s.toml"
    save_scene(scene, path)
    assert path.read_text().count("start = ") == 2  # the scene's and the one optimizer's own
    again = load_scene(path)
    assert again == scene
    assert dumps_scene(again) == path.read_text()


@pytest.mark.parametrize("name", example_names())
def test_examples_load_and_simulate_without_divergence(name):
    scene = load_example(name)
    assert scene.title
    assert loads_scene(dumps_scene(scene)) == scene
    sim = simulate(scene)
    assert len(sim) == len(scene.optimizers)
    for traj in sim:
        assert traj.diverged_at is None, (name, traj.label)
        assert math.isfinite(traj.loss[-1])


def test_unknown_example_names_the_choices():
    with pytest.raises(SceneError, match="momentum-ravine"):
        load_example("nope")


def test_network_scene_round_trip(tmp_path):
    scene = load_example("course-decay")
    assert scene.optimizers == [] and scene.network.epochs == 5000
    assert scene.network.configs[2].schedule == {"kind": "fixed_interval", "decay_rate": 1.0,
                                                 "interval": 1000, "steps_per_epoch": 1}
    path = tmp_path / "n.toml"
    save_scene(scene, path)
    assert load_scene(path) == scene


def test_a_scene_needs_optimizers_or_a_network():
    with pytest.raises(SceneError, match=r"optimizers: needs at least one \[\[optimizers\]\] table \(or a \[network\] table\)"):
        loads_scene('surface = "booth"\n', "<t>")
    with pytest.raises(SceneError, match=r"<t>: network: must be a table"):
        loads_scene('network = 3\n', "<t>")


def test_labels_must_differ():
    two = 'surface = "booth"\n[[optimizers]]\nkind = "adam"\n[[optimizers]]\nkind = "adam"\nlr = 0.1\n'
    with pytest.raises(SceneError, match=r"optimizers\[1\].label: 'adam' is already the label of .*optimizers\[0\]"):
        loads_scene(two, "<t>")
    assert len(loads_scene(two.replace('lr = 0.1', 'lr = 0.1\nlabel = "fast"'), "<t>").optimizers) == 2


TWO_STARTS = """\
surface = "himmelblau"
start = [0.0, 0.0]
steps = 400

[[optimizers]]
kind = "gd"
label = "from the scene's start"
lr = 0.01

[[optimizers]]
kind = "gd"
label = "from its own start"
lr = 0.01
start = [-1.0, 1.0]
"""


def test_an_optimizer_may_start_from_its_own_point():
    scene = loads_scene(TWO_STARTS, "<t>")
    assert scene.start == (0.0, 0.0)
    assert scene.optimizers[0].start is None and scene.optimizers[1].start == (-1.0, 1.0)
    assert isinstance(scene.optimizers[1].start[0], float)
    assert "start = [-1.0, 1.0]" in dumps_scene(scene) and loads_scene(dumps_scene(scene)) == scene
    assert dumps_scene(scene).count("start = ") == 2  # None is not written
    sim = simulate(scene)
    assert tuple(sim[0].path[0]) == (0.0, 0.0) and tuple(sim[1].path[0]) == (-1.0, 1.0)
    # the same optimizer from two basins ends in two of Himmelblau's minima
    assert sim[0].path[-1] == pytest.approx((3.0, 2.0), abs=1e-3)
    assert sim[1].path[-1] == pytest.approx((-2.805118, 3.131312), abs=1e-3)


def test_network_configs_take_no_start():
    scene = loads_scene(dumps_scene(load_example("minibatch-noise")))
    text = dumps_scene(scene).replace('label = "mini-batch 32"', 'label = "mini-batch 32"\nstart = [0.0, 0.0]')
    with pytest.raises(SceneError, match=r"network\.configs\[1\]\.start: unknown key for gd \(allowed: kind, label, "
                                         r"schedule, color, enabled, batch_size, seed, lr\)$"):
        loads_scene(text, "<t>")
