"""The playground window, driven through its real widgets with qtbot."""

import numpy as np
import pytest
from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.core import load_scene
from tests.app.pixels import colour_near, pixel_of, to_array, viewport_pos


def paths(win):
    return [r.traj.path.copy() for r in win.model.runs]


def test_paths_are_drawn_in_their_colours(window, qtbot):
    # Adam's first steps lie on RMSprop's (both move by about lr per axis): hide Adam
    window.controls.optimizers.panels[3].enabled.setChecked(False)
    assert [r.config.label for r in window.model.runs] == ["GD", "Momentum", "RMSprop"]
    window.model.set_step(40)  # the bright tail covers steps 0..40
    qtbot.wait(30)
    pixels = to_array(window.grab().toImage())
    runs = window.model.runs
    screen = {r.config.label: np.array([pixel_of(window, window.map.vb, x, y) for x, y in r.traj.path[:41]])
              for r in runs}
    for run in runs:
        others = np.concatenate([screen[o.config.label] for o in runs if o is not run])
        # a point of this path at least 10 px from every other path
        for t in range(40, 30, -1):  # the newest part of the trail is drawn opaque
            p = screen[run.config.label][t]
            if np.abs(others - p).sum(axis=1).min() > 10:
                break
        else:
            pytest.fail(f"{run.config.label} has no point clear of the others")
        rgb = QtGui.QColor(run.color).getRgb()[:3]
        assert colour_near(pixels, *p, rgb) < 60, (run.config.label, run.color, t)
    # and where no path is, no path colour
    px, py = pixel_of(window, window.map.vb, 1.5, -1.5)
    for run in runs:
        assert colour_near(pixels, px, py, QtGui.QColor(run.color).getRgb()[:3], radius=1) > 60


def test_moving_the_lr_slider_changes_the_path(window, qtbot):
    panel = window.controls.optimizers.panels[1]  # momentum
    before = paths(window)
    slider = panel.editors["lr"].slider
    slider.setValue(slider.value() - 150)  # as a drag would
    after = paths(window)
    assert not np.array_equal(before[1], after[1])
    np.testing.assert_array_equal(before[0], after[0])  # the others are untouched
    assert window.model.scene.optimizers[1].params["lr"] == panel.editors["lr"].value
    assert panel.editors["lr"].field.text() == f"{panel.editors['lr'].value:.4g}"
    # the drawn curve follows the data
    xs, ys = window.map.items[1].ghost.getData()  # as segments: (p0, p1), (p1, p2), ...
    np.testing.assert_array_equal(xs[0::2], after[1][:-1, 0])
    np.testing.assert_array_equal(xs[1::2], after[1][1:, 0])
    xs, ys = window.curves.cost_curves[1].getData()
    assert len(xs) == len(after[1])


def test_typed_out_of_range_value_is_refused_inline(window, qtbot):
    editor = window.controls.optimizers.panels[0].editors["lr"]
    old = window.model.scene.optimizers[0].params["lr"]
    editor.field.setText("-3")
    editor.field.editingFinished.emit()
    assert editor.error.isVisibleTo(window)
    assert "lr: must be a number > 0 (got -3)" in editor.error.text()
    assert window.model.scene.optimizers[0].params["lr"] == old
    assert editor.field.text() == f"{old:.4g}"
    editor.field.setText("0.02")
    editor.field.editingFinished.emit()
    assert not editor.error.isVisibleTo(window)
    assert window.model.scene.optimizers[0].params["lr"] == 0.02


def test_clicking_the_map_moves_the_start(window, qtbot):
    view = window.map
    px, py = pixel_of(view, view.vb, 1.0, -1.0)
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(px, py))
    x, y = window.model.scene.start
    assert x == pytest.approx(1.0, abs=0.05) and y == pytest.approx(-1.0, abs=0.05)
    for run in window.model.runs:
        np.testing.assert_array_equal(run.traj.path[0], (x, y))
    assert window.controls.scene_panel.start_x.value == x


def test_scrubbing_moves_every_view(window, qtbot):
    window.timeline.scrubber.setValue(37)
    assert window.model.step == 37
    assert window.timeline.label.text() == "step 37 / 150"
    for run, items, (_, label) in zip(window.model.runs, window.map.items, window.map.legend.items):
        hx, hy = items.head.getData()
        np.testing.assert_array_equal([hx[0], hy[0]], run.traj.path[37])
        tail_x = np.concatenate([seg.getData()[0] for seg in items.tail])
        assert tail_x[-1] == run.traj.path[37, 0] and tail_x[0] == run.traj.path[37 - 40 if 37 > 40 else 0, 0]
        assert f"loss {run.traj.loss[37]:.3g}" in label.text
    assert all(line.value() == 37 for line in window.curves.cursors)
    assert "update t</td><td>37" in window.inspector.text.text()


def test_keyboard_drives_the_timeline(window, qtbot):
    window.model.set_step(10)
    window.setFocus()
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)
    window.model.wait()
    assert window.model.step == 11
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Left)
    window.model.wait()
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Left)
    window.model.wait()
    assert window.model.step == 9
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Home)
    assert window.model.step == 0
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert window.timeline.playing
    qtbot.waitUntil(lambda: window.model.step > 5, timeout=3000)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert not window.timeline.playing


def test_animation_plays_to_the_end_and_stops(window, qtbot):
    window.timeline.speed.setCurrentIndex(len(window.timeline.SPEEDS) - 1)  # 32 steps a frame
    window.timeline.play()
    qtbot.waitUntil(lambda: not window.timeline.playing, timeout=5000)
    assert window.model.step == window.model.steps


def test_editing_while_playing_keeps_playing(window, qtbot):
    window.timeline.speed.setCurrentIndex(0)
    window.timeline.play()
    slider = window.controls.optimizers.panels[3].editors["lr"].slider
    slider.setValue(slider.value() + 50)
    assert window.timeline.playing
    window.timeline.pause()


def test_divergence_shows_on_the_legend_and_status_bar(window, qtbot):
    editor = window.controls.optimizers.panels[0].editors["lr"]
    editor.field.setText("0.5")  # GD on kappa 50: 0.5 * 50 > 2
    editor.field.editingFinished.emit()
    gd = window.model.runs[0]
    assert gd.traj.diverged_at is not None
    window.model.set_step(window.model.steps)
    label = window.map.legend.items[0][1].text
    assert label == f"GD: diverged at step {gd.traj.diverged_at}"
    assert f"GD diverged at step {gd.traj.diverged_at}" in window.statusBar().currentMessage()
    assert window.map.items[0].bad.getData()[0].size == 1  # the red cross
    assert all(np.isfinite(c.getData()[1]).all() for c in window.curves.cost_curves)


def test_optimizers_can_be_added_renamed_rekinded_disabled_and_removed(window, qtbot):
    panel = window.controls.optimizers
    window.model.add_optimizer("nesterov")
    # (its kernel may still be compiling in the background, if no test before ran it)
    qtbot.waitUntil(lambda: len(window.model.runs) == 5, timeout=120_000)
    assert len(panel.panels) == 5
    assert window.model.runs[-1].color not in [r.color for r in window.model.runs[:-1]]
    new = panel.panels[-1]
    new.name.setText("Nesterov!")
    new.name.editingFinished.emit()
    qtbot.waitUntil(lambda: window.model.scene.optimizers[-1].label == "Nesterov!")
    assert any(item[1].text.startswith("Nesterov!:") for item in window.map.legend.items)
    panel.panels[-1].kind.setCurrentText("adam")
    qtbot.waitUntil(lambda: window.model.scene.optimizers[-1].kind == "adam")
    assert set(window.model.scene.optimizers[-1].params) == {"lr", "beta1", "beta2", "eps", "bias_correction"}
    panel.panels[0].enabled.setChecked(False)
    assert [r.config.label for r in window.model.runs][0] == "Momentum"
    panel.panels[-1].remove.click()
    qtbot.waitUntil(lambda: len(window.model.scene.optimizers) == 4)


def test_schedule_editing(window, qtbot):
    panel = window.controls.optimizers.panels[3]
    panel.schedule.setCurrentText("inverse_time")
    lr = window.model.runs[3].traj.lr
    assert lr[0] == pytest.approx(0.06 / 2) and lr[-1] < lr[0]
    editors = [panel.schedule_box.itemAt(i).widget() for i in range(panel.schedule_box.count())]
    names = [e.param.name for e in editors]
    assert names == ["decay_rate", "steps_per_epoch"]
    spe = editors[1]
    spe.field.setText("10")
    spe.field.editingFinished.emit()
    assert window.model.scene.optimizers[3].schedule["steps_per_epoch"] == 10
    assert window.model.runs[3].traj.lr[9] == pytest.approx(0.06 / 2)
    assert window.model.runs[3].traj.lr[10] == pytest.approx(0.06 / 3)


def test_piecewise_values_must_match_boundaries(window, qtbot):
    panel = window.controls.optimizers.panels[0]
    panel.schedule.setCurrentText("piecewise")
    values = [panel.schedule_box.itemAt(i).widget() for i in range(panel.schedule_box.count())][1]
    values.field.setText("1, 0.5")
    values.field.editingFinished.emit()
    assert "needs one more entry than boundaries" in values.error.text()
    assert window.model.scene.optimizers[0].schedule["values"] == [1.0, 0.1, 0.01]


def test_surface_change_redraws_map(window, qtbot):
    window.controls.scene_panel.surface.setCurrentText("himmelblau")
    assert window.model.wait()
    assert window.model.scene.surface == "himmelblau"
    assert window.model.scene.start == (0.0, 0.0)
    img = window.map.image.image
    np.testing.assert_allclose(img, window.model.image.shown.T)
    assert "himmelblau" in window.map.plot.titleLabel.text


def test_loading_a_bad_scene_shows_the_message(window, qtbot, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('surface = "rosenbrock"\n[[optimizers]]\nkind = "adam"\nbeta1 = 1.5\n')
    before = window.model.scene
    assert not window.open_path(bad)
    assert window.banner.isVisibleTo(window)
    assert f"{bad}: optimizers[0].beta1: must be a number in [0, 1) (got 1.5)" in window.banner.text()
    assert window.model.scene is before


def test_open_save_round_trip(window, qtbot, tmp_path):
    window.controls.optimizers.panels[0].editors["lr"].slider.setValue(300)
    out = tmp_path / "mine.toml"
    assert window.save_to(out)
    assert load_scene(out) == window.model.scene
    window.open_example("saddle-escape")
    window.model.wait()
    assert window.model.scene.surface == "saddle"
    assert window.open_path(out)
    window.model.wait()
    assert window.model.scene == load_scene(out)
    assert window.windowTitle() == "Ravine: mine.toml"


def test_unwritable_save_says_so(window, qtbot, tmp_path):
    assert not window.save_to(tmp_path / "missing" / "x.toml")
    assert "cannot write" in window.banner.text()


def test_exports(window, qtbot, tmp_path):
    png = tmp_path / "view.png"
    assert window.export_png(png)
    assert QtGui.QImage(str(png)).width() > 100
    csv = tmp_path / "curves.csv"
    assert window.export_csv(csv)
    lines = csv.read_text().splitlines()
    assert lines[0] == "optimizer,step,x,y,loss,lr" and len(lines) == 1 + 4 * 151
    window.copy_scene()
    assert QtWidgets.QApplication.clipboard().text().startswith('title = "Momentum in a ravine"')


def test_ewa_view(window, qtbot):
    ewa = window.ewa
    window.tabs.setCurrentWidget(ewa)
    curves = ewa.curves()
    assert set(curves) == {"beta 0.5 (~2 days)", "beta 0.9 (~10 days)", "beta 0.98 (~50 days)", "beta 0.9"}
    assert "averages over about 1/(1-beta) = 10 days" in ewa.readout.text()
    ewa.beta_editor.field.setText("0.98")
    ewa.beta_editor.field.editingFinished.emit()
    assert "= 50 days" in ewa.readout.text()
    ewa.bias.setChecked(True)
    curves = ewa.curves()
    raw, fixed = curves["beta 0.98"], curves["beta 0.98, bias-corrected"]
    assert raw[0] == pytest.approx(0.02 * ewa.theta[0])  # starts far too low
    assert fixed[0] == pytest.approx(ewa.theta[0])
    drawn = [item for item in ewa.plot.listDataItems() if item.name() == "beta 0.98, bias-corrected"]
    assert len(drawn) == 1
    np.testing.assert_allclose(drawn[0].getData()[1], fixed)


def test_hover_reads_values(window, qtbot):
    curves = window.curves
    x = 20
    scene_pt = curves.cost.vb.mapViewToScene(QtCore.QPointF(x, 1.0))
    curves._hover(scene_pt)
    text = curves.readout.toPlainText()
    assert text.startswith("step 20")
    run = window.model.runs[0]
    assert f"GD: loss {run.traj.loss[20]:.4g}, lr {run.traj.lr[19]:.3g}" in text


def test_dragging_the_start_marker_slides_the_start(window, qtbot):
    view = window.map
    vp = view.viewport()
    x0, y0 = window.model.scene.start
    start_px = viewport_pos(view.vb, x0, y0)
    end_px = viewport_pos(view.vb, -0.5, -1.0)

    def send(kind, pos, button, buttons):
        ev = QtGui.QMouseEvent(kind, pos, vp.mapToGlobal(pos), button, buttons,
                               QtCore.Qt.KeyboardModifier.NoModifier)
        QtWidgets.QApplication.sendEvent(vp, ev)

    left = QtCore.Qt.MouseButton.LeftButton
    send(QtCore.QEvent.Type.MouseButtonPress, start_px, left, left)
    for f in np.linspace(0.1, 1.0, 8):
        send(QtCore.QEvent.Type.MouseMove, start_px + (end_px - start_px) * f, QtCore.Qt.MouseButton.NoButton, left)
    send(QtCore.QEvent.Type.MouseButtonRelease, end_px, left, QtCore.Qt.MouseButton.NoButton)
    x, y = window.model.scene.start
    assert x == pytest.approx(-0.5, abs=0.05) and y == pytest.approx(-1.0, abs=0.05)


def test_dragging_elsewhere_pans_and_leaves_the_start(window, qtbot):
    view = window.map
    vp = view.viewport()
    before_range = view.vb.viewRange()
    start = window.model.scene.start
    a = viewport_pos(view.vb, 1.0, 1.5)
    b = viewport_pos(view.vb, 0.5, 1.0)
    left = QtCore.Qt.MouseButton.LeftButton
    for kind, pos, button, buttons in [(QtCore.QEvent.Type.MouseButtonPress, a, left, left),
                                       (QtCore.QEvent.Type.MouseMove, (a + b) / 2, QtCore.Qt.MouseButton.NoButton, left),
                                       (QtCore.QEvent.Type.MouseMove, b, QtCore.Qt.MouseButton.NoButton, left),
                                       (QtCore.QEvent.Type.MouseButtonRelease, b, left, QtCore.Qt.MouseButton.NoButton)]:
        QtWidgets.QApplication.sendEvent(vp, QtGui.QMouseEvent(kind, pos, vp.mapToGlobal(pos), button, buttons,
                                                               QtCore.Qt.KeyboardModifier.NoModifier))
    assert window.model.scene.start == start
    assert view.vb.viewRange() != before_range


def test_presentation_mode(window, qtbot):
    app = QtWidgets.QApplication.instance()
    size = app.font().pointSizeF()
    window.toggle_presentation()
    assert app.font().pointSizeF() == pytest.approx(max(1.5 * size, 16.5))
    assert not window.controls.isVisibleTo(window)
    window.toggle_presentation()
    assert app.font().pointSizeF() == pytest.approx(size)
    assert window.controls.isVisibleTo(window)


def test_a_start_far_outside_is_clipped_not_crashed(window, qtbot):
    window.model.set_start(5e7, -3.0)
    assert window.model.scene.start == (1e6, -3.0)
    assert len(window.model.runs) == 4


def test_unsaved_edits_are_not_lost_silently(window, qtbot, monkeypatch, tmp_path):
    buttons = QtWidgets.QMessageBox.StandardButton
    window.ask_before_discarding = True  # offscreen windows do not ask; a desktop one does
    assert window.may_discard()  # nothing edited yet
    window.controls.optimizers.panels[0].editors["lr"].slider.setValue(200)
    assert window.model.dirty
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", lambda *a, **k: buttons.Cancel)
    assert not window.may_discard()
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", lambda *a, **k: buttons.Discard)
    assert window.may_discard()
    out = tmp_path / "kept.toml"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", lambda *a, **k: buttons.Save)
    assert window.may_discard() and out.exists() and not window.model.dirty
    window.ask_before_discarding = False

