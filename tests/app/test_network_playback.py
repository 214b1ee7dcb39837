"""The Network tab's playback: epochs per second, pause, "pause at epoch N", a snapshot back
or forward, and a scrubber that replays the boundaries, curves and landscape heads at past
epochs (at the granularity of the weight snapshots kept). The pace is tested with a clock
the test moves, never against the wall clock."""

import numpy as np
import pytest

from ravine.app.network_frames import boundary_image, weights_at
from ravine.core import load_scene
from ravine.core.loss_landscape import project
from tests.app.conftest import SMALL, make_window


class Clock:
    """A clock the test moves."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def tab(netwin):
    return netwin.network


def trained(tab):
    tab.model.play()
    assert tab.wait(60)


def test_epochs_per_second_paces_the_training(tab, qtbot):
    m = tab.model
    clock = Clock()
    m.clock = clock
    tab.transport.rate.setCurrentIndex(tab.transport.rate.findData(20))
    assert m.rate == 20 and "20 epochs/s" in tab.transport.rate.currentText()
    tab.start_button.click()
    assert m.playing
    clock.t += 0.5  # half a second: 10 epochs
    qtbot.waitUntil(lambda: m.epoch == 10 and m.cursor == 10, timeout=30000)
    qtbot.wait(100)  # the clock stands still: so does training
    assert m.epoch == 10 and m.trainer.epoch == 10 and m.playing
    clock.t += 1.0  # 20 more
    qtbot.waitUntil(lambda: m.cursor == 30, timeout=30000)
    assert m.epoch == 30
    tab.start_button.click()  # pause
    assert not m.playing
    clock.t += 10.0
    qtbot.wait(100)
    assert m.epoch == 30 and m.cursor == 30


def test_full_speed_replays_in_a_few_seconds(tab, qtbot):
    m = tab.model
    trained(tab)
    clock = Clock()
    m.clock = clock
    m.set_cursor(0)
    m.play()  # the rate is "full speed": a replay of what is trained takes REPLAY_SECONDS
    clock.t += 2.5
    m._tick()
    assert m.cursor == 200 and m.playing
    clock.t += 3.0
    m._tick()
    assert m.cursor == 400 and not m.playing


def test_pause_at_epoch(tab, qtbot):
    m = tab.model
    tab.transport.stop_at.setValue(150)
    assert m.stop_at == 150
    tab.start_button.click()
    assert tab.wait(60)
    assert not m.running and m.epoch == 150 and m.cursor == 150 and m.trainer.epoch == 150
    assert tab.start_button.text() == "Resume"
    tab.start_button.click()  # on to the end
    assert tab.wait(60)
    assert m.epoch == 400 and m.cursor == 400
    tab.transport.stop_at.setValue(0)
    assert m.stop_at is None and tab.transport.stop_at.text() == "the end"


def test_the_scrubber_replays_boundaries_curves_and_heads(tab, qtbot):
    m = tab.model
    trained(tab)
    assert m.snap_every == 1  # 400 epochs: a snapshot of every epoch
    tab.transport.scrubber.setValue(123)
    assert not m.playing and m.cursor == 123
    assert tab.wait()
    frame = m.frame
    assert frame.epoch == 123
    for run, img in zip(m.runs, tab.boundaries.images):
        np.testing.assert_array_equal(img.image, boundary_image(m.trainer, run.snapshots[123], m.xs, m.ys).T)
    for run, title in zip(m.runs, tab.boundaries.titles()):
        assert f"train&nbsp;{run.train_accuracy[122]:.1%}" in title
    for items, run in zip(tab.curves.items, m.runs):
        x, y = items["epoch"].xData, items["epoch"].yData  # (getData is on the log axis)
        assert x[-1] == 123 and len(x) == 123
        np.testing.assert_allclose(y[-1], run.epoch_cost[122])
        assert items["lr"].getData()[0][-1] == 400  # the schedule's plan is drawn whole
    assert all(line.value() == 123 for line in tab.curves.cursors)
    sl = tab.landscape.slice
    for (path, head), run in zip(tab.landscape.items, m.runs):
        want = project(run.snapshots[123][None], sl.center, sl.d1, sl.d2)[0]
        np.testing.assert_allclose([head.getData()[0][0], head.getData()[1][0]], want)
        assert len(path.getData()[0]) == 125  # snapshots 0..123 and the head
    assert tab.transport.label.text() == "epoch 123 / 400 (trained 400)"
    assert tab.start_button.text() == "Play"
    # dragging the curves' cursor scrubs too
    tab.curves.scrubbed.emit(50)
    assert m.cursor == 50


def test_past_epochs_at_the_snapshots_granularity(qtbot, tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(SMALL.replace("epochs = 400", "epochs = 3000").replace("n = 200", "n = 60"))
    win = make_window(qtbot, load_scene(path), path)
    tab, m = win.network, win.network.model
    try:
        trained(tab)
        assert m.snap_every == 3  # at most 1000 snapshots: every 3rd epoch of 3000
        assert tab.transport.scrubber.singleStep() == 3
        m.set_cursor(1001)
        assert m.cursor == 999  # the snapshot at or before it
        assert tab.wait()
        for run, img in zip(m.runs, tab.boundaries.images):
            np.testing.assert_array_equal(img.image, boundary_image(m.trainer, run.snapshots[333], m.xs, m.ys).T)
        m.set_cursor(3000)
        assert m.cursor == 3000  # the last epoch is always exact
        assert "every 3 epochs" in tab.transport.scrubber.toolTip()
    finally:
        m.close()


def test_a_snapshot_back_and_forward(tab, qtbot):
    m = tab.model
    tab.transport.forward_button.click()  # not trained yet: trains one epoch
    qtbot.waitUntil(lambda: m.cursor == 1, timeout=30000)
    assert m.epoch == 1 and not m.playing
    tab.transport.forward_button.click()
    qtbot.waitUntil(lambda: m.cursor == 2, timeout=30000)
    tab.transport.back_button.click()
    assert m.cursor == 1 and m.epoch == 2
    tab.transport.forward_button.click()  # trained already: shown at once
    assert m.cursor == 2


def test_keys_drive_the_network_tab(tab, qtbot):
    win = tab.window()
    win._shortcuts_by_key = None
    from PyQt6 import QtGui

    keys = {sc.key().toString(): sc for sc in win.findChildren(QtGui.QShortcut)}
    keys["Space"].activated.emit()
    assert tab.model.running
    assert tab.wait(60)
    keys["Home"].activated.emit()
    assert tab.model.cursor == 0
    keys["Right"].activated.emit()
    assert tab.model.cursor == 1
    keys["End"].activated.emit()
    assert tab.model.cursor == 400
    assert win.model.step == win.model.steps  # the Optimizers tab's timeline did not move


def test_every_setting_change_replays_nothing_stale(tab, qtbot):
    """An edit while replaying starts a new training: the scrubber and views go to epoch 0."""
    m = tab.model
    trained(tab)
    m.set_cursor(100)
    m.edit(lambda raw: raw.__setitem__("epochs", 200))
    assert m.cursor == 0 and m.epoch == 0 and tab.transport.scrubber.maximum() == 200
    assert tab.wait()
    assert tab.transport.label.text() == "epoch 0 / 200"


def test_weights_at_a_diverged_run_stop_where_it_did(tab, qtbot):
    m = tab.model
    m.edit(lambda raw: raw["configs"][0].__setitem__("lr", 1e7))
    trained(tab)
    gd = m.runs[0]
    assert gd.diverged_at is not None
    np.testing.assert_array_equal(weights_at(gd, 400), gd.theta)
    m.set_cursor(400)
    assert f"diverged at epoch&nbsp;{gd.diverged_at}" in tab.boundaries.titles()[0]
