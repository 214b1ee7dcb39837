"""`ravine` end to end: list, run (summary and CSV), and every user mistake as one line + exit 2."""

import csv
import os
import subprocess
import sys

import numpy as np
import pytest

from ravine.app.cli import main
from ravine.core import load_example, simulate
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.schedules import SCHEDULES
from ravine.landscapes import SURFACES

DIVERGING = """\
title = "too fast"
surface = "booth"
start = [-5.0, -5.0]
steps = 100

[[optimizers]]
kind = "gd"
label = "GD fast"
lr = 0.5

[[optimizers]]
kind = "adam"
lr = 0.1
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err):
    assert err.startswith("ravine: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_list_names_everything(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    from ravine.core.scene import is_custom

    for name in [*(n for n in SURFACES if not is_custom(n)), "custom", *OPTIMIZERS, *SCHEDULES, "momentum-ravine"]:
        assert f"  {name} " in out


def test_run_writes_the_csv(tmp_path, capsys):
    out_csv = tmp_path / "out.csv"
    code, _, err = run(capsys, "run", "momentum-ravine", "--csv", str(out_csv))
    assert code == 0 and err == ""
    rows = list(csv.reader(out_csv.open()))
    assert rows[0] == ["optimizer", "step", "x", "y", "loss", "lr"]
    scene = load_example("momentum-ravine")
    sim = simulate(scene)
    assert len(rows) - 1 == sum(t.steps_done + 1 for t in sim)
    first = {r[0]: r for r in rows[1:] if r[1] == "0"}
    assert set(first) == {c.label for c in scene.optimizers}
    assert all(r[5] == "" for r in first.values())  # no lr at the start
    gd = [r for r in rows[1:] if r[0] == "GD"]
    assert [int(r[1]) for r in gd] == list(range(scene.steps + 1))
    np.testing.assert_array_equal(np.array([r[2:4] for r in gd], float), sim[0].path)
    np.testing.assert_array_equal(np.array([r[4] for r in gd], float), sim[0].loss)
    np.testing.assert_array_equal(np.array([r[5] for r in gd[1:]], float), sim[0].lr)


def test_run_diverging_scene_stops_rows_and_says_so(tmp_path, capsys):
    scene = tmp_path / "fast.toml"
    scene.write_text(DIVERGING)
    out_csv = tmp_path / "fast.csv"
    code, _, err = run(capsys, "run", str(scene), "--csv", str(out_csv))
    assert code == 0
    n = int(err.strip().rsplit(" ", 1)[1])
    assert err == f"GD fast diverged at step {n}\n"
    rows = list(csv.reader(out_csv.open()))[1:]
    gd = [r for r in rows if r[0] == "GD fast"]
    assert int(gd[-1][1]) == n - 1
    assert all(np.isfinite(float(v)) for r in rows for v in r[2:5])
    assert len([r for r in rows if r[0] == "adam"]) == 101


def test_run_without_csv_prints_a_summary(capsys):
    code, out, _ = run(capsys, "run", "plateau-crawl")
    assert code == 0
    assert "Adam" in out and "plateau" in out


def test_csv_to_stdout(capsys):
    code, out, _ = run(capsys, "run", "saddle-escape", "--csv", "-")
    assert code == 0 and out.startswith("optimizer,step,x,y,loss,lr\n")


@pytest.mark.parametrize("argv,needle", [
    (["run"], "the following arguments are required: scene"),
    (["run", "momentum-ravine", "--bogus"], "unrecognized arguments: --bogus"),
    (["frobnicate", "x"], "unknown command 'frobnicate'"),
    (["run", "no-such-example"], "no such scene file or example (examples: "),
    (["run", "missing.toml"], "missing.toml: no such scene file"),
])
def test_usage_mistakes(capsys, argv, needle):
    code, _, err = run(capsys, *argv)
    assert code == 2
    one_line_error(err)
    assert needle in err


def test_bad_scene_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(DIVERGING.replace("lr = 0.5", "lr = -1"))
    code, _, err = run(capsys, "run", str(bad))
    assert code == 2
    one_line_error(err)
    assert f"{bad}: optimizers[0].lr: must be a number > 0 (got -1)" in err


def test_unwritable_csv_leaves_nothing(tmp_path, capsys):
    code, _, err = run(capsys, "run", "saddle-escape", "--csv", str(tmp_path / "no" / "dir" / "o.csv"))
    assert code == 2
    one_line_error(err)
    assert "cannot write" in err
    code, _, err = run(capsys, "run", "saddle-escape", "--csv", str(tmp_path))
    assert code == 2 and "is a folder" in err
    if os.geteuid() != 0:  # root can write anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        code, _, err = run(capsys, "run", "saddle-escape", "--csv", str(ro / "o.csv"))
        assert code == 2 and "cannot write" in err
        assert list(ro.iterdir()) == []


def test_existing_csv_is_replaced_whole(tmp_path, capsys):
    out_csv = tmp_path / "o.csv"
    out_csv.write_text("old\n" * 100000)
    assert run(capsys, "run", "saddle-escape", "--csv", str(out_csv))[0] == 0
    assert out_csv.read_text().startswith("optimizer,")
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]  # no temporary left behind


def test_no_display_says_so_in_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    p = subprocess.run([sys.executable, "-m", "ravine.app.cli"], env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2
    one_line_error(p.stderr)
    assert "no display" in p.stderr and "ravine run" in p.stderr


def test_console_script_runs_end_to_end(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "ravine")
    if not os.path.exists(exe):
        pytest.skip("the ravine console script is not installed in this environment")
    p = subprocess.run([exe, "run", "momentum-ravine", "--csv", str(tmp_path / "o.csv")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "o.csv").read_text().count("\n") == 4 * 151 + 1


def test_train_writes_the_csv(tmp_path, capsys):
    out_csv = tmp_path / "train.csv"
    scene = tmp_path / "net.toml"
    scene.write_text(NET)
    code, out, err = run(capsys, "train", str(scene), "--csv", str(out_csv))
    assert code == 0 and err == ""
    rows = list(csv.reader(out_csv.open()))
    assert rows[0] == ["config", "epoch", "cost", "train_accuracy", "test_accuracy", "lr"]
    assert len(rows) == 1 + 2 * 30
    assert [r[1] for r in rows[1:31]] == [str(e) for e in range(1, 31)]
    assert {r[0] for r in rows[1:]} == {"GD", "Adam"}
    assert all(0 <= float(r[3]) <= 1 and 0 <= float(r[4]) <= 1 for r in rows[1:])
    assert "GD" in out and "train acc" in out


def test_train_prints_the_course_figures(tmp_path, capsys):
    """`ravine train course-adam --csv a.csv`: the course's "Cost after epoch i" (0-based) is
    the CSV's epoch i + 1, to the printed digit."""
    out_csv = tmp_path / "a.csv"
    code, out, err = run(capsys, "train", "course-adam", "--csv", str(out_csv))
    assert code == 0 and err == ""
    rows = {(r[0], int(r[1])): r for r in csv.reader(out_csv.open()) if r[1] != "epoch"}
    assert [f"{float(rows['Adam', i + 1][2]):.6f}" for i in (0, 1000, 2000, 3000, 4000)] == \
        ["0.702166", "0.167845", "0.141316", "0.138788", "0.136066"]
    assert f"{100 * float(rows['GD', 5000][3]):.2f}" == "71.67"


def test_train_reports_divergence(tmp_path, capsys):
    scene = tmp_path / "net.toml"
    scene.write_text(NET.replace("lr = 0.1", "lr = 1e7"))
    code, out, err = run(capsys, "train", str(scene), "--csv", str(tmp_path / "o.csv"))
    assert code == 0
    assert err.startswith("GD diverged at epoch ")
    rows = [r for r in csv.reader((tmp_path / "o.csv").open()) if r[0] == "GD"]
    assert len(rows) == int(err.split()[-1]) - 1


def test_train_and_run_point_at_each_other(capsys):
    code, _, err = run(capsys, "train", "momentum-ravine")
    assert code == 2 and "has no [network] table" in err
    one_line_error(err)
    code, _, err = run(capsys, "run", "course-adam")
    assert code == 2 and "use 'ravine train course-adam'" in err
    one_line_error(err)


NET = """\
title = "tiny"

[network]
dataset = "xor"
layers = [2, 4, 1]
epochs = 30
batch_size = 16
test_fraction = 0.25

[network.data]
n = 80

[[network.configs]]
kind = "gd"
label = "GD"
lr = 0.1

[[network.configs]]
kind = "adam"
label = "Adam"
lr = 0.01
"""


def test_a_missing_x11_library_is_one_line(monkeypatch, capsys):
    import ctypes

    from ravine.app import cli

    def no_library(name, *a, **k):
        raise OSError("libxcb-cursor.so.0: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    monkeypatch.setattr(cli.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, _, err = run(capsys, "momentum-ravine")
    assert code == 2
    one_line_error(err)
    assert "apt-get install libxcb-cursor0" in err and "ravine render" in err


def test_train_exports_weights_that_reproduce_the_accuracy(tmp_path, capsys):
    import json

    from ravine.core import load_scene
    from ravine.core.training import train

    scene = tmp_path / "net.toml"
    scene.write_text(NET)
    out = tmp_path / "w.json"
    code, _, err = run(capsys, "train", str(scene), "--weights", str(out))
    assert code == 0 and err == ""
    data = json.loads(out.read_text())
    assert data["layers"] == [2, 4, 1] and [c["label"] for c in data["configs"]] == ["GD", "Adam"]
    spec = load_scene(scene).network
    trained = train(spec)
    from ravine.core.training import Trainer

    t = Trainer(spec)
    for cfg, result in zip(data["configs"], trained):
        a = t.X.T  # the notes' forward pass with plain matrices
        for l, (W, b) in enumerate(zip(cfg["W"], cfg["b"])):
            z = np.array(W) @ a + np.array(b)[:, None]
            a = np.maximum(z, 0) if l < len(cfg["W"]) - 1 else 1 / (1 + np.exp(-z))
        assert ((a.ravel() > 0.5) == (t.y > 0.5)).mean() == pytest.approx(result.train_accuracy[-1])
    code, _, err = run(capsys, "train", str(scene), "--weights", str(tmp_path / "no" / "w.json"))
    assert code == 2 and "--weights" in err and "cannot write" in err


# Opening windows: presentation mode and lessons (the window itself is replaced by a spy).

LESSON = """\
title = "tiny lesson"

[[slides]]
title = "Momentum"
text = "v = beta*v + (1-beta)*dW"
scene = "momentum-ravine"

[[slides]]
title = "Averages"
tab = "ewa"

[slides.ewa]
beta = 0.5
"""


@pytest.fixture
def windows(monkeypatch):
    """A display that works, and spies instead of run_app / run_lesson: the calls they got."""
    from ravine.app import cli, window

    calls = []
    monkeypatch.setattr(cli, "_has_display", lambda: True)
    monkeypatch.setattr(cli, "_missing_x11_library", lambda: None)
    monkeypatch.setattr(window, "run_app", lambda *a, **k: calls.append(("run_app", a, k)) or 0)
    monkeypatch.setattr(window, "run_lesson", lambda *a, **k: calls.append(("run_lesson", a, k)) or 0,
                        raising=False)  # (being added to the window)
    return calls


@pytest.mark.parametrize("argv", [["momentum-ravine", "--present"], ["app", "momentum-ravine", "--present"],
                                  ["--present", "momentum-ravine"]])
def test_present_opens_the_scene_in_presentation_mode(capsys, windows, argv):
    code, _, err = run(capsys, *argv)
    assert code == 0 and err == ""
    [(name, args, kwargs)] = windows
    assert name == "run_app" and kwargs == {"present": True}
    assert args[0].title == load_example("momentum-ravine").title and args[1] is None


def test_present_alone_opens_the_default_scene(capsys, windows):
    from ravine.core.scene import DEFAULT_EXAMPLE

    assert run(capsys, "--present")[0] == 0
    [(name, args, kwargs)] = windows
    assert args[0].title == load_example(DEFAULT_EXAMPLE).title and kwargs == {"present": True}


def test_a_scene_file_with_present_passes_its_path(tmp_path, capsys, windows):
    scene = tmp_path / "fast.toml"
    scene.write_text(DIVERGING)
    assert run(capsys, str(scene), "--present")[0] == 0
    [(_, args, kwargs)] = windows
    assert args[0].title == "too fast" and args[1] == scene and kwargs == {"present": True}


def test_without_present_the_window_is_not_presenting(capsys, windows):
    assert run(capsys, "momentum-ravine")[0] == 0
    assert run(capsys, "app", "saddle-escape")[0] == 0
    assert [kwargs.get("present", False) for _, _, kwargs in windows] == [False, False]


@pytest.mark.parametrize("argv,needle", [
    (["momentum-ravine", "--bogus"], "unrecognized arguments: --bogus"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["momentum-ravine", "--present", "--bogus"], "unrecognized arguments: --bogus"),
    (["lesson", "optimization", "--present"], "unrecognized arguments: --present"),
    (["lesson", "a", "b"], "unrecognized arguments: b"),
    (["momentum-ravine", "extra", "--present"], "unknown command 'momentum-ravine'"),
    (["lesson", "nope"], "nope: no such lesson file or built-in lesson (built-in lessons: optimization;"),
    (["lesson", "nope.toml"], "nope.toml: no such lesson file"),
])
def test_window_mistakes_are_one_line(capsys, windows, argv, needle):
    code, _, err = run(capsys, *argv)
    assert code == 2
    one_line_error(err)
    assert needle in err, err
    assert windows == []


def test_lesson_opens_the_built_in_one_by_default(capsys, windows):
    from ravine.core.lesson import DEFAULT_LESSON, load_builtin_lesson

    assert run(capsys, "lesson")[0] == 0
    assert run(capsys, "lesson", DEFAULT_LESSON)[0] == 0
    expected = load_builtin_lesson(DEFAULT_LESSON)
    assert len(windows) == 2
    for name, args, kwargs in windows:
        assert name == "run_lesson" and kwargs == {}
        [lesson] = args
        assert lesson.title == expected.title
        assert [s.title for s in lesson.slides] == [s.title for s in expected.slides]


def test_lesson_opens_a_lesson_file(tmp_path, capsys, windows):
    path = tmp_path / "tiny.toml"
    path.write_text(LESSON)
    assert run(capsys, "lesson", str(path))[0] == 0
    [(name, (lesson,), _)] = windows
    assert name == "run_lesson" and lesson.title == "tiny lesson" and lesson.source == str(path)
    assert [s.tab for s in lesson.slides] == ["optimizers", "ewa"] and lesson.slides[1].ewa.beta == 0.5


def test_a_bad_lesson_file_is_one_line_and_opens_nothing(tmp_path, capsys, windows):
    path = tmp_path / "bad.toml"
    path.write_text(LESSON.replace("beta = 0.5", "beta = 1.5"))
    code, _, err = run(capsys, "lesson", str(path))
    assert code == 2
    one_line_error(err)
    assert f"{path}: slides[1].ewa.beta: must be a number in [0, 1)" in err
    path.write_text("title = \n")
    code, _, err = run(capsys, "lesson", str(path))
    assert code == 2 and "not valid TOML" in err
    one_line_error(err)
    assert windows == []


@pytest.mark.parametrize("argv", [["lesson"], ["momentum-ravine", "--present"], ["--present"]])
def test_every_window_checks_the_display_first(monkeypatch, capsys, windows, argv):
    from ravine.app import cli

    monkeypatch.setattr(cli, "_has_display", lambda: False)
    code, _, err = run(capsys, *argv)
    assert code == 2 and "no display" in err
    one_line_error(err)
    monkeypatch.setattr(cli, "_has_display", lambda: True)
    monkeypatch.setattr(cli, "_missing_x11_library", lambda: "libxcb-cursor0")
    code, _, err = run(capsys, *argv)
    assert code == 2 and "apt-get install libxcb-cursor0" in err
    one_line_error(err)
    assert windows == []


def test_list_names_the_lessons(capsys):
    from ravine.core.lesson import lesson_names, load_builtin_lesson

    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("lessons"))
    assert "ravine lesson" in lines[start] and "ravine render --lesson" in lines[start]
    for name in lesson_names():
        lesson = load_builtin_lesson(name)
        assert f"  {name:<22} {lesson.title}  ({len(lesson.slides)} slides)" in lines[start + 1:]


def test_help_mentions_present_and_lessons(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--present" in out and "ravine lesson" in out and "render --lesson" in out
