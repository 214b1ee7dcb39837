"""The Network tab: training in the background, live views, editing restarts training."""

import time

import numpy as np
import pytest
from PyQt6 import QtCore

from ravine.app.window import MainWindow
from ravine.core import load_example, load_scene

SMALL = """
title = "small"

[network]
dataset = "moons"
layers = [2, 5, 2, 1]
epochs = 400
batch_size = 32
test_fraction = 0.2
seed = 2

[network.data]
n = 200
noise = 0.2

[[network.configs]]
kind = "gd"
label = "GD"
lr = 0.1

[[network.configs]]
kind = "adam"
label = "Adam"
lr = 0.01
"""


@pytest.fixture
def netwin(qtbot, tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    win = MainWindow(load_scene(path), path)
    qtbot.addWidget(win)
    win.resize(1500, 950)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.network.model.stop()


def test_a_network_scene_opens_on_the_network_tab(netwin):
    assert netwin.tabs.currentWidget() is netwin.network
    assert not netwin.controls.isVisibleTo(netwin)  # the surface controls belong to the other tab
    assert [p[0].titleLabel.text.split("</span> ")[1].split(" (")[0] for p in netwin.network.panels] == ["GD", "Adam"]


def test_training_runs_in_the_background_and_updates_the_views(netwin, qtbot):
    tab = netwin.network
    ticks = []
    timer = QtCore.QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    before = tab.panels[1][1].image.copy()
    tab.start_button.click()
    assert tab.model.running
    qtbot.waitUntil(lambda: not tab.model.running, timeout=20000)
    timer.stop()
    assert tab.model.epoch == 400
    assert len(ticks) >= 1  # the event loop ran while the worker trained (see also test_pause)
    runs = tab.model.runs
    assert all(r.epochs_done == 400 for r in runs)
    assert not np.array_equal(tab.panels[1][1].image, before)  # the boundary moved
    assert "train" in tab.panels[1][0].titleLabel.text and "test" in tab.panels[1][0].titleLabel.text
    assert tab.start_button.text() == "Train again"
    # cost curves: raw and EWA per config, and the epoch cost with a legend entry each
    assert len(tab.it_plot.listDataItems()) == 4
    assert [i.name() for i in tab.ep_plot.listDataItems()] == ["GD", "Adam"]
    # the landscape is drawn once training stops, with both paths
    assert tab.last_slice.cost.shape == (61, 61)
    assert set(tab.last_slice.paths) == {"GD", "Adam"}


def test_the_results_match_headless_training(netwin, qtbot):
    from ravine.core.training import train

    tab = netwin.network
    tab.model.start()
    qtbot.waitUntil(lambda: not tab.model.running, timeout=20000)
    for a, b in zip(tab.model.runs, train(netwin.model.scene.network)):
        np.testing.assert_array_equal(a.theta, b.theta)
        np.testing.assert_array_equal(a.epoch_cost, b.epoch_cost)


def test_pause_and_resume(netwin, qtbot):
    tab = netwin.network
    tab.model.edit(lambda raw: raw.__setitem__("epochs", 300000))
    ticks = []
    timer = QtCore.QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.model.epoch > 0, timeout=20000)
    qtbot.wait(300)
    timer.stop()
    assert tab.model.running
    assert len(ticks) >= 3  # the timer kept ticking while the worker trained (latency: benchmarks/app.py)
    tab.start_button.click()
    assert not tab.model.running
    paused = tab.model.epoch
    assert 0 < paused < 300000
    qtbot.wait(50)
    assert tab.model.epoch == paused
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.model.epoch > paused, timeout=20000)
    tab.model.stop()


def test_editing_restarts_training_and_is_saved(netwin, qtbot, tmp_path):
    tab = netwin.network
    tab.model.start()
    qtbot.waitUntil(lambda: not tab.model.running, timeout=20000)
    lr = tab.controls.findChildren(type(tab.beta))  # ParamEditors
    adam_lr = [e for e in lr if e.param.name == "lr"][1]
    adam_lr.field.setText("0.05")
    adam_lr.field.editingFinished.emit()
    qtbot.wait(10)
    assert tab.model.spec.configs[1].params["lr"] == 0.05
    assert tab.model.epoch == 0  # a fresh start
    out = tmp_path / "saved.toml"
    assert netwin.save_to(out)
    assert load_scene(out).network.configs[1].params["lr"] == 0.05


def test_batch_presets(netwin, qtbot):
    tab = netwin.network
    from PyQt6 import QtWidgets

    def presets():
        return {b.text(): b for b in tab.controls.findChildren(QtWidgets.QToolButton)
                if b.isVisibleTo(tab) and b.text() in ("1", "32", "64", "128", "m=160")}

    assert set(presets()) == {"1", "32", "64", "128", "m=160"}
    presets()["m=160"].click()
    qtbot.wait(10)
    assert tab.model.spec.batch_size == 160
    assert all(r.batch_size == 160 for r in tab.model.trainer.runs())
    presets()["1"].click()
    qtbot.wait(10)
    assert tab.model.spec.batch_size == 1


def test_bad_typed_values_are_refused_inline(netwin, qtbot):
    tab = netwin.network
    layers = [e for e in tab.controls.findChildren(type(tab.beta)) if e.param.name == "layers"][0]
    layers.field.setText("3, 4, 1")
    layers.field.editingFinished.emit()
    assert "must start with 2" in layers.error.text()
    assert tab.model.spec.layers == [2, 5, 2, 1]


def test_ewa_controls_change_the_smoothed_curve(netwin, qtbot):
    tab = netwin.network
    tab.model.start()
    qtbot.waitUntil(lambda: not tab.model.running, timeout=20000)
    smooth = tab.it_plot.listDataItems()[1].getData()[1].copy()
    tab.bias.setChecked(False)
    raw = tab.it_plot.listDataItems()[1].getData()[1]
    assert raw[0] < smooth[0]  # uncorrected starts too low
    tab.beta.field.setText("0.5")
    tab.beta.field.editingFinished.emit()
    assert not np.allclose(tab.it_plot.listDataItems()[1].getData()[1], raw)


def test_divergence_is_reported(netwin, qtbot):
    tab = netwin.network
    tab.model.edit(lambda raw: raw["configs"][0].__setitem__("lr", 1e7))
    tab.model.start()
    qtbot.waitUntil(lambda: not tab.model.running, timeout=20000)
    gd = tab.model.runs[0]
    assert gd.diverged_at is not None
    assert f"GD diverged at epoch {gd.diverged_at}" in tab.status.text()
    assert f"diverged at epoch {gd.diverged_at}" in tab.panels[0][0].titleLabel.text


def test_course_example_from_the_menu(qtbot):
    win = MainWindow(load_example("momentum-ravine"))
    qtbot.addWidget(win)
    win.open_example("course-adam")
    win.model.wait()
    assert win.tabs.currentWidget() is win.network
    assert win.network.model.spec.epochs == 5000
    win.network.model.stop()


def test_export_weights(netwin, qtbot, tmp_path):
    import json

    tab = netwin.network
    tab.model.start()
    qtbot.waitUntil(lambda: not tab.model.running, timeout=20000)
    assert tab.export_weights(tmp_path / "w.json") is None
    data = json.loads((tmp_path / "w.json").read_text())
    assert [c["epoch"] for c in data["configs"]] == [400, 400]
    assert "cannot write" in tab.export_weights(tmp_path / "missing" / "w.json")
