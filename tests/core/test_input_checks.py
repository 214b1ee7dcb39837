"""Inputs a user controls are checked before work starts, and every refusal is one short line
(issue 9's fuzz findings 5, 6, 10 and 11, one test or more each)."""

import re

import pytest

from ravine.core import SceneError, loads_lesson, loads_scene

BASE = 'surface = "booth"\n\n[[optimizers]]\nkind = "gd"\n'
NET = """
[network]
epochs = 3
batch_size = 8
[network.data]
n = 40
[[network.configs]]
kind = "gd"
"""


def refused(text, pattern, loader=loads_scene):
    with pytest.raises(SceneError) as info:
        loader(text, "<t>")
    msg = str(info.value)
    assert "\n" not in msg and len(msg) <= 300, msg
    assert re.search(pattern, msg), msg
    return msg


# ------------------------------------------------------------------ 5: nesting and numbers
@pytest.mark.parametrize("text", [
    "x = " + "[" * 500 + "]" * 500 + "\n" + BASE,
    "x = " + "{a = " * 400 + "1" + "}" * 400 + "\n" + BASE,
    "start = " + "[" * 300 + "]" * 300 + "\n" + BASE,
    "x = " + "[" * 20 + "]" * 20 + "\n" + BASE,  # parses, but deeper than any scene
    "[" + ".".join(["a"] * 40) + "]\n",
], ids=range(5))
def test_deep_nesting_is_one_line(text):
    refused(text, r"^<t>: arrays or tables nested too deep \(at most 16 levels\)$")


def test_deep_nesting_in_a_lesson_is_one_line():
    refused("title = " + "[" * 600 + "]" * 600 + "\n", r"^<t>: arrays or tables nested too deep", loads_lesson)


HUGE = "1" + "0" * 309  # beyond the float range


@pytest.mark.parametrize("text,key", [
    (BASE + f"lr = {HUGE}\n", r"optimizers\[0\]\.lr: must be a number > 0"),
    (BASE + f"lr = -{HUGE}\n", r"optimizers\[0\]\.lr: must be a number > 0"),
    (f"start = [{HUGE}, 0]\n" + BASE, r"start: must be a list of numbers, each in \[-1000000, 1000000\]"),
    (BASE + f"start = [0, {HUGE}]\n", r"optimizers\[0\]\.start: must be a list of numbers"),
    ('surface = "elongated_bowl"\n[surface_params]\n' + f"kappa = {HUGE}\n" + BASE.split("\n", 1)[1],
     r"surface_params\.kappa: must be a number in \[1, 1000\]"),
    (BASE + f'[optimizers.schedule]\nkind = "inverse_time"\ndecay_rate = {HUGE}\n',
     r"schedule\.decay_rate: must be a number >= 0"),
    (NET.replace("epochs = 3", f"lambda = {HUGE}"), r"network\.lambda: must be a number >= 0"),
    (NET.replace("epochs = 3", f"epochs = {HUGE}"), r"network\.epochs: must be an integer in \[1, 1000000\]"),
])
def test_an_integer_beyond_the_float_range_names_the_key(text, key):
    msg = refused(text, key)
    assert "(got an integer of 310 digits" in msg


def test_an_integer_of_more_than_4300_digits_is_one_line():
    refused(BASE + "lr = 1" + "0" * 5000 + "\n",
            r"^<t>: not valid TOML: an integer of more than 4,300 digits \(line 5\)$")
    refused(BASE + "lr = 1" + "_000" * 2000 + "\n", r"not valid TOML: an integer of more than")


def test_piecewise_boundaries_are_bounded():
    refused(BASE + '[optimizers.schedule]\nkind = "piecewise"\nboundaries = [1' + "0" * 30 + ']\nvalues = [1.0, 0.5]\n',
            r"schedule\.boundaries: must be a list of integers, each in \[1, 1000000\]")


# ------------------------------------------------------------------ 6: one line, short
@pytest.mark.parametrize("text,pattern", [
    ('"bad\\nkey" = 1\n' + BASE, r"^<t>: 'bad\\nkey': unknown key"),
    (BASE + '"lr\\u001b[31m" = 1\n', r"optimizers\[0\]\.'lr\\x1b\[31m': unknown key for gd"),
    (BASE + 'label = "' + "x" * 100_000 + '"\n[[optimizers]]\nkind = "gd"\nlabel = "' + "x" * 100_000 + '"\n',
     r"optimizers\[1\]\.label: 'x{28}\.\.\.x{29}' is already the label"),
    ('surface = "\\u001b[2Jbooth\\nx"\n' + BASE.split("\n", 1)[1], r"unknown surface '\\x1b\[2Jbooth\\nx'"),
    (BASE.replace('"gd"', '"' + "g" * 10_000 + '"'), r"unknown optimizer 'g{28}\.\.\.g{29}' \(allowed"),
    (BASE + "lr = [" + ", ".join(["1"] * 10_000) + "]\n", r"lr: must be a number > 0 \(got a list of 10000 items\)$"),
    (BASE + 'color = "#12345\\n"\n', r"color: must be a colour like \"#1f77b4\" \(got '#12345\\n'\)$"),
], ids=range(7))
def test_user_text_is_quoted_safely_and_shortly(text, pattern):
    refused(text, pattern)


# ------------------------------------------------------------------ 5: networks that cannot fit
def network(**changes):
    from ravine.core.training import network_from_dict

    raw = {"data": {"n": 1000}, "epochs": 10, "configs": [{"kind": "gd"}]}
    raw.update(changes)
    return network_from_dict(raw, "network")


@pytest.mark.parametrize("changes,pattern", [
    ({"configs": [{"kind": "gd", "enabled": False}, {"kind": "adam", "enabled": False}]},
     r"^network\.configs: needs at least one enabled configuration"),
    ({"layers": [2] + [4] * 17 + [1]}, r"^network\.layers: at most 16 hidden layers \(got 17\)$"),
    ({"layers": [2, 257, 1]}, r"^network\.layers: must be a list of integers, each in \[1, 256\]"),
    ({"epochs": 1_000_000, "batch_size": 1},
     r"^network\.batch_size: 1,000,000 epochs x 800 mini-batches of 1 is 800,000,000 updates for 'gd'; "
     r"at most 10,000,000"),
    ({"epochs": 100_000, "configs": [{"kind": "gd", "batch_size": 1}]},
     r"^network\.configs\[0\]\.batch_size: 100,000 epochs x 800 mini-batches"),
    ({"epochs": 100_000, "layers": [2, 256, 256, 256, 1], "batch_size": 800},
     r"^network\.epochs: 100,000 epochs x 800 training examples x 132,609 weights is 1\.06e\+13 per "
     r"configuration; at most 1e\+12"),
    ({"epochs": 9000, "batch_size": 1, "configs": [{"kind": "gd", "label": f"c{i}"} for i in range(40)]},
     r"^network: training would need 2\.2 GiB up front, mostly the cost of every mini-batch; at most 2 GiB"),
    ({"epochs": 1, "layers": [2, 256, 256, 1], "data": {"n": 1_000_000}, "batch_size": 500_000},
     r"^network: training would need \d+\.\d GiB up front, mostly the scratch for mini-batches of 500,000 examples"),
], ids=range(8))
def test_networks_that_cannot_fit_are_refused_before_allocating(changes, pattern):
    with pytest.raises(SceneError) as info:
        network(**changes)
    assert "\n" not in str(info.value) and re.search(pattern, str(info.value)), str(info.value)


def test_a_hand_made_spec_is_checked_by_the_trainer_too():
    import dataclasses

    from ravine.core.training import Trainer

    spec = network()
    with pytest.raises(SceneError, match=r"^network\.configs: needs at least one enabled"):
        Trainer(dataclasses.replace(spec, configs=[dataclasses.replace(spec.configs[0], enabled=False)]))
    with pytest.raises(SceneError, match=r"^network: training would need"):
        Trainer(dataclasses.replace(spec, epochs=9000, batch_size=1,
                                    configs=[dataclasses.replace(spec.configs[0], label=f"c{i}") for i in range(40)]))


def test_all_disabled_configs_are_refused_in_a_scene_file():
    refused(NET.replace('kind = "gd"', 'kind = "gd"\nenabled = false'),
            r"^<t>: network\.configs: needs at least one enabled configuration")


def test_a_big_network_keeps_fewer_snapshots():
    from ravine.core.training import MAX_SNAPSHOTS, SNAPSHOT_FLOATS, snapshot_every

    assert snapshot_every(5000, 30) == 5 and snapshot_every(1000, 30) == 1  # as before: 1,000 at most
    every = snapshot_every(100_000, 500_000)
    assert (100_000 // every + 1) * 500_000 <= SNAPSHOT_FLOATS + 500_000
    assert 100_000 // every + 1 >= 10 and MAX_SNAPSHOTS == 1000


# ------------------------------------------------------------------ 6: no RuntimeWarnings
EXTREME_SCHEDULES = [
    {"kind": "inverse_time", "decay_rate": 1e308},
    {"kind": "fixed_interval", "decay_rate": 1e308, "interval": 1},
    {"kind": "inverse_sqrt", "k": 1e308},
    {"kind": "exponential", "rate": 1e-300},
    {"kind": "staircase", "rate": 1e-300, "interval": 1},
    {"kind": "piecewise", "boundaries": [3], "values": [1.0, 1e308]},
]


@pytest.mark.parametrize("schedule", EXTREME_SCHEDULES, ids=[s["kind"] for s in EXTREME_SCHEDULES])
def test_extreme_schedules_run_without_warnings(schedule, recwarn):
    import warnings

    import numpy as np

    from ravine.core import scene_from_dict, simulate
    from ravine.core.training import train

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scene = scene_from_dict({"surface": "booth", "steps": 20, "optimizers": [
            {"kind": "gd", "lr": 10.0, "schedule": schedule}, {"kind": "adam", "lr": 10.0, "schedule": schedule}]})
        for traj in simulate(scene):
            assert np.all(np.isfinite(traj.lr)) and np.all(np.isfinite(traj.path))
            if schedule["kind"] in ("inverse_time", "fixed_interval"):  # lr -> 0: the run stays put
                assert traj.diverged_at is None and np.all(traj.lr[1:] == 0.0)
        net = network(epochs=5, configs=[{"kind": "gd", "lr": 10.0, "schedule": schedule}])
        for run in train(net):
            assert np.all(np.isfinite(run.lr)) and np.all(np.isfinite(run.epoch_cost))
    assert not recwarn.list


# ------------------------------------------------------------------ 10: the Python API
def api_refused(call, exc, pattern):
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    assert "\n" not in msg and len(msg) <= 300 and re.search(pattern, msg), msg


def batch(**kw):
    from ravine.core import simulate_batch

    args = {"surface": "booth", "kind": "adam", "starts": [(0.0, 0.0)], "steps": 5, **kw}
    return lambda: simulate_batch(args.pop("surface"), args.pop("kind"), args.pop("starts"), args.pop("steps"),
                                  **args)


@pytest.mark.parametrize("kw,exc,pattern", [
    ({"starts": [[0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 2.0, 3.0, 4.0]]}, SceneError,
     r"^starts: must be an array of shape \(n, 2\) .*or one start \(x, y\) \(got shape \(2, 5\)\)$"),
    ({"starts": [1.0, 2.0, 3.0, 4.0]}, SceneError, r"^starts: .*\(got shape \(4,\)\)$"),
    ({"starts": [[[0.0, 1.0]]]}, SceneError, r"^starts: .*\(got shape \(1, 1, 2\)\)$"),
    ({"starts": []}, SceneError, r"^starts: .*\(got shape \(0,\)\)$"),
    ({"starts": [("a", "b")]}, SceneError, r"^starts: must be an array .*\(got \[\('a', 'b'\)\]|got a list"),
    ({"starts": [(0.0, 1.0), (2.0,)]}, SceneError, r"^starts: must be an array"),
    ({"starts": [(True, False)]}, SceneError, r"^starts: must be an array"),
    ({"starts": [(0.0, 2e6)]}, SceneError, r"^starts: must be an array .*\(got \(0, 2e\+06\) for trajectory 0\)$"),
    ({"starts": [(0.0, float("nan"))]}, SceneError, r"^starts: .*\(got \(0, nan\) for trajectory 0\)$"),
    ({"bias_correction": "no"}, SceneError, r"^bias_correction: must be true or false \(got 'no'\)$"),
    ({"bias_correction": 0}, SceneError, r"^bias_correction: must be true or false \(got 0\)$"),
    ({"bias_correction": [0, 1]}, SceneError, r"^bias_correction: must be true or false \(got \[0, 1\]\)$"),
    ({"lr": "0.1"}, SceneError, r"^lr: must be a number > 0 \(got '0\.1'\)$"),
    ({"lr": True}, SceneError, r"^lr: must be a number > 0 \(got true\)$"),
    ({"lr": [0.1, "x"]}, SceneError, r"^lr: must be a number > 0 \(got \[0\.1, 'x'\]\)$"),
    ({"lr": None}, SceneError, r"^lr: must be a number > 0 \(got nothing\)$"),
    ({"lr": 10**400}, SceneError, r"^lr: must be a number > 0 \(got an integer of 401 digits\)$"),
    ({"lr": 0.0}, SceneError, r"^lr: must be a number > 0 \(got 0\)$"),
    ({"beta1": [0.9, 1.0]}, SceneError, r"^beta1: expected a scalar or an array of 1 values"),
    ({"steps": 2.7}, SceneError, r"^steps: must be an integer in \[1, 1000000\] \(got 2\.7\)$"),
    ({"steps": "5"}, SceneError, r"^steps: must be an integer in \[1, 1000000\] \(got '5'\)$"),
    ({"steps": True}, SceneError, r"^steps: must be an integer in \[1, 1000000\] \(got true\)$"),
    ({"steps": 10**7}, SceneError, r"^steps: must be an integer in \[1, 1000000\] \(got 10000000\)$"),
    ({"schedule": "cosine"}, SceneError, r"^schedule\.kind: unknown schedule 'cosine' \(allowed: constant"),
    ({"schedule": 3}, SceneError, r"^schedule: must be a schedule's name or a table such as .* \(got 3\)$"),
    ({"schedule": {"kind": "exponential", "rate": "fast"}}, SceneError,
     r"^schedule\.rate: must be a number in \(0, 1\] \(got 'fast'\)$"),
    ({"surface_params": [1]}, SceneError, r"^surface_params: must be a table of parameters \(got \[1\]\)$"),
    ({"surface_params": {"kappa": 5}}, SceneError, r"^surface_params: unknown key 'kappa' \(allowed: none\)$"),
    ({"record": "no"}, SceneError, r"^record: must be True or False \(got 'no'\)$"),
    ({"record": True, "starts": [(0.0, 0.0)] * 20, "steps": 1_000_000}, SceneError,
     r"^record: 20 trajectories x 1,000,000 steps is 20,000,000 recorded steps; at most 10,000,000"),
    ({"surface": ["booth"]}, KeyError, r"unknown surface \['booth'\] \(allowed: "),
    ({"kind": {"a": 1}}, KeyError, r"unknown optimizer a table \(allowed: gd, "),
], ids=range(32))
def test_simulate_batch_checks_its_arguments_like_a_scene_file(kw, exc, pattern):
    api_refused(batch(**kw), exc, pattern)


def test_simulate_batch_takes_what_it_should():
    import numpy as np

    one = batch(starts=np.array([0.5, -0.5]), steps=np.int64(4), lr=np.float32(0.1),
                bias_correction=np.bool_(False), record=np.bool_(True))()
    assert one.path.shape == (1, 5, 2) and tuple(one.path[0, 0]) == (0.5, -0.5)
    many = batch(starts=np.zeros((3, 2), dtype=np.int32), lr=np.array([0.1, 0.2, 0.3]),
                 bias_correction=np.array([True, False, True]))()
    assert many.final.shape == (3, 2)
    by_name = batch(kind="gd", schedule="exponential", record=True)()
    by_table = batch(kind="gd", schedule={"kind": "exponential"}, record=True)()
    np.testing.assert_array_equal(by_name.lr_factor, 0.95 ** np.arange(1, 6))
    np.testing.assert_array_equal(by_name.path, by_table.path)


@pytest.mark.parametrize("args,pattern", [
    (("plateau", [0.0, 1.0], [0.0, 1.0], {"width": 0}), r"^surface_params\.width: must be a number in \[0\.05, 5\]"),
    (("plateau", [0.0, 1.0], [0.0, 1.0], [1]), r"^surface_params: must be a table of parameters"),
    (("booth", [[0.0, 1.0]], [0.0, 1.0]), r"^xs: must be a 1-D array of finite numbers, at least one \(got shape \(1, 2\)\)$"),
    (("booth", [0.0, float("inf")], [0.0]), r"^xs: must be a 1-D array of finite numbers \(got inf\)$"),
    (("booth", [0.0], []), r"^ys: must be a 1-D array of finite numbers, at least one \(got shape \(0,\)\)$"),
    (("booth", ["a"], [0.0]), r"^xs: must be a 1-D array of finite numbers \(got \['a'\]\)$"),
    (("booth", range(5000), range(5000)), r"^xs, ys: 5,000 x 5,000 points; at most 16,777,216"),
])
def test_value_grid_checks_its_arguments(args, pattern):
    from ravine.core import value_grid

    api_refused(lambda: value_grid(*args), SceneError, pattern)


def test_a_scene_has_a_bounded_number_of_recorded_steps():
    refused(BASE.replace('surface = "booth"', 'surface = "booth"\nsteps = 1000000') * 1
            + "".join(f'[[optimizers]]\nkind = "gd"\nlabel = "gd{i}"\n' for i in range(10)),
            r"^<t>: steps: 1,000,000 steps x 11 optimizers is 11,000,000 recorded steps; at most 10,000,000")
    six = loads_scene('surface = "rosenbrock"\nsteps = 1000000\n' + "".join(
        f'[[optimizers]]\nkind = "gd"\nlabel = "gd{i}"\n' for i in range(6)))
    assert six.steps == 1_000_000  # the big case stays allowed


# ------------------------------------------------------------------ 5, 6, 11: files
CSV_SCENE = """
[network]
dataset = "csv"
layers = [2, 4, 1]
epochs = 5
batch_size = 4

[network.data]
path = "PATH"

[[network.configs]]
kind = "adam"
"""


@pytest.mark.parametrize("path,pattern", [
    ("a\\u0000b.csv", r"network\.data\.path: .*a\\x00b\.csv: "),
    ("a\\nb.csv", r"network\.data\.path: .*a\\nb\.csv: no such file"),
    ("\\u001b[2J.csv", r"network\.data\.path: .*\\x1b\[2J\.csv: no such file"),
], ids=["NUL", "newline", "escape"])
def test_odd_csv_paths_are_one_line(tmp_path, path, pattern):
    refused(CSV_SCENE.replace("PATH", path), pattern, lambda text, src: loads_scene(text, src, str(tmp_path)))


@pytest.mark.parametrize("content,pattern", [
    ("x,y,label\n1,2,0\nsecret,2,1\n", r"points\.csv line 3: expected three numbers x, y, label \(the x is not a number\)$"),
    ("1,2,0\n2,secret,1\n", r"line 2: expected three numbers x, y, label \(the y is not a number\)$"),
    ("1,2,0\n2,3,secret\n", r"line 2: expected three numbers x, y, label \(the label is not a number\)$"),
    ("1,2,0\nsecret\n", r"line 2: expected three numbers x, y, label \(got 1 field\)$"),
    ("1,2,0\n2,3,1\n3,4,2\n4,5,0\n", r"the label column must hold exactly two values \(got 3 different values\)$"),
    ('1,2,0\n"' + "secret" * 30000 + '\n', r"points\.csv: not a CSV file \(a field longer than 131,072 characters\)$"),
])
def test_csv_errors_never_quote_the_file(tmp_path, content, pattern):
    (tmp_path / "points.csv").write_text(content)
    msg = refused(CSV_SCENE.replace("PATH", "points.csv"), pattern,
                  lambda text, src: loads_scene(text, src, str(tmp_path)))
    assert "secret" not in msg and "2,3" not in msg


def test_a_csv_dataset_has_at_most_n_hi_points(tmp_path, monkeypatch):
    from ravine.core import datasets
    from ravine.core.params import Param

    monkeypatch.setattr(datasets, "N", Param("n", 300, kind="int", lo=4, hi=10))
    (tmp_path / "points.csv").write_text("".join(f"{i},{i},{i % 2}\n" for i in range(11)))
    refused(CSV_SCENE.replace("PATH", "points.csv"), r"points\.csv: more than 10 points \(the limit of a dataset\)$",
            lambda text, src: loads_scene(text, src, str(tmp_path)))


def test_a_scene_file_with_odd_characters_in_its_name_is_one_line(tmp_path):
    from ravine.core import load_lesson, load_scene

    path = tmp_path / "bad\nname\x1b[31m.toml"
    path.write_text(BASE + "lr = -1\n")
    with pytest.raises(SceneError) as info:
        load_scene(path)
    assert str(info.value).isprintable() and str(info.value).endswith("lr: must be a number > 0 (got -1)")
    path.write_text("[[slides]]\nscene = 3\n")
    with pytest.raises(SceneError) as info:
        load_lesson(path)
    assert str(info.value).isprintable() and "bad\\nname\\x1b[31m.toml: slides[0].scene" in str(info.value)


def test_numpy_numbers_are_shown_as_numbers():
    import numpy as np

    from ravine.core.params import Param

    with pytest.raises(SceneError, match=r"^x: must be a number in \[0, 1\] \(got 2\.5\)$"):
        Param("x", 0.5, lo=0.0, hi=1.0).check(np.float32(2.5), "x")
    api_refused(batch(lr=np.float32(-1.0)), SceneError, r"^lr: must be a number > 0 \(got -1\)$")


@pytest.mark.parametrize("ref,pattern", [
    ("a\\u0000b.toml", r"^<t>: slides\[0\]\.scene: 'a\\x00b\.toml' is not a valid file name \(it holds a NUL"),
    ("~nouser\\u0000/x.toml", r"^<t>: slides\[0\]\.scene: '~nouser\\x00/x\.toml' is not a valid file name"),
    ("~no-such-user-here/x.toml", r"^<t>: slides\[0\]\.scene: '~no-such-user-here/x\.toml': no home folder for "
                                  r"'~no-such-user-here'$"),
], ids=["NUL", "NUL after ~", "unknown user"])
def test_odd_scene_paths_in_a_lesson_are_one_line(ref, pattern):
    refused(f'[[slides]]\nscene = "{ref}"\n', pattern, loads_lesson)


def test_api_calls_with_odd_arguments_give_one_clear_error():
    """A seeded fuzz of simulate_batch and value_grid: every call either runs (without
    warnings) or raises SceneError (a value), KeyError (a name) or TypeError (an unknown
    hyperparameter), with one short line."""
    import random
    import warnings

    import numpy as np

    from ravine.core import simulate_batch, value_grid

    rng = random.Random(9)
    odd = [None, "x", "", "0.1", True, False, 0, -1, 1e308, float("nan"), float("inf"), 10**400, [], [1], [[1, 2]],
           [(0, 0), (1,)], {"a": 1}, {}, np.array([]), np.zeros((2, 5)), np.zeros((3, 2)), np.array(["a", "b"]),
           np.array([True, False]), np.float32(0.3), np.int64(7), object(), b"bytes", 1j, np.array([1j, 2j]),
           (0.1, 0.2), range(3), "exponential", {"kind": "piecewise", "boundaries": [1], "values": [1, 2]},
           np.array(0.5)]
    problems, ran = [], 0

    def maybe(good):
        return good if rng.random() < 0.8 else rng.choice(odd)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(800):
            kw = {k: rng.choice(odd) for k in ("lr", "beta1", "beta2", "eps", "bias_correction", "schedule",
                                                 "surface_params", "record") if rng.random() < 0.15}
            args = [maybe(good) for good in ("rosenbrock", "adam", [(0.5, 0.5), (-1.0, 1.0)], 5)]
            try:
                simulate_batch(*args, **kw)
                ran += 1
            except (SceneError, KeyError, TypeError) as exc:
                msg = str(exc)
                if "\n" in msg or len(msg) > 300 or isinstance(exc, TypeError) and "hyperparameter" not in msg:
                    problems.append(f"#{i}: {type(exc).__name__}: {msg[:200]}")
            except Exception as exc:  # noqa: BLE001
                problems.append(f"#{i}: {type(exc).__name__}: {str(exc)[:200]}")
        for i in range(200):
            args = [maybe(good) for good in ("plateau", [0.0, 1.0], [-1.0, 0.0, 1.0], {"width": 0.5})]
            try:
                value_grid(*args)
            except (SceneError, KeyError):
                pass
            except Exception as exc:  # noqa: BLE001
                problems.append(f"grid #{i}: {type(exc).__name__}: {str(exc)[:200]}")
    assert not problems, " | ".join(problems[:5])
    assert ran > 50  # and enough calls were good enough to run
