"""The Network tab never makes the window wait: training, boundary grids, curves and the
loss landscape are computed off the GUI thread (which only draws), the landscape is redrawn
while training, and a first start on an empty kernel cache says it is compiling. (How long
the event loop waits is measured, not asserted: benchmarks/network_tab.py.)"""

import threading

import pytest

from ravine.app import network_frames, network_model
from ravine.core import load_scene
from ravine.core.training import Trainer
from tests.app.conftest import SMALL, make_window


@pytest.fixture
def win(qtbot, tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL.replace("epochs = 400", "epochs = 200000").replace("n = 200", "n = 40"))
    w = make_window(qtbot, load_scene(path), path)
    assert w.network.wait()
    yield w
    w.network.model.close()


def test_nothing_is_computed_in_the_gui_thread(win, qtbot, monkeypatch):
    main = threading.main_thread()
    seen = []

    def spy(name, fn):
        def wrapped(*args, **kwargs):
            seen.append((name, threading.current_thread() is main))
            return fn(*args, **kwargs)
        return wrapped

    for name in ("boundary_image", "curves", "landscape"):
        monkeypatch.setattr(network_frames, name, spy(name, getattr(network_frames, name)))
    monkeypatch.setattr(Trainer, "step", spy("step", Trainer.step))
    m = win.network.model
    m.play()
    qtbot.waitUntil(lambda: m.epoch > 2000 and m.landscape is not None, timeout=60000)
    m.set_cursor(1000)  # scrubbing: the frame at the cursor is computed in a worker too
    m.step_by(1)
    m.stop()
    assert win.network.wait()
    assert {name for name, _ in seen} == {"boundary_image", "curves", "landscape", "step"}
    assert not [name for name, on_main in seen if on_main]


def test_the_landscape_is_redrawn_while_training(win, qtbot):
    m = win.network.model
    drawn = []
    m.landscape_ready.connect(lambda sl: drawn.append((m.running, m.epoch)))
    m.set_rate(2000)  # (a training of 100 s, paused when seen)
    m.play()
    qtbot.waitUntil(lambda: len([d for d in drawn if d[0]]) >= 2, timeout=60000)
    m.pause()
    first, second = [e for running, e in drawn if running][:2]
    assert second > first  # again as training went on
    assert win.network.landscape.slice is m.landscape
    assert all(len(p) > 1 for p in m.frame.paths)


def test_a_big_training_is_prepared_in_a_thread(win, qtbot, monkeypatch):
    main = threading.main_thread()
    made = []
    init = Trainer.__init__

    def spy(self, *args, **kwargs):
        made.append(threading.current_thread() is main)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "__init__", spy)
    m = win.network.model
    m.edit(lambda raw: raw.__setitem__("epochs", 1_000_000))  # 1,000,000 x 2 batches of records
    assert m.busy.startswith("preparing") and m.running is False
    m.play()  # plays as soon as it is ready
    assert m.running
    qtbot.waitUntil(lambda: m.trainer is not None and m.trainer.spec.epochs == 1_000_000 and m.epoch > 0,
                    timeout=60000)
    m.stop()
    assert made == [False]


def test_a_first_compile_says_so(win, qtbot, monkeypatch):
    m = win.network.model
    monkeypatch.setattr(network_model, "_TRAINED_KINDS", set())  # as on an empty kernel cache...
    monkeypatch.setattr(network_model, "COMPILE_NOTE_MS", 10)
    m._compile_timer.setInterval(10)
    release = threading.Event()
    step = Trainer.step

    def slow_first(self, epochs=None):  # ...where the first chunk waits for the compiler
        release.wait(30)
        return step(self, epochs)

    monkeypatch.setattr(Trainer, "step", slow_first)
    m.play()
    tab = win.network
    qtbot.waitUntil(lambda: "compiling the network kernel (first start only)" in tab.status.text(), timeout=30000)
    assert tab.busy.isVisible() and "compiling" in tab.busy.text()
    win.set_presentation(True)  # on a projector, the note is as big as the rest
    qtbot.wait(20)
    from ravine.app.style import PRESENT_PT

    assert tab.busy.font().pointSizeF() >= PRESENT_PT
    win.set_presentation(False)
    release.set()
    qtbot.waitUntil(lambda: m.epoch > 0, timeout=30000)
    assert "compiling" not in tab.status.text() and not tab.busy.isVisible()
    m.stop()
