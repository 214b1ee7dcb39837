"""What fuzzing broke in `ravine`'s files and outputs (issue 9): a full disk, Ctrl-C and
SIGTERM, outputs that are not plain files or that are the command's own inputs, scenes that
are not plain files, and messages that were not one line. Each: one line, exit 2 (130/143
for the signals), and no partial or final file."""

import errno
import os
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest

from ravine.app.cli import main

SCENE = 'title = "s"\nsurface = "booth"\nsteps = 40\n[[optimizers]]\nkind = "gd"\nlr = 0.01\n'
NET = """\
[network]
dataset = "csv"
layers = [2, 3, 1]
epochs = 5
batch_size = 8

[network.data]
path = "points.csv"

[[network.configs]]
kind = "gd"
lr = 0.1
"""
POINTS = "x,y,label\n" + "".join(f"{i % 7 - 3},{i % 5 - 2},{i % 2}\n" for i in range(40))


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err):
    assert err.startswith("ravine: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "\x1b" not in err


def cli(*argv, **kw):
    return subprocess.run([sys.executable, "-m", "ravine.app.cli", *map(str, argv)], capture_output=True,
                          text=True, timeout=300, **kw)


@pytest.fixture
def scene(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENE)
    return path


# ------------------------------------------------------------------------------ 1. a full disk


BIG = 'surface = "rosenbrock"\nsteps = 20000\n[[optimizers]]\nkind = "adam"\nlr = 0.01\n'


@pytest.mark.parametrize("argv", [
    ["run", "{big}", "--csv", "{disk}/o.csv"],
    ["render", "--example", "momentum-ravine", "-o", "{disk}/o.png", "--size", "1280x720", "--quiet"],
    ["render", "--example", "momentum-ravine", "-o", "{disk}/o.gif", "--size", "640x480", "--frames", "8", "--quiet"],
    ["render", "--example", "momentum-ravine", "-o", "{disk}/o.mp4", "--size", "640x480", "--frames", "30", "--quiet"],
])
def test_a_full_disk_is_one_line_exit_2_and_no_file(tiny_disk, tmp_path, capsys, argv):
    (tmp_path / "big.toml").write_text(BIG)
    code, _, err = run(capsys, *[a.format(disk=tiny_disk, big=tmp_path / "big.toml") for a in argv])
    assert code == 2
    one_line_error(err)
    assert "No space left on device" in err and str(tiny_disk) in err
    assert os.listdir(tiny_disk) == []


def test_a_full_disk_for_training_outputs(tiny_disk, tmp_path, capsys):
    (tmp_path / "points.csv").write_text(POINTS)
    (tmp_path / "net.toml").write_text(NET.replace("layers = [2, 3, 1]", "layers = [2, 200, 200, 1]"))
    code, _, err = run(capsys, "train", tmp_path / "net.toml", "--weights", tiny_disk / "w.json",
                       "--csv", tiny_disk / "c.csv")
    assert code == 2
    one_line_error(err)
    assert "--weights" in err and "No space left on device" in err
    assert os.listdir(tiny_disk) == []


def full_at_fsync(monkeypatch):
    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("out", ["o.csv", "o.png", "o.gif", "o.json"])
def test_a_disk_that_fills_when_flushed_leaves_nothing(tmp_path, capsys, monkeypatch, out):
    """The same without a tmpfs: the disk says it is full when the file is flushed."""
    (tmp_path / "points.csv").write_text(POINTS)
    (tmp_path / "net.toml").write_text(NET)
    argv = {"o.csv": ["run", "momentum-ravine", "--csv"],
            "o.png": ["render", "--example", "momentum-ravine", "--size", "64x48", "-o"],
            "o.gif": ["render", "--example", "momentum-ravine", "--size", "64x48", "--frames", "2", "-o"],
            "o.json": ["train", tmp_path / "net.toml", "--weights"]}[out]
    (tmp_path / out).write_text("old\n") if out == "o.csv" else None
    before = sorted(os.listdir(tmp_path))
    full_at_fsync(monkeypatch)
    code, _, err = run(capsys, *argv, tmp_path / out)
    assert code == 2
    one_line_error(err)
    assert "No space left on device" in err
    assert sorted(os.listdir(tmp_path)) == before  # nothing new, no temporary
    if out == "o.csv":
        assert (tmp_path / out).read_text() == "old\n"  # the old file as it was


FAKE_FFMPEG = """#!/bin/sh
cat > /dev/null
echo "[out#0/mp4 @ 0x5581] Error closing file: No space left on device" >&2
exit 228
"""


def test_an_mp4_whose_ffmpeg_fails_on_close_is_an_error(tmp_path, capsys, monkeypatch):
    """ffmpeg says "No space left on device" only when it closes the file: its exit status is
    checked (imageio's writer ignored it: exit 0 and a file without its moov atom)."""
    import imageio_ffmpeg

    fake = tmp_path / "ffmpeg"
    fake.write_text(FAKE_FFMPEG)
    fake.chmod(0o755)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(fake))
    out = tmp_path / "o.mp4"
    code, _, err = run(capsys, "render", "--example", "momentum-ravine", "-o", out, "--size", "64x48",
                       "--frames", "3", "--quiet")
    assert code == 2
    one_line_error(err)
    assert f"{out}: ffmpeg could not write the MP4 (Error closing file: No space left on device)" in err
    assert sorted(os.listdir(tmp_path)) == ["ffmpeg"]


@pytest.mark.parametrize("argv", [["list"], ["run", "momentum-ravine", "--csv", "-"], ["run", "momentum-ravine"],
                                  ["train", "course-adam", "--csv", "-"]])
def test_a_full_stdout_is_one_line_and_exit_2(argv):
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "ravine.app.cli", *argv], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=300)
    assert p.returncode == 2, p.stderr
    one_line_error(p.stderr)
    assert "No space left on device" in p.stderr


def test_a_reader_that_leaves_early_is_not_an_error():
    p = subprocess.Popen([sys.executable, "-m", "ravine.app.cli", "run", "momentum-ravine", "--csv", "-"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()  # like `| head -1`
    err = p.stderr.read().decode()
    assert p.wait(120) == 0 and err == ""


# ------------------------------------------------------------------------------ 2. signals


def start(argv, folder):
    return subprocess.Popen([sys.executable, "-m", "ravine.app.cli", *map(str, argv)], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_writing(folder, p, least=1, timeout=120):
    """Until a temporary file in `folder` holds `least` bytes (the command is writing)."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        assert p.poll() is None, p.stderr.read()
        for name in os.listdir(folder):
            try:
                if name.startswith(".") and os.path.getsize(folder / name) >= least:
                    return
            except FileNotFoundError:
                pass
        time.sleep(0.05)
    raise AssertionError("the command never started writing")


def stop(p, sig):
    p.send_signal(sig)
    t0 = time.time()
    _, err = p.communicate(timeout=120)
    return p.returncode, time.time() - t0, err


LONG = 'surface = "rosenbrock"\nsteps = 1000000\n[[optimizers]]\nkind = "gd"\nlr = 0.0005\n' \
       '[[optimizers]]\nkind = "adam"\nlr = 0.01\n'


@pytest.mark.parametrize("argv,sig", [
    (["render", "--example", "momentum-ravine", "-o", "long.gif", "--frames", "2000", "--size", "320x240"], signal.SIGINT),
    (["render", "--example", "momentum-ravine", "-o", "long.gif", "--frames", "2000", "--size", "320x240"], signal.SIGTERM),
    (["render", "--example", "momentum-ravine", "-o", "long.mp4", "--frames", "2000", "--size", "320x240"], signal.SIGINT),
    (["render", "--lesson", "optimization", "-o", ".", "--size", "320x240"], signal.SIGTERM),
    (["run", "long.toml", "--csv", "long.csv"], signal.SIGINT),
    (["run", "long.toml", "--csv", "long.csv"], signal.SIGTERM),
], ids=["gif-int", "gif-term", "mp4-int", "lesson-term", "csv-int", "csv-term"])
def test_ctrl_c_and_sigterm_stop_at_once_and_leave_nothing(tmp_path, argv, sig):
    (tmp_path / "long.toml").write_text(LONG)
    p = start([*argv, "--quiet"] if argv[0] == "render" else argv, tmp_path)
    wait_for_writing(tmp_path, p)
    time.sleep(0.2)
    code, took, err = stop(p, sig)
    assert code == 128 + sig, err
    assert took < 5, took
    assert err in ("ravine: interrupted\n", "ravine: stopped by SIGTERM\n"), err
    assert sorted(os.listdir(tmp_path)) == ["long.toml"]  # no partial file, no final one


def test_an_interrupted_training_leaves_no_output(tmp_path):
    (tmp_path / "points.csv").write_text(POINTS)
    (tmp_path / "net.toml").write_text(NET.replace("epochs = 5", "epochs = 200000"))
    p = start(["train", "net.toml", "--csv", "c.csv", "--weights", "w.json"], tmp_path)
    wait_for_writing(tmp_path, p, least=0)  # the outputs' temporary files are made before training
    time.sleep(1.0)
    code, took, err = stop(p, signal.SIGINT)
    assert code == 130 and err == "ravine: interrupted\n", err
    assert sorted(os.listdir(tmp_path)) == ["net.toml", "points.csv"]


# ------------------------------------------------------------------------------ 3. not plain files


def test_outputs_keep_their_kind_and_mode(tmp_path, capsys):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()))
    reader.start()
    assert run(capsys, "run", "momentum-ravine", "--csv", fifo)[0] == 0
    reader.join(30)
    assert got and got[0].startswith("optimizer,step") and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert run(capsys, "run", "momentum-ravine", "--csv", "/dev/null")[0] == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    target = tmp_path / "real.png"
    target.write_bytes(b"old")
    target.chmod(0o640)
    (tmp_path / "link.png").symlink_to("real.png")
    assert run(capsys, "render", "--example", "momentum-ravine", "-o", tmp_path / "link.png", "--size", "64x48",
               "--quiet")[0] == 0
    assert (tmp_path / "link.png").is_symlink() and target.read_bytes()[:4] == b"\x89PNG"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    old = os.umask(0o022)
    try:
        assert run(capsys, "run", "momentum-ravine", "--csv", tmp_path / "new.csv")[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644  # not mkstemp's 0600
    assert sorted(os.listdir(tmp_path)) == ["link.png", "new.csv", "pipe.csv", "real.png"]


def test_a_render_into_a_pipe_goes_through(tmp_path, capsys):
    fifo = tmp_path / "pipe.gif"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    assert run(capsys, "render", "--example", "momentum-ravine", "-o", fifo, "--size", "64x48", "--frames", "2",
               "--quiet")[0] == 0
    reader.join(30)
    assert got and got[0][:6] == b"GIF89a" and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_socket_is_refused(tmp_path, capsys):
    import socket

    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.csv"))
        code, _, err = run(capsys, "run", "momentum-ravine", "--csv", tmp_path / "s.csv")
    finally:
        sock.close()
    assert code == 2
    one_line_error(err)
    assert "refusing to write there" in err


# ------------------------------------------------------------------------------ 4. inputs overwritten


def test_an_output_that_is_the_scene_is_refused(scene, tmp_path, capsys):
    (tmp_path / "hard.toml").hardlink_to(scene)
    (tmp_path / "link.csv").symlink_to("s.toml")
    for out in (scene, tmp_path / "hard.toml", tmp_path / "link.csv"):
        code, _, err = run(capsys, "run", scene, "--csv", out)
        assert code == 2
        one_line_error(err)
        assert "is the scene file" in err
    assert scene.read_text() == SCENE
    png_scene = tmp_path / "scene.png"  # (a scene may be called anything)
    png_scene.write_text(SCENE)
    code, _, err = run(capsys, "render", png_scene, "-o", png_scene, "--quiet")
    assert code == 2 and "is the scene file" in err
    assert png_scene.read_text() == SCENE
    assert sorted(os.listdir(tmp_path)) == ["hard.toml", "link.csv", "s.toml", "scene.png"]


def test_training_outputs_that_are_inputs_or_each_other_are_refused(tmp_path, capsys):
    (tmp_path / "points.csv").write_text(POINTS)
    (tmp_path / "net.toml").write_text(NET)
    code, _, err = run(capsys, "train", tmp_path / "net.toml", "--csv", tmp_path / "points.csv")
    assert code == 2 and "is the scene's dataset" in err
    one_line_error(err)
    assert (tmp_path / "points.csv").read_text() == POINTS
    code, _, err = run(capsys, "train", tmp_path / "net.toml", "--csv", tmp_path / "o", "--weights", tmp_path / "o")
    assert code == 2 and "is also where --weights writes" in err
    one_line_error(err)
    code, _, err = run(capsys, "train", tmp_path / "net.toml", "--csv", "-", "--weights", "-")
    assert code == 2 and "is also where" in err
    assert sorted(os.listdir(tmp_path)) == ["net.toml", "points.csv"]


# ------------------------------------------------------------------------------ 6. one-line messages


def test_labels_with_newlines_and_escapes_stay_on_one_line(tmp_path, capsys):
    scene = tmp_path / "s.toml"
    scene.write_text('surface = "booth"\nstart = [-5.0, -5.0]\nsteps = 100\n'
                     '[[optimizers]]\nkind = "gd"\nlr = 0.5\nlabel = "GD\\n\\u001b[31mred"\n'
                     '[[optimizers]]\nkind = "adam"\nlr = 0.1\nlabel = "' + "L" * 100_000 + '"\n')
    code, out, err = run(capsys, "run", scene)
    assert code == 0
    assert err.count("\n") == 1 and "\x1b" not in err and "\x1b" not in out, err
    assert err.startswith("GD\\n\\x1b[31mred diverged at step ")
    assert max(len(line) for line in out.splitlines()) < 200  # the 100,000-character label is cut


def test_any_message_reaches_the_terminal_as_one_line(capsys, monkeypatch):
    from ravine.app import cli
    from ravine.core import SceneError

    def broken(args):
        raise SceneError("first\nsecond \x1b[2J" + "x" * 1_000_000)

    monkeypatch.setattr(cli, "cmd_run", broken)
    code, _, err = run(capsys, "run", "momentum-ravine")
    assert code == 2
    one_line_error(err)
    assert err.startswith("ravine: first\\nsecond \\x1b[2J") and len(err) < 1100


def test_a_dataset_path_with_a_newline_is_one_line(tmp_path, capsys):
    (tmp_path / "net.toml").write_text(NET.replace('path = "points.csv"', 'path = "a\\nb.csv"'))
    code, _, err = run(capsys, "train", tmp_path / "net.toml")
    assert code == 2
    one_line_error(err)
    assert "a\\nb.csv" in err


def test_arguments_with_nul_or_control_characters_are_one_line(capsys):
    for argv in (["run", "a\0b"], ["run", "no\nsuch"], ["render", "--example", "x\x1b[31m", "-o", "x.png"]):
        code, _, err = run(capsys, *argv)
        assert code == 2
        one_line_error(err)


# ------------------------------------------------------------------------------ 11. scene files


def test_a_scene_that_is_not_a_plain_file_is_refused_at_once(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        p = cli("run", path)  # (a FIFO blocked forever; /dev/zero ended in MemoryError)
        assert p.returncode == 2
        one_line_error(p.stderr)
        assert "not a regular file" in p.stderr


def test_a_scene_too_big_is_refused_and_a_bom_is_accepted(tmp_path, capsys):
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(11 * 2**20)
    code, _, err = run(capsys, "run", big)
    assert code == 2 and "too big for a scene file" in err
    one_line_error(err)
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + SCENE.encode())
    code, out, err = run(capsys, "run", bom)
    assert code == 0 and err == "" and "booth" in out
