"""ravine render: every format read back, determinism, the Python call, every bad input."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PyQt6 import QtGui

from ravine.app.cli import main
from ravine.app.rendering import RenderError, _need, render
from ravine.core import load_example

SMALL = dict(size=(320, 240))


def frames_of_gif(path):
    from PIL import Image

    im = Image.open(path)
    out = []
    for k in range(im.n_frames):
        im.seek(k)
        out.append(np.array(im.convert("RGB")))
    return out


def frames_of_mp4(path):
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]


def test_png_is_the_last_step_or_the_chosen_one(tmp_path):
    scene = load_example("momentum-ravine")
    last = render(scene, tmp_path / "last.png", **SMALL)
    first = render(scene, tmp_path / "first.png", step=0, **SMALL)
    a, b = QtGui.QImage(str(last)), QtGui.QImage(str(first))
    assert (a.width(), a.height()) == (320, 240)
    assert a != b
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.png", "last.png"]  # no leftovers


def test_gif_frames_move(tmp_path):
    path = render(load_example("momentum-ravine"), tmp_path / "m.gif", frames=6, **SMALL)
    frames = frames_of_gif(path)
    assert len(frames) == 6 and frames[0].shape == (240, 320, 3)
    assert np.abs(frames[1].astype(int) - frames[5].astype(int)).sum() > 1000  # the paths moved


def test_mp4_frames_move(tmp_path):
    path = render(load_example("plateau-crawl"), tmp_path / "p.mp4", frames=6, fps=12, **SMALL)
    frames = frames_of_mp4(path)
    assert len(frames) == 6 and frames[0].shape == (240, 320, 3)
    assert np.abs(frames[0].astype(int) - frames[5].astype(int)).mean() > 0.1


def test_same_scene_same_pixels(tmp_path):
    scene = load_example("saddle-escape")
    a = render(scene, tmp_path / "a.gif", frames=4, **SMALL).read_bytes()
    b = render(scene, tmp_path / "b.gif", frames=4, **SMALL).read_bytes()
    assert a == b
    x = render(scene, tmp_path / "x.png", **SMALL).read_bytes()
    y = render(scene, tmp_path / "y.png", **SMALL).read_bytes()
    assert x == y
    m1 = frames_of_mp4(render(scene, tmp_path / "1.mp4", frames=3, **SMALL))
    m2 = frames_of_mp4(render(scene, tmp_path / "2.mp4", frames=3, **SMALL))
    assert all(np.array_equal(f, g) for f, g in zip(m1, m2))


def test_frames_as_arrays_and_views_and_theme():
    scene = load_example("lr-decay")
    frames = render(scene, frames=3, size=(400, 300), views=["map", "lr"], theme="dark")
    assert frames.shape == (3, 300, 400, 3) and frames.dtype == np.uint8
    corner = frames[0, -2, -2]
    assert corner.max() < 60  # dark background
    light = render(scene, frames=1, size=(400, 300), views=["ewa"])
    assert light.shape == (1, 300, 400, 3) and light[0, 5, 5].min() > 200


def test_network_scene_renders_training(tmp_path):
    path = render(load_example("minibatch-noise"), tmp_path / "n.gif", frames=3, size=(480, 320))
    frames = frames_of_gif(path)
    assert len(frames) == 3
    assert np.abs(frames[0].astype(int) - frames[2].astype(int)).sum() > 1000


PROBE = """
import os, sys
from ravine.app import render
from ravine.core import load_example
frames = render(load_example("booth-less" if False else "momentum-ravine"), frames=2, size=(200, 120))
print(frames.shape, os.environ.get("QT_QPA_PLATFORM"))
"""


def test_python_call_without_display_or_qapplication():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(2, 120, 200, 3) offscreen"
    assert "propagateSizeHints" not in out.stderr


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv,needle", [
    (["--example", "momentum-ravine", "-o", "{d}/x.bmp"], "unknown format '.bmp' (allowed: .png, .gif, .mp4)"),
    (["--example", "momentum-ravine", "-o", "{d}/x"], "unknown format '(none)'"),
    (["--example", "momentum-ravine", "-o", "{d}/x.png", "--size", "0x0"], "--size: each side must be in 16..7680 pixels (got 0x0)"),
    (["--example", "momentum-ravine", "-o", "{d}/x.png", "--size", "99999x99999"], "--size: each side must be in 16..7680"),
    (["--example", "momentum-ravine", "-o", "{d}/x.png", "--size", "big"], "--size: must be WIDTHxHEIGHT"),
    (["--example", "momentum-ravine", "-o", "{d}/x.gif", "--fps", "-5"], "--fps: GIF takes a number in [0.01, 50] (got -5)"),
    (["--example", "momentum-ravine", "-o", "{d}/x.gif", "--fps", "0.001"], "--fps: GIF takes a number in [0.01, 50] (got 0.001)"),
    (["--example", "momentum-ravine", "-o", "{d}/x.gif", "--fps", "60"], "--fps: GIF takes a number in [0.01, 50] (got 60)"),
    (["--example", "momentum-ravine", "-o", "{d}/x.gif", "--fps", "nan"], "--fps: GIF takes a number in [0.01, 50] (got nan)"),
    (["--example", "momentum-ravine", "-o", "{d}/x.mp4", "--fps", "1e-9"], "--fps: MP4 takes a number in [0.01, 120] (got 1e-09)"),
    (["--example", "momentum-ravine", "-o", "{d}/x.mp4", "--fps", "inf"], "--fps: MP4 takes a number in [0.01, 120] (got inf)"),
    (["--example", "momentum-ravine", "-o", "{d}/x.mp4", "--fps", "120", "--seconds", "3600"],
     "--seconds x --fps: at most 100000 frames (got 3600 s at 120 fps)"),
    (["--example", "momentum-ravine", "-o", "{d}/x.mp4", "--size", "321x240"], "MP4 needs an even width and height"),
    (["--example", "momentum-ravine", "-o", "{d}/x.gif", "--frames", "3", "--seconds", "2"], "give --frames or --seconds, not both"),
    (["--example", "momentum-ravine", "-o", "{d}/x.gif", "--views", "map,contour"], "--views: unknown view 'contour'"),
    (["--example", "momentum-ravine", "-o", "{d}/x.gif", "--views", "network"], "the scene has no [network] table"),
    (["--example", "momentum-ravine", "-o", "{d}/x.png", "--theme", "pink"], "--theme: must be one of light, dark"),
    (["--example", "momentum-ravine", "-o", "{d}/x.png", "--step", "9999"], "--step: must be in 0..150"),
    (["--example", "nope", "-o", "{d}/x.png"], "--example: unknown example 'nope'"),
    (["--example", "momentum-ravine", "-o", "{d}/no/such/dir/x.png"], "cannot write"),
    (["--example", "momentum-ravine"], "-o OUT is required"),
    (["{d}/bad.toml", "-o", "{d}/x.png"], "bad.toml: optimizers[0].lr: must be a number > 0"),
])
def test_bad_render_requests(tmp_path, capsys, argv, needle):
    (tmp_path / "bad.toml").write_text('surface = "booth"\n[[optimizers]]\nkind = "gd"\nlr = -1\n')
    before = sorted(os.listdir(tmp_path))
    code, _, err = run(capsys, "render", *[a.format(d=tmp_path) for a in argv], "--quiet")
    assert code == 2
    assert err.startswith("ravine: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert needle in err, err
    assert sorted(os.listdir(tmp_path)) == before  # nothing written, not even half


def test_render_a_folder_and_an_example(tmp_path, capsys):
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    for name in ("saddle-escape", "lr-decay"):
        from ravine.core import dumps_scene

        (scenes / f"{name}.toml").write_text(dumps_scene(load_example(name)))
    (scenes / "broken.toml").write_text("surface = \n")
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "render", str(scenes), "-o", str(out), "--format", "png", "--size", "320x240")
    assert code == 2  # one scene was broken: said so, the others were rendered
    assert "broken.toml: not valid TOML" in err and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == ["lr-decay.png", "saddle-escape.png"]
    code, _, _ = run(capsys, "render", "--example", "plateau-crawl", "-o", str(tmp_path / "p.gif"),
                     "--frames", "2", "--size", "320x240", "--quiet")
    assert code == 0 and (tmp_path / "p.gif").exists()


def test_a_missing_encoder_says_how_to_install_it():
    with pytest.raises(RenderError, match=r"needs the package 'nonexistent_pkg': pip install 'ravine\[video\]'"):
        _need("nonexistent_pkg.sub", "MP4 export")


def test_progress_bar_only_on_a_terminal_after_a_second(monkeypatch):
    import io

    from ravine.app import rendering

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    monkeypatch.setattr(rendering.sys, "stderr", tty)
    t0 = rendering.time.perf_counter() - 2.0  # started two seconds ago
    rendering._progress(5, 10, t0, quiet=False)
    assert "5/10 frames" in tty.getvalue() and "fps" in tty.getvalue() and "s left" in tty.getvalue()
    quiet = Tty()
    monkeypatch.setattr(rendering.sys, "stderr", quiet)
    rendering._progress(5, 10, t0, quiet=True)
    rendering._progress(5, 10, rendering.time.perf_counter(), quiet=False)  # under a second
    assert quiet.getvalue() == ""
    pipe = io.StringIO()  # not a terminal
    monkeypatch.setattr(rendering.sys, "stderr", pipe)
    rendering._progress(5, 10, t0, quiet=False)
    assert pipe.getvalue() == ""


def test_a_registered_view_is_one_file_and_one_registration(tmp_path, monkeypatch):
    """A new view needs no edit elsewhere: registered, it is a --views choice and renders."""
    from PyQt6 import QtWidgets

    from ravine.app import registry
    from ravine.app.rendering import RenderOptions, render

    def make(ctx, names):
        label = QtWidgets.QLabel(f"steps: {ctx.scene.steps}")
        label.setStyleSheet("background: #00FF00")
        return label

    monkeypatch.setitem(registry.VIEWS, "stepcount", registry.ViewSpec("stepcount", "the number of steps",
                                                                        "optimizers", "surface", make))
    scene = load_example("momentum-ravine")
    RenderOptions(views=["map", "stepcount"]).check(scene, ".png")
    frames = render(scene, size=(320, 200), frames=1, views=["map", "stepcount"])
    green = (frames[0][:, :, 1] > 240) & (frames[0][:, :, 0] < 30) & (frames[0][:, :, 2] < 30)
    assert green.mean() > 0.05  # the new view is on the canvas


def test_a_long_step_shows_a_busy_line_on_a_terminal(monkeypatch):
    """A heavy scene's PNG is one long step (simulate, then draw): after a second, a line says
    what is being done and for how long; it is wiped when the step ends."""
    import io

    from ravine.app import rendering

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    monkeypatch.setattr(rendering.sys, "stderr", tty)
    with rendering._Busy("big.png: simulating 1,000,000 steps x 6 optimizers, drawing", quiet=False):
        rendering.time.sleep(1.4)
    shown = tty.getvalue()
    assert "\rbig.png: simulating 1,000,000 steps x 6 optimizers, drawing" in shown and " s " in shown
    assert shown.endswith("\r") and shown.split("\r")[-2].strip() == ""  # wiped at the end
    quiet = Tty()
    monkeypatch.setattr(rendering.sys, "stderr", quiet)
    with rendering._Busy("x", quiet=True):
        rendering.time.sleep(1.2)
    with rendering._Busy("x", quiet=False):  # under a second: nothing
        pass
    assert quiet.getvalue() == ""
    scene = load_example("momentum-ravine")
    assert rendering._work(scene, rendering.RenderOptions()) == "simulating 150 steps x 4 optimizers, drawing"
