"""Users' files: outputs written whole or not at all (modes, symlinks, pipes, devices, a full
disk), inputs read only when plain and small, interrupts that leave nothing, quoting."""

import errno
import os
import signal
import socket
import stat
import threading

import pytest

from ravine.core import SceneError, load_scene
from ravine.core.files import (Interrupted, Output, OutputError, check_distinct, deferred, stop_on_signals)
from ravine.core.params import MAX_TEXT_BYTES, quote, read_text
from ravine.core.scene import write_text_atomic

SCENE = 'surface = "booth"\nsteps = 5\n[[optimizers]]\nkind = "gd"\nlr = 0.01\n'


def umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def leftovers(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


# ------------------------------------------------------------------------------ outputs


def test_a_new_file_gets_the_umask_mode_and_an_old_one_keeps_its_mode(tmp_path):
    new = tmp_path / "new.csv"
    write_text_atomic(new, "a\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask()  # not mkstemp's 0600
    old = tmp_path / "old.csv"
    old.write_text("old\n")
    old.chmod(0o640)
    write_text_atomic(old, "b\n")
    assert old.read_text() == "b\n" and stat.S_IMODE(old.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    target.chmod(0o604)
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    write_text_atomic(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == "real.csv"
    assert target.read_text() == "new\n" and stat.S_IMODE(target.stat().st_mode) == 0o604
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to("made.csv")
    write_text_atomic(dangling, "made\n")
    assert dangling.is_symlink() and (tmp_path / "made.csv").read_text() == "made\n"
    assert leftovers(tmp_path) == []


def test_a_fifo_is_written_through_not_replaced(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()))
    reader.start()
    write_text_atomic(fifo, "through the pipe\n")
    reader.join(10)
    assert got == ["through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert leftovers(tmp_path) == []


def test_devices_are_written_through():
    write_text_atomic("/dev/null", "gone\n")  # (as root, a rename would have replaced the node)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(OSError) as info:
        write_text_atomic("/dev/full", "x" * 100_000)
    assert info.value.errno == errno.ENOSPC


def test_folders_sockets_and_missing_folders_are_refused(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        Output(tmp_path)
    with pytest.raises(OutputError, match=r"cannot write \(no folder .*nowhere\)"):
        Output(tmp_path / "nowhere" / "x.csv")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.csv"))
        with pytest.raises(OutputError, match="refusing to write there"):
            Output(tmp_path / "s.csv")
    finally:
        sock.close()
    with pytest.raises(OutputError, match="NUL"):
        Output("a\0b")
    assert str(OutputError(errno.EISDIR, "is a folder")) == "is a folder"  # one line, no [Errno]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    old = tmp_path / "o.csv"
    old.write_text("old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)  # the disk says it is full when the data is flushed
    with pytest.raises(OSError, match="No space left"):
        write_text_atomic(old, "new\n")
    assert old.read_text() == "old\n" and leftovers(tmp_path) == []


def test_a_full_disk_leaves_nothing(tiny_disk):
    (tiny_disk / "kept.csv").write_text("old\n")
    for name in ("new.csv", "kept.csv"):
        with pytest.raises(OSError) as info:
            write_text_atomic(tiny_disk / name, "x" * 200_000)
        assert info.value.errno == errno.ENOSPC
    assert sorted(os.listdir(tiny_disk)) == ["kept.csv"]
    assert (tiny_disk / "kept.csv").read_text() == "old\n"


def test_outputs_that_are_inputs_or_each_other_are_refused(tmp_path):
    scene = tmp_path / "s.toml"
    scene.write_text(SCENE)
    (tmp_path / "hard.toml").hardlink_to(scene)
    (tmp_path / "soft.toml").symlink_to("s.toml")
    for name in ("s.toml", "hard.toml", "soft.toml", "./s.toml"):
        with pytest.raises(OutputError, match=r"--csv .*: is the scene file \(.*s.toml\); writing it would destroy it"):
            check_distinct([("--csv", Output(tmp_path / name))], [("the scene file", scene)])
    a, b = Output(tmp_path / "o.csv"), Output(str(tmp_path) + "/./o.csv")
    with pytest.raises(OutputError, match="--weights .*o.csv: is also where --csv writes"):
        check_distinct([("--csv", a), ("--weights", b)], [])
    with pytest.raises(OutputError, match="is also where"):
        check_distinct([("--csv", Output("-")), ("--weights", Output("-"))], [])
    check_distinct([("--csv", Output("/dev/null")), ("--weights", Output("/dev/null"))], [])  # fine
    check_distinct([("--csv", Output(tmp_path / "a.csv")), ("--weights", Output(tmp_path / "b.json"))],
                   [("the scene file", scene)])


# ------------------------------------------------------------------------------ inputs


def test_a_fifo_or_a_device_as_a_scene_is_refused_before_reading(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(SceneError, match="fifo.toml: not a regular file"):
        load_scene(fifo)  # (used to block until a writer came)
    with pytest.raises(SceneError, match="/dev/zero: not a regular file"):
        load_scene("/dev/zero")  # (used to read until MemoryError)


def test_a_file_too_big_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(MAX_TEXT_BYTES + 1)
    with pytest.raises(SceneError, match=r"big.toml: too big for a scene file \(10\.0 MiB; the limit is 10 MiB\)"):
        load_scene(big)
    csv = tmp_path / "points.csv"
    with open(csv, "wb") as fh:
        fh.truncate(MAX_TEXT_BYTES + 1)
    assert len(read_text(csv, "file", "CSV")) == MAX_TEXT_BYTES + 1  # CSV datasets may be bigger


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SCENE.encode())
    assert load_scene(path).surface == "booth"
    assert read_text(path) == SCENE


def test_unreadable_names_are_one_line(tmp_path):
    for bad in ("a\0b.toml", str(tmp_path / "a\nb.toml")):
        with pytest.raises(SceneError) as info:
            read_text(bad, "scene file")
        assert "\n" not in str(info.value) and "\0" not in str(info.value)
    (tmp_path / "latin1.toml").write_bytes(b'title = "caf\xe9"\n')
    with pytest.raises(SceneError, match=r"not a text file \(TOML must be UTF-8; line 1 is not\)"):
        read_text(tmp_path / "latin1.toml", "scene file", "TOML")


# ------------------------------------------------------------------------------ quoting


@pytest.mark.parametrize("text,expected", [
    ("GD", "'GD'"),
    ("a\nb", "'a\\nb'"),
    ("\x1b[31mred\x1b[0m", "'\\x1b[31mred\\x1b[0m'"),
    ("\u202eevil", "'\\u202eevil'"),
    ("it's", '"it\'s"'),
    ("café", "'café'"),
])
def test_quote_escapes_control_characters(text, expected):
    assert quote(text) == expected


def test_quote_is_short_and_keeps_both_ends():
    long = "start-" + "x" * 1_000_000 + "-end.toml"
    q = quote(long)
    assert len(q) <= 62 and q.startswith("'start-") and q.endswith("-end.toml'") and "..." in q
    bare = quote("/a/b\n/" + "d" * 300 + "/scene.toml", 80, marks=False)
    assert len(bare) <= 80 and bare.startswith("/a/b\\n/") and bare.endswith("/scene.toml")
    assert len(quote("\n" * 1000)) <= 62 and "\n" not in quote("\n" * 1000)


# ------------------------------------------------------------------------------ interrupts


def test_a_signal_inside_a_deferred_block_is_raised_when_it_ends():
    steps = []
    with pytest.raises(Interrupted) as info:
        with stop_on_signals():
            with deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                steps.append("painting went on")
            steps.append("not reached")
    assert steps == ["painting went on"] and info.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # put back
    with pytest.raises(KeyboardInterrupt):  # Interrupted is one: callers that catch Ctrl-C catch it
        with stop_on_signals():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------------------ streamed CSV


def naive_csv(sim) -> str:
    """The CSV as it was built before streaming: row by row, all in memory."""
    rows = ["optimizer,step,x,y,loss,lr"]
    for traj in sim:
        for t in range(traj.steps_done + 1):
            lr = repr(float(traj.lr[t - 1])) if t > 0 else ""
            label = f'"{traj.label}"' if "," in traj.label else traj.label
            rows.append(f"{label},{t},{float(traj.path[t, 0])!r},{float(traj.path[t, 1])!r},"
                        f"{float(traj.loss[t])!r},{lr}")
    return "\n".join(rows) + "\n"


def test_the_streamed_csv_is_the_same_text_block_by_block():
    import io

    from ravine.core import loads_scene, simulate
    from ravine.core.export import trajectories_csv, write_trajectories_csv

    scene = loads_scene('surface = "booth"\nstart = [-5.0, -5.0]\nsteps = 100\n'
                        '[[optimizers]]\nkind = "gd"\nlabel = "fast, diverging"\nlr = 0.5\n'
                        '[[optimizers]]\nkind = "adam"\nlr = 0.1\n[optimizers.schedule]\nkind = "inverse_time"\n'
                        'decay_rate = 0.5\n')
    sim = simulate(scene)
    assert sim[0].diverged_at is not None  # (a short run among them)
    expected = naive_csv(sim)
    assert trajectories_csv(sim) == expected
    for block in (1, 7, 100, 10_000):
        out = io.StringIO()
        write_trajectories_csv(sim, out, block=block)
        assert out.getvalue() == expected


def test_the_streamed_csv_does_not_hold_the_whole_text():
    import tracemalloc

    from ravine.core import loads_scene, simulate
    from ravine.core.export import write_trajectories_csv

    sim = simulate(loads_scene('surface = "rosenbrock"\nsteps = 60000\n[[optimizers]]\nkind = "adam"\nlr = 0.01\n'
                               '[[optimizers]]\nkind = "gd"\nlr = 0.0005\n'))

    class Sink:
        size = 0

        def write(self, text):
            self.size += len(text)

    sink = Sink()
    tracemalloc.start()
    try:
        write_trajectories_csv(sim, sink)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sink.size > 9e6  # the whole CSV is over 9 MB...
    assert peak < 4e6, peak  # ...and never more than a block or two of it is held
