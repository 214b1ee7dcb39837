"""The Network tab: training in the background, live views, editing restarts training and
goes through the scene model, a new scene resets everything, exports."""

import os
import sys

import numpy as np
import pytest
from PyQt6 import QtCore, QtWidgets

from ravine.app.params_editor import ParamEditor
from ravine.app.window import MainWindow
from ravine.core import load_example, load_scene
from tests.app.conftest import SMALL


def train(tab, qtbot):
    """Train to the end (at full speed) and wait until every view shows it."""
    tab.model.play()
    assert tab.wait(60)


def labels(tab):
    return [t.split("</span> ")[1].split(" (")[0] for t in tab.boundaries.titles()]


def test_a_network_scene_opens_on_the_network_tab(netwin):
    assert netwin.tabs.currentWidget() is netwin.network
    assert not netwin.controls.isVisibleTo(netwin)  # the surface controls belong to the other tab
    assert labels(netwin.network) == ["GD", "Adam"]


def test_training_runs_in_the_background_and_updates_the_views(netwin, qtbot):
    tab = netwin.network
    ticks = []
    timer = QtCore.QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    before = tab.boundaries.images[1].image.copy()
    tab.start_button.click()
    assert tab.model.running
    assert tab.wait(60)
    timer.stop()
    assert tab.model.epoch == 400 and tab.model.cursor == 400
    assert len(ticks) >= 1  # the event loop ran while the worker trained (gaps: benchmarks/network_tab.py)
    runs = tab.model.runs
    assert all(r.epochs_done == 400 for r in runs)
    assert not np.array_equal(tab.boundaries.images[1].image, before)  # the boundary moved
    title = tab.boundaries.titles()[1]
    assert "train" in title and "test" in title
    assert tab.start_button.text() == "Replay"
    # cost curves: raw and EWA per config, the epoch cost and the lr, a legend entry each
    assert len(tab.curves.plots["batch"].listDataItems()) == 4
    assert len(tab.curves.plots["epoch"].listDataItems()) == 2
    assert [label.text for _, label in tab.curves.legend.items] == ["GD", "Adam"]
    # the landscape is drawn, with both paths up to their heads
    sl = tab.landscape.slice
    assert sl is not None and sl.cost.shape == (61, 61) and set(sl.paths) == {"GD", "Adam"}
    for (path, head), p in zip(tab.landscape.items, tab.model.frame.paths):
        assert len(path.getData()[0]) == len(p) > 2


def test_the_results_match_headless_training(netwin, qtbot):
    from ravine.core.training import train as train_headless

    tab = netwin.network
    train(tab, qtbot)
    for a, b in zip(tab.model.runs, train_headless(netwin.model.scene.network)):
        np.testing.assert_array_equal(a.theta, b.theta)
        np.testing.assert_array_equal(a.epoch_cost, b.epoch_cost)


def test_pause_and_resume(netwin, qtbot):
    tab = netwin.network
    tab.model.edit(lambda raw: raw.__setitem__("epochs", 300000))
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.model.epoch > 0, timeout=60000)
    assert tab.start_button.text() == "Pause"
    tab.start_button.click()
    assert not tab.model.running
    training = tab.model._training
    qtbot.waitUntil(lambda: not training.active, timeout=60000)  # the chunk under way lands
    qtbot.wait(20)
    paused = tab.model.epoch
    assert 0 < paused < 300000 and tab.model.cursor == paused  # shown where it stopped
    qtbot.wait(50)
    assert tab.model.epoch == paused and tab.model.trainer.epoch == paused
    assert tab.start_button.text() == "Resume"
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.model.epoch > paused, timeout=60000)
    tab.model.stop()


def test_editing_restarts_training_and_is_saved(netwin, qtbot, tmp_path):
    tab = netwin.network
    train(tab, qtbot)
    assert not netwin.windowTitle().endswith("*")
    adam_lr = tab.controls.panels[1].hyper["lr"]
    adam_lr.field.setText("0.05")
    adam_lr.field.editingFinished.emit()
    assert tab.model.spec.configs[1].params["lr"] == 0.05
    assert tab.model.epoch == 0 and tab.model.cursor == 0  # a fresh start
    assert netwin.model.scene.network.configs[1].params["lr"] == 0.05  # through the scene model...
    assert netwin.model.dirty and netwin.windowTitle().endswith("*")  # ...so the title says unsaved
    out = tmp_path / "saved.toml"
    assert netwin.save_to(out)
    assert not netwin.windowTitle().endswith("*")
    assert load_scene(out).network.configs[1].params["lr"] == 0.05


def test_edits_keep_the_editors(netwin, qtbot):
    """A slider move edits the spec; the editors stay the same widgets, updated in place (a
    rebuild under a dragged slider would drop the drag)."""
    from PyQt6 import sip

    tab = netwin.network
    editors = tab.controls.findChildren(ParamEditor)
    lr = tab.controls.panels[1].hyper["lr"]
    noise = tab.controls.data.data_editors["noise"]
    lr.slider.setValue(lr.slider.value() + 40)
    qtbot.wait(10)
    assert tab.model.spec.configs[1].params["lr"] != 0.01
    noise.slider.setValue(noise.slider.value() + 300)
    qtbot.wait(10)
    assert tab.model.spec.data["noise"] != 0.2
    assert not any(sip.isdeleted(e) for e in editors)
    assert tab.controls.panels[1].hyper["lr"] is lr and tab.controls.data.data_editors["noise"] is noise
    assert set(tab.controls.findChildren(ParamEditor)) == set(editors)
    # an edit from elsewhere (the scene model) shows in the same editors
    spec = tab.model.spec.to_dict()
    spec["configs"][1]["lr"] = 0.002
    from ravine.core.training import network_from_dict

    netwin.model.set_network(network_from_dict(spec, "network"))
    assert lr.value == 0.002 and lr.field.text() == "0.002"
    assert tab.model.spec.configs[1].params["lr"] == 0.002


def test_batch_presets(netwin, qtbot):
    tab = netwin.network

    def presets():
        return {b.text(): b for b in tab.controls.findChildren(QtWidgets.QToolButton)
                if b.isVisibleTo(tab) and b.text() in ("1", "32", "64", "128", "m=160")}

    assert set(presets()) == {"1", "32", "64", "128", "m=160"}
    presets()["m=160"].click()
    assert tab.model.spec.batch_size == 160
    assert all(r.batch_size == 160 for r in tab.model.trainer.runs())
    presets()["1"].click()
    assert tab.model.spec.batch_size == 1


def test_bad_typed_values_are_refused_inline(netwin, qtbot):
    tab = netwin.network
    layers = tab.controls.data.editors["layers"]
    layers.field.setText("3, 4, 1")
    layers.field.editingFinished.emit()
    assert "must start with 2" in layers.error.text()
    assert tab.model.spec.layers == [2, 5, 2, 1] and layers.value == [2, 5, 2, 1]
    assert not netwin.model.dirty


def test_ewa_controls_change_the_smoothed_curve(netwin, qtbot):
    tab = netwin.network
    train(tab, qtbot)
    smooth = tab.curves.items[1]["batch"].getData()[1].copy()
    tab.bias.setChecked(False)
    assert tab.wait()
    raw = tab.curves.items[1]["batch"].getData()[1].copy()
    assert raw[0] < smooth[0]  # uncorrected starts too low
    tab.beta.field.setText("0.5")
    tab.beta.field.editingFinished.emit()
    assert tab.wait()
    assert not np.allclose(tab.curves.items[1]["batch"].getData()[1], raw)


def test_divergence_is_reported(netwin, qtbot):
    tab = netwin.network
    tab.model.edit(lambda raw: raw["configs"][0].__setitem__("lr", 1e7))
    train(tab, qtbot)
    gd = tab.model.runs[0]
    assert gd.diverged_at is not None
    assert f"GD diverged at epoch {gd.diverged_at}" in tab.status.text()
    assert f"diverged at epoch&nbsp;{gd.diverged_at}" in tab.boundaries.titles()[0]


def test_course_example_from_the_menu(qtbot):
    win = MainWindow(load_example("momentum-ravine"))
    qtbot.addWidget(win)
    win.open_example("course-adam")
    win.model.wait()
    assert win.tabs.currentWidget() is win.network
    assert win.network.model.spec.epochs == 5000
    win.network.model.close()


def test_export_weights(netwin, qtbot, tmp_path):
    import json

    tab = netwin.network
    train(tab, qtbot)
    assert tab.export_weights(tmp_path / "w.json") is None
    data = json.loads((tmp_path / "w.json").read_text())
    assert [c["epoch"] for c in data["configs"]] == [400, 400]
    assert "cannot write" in tab.export_weights(tmp_path / "missing" / "w.json")


# ---------------------------------------------------------------- another scene: a clean slate
def test_opening_another_scene_resets_everything(netwin, qtbot, tmp_path):
    tab = netwin.network
    train(tab, qtbot)
    assert tab.landscape.slice is not None and tab.start_button.text() == "Replay"
    other = tmp_path / "other.toml"
    other.write_text(SMALL.replace("epochs = 400", "epochs = 90").replace('label = "Adam"', 'label = "A"'))
    assert netwin.open_path(other)
    assert tab.wait()
    assert tab.model.epoch == 0 and tab.model.cursor == 0
    assert tab.start_button.text() == "Train" and tab.transport.label.text() == "epoch 0 / 90"
    assert tab.landscape.slice is None and tab.landscape.image.image is None  # no old landscape
    assert all(len(path.getData()[0] if path.getData()[0] is not None else []) == 0
               for path, _ in tab.landscape.items)
    assert labels(tab) == ["GD", "A"] and all("not trained yet" in t for t in tab.boundaries.titles())
    x0, x1 = tab.curves.plots["epoch"].viewRange()[0]
    assert x1 < 100  # the new run's epochs, not the old axis range
    for items in tab.curves.items:
        assert len(items["epoch"].getData()[0] if items["epoch"].getData()[0] is not None else []) == 0
    assert tab.model.stop_at is None and tab.transport.stop_at.value() == 0


def test_opening_a_surface_scene_forgets_the_network(netwin, qtbot):
    tab = netwin.network
    train(tab, qtbot)
    netwin.open_example("momentum-ravine")
    netwin.model.wait()
    assert tab.model.epoch == 0 and tab.landscape.slice is None and not tab.model.attached


# ---------------------------------------------------------------- exports from this tab
def test_csv_from_this_tab_is_the_networks_curves(netwin, qtbot, tmp_path):
    from ravine.core.training import training_csv

    tab = netwin.network
    train(tab, qtbot)
    out = tmp_path / "curves.csv"
    assert netwin.export_csv(out)
    text = out.read_text()
    assert text == training_csv(tab.model.runs)
    assert text.splitlines()[0] == "config,epoch,cost,train_accuracy,test_accuracy,lr"
    assert len(text.splitlines()) == 1 + 2 * 400


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_csv_and_png_exports_get_the_same_file_mode(netwin, qtbot, tmp_path):
    train(netwin.network, qtbot)
    png, csv = tmp_path / "view.png", tmp_path / "curves.csv"
    assert netwin.export_png(png) and netwin.export_csv(csv)
    assert os.stat(png).st_mode & 0o777 == os.stat(csv).st_mode & 0o777
    for f in (png, csv):  # files the user has made private stay private, whichever export
        os.chmod(f, 0o600)
    assert netwin.export_png(png) and netwin.export_csv(csv)
    assert os.stat(png).st_mode & 0o777 == os.stat(csv).st_mode & 0o777 == 0o600
    assert sorted(os.listdir(tmp_path)) == ["curves.csv", "small.toml", "view.png"]  # no temporaries


def test_the_landscape_plane_choice_is_shown_whole(netwin, qtbot):
    """Its two names are short: the combo shows them whole (it showed "PCA of the p"), and a
    long configuration name in the "around" combo is the one elided."""
    combo = netwin.network.method
    for width in (1500, 1200):
        netwin.resize(width, 950)
        qtbot.wait(50)
        fm = combo.fontMetrics()
        for i in range(combo.count()):
            assert combo.width() >= fm.horizontalAdvance(combo.itemText(i)) + 20, (width, combo.itemText(i))


def test_hovering_the_curves_reads_the_values_at_that_epoch(netwin, qtbot):
    """As on the Optimizers tab: the epoch under the mouse, and each configuration's cost,
    accuracies and learning rate there (before training: the learning rate planned); the
    readout goes when the mouse leaves."""
    tab = netwin.network
    curves = tab.curves
    at = curves.plots["epoch"].vb.mapViewToScene(QtCore.QPointF(120, -1.0))
    curves._hover(at)
    assert curves.readout.isVisible()
    assert curves.hover_text.splitlines() == ["epoch 120", "GD: not trained yet, lr 0.1", "Adam: not trained yet, lr 0.01"]
    train(tab, qtbot)
    curves._hover(curves.plots["lr"].vb.mapViewToScene(QtCore.QPointF(120, -1.0)))
    gd, adam = tab.model.runs
    lines = curves.hover_text.splitlines()
    assert lines[0] == "epoch 120"
    assert lines[1] == (f"GD: cost {gd.epoch_cost[119]:.4g}, train {gd.train_accuracy[119]:.1%}, "
                        f"test {gd.test_accuracy[119]:.1%}, lr 0.1")
    assert lines[2].startswith(f"Adam: cost {adam.epoch_cost[119]:.4g}, train ")
    QtWidgets.QApplication.sendEvent(curves, QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert not curves.readout.isVisible()
    curves._hover(curves.plots["epoch"].vb.mapViewToScene(QtCore.QPointF(9999, -1.0)))  # beyond the run
    assert not curves.readout.isVisible()
