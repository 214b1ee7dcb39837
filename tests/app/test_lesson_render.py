"""Lesson handouts: one PNG per slide (ravine render --lesson, render_lesson), what each shows,
and every mistake as one line with nothing left behind."""

import os

import numpy as np
import pytest
from PyQt6 import QtGui

from ravine.app.cli import main
from ravine.app.rendering import (RenderError, RenderOptions, render_lesson, slide_canvas, slide_filename,
                                  slide_step, slide_views)
from ravine.core.lesson import DEFAULT_LESSON, load_builtin_lesson, loads_lesson

from tests.app.pixels import to_array

SMALL = (480, 320)

# Three quick slides: a short surface run with the lr view, the EWA view, a tiny network.
TINY = """\
title = "tiny lesson"

[[slides]]
title = "Decay, fast"
text = "lr = lr0 / (1 + decay_rate * epoch_num): the steps shrink as training goes on."
views = ["map", "cost", "lr", "inspector"]

[slides.scene]
surface = "booth"
start = [-5.0, -5.0]
steps = 40

[[slides.scene.optimizers]]
kind = "gd"
label = "GD"
lr = 0.05
schedule = { kind = "inverse_time", decay_rate = 1.0, steps_per_epoch = 10 }

[[slides]]
title = "Averages: beta 0.5, corrected"
tab = "ewa"

[slides.ewa]
beta = 0.5
bias_correction = true

[[slides]]
title = "A tiny network"
text = "XOR, two configurations."
tab = "network"
step = 12

[slides.scene.network]
dataset = "xor"
layers = [2, 4, 1]
epochs = 30
batch_size = 16

[slides.scene.network.data]
n = 80

[[slides.scene.network.configs]]
kind = "gd"
label = "GD"
lr = 0.1

[[slides.scene.network.configs]]
kind = "adam"
label = "Adam"
lr = 0.01
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def image(path) -> np.ndarray:
    return to_array(QtGui.QImage(str(path)))


def ink(pixels: np.ndarray, background=(255, 255, 255)) -> int:
    """How many pixels differ clearly from the background."""
    return int((np.abs(pixels.astype(int) - background).sum(axis=2) > 120).sum())


@pytest.fixture(scope="module")
def builtin(tmp_path_factory):
    """The built-in lesson rendered once, at the default size (about 6 s with warm caches)."""
    out = tmp_path_factory.mktemp("handouts") / "optimization"
    return load_builtin_lesson(DEFAULT_LESSON), render_lesson(DEFAULT_LESSON, out, quiet=True), out


def test_the_built_in_lesson_gives_one_handout_per_slide(builtin):
    lesson, paths, out = builtin
    assert [p.name for p in paths] == [slide_filename(k + 1, s.title) for k, s in enumerate(lesson.slides)]
    assert paths[0].name == "01-mini-batch-gradient-descent.png"
    assert paths[6].name == "07-adams-bias-correction.png"
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths)  # nothing else, no temporaries
    for path in paths:
        px = image(path)
        assert px.shape == (720, 1280, 3), path.name
        title_strip = px[8:56, 16:640]  # the title: dark letters on the white page
        text_block = px[56:130, 16:1264]
        views = px[160:]
        assert ink(title_strip) > 600, path.name  # "Adam", the shortest, has about 1100
        assert ink(text_block) > 3000, path.name
        colours = (views[..., 0].astype(np.int32) << 16) | (views[..., 1].astype(np.int32) << 8) | views[..., 2]
        assert len(np.unique(colours)) > 100, path.name  # plots, not a blank page
    ewa_98 = image(paths[2])
    assert not np.array_equal(image(paths[1])[160:], ewa_98[160:])  # the two EWA slides differ


def test_the_built_in_ewa_slides_apply_their_settings():
    lesson = load_builtin_lesson(DEFAULT_LESSON)
    for k, (beta, bias) in {1: (0.9, False), 2: (0.98, True)}.items():
        canvas = slide_canvas(lesson, k, RenderOptions(SMALL))
        try:
            assert canvas.ewa is not None and canvas.map is None and canvas.network is None
            assert canvas.ewa.beta == beta and canvas.ewa.bias.isChecked() == bias
            assert (f"beta {beta:g}, bias-corrected" in canvas.ewa.curves()) == bias
            assert canvas.header.title.text() == lesson.slides[k].title
        finally:
            canvas.close()


def test_each_slide_shows_its_views_settings_and_step(tiny, tmp_path, monkeypatch):
    from ravine.app import rendering

    seen = []
    frame = rendering.Canvas.frame

    def spy(canvas):
        seen.append(dict(
            map=canvas.map is not None, network=canvas.network is not None,
            step=canvas.model.step if canvas.model is not None else None,
            ewa=(canvas.ewa.beta, canvas.ewa.bias.isChecked()) if canvas.ewa is not None else None,
            title=canvas.header.title.text(), text=canvas.header.text.text(), note=canvas.header.note.text()))
        return frame(canvas)

    monkeypatch.setattr(rendering.Canvas, "frame", spy)
    paths = render_lesson(tiny, tmp_path / "out", size=SMALL, quiet=True)
    assert [p.name for p in paths] == ["01-decay-fast.png", "02-averages-beta-0-5-corrected.png",
                                       "03-a-tiny-network.png"]
    decay, ewa, network = seen
    assert decay["map"] and not decay["network"] and decay["ewa"] is None
    assert decay["step"] == 40  # starts at 0: the handout shows where the run ends
    assert decay["title"] == "Decay, fast" and decay["text"].startswith("lr = lr0 /")
    assert decay["note"] == "tiny lesson   1/3"
    assert ewa["ewa"] == (0.5, True) and not ewa["map"] and ewa["text"] == ""
    assert network["network"] and not network["map"]
    for path in paths:
        assert image(path).shape == (320, 480, 3)


def test_slide_views_and_steps_follow_the_slides(tiny):
    from ravine.core.lesson import load_lesson

    lesson = load_lesson(tiny)
    assert [slide_views(s) for s in lesson.slides] == [["map", "cost", "lr", "inspector"], ["ewa"], ["network"]]
    options = [RenderOptions(views=slide_views(s)) for s in lesson.slides]
    assert [slide_step(s, o) for s, o in zip(lesson.slides, options)] == [40, 0, 12]
    builtin = load_builtin_lesson(DEFAULT_LESSON)
    by_title = {s.title: s for s in builtin.slides}
    assert slide_views(by_title["RMSprop"]) == ["map", "cost", "inspector"]  # the inspector is drawn too
    assert slide_views(by_title["Gradient descent with momentum"]) == ["map", "cost"]
    assert slide_views(by_title["Learning-rate decay"]) == ["map", "cost", "lr"]
    adam = by_title["Adam"]  # an autoplaying network slide: its last epoch
    assert slide_step(adam, RenderOptions(views=["network"])) == adam.scene.network.epochs
    played = loads_lesson(TINY.replace("step = 12", "step = 12\nautoplay = true"))
    assert slide_step(played.slides[2], options[2]) == 30


def test_slide_file_names():
    assert slide_filename(1, "Mini-batch gradient descent") == "01-mini-batch-gradient-descent.png"
    assert slide_filename(7, "Adam's bias correction") == "07-adams-bias-correction.png"
    assert slide_filename(12, "  Élan: x^2 - y^2 !") == "12-elan-x-2-y-2.png"
    assert slide_filename(3, "") == slide_filename(3, "???") == "03-slide.png"
    assert slide_filename(5, "x", digits=3) == "005-x.png"


def test_cli_renders_a_lesson_file_and_a_dark_theme(tiny, tmp_path, capsys):
    out = tmp_path / "new" / "handouts"
    code = main(["render", "--lesson", str(tiny), "-o", str(out), "--size", "640x360", "--theme", "dark"])
    stdout, err = capsys.readouterr()
    assert code == 0 and err == ""
    names = ["01-decay-fast.png", "02-averages-beta-0-5-corrected.png", "03-a-tiny-network.png"]
    assert sorted(os.listdir(out)) == names
    assert stdout.splitlines()[0] == f"Decay, fast -> {out / names[0]}"
    px = image(out / names[0])
    assert px.shape == (360, 640, 3)
    dark = tuple(int(QtGui.QColor("#16181D").name()[i:i + 2], 16) for i in (1, 3, 5))
    assert np.abs(px[2, 2].astype(int) - dark).sum() < 10  # the dark page
    assert ink(px[4:30, 8:320], background=dark) > 200  # light letters of the title


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv,needle", [
    (["--lesson", "{d}/bad.toml", "-o", "{d}/out"], "bad.toml: slides[1].ewa.beta: must be a number in [0, 1) (got 2)"),
    (["--lesson", "{d}/missing.toml", "-o", "{d}/out"], "missing.toml: no such lesson file"),
    (["--lesson", "nope", "-o", "{d}/out"], "nope: no such lesson file or built-in lesson (built-in lessons: "),
    (["--lesson", "{d}/tiny.toml"], "render --lesson: -o DIR is required"),
    (["--lesson", "{d}/tiny.toml", "-o", "{d}/out.png"], "a lesson renders one PNG per slide into a folder"),
    (["--lesson", "{d}/tiny.toml", "-o", "{d}/out", "--step", "3"], "--step is set by each slide"),
    (["--lesson", "{d}/tiny.toml", "-o", "{d}/out", "--views", "map"], "--views is set by each slide"),
    (["--lesson", "{d}/tiny.toml", "-o", "{d}/out", "--format", "gif"], "--format is set by each slide"),
    (["--lesson", "{d}/tiny.toml", "-o", "{d}/out", "--size", "8x8"], "--size: each side must be in 16..7680"),
    (["--lesson", "{d}/tiny.toml", "-o", "{d}/out", "--theme", "pink"], "--theme: must be one of light, dark"),
    (["--lesson", "{d}/tiny.toml", "--example", "saddle-escape", "-o", "{d}/out"], "one of them"),
    (["--lesson", "{d}/tiny.toml", "-o", "{d}/tiny.toml"], "tiny.toml: is a file; give a folder"),
    (["--lesson", "{d}/tiny.toml", "-o", "{d}/file/out"], "file/out: cannot make this folder"),
])
def test_bad_lesson_renders_are_one_line_and_write_nothing(tiny, tmp_path, capsys, argv, needle):
    (tmp_path / "bad.toml").write_text(TINY.replace("beta = 0.5", "beta = 2"))
    (tmp_path / "file").write_text("a file, not a folder\n")
    before = sorted(os.listdir(tmp_path))
    code, _, err = run(capsys, "render", *[a.format(d=tmp_path) for a in argv], "--quiet")
    assert code == 2
    assert err.startswith("ravine: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert needle in err, err
    assert sorted(os.listdir(tmp_path)) == before  # no folder made, no file written


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_an_unwritable_folder_is_one_line(tiny, tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code, _, err = run(capsys, "render", "--lesson", str(tiny), "-o", str(ro), "--quiet")
        assert code == 2 and err.count("\n") == 1 and f"{ro}: cannot write" in err, err
        code, _, err = run(capsys, "render", "--lesson", str(tiny), "-o", str(ro / "sub"), "--quiet")
        assert code == 2 and err.count("\n") == 1 and "cannot make this folder" in err, err
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


def test_a_failure_midway_leaves_no_handout_and_no_new_folder(tiny, tmp_path, monkeypatch):
    from ravine.app import rendering

    make = rendering.slide_canvas

    def third_fails(lesson, index, options):
        if index == 2:
            raise RenderError("the third slide failed")
        return make(lesson, index, options)

    monkeypatch.setattr(rendering, "slide_canvas", third_fails)
    with pytest.raises(RenderError, match="the third slide failed"):
        render_lesson(tiny, tmp_path / "a" / "b", size=SMALL, quiet=True)
    assert os.listdir(tmp_path) == ["tiny.toml"]
    existing = tmp_path / "old"
    existing.mkdir()
    (existing / "01-decay-fast.png").write_bytes(b"old")
    with pytest.raises(RenderError):
        render_lesson(tiny, existing, size=SMALL, quiet=True)
    assert os.listdir(existing) == ["01-decay-fast.png"]  # the old file is untouched
    assert (existing / "01-decay-fast.png").read_bytes() == b"old"


def test_the_python_call_is_exported():
    import ravine.app

    assert ravine.app.render_lesson is render_lesson


def test_a_folder_that_refuses_files_is_one_line_with_nothing_left(tiny, tmp_path, capsys, monkeypatch):
    import tempfile

    mkstemp = tempfile.mkstemp
    made = []

    def second_refused(*a, **k):
        if made:
            raise PermissionError(13, "Permission denied")
        made.append(mkstemp(*a, **k)[1])
        return os.open(made[-1], os.O_RDWR), made[-1]

    monkeypatch.setattr(tempfile, "mkstemp", second_refused)
    code, _, err = run(capsys, "render", "--lesson", str(tiny), "-o", str(tmp_path / "out"), "--quiet")
    assert code == 2 and err.count("\n") == 1, err
    assert f"{tmp_path / 'out'}: cannot write the slides' PNGs here (Permission denied)" in err
    assert made and not os.path.exists(made[0])
    assert os.listdir(tmp_path) == ["tiny.toml"]  # the folder it made is gone too


def test_a_handout_shows_the_narration_a_slide_names(tmp_path):
    from ravine.app.rendering import RenderOptions, slide_canvas, slide_views
    from ravine.core.lesson import loads_lesson

    lesson = loads_lesson('[[slides]]\ntitle = "Momentum"\nscene = "momentum-ravine"\n'
                          'views = ["map", "narration"]\ninspect = "Momentum"\nnarrate = true\nstep = 5\n', "t")
    assert slide_views(lesson.slides[0]) == ["map", "narration"]
    canvas = slide_canvas(lesson, 0, RenderOptions((960, 540)))
    try:
        assert canvas.model.view.narrate and canvas.model.inspected_run.config.label == "Momentum"
        assert "v = beta·v + (1-beta)·dW" in canvas.inspector.text.text()
        assert canvas.map.arrow_names  # its parts on the map
    finally:
        canvas.close()
