"""The playground as a teacher uses it: the defects a classroom review found, one test each,
and presentation mode, real-time playback and the keys."""

import numpy as np
import pytest
from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.app import views
from ravine.app.model import PALETTE
from ravine.app.window import KEYS, MainWindow, keys_html
from ravine.core import load_example
from tests.app.pixels import pixel_of


def _luminance(rgb) -> np.ndarray:
    c = np.asarray(rgb, dtype=float) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return c @ np.array([0.2126, 0.7152, 0.0722])


def _contrast(a, b) -> np.ndarray:
    hi, lo = np.maximum(a, b), np.minimum(a, b)
    return (hi + 0.05) / (lo + 0.05)


# ---------------------------------------------------------------- 1. the hover readout
def test_hover_readout_goes_when_the_mouse_leaves(window, qtbot):
    curves = window.curves
    curves._hover(curves.cost.vb.mapViewToScene(QtCore.QPointF(20, 1.0)))
    assert curves.readout.isVisible()
    QtWidgets.QApplication.sendEvent(curves, QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert not curves.readout.isVisible()
    curves._hover(curves.cost.vb.mapViewToScene(QtCore.QPointF(20, 1.0)))
    window.open_example("rosenbrock-valley")
    window.model.wait()
    assert not curves.readout.isVisible()


# ---------------------------------------------------------------- 3. the legend
def test_map_legend_keeps_clear_of_the_start(window, qtbot):
    for name in ("rosenbrock-valley", "momentum-ravine"):
        window.open_example(name)
        window.model.wait()
        window.model.set_surface("rastrigin")  # start (-2, 3.5): top left, where the legend was
        window.model.wait()
        qtbot.wait(20)
        legend = window.map.legend.sceneBoundingRect()
        x, y = window.model.scene.start
        assert not legend.contains(window.map.vb.mapViewToScene(QtCore.QPointF(x, y)))
    # after zooming in on the start, the legend moves off it too
    window.map.vb.setRange(xRange=(-2.5, -1.0), yRange=(3.0, 4.0), padding=0)
    qtbot.wait(20)
    legend = window.map.legend.sceneBoundingRect()
    assert not legend.contains(window.map.vb.mapViewToScene(QtCore.QPointF(-2.0, 3.5)))


def test_network_only_scene_shows_no_empty_legend(qtbot):
    win = MainWindow(load_example("course-adam"))
    qtbot.addWidget(win)
    assert not win.model.runs
    assert not win.map.legend.isVisible()


# ---------------------------------------------------------------- 4. axes
def test_axes_carry_no_scale_factors_and_lr_is_logarithmic(window, qtbot):
    editor = window.controls.optimizers.panels[0].editors["lr"]
    editor.field.setText("0.5")  # GD diverges
    editor.field.editingFinished.emit()
    assert window.model.runs[0].traj.diverged_at is not None
    for plot in (window.curves.cost, window.curves.lr, window.map.plot):
        for axis in plot.axes.values():
            assert "(x" not in axis["item"].labelString()
            assert not axis["item"].autoSIPrefix
    assert window.curves.lr.getAxis("left").logMode
    window.controls.optimizers.panels[3].schedule.setCurrentText("exponential")
    lo, hi = window.curves.lr.getAxis("left").range
    assert hi - lo > 0.5  # decades, not a line flattened against zero


# ---------------------------------------------------------------- 5. the inspector's arrows
def test_velocity_arrow_is_its_own_and_arrows_have_true_lengths(window, qtbot):
    window.model.set_view(inspected="Momentum")
    window.model.set_step(30)
    lines = dict(zip(window.map.arrow_names, window.map.arrow_lines))
    run = window.model.inspected_run
    g, v = run.traj.grad[29], run.traj.v[29]
    tips = {}
    for name, line in lines.items():
        xs, ys = line.getData()
        assert len(xs) == 2, name
        tips[name] = np.array([xs[1] - xs[0], ys[1] - ys[0]])
    # one common scale for the gradient and the velocity: their drawn lengths keep their ratio
    k = window.map.arrow_scale
    np.testing.assert_allclose(tips["-gradient"], -g * k, rtol=1e-9)
    np.testing.assert_allclose(tips["velocity v"], -v * k, rtol=1e-9)
    # the step is drawn at its true length on the map: exactly the move of this update
    np.testing.assert_allclose(tips["step taken"], run.traj.path[30] - run.traj.path[29], rtol=1e-9)
    a = pixel_of(window, window.map.vb, *(run.traj.path[29] + tips["velocity v"]))
    b = pixel_of(window, window.map.vb, *(run.traj.path[29] + tips["step taken"]))
    # never hidden under the step: its tip is elsewhere, or the shorter arrow is drawn on top
    velocity, step = lines["velocity v"], lines["step taken"]
    shorter, longer = sorted((velocity, step), key=lambda ln: np.hypot(*np.ptp(np.array(ln.getData()), axis=1)))
    assert abs(a[0] - b[0]) + abs(a[1] - b[1]) > 10 or shorter.zValue() > longer.zValue()
    assert window.map.scale_bar.isVisible() and "gradient units" in window.map.scale_bar.toPlainText()


def test_arrow_colours_stand_out_on_the_map():
    lut = views.map_colormap().getLookupTable(0.0, 1.0, 256, alpha=False)
    bg = _luminance(lut)
    for colour in views.ARROWS.values():
        core = _luminance(QtGui.QColor(colour).getRgb()[:3])
        outline = _luminance(QtGui.QColor(views.OUTLINE).getRgb()[:3])
        assert np.maximum(_contrast(core, bg), _contrast(outline, bg)).min() >= 3.0, colour


# ---------------------------------------------------------------- 6. real-time playback
class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def play_by_hand(window) -> FakeClock:
    """Start playback on a clock the test moves, with the timer stopped: the test ticks."""
    clock = FakeClock()
    window.timeline.clock = clock
    window.timeline.play()
    window.timeline.timer.stop()
    return clock


def test_playback_runs_in_wall_time_and_drops_frames(window, qtbot):
    tl = window.timeline
    clock = FakeClock()
    tl.clock = clock
    assert tl.speed.currentData() == 1  # the default plays the scene in about 5 s
    assert tl.rate == pytest.approx(window.model.steps / 5.0)
    assert f"{tl.rate:.3g} steps/s" in tl.rate_label.text()
    tl.play()
    tl.timer.stop()  # the test ticks by hand
    clock.now += 1.0  # one slow frame of a whole second: a second's steps, not one step
    tl._tick()
    assert window.model.step == int(tl.rate)
    tl.set_speed(4)
    clock.now += 0.5
    tl._tick()
    assert window.model.step == int(window.model.steps / 5.0) + int(0.5 * 4 * window.model.steps / 5.0)
    clock.now += 60
    tl._tick()
    assert window.model.step == window.model.steps and not tl.playing


def test_scrubbing_while_playing_goes_on_from_there(window, qtbot):
    tl = window.timeline
    clock = play_by_hand(window)
    clock.now += 0.5
    tl._tick()
    window.model.set_step(100)
    clock.now += 0.125
    tl._tick()
    assert window.model.step == 100
    clock.now += 0.25
    tl._tick()
    assert window.model.step == 100 + int(0.25 * tl.rate)


def test_speeds_are_multiples_of_the_base(window):
    assert window.timeline.SPEEDS[0] == 0.25 and window.timeline.SPEEDS[-1] == 8
    for key, up in (("]", True), ("[", False)):
        i = window.timeline.speed.currentIndex()
        window.timeline.faster(up)
        assert window.timeline.speed.currentIndex() == i + (1 if up else -1)


# ---------------------------------------------------------------- 7. small things
@pytest.mark.parametrize("tab", ["network", "ewa"])
def test_opening_a_surface_example_shows_the_optimizers_tab(window, qtbot, tab):
    window.tabs.setCurrentWidget(getattr(window, tab))
    window.open_example("rosenbrock-valley")
    window.model.wait()
    assert window.tabs.currentWidget() is window.playground


def test_keyboard_help_lists_every_key(window):
    html = keys_html()
    assert "<b>[ / ]</b></td><td>slower / faster playback" in html
    for key in ("F11", "Ctrl+Shift+E", "F5", "F6", "PageDown"):
        assert f"<b>{key}" in html or f"/ {key}</b>" in html, key
    listed = " / ".join(k for k, _ in KEYS).replace("PageUp", "PgUp").replace("PageDown", "PgDown").split(" / ")
    keys = [sc.key().toString() for sc in window.findChildren(QtGui.QShortcut)]
    keys += [a.shortcut().toString() for a in window.findChildren(QtGui.QAction) if not a.shortcut().isEmpty()]
    assert len(keys) > 20
    for key in keys:
        assert key in listed, key
    box = window.show_keys()
    assert "F11" in box.text()
    box.close()


def test_enter_in_a_field_gives_the_keys_back(window, qtbot):
    window.activateWindow()
    field = window.controls.optimizers.panels[0].editors["lr"].field
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "0.02")
    qtbot.keyClick(field, QtCore.Qt.Key.Key_Return)
    assert window.model.scene.optimizers[0].params["lr"] == 0.02
    step = window.model.step = 10
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)
    window.model.wait()
    assert window.model.step == step + 1
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert window.timeline.playing
    window.timeline.pause()


def test_changing_kind_renames_a_label_that_named_the_kind(window, qtbot):
    panel = window.controls.optimizers.panels[0]
    assert window.model.scene.optimizers[0].label == "GD"
    panel.kind.setCurrentText("nesterov")
    qtbot.waitUntil(lambda: window.model.scene.optimizers[0].kind == "nesterov")
    assert window.model.scene.optimizers[0].label == "Nesterov"
    # a label of the user's own stays
    window.model.set_label(0, "my favourite")
    window.model.set_kind(0, "adam")
    assert window.model.scene.optimizers[0].label == "my favourite"


def test_paths_have_outlines_that_stand_out_on_every_part_of_the_map(window):
    lut = views.map_colormap().getLookupTable(0.0, 1.0, 256, alpha=False)
    bg = _luminance(lut)
    outline = _luminance(QtGui.QColor(views.OUTLINE).getRgb()[:3])
    for colour in PALETTE:
        core = _luminance(QtGui.QColor(colour).getRgb()[:3])
        assert np.maximum(_contrast(core, bg), _contrast(outline, bg)).min() >= 3.0, colour
    # and every trail is drawn on its outline, under it
    for items in window.map.items:
        assert items.outline.opts["pen"].color().name() == views.OUTLINE
        assert items.outline.opts["pen"].widthF() > items.tail[-1].opts["pen"].widthF()
        assert items.outline.zValue() < min(seg.zValue() for seg in items.tail)
        assert len(items.outline.getData()[0]) > 1
        np.testing.assert_array_equal(items.outline.getData()[0][-2:], items.tail[-1].getData()[0][-2:])


def test_a_head_that_leaves_the_view_gets_an_edge_marker(window, qtbot):
    window.model.set_step(window.model.steps)
    window.map.vb.setRange(xRange=(-1.9, -1.4), yRange=(0.6, 1.1), padding=0)
    qtbot.wait(20)
    (x0, x1), (y0, y1) = window.map.vb.viewRange()
    for run, items in zip(window.model.runs, window.map.items):
        hx, hy = run.traj.path[-1]
        assert not (x0 <= hx <= x1 and y0 <= hy <= y1)
        assert items.edge.isVisible()
        ex, ey = items.edge.pos().x(), items.edge.pos().y()
        assert x0 <= ex <= x1 and y0 <= ey <= y1  # on the view, at its edge
        assert f"({hx:.3g}, {hy:.3g})" in items.edge_text.toPlainText()
    window.map.fit()
    qtbot.wait(20)
    assert not any(items.edge.isVisible() for items in window.map.items)


def test_plots_keep_their_size_whatever_the_inspector_shows(window, qtbot):
    qtbot.wait(20)
    before = window.curves.height()
    window.model.set_view(inspected="Adam")
    qtbot.wait(20)
    window.model.set_view(inspected="GD")
    qtbot.wait(20)
    window.model.set_view(inspected="Adam")
    qtbot.wait(20)
    assert window.curves.height() == before


# ---------------------------------------------------------------- 8. sliders
def test_shift_drag_sets_lr_to_better_than_one_percent_a_pixel(window, qtbot):
    editor = window.controls.optimizers.panels[0].editors["lr"]
    slider = editor.slider
    y = slider.height() // 2
    x = slider.width() // 2
    slider.setValue(slider.maximum() // 2)
    qtbot.wait(10)
    handle = slider.style().subControlRect(QtWidgets.QStyle.ComplexControl.CC_Slider, _opt(slider),
                                           QtWidgets.QStyle.SubControl.SC_SliderHandle, slider).center()
    x = handle.x()
    shift = QtCore.Qt.KeyboardModifier.ShiftModifier
    left = QtCore.Qt.MouseButton.LeftButton

    def send(kind, px, buttons, mods):
        pos = QtCore.QPointF(px, y)
        ev = QtGui.QMouseEvent(kind, pos, slider.mapToGlobal(pos), left, buttons, mods)
        QtWidgets.QApplication.sendEvent(slider, ev)

    send(QtCore.QEvent.Type.MouseButtonPress, x, left, QtCore.Qt.KeyboardModifier.NoModifier)
    values = []
    for dx in range(0, 6):
        send(QtCore.QEvent.Type.MouseMove, x + dx, left, shift)
        values.append(editor.value)
    send(QtCore.QEvent.Type.MouseButtonRelease, x + 5, QtCore.Qt.MouseButton.NoButton, shift)
    ratios = np.abs(np.diff(np.log(values)))
    assert values[-1] != values[0]
    assert ratios.max() <= np.log(1.01)


def _opt(slider):
    opt = QtWidgets.QStyleOptionSlider()
    slider.initStyleOption(opt)
    return opt


def test_beta_slider_spreads_the_betas_near_one(window):
    editor = window.controls.optimizers.panels[1].editors["beta"]
    ticks = [editor._to_tick(b) for b in (0.9, 0.98, 0.99, 0.999)]
    spread = np.diff(ticks) / editor.slider.maximum()
    assert spread.min() > 0.05  # 0.98, 0.99 and 0.999 are far apart, not 1-2 px
    for b in (0.9, 0.99, 0.999):
        assert editor._from_tick(editor._to_tick(b)) == b


# ---------------------------------------------------------------- narrated step mode
@pytest.mark.parametrize("label", ["GD", "Momentum", "RMSprop", "Adam"])
def test_narrated_mode_explains_the_update_and_draws_its_parts(window, qtbot, label):
    window.model.set_view(inspected=label, narrate=True)
    window.model.set_step(7)
    n = window.inspector.narration
    run = window.model.inspected_run
    assert n.t == 7 and n.kind == run.config.kind
    text = window.inspector.text.text()
    assert f"update t = 7 of {window.model.steps}" in text
    assert "W -= lr" in text and "·" in text
    # every part is an arrow; moves of W at the map's own scale, chained from W
    assert window.map.arrow_names == [p.name for p in n.parts]
    step_line = window.map.arrow_lines[[p.step for p in n.parts].index(True)]
    xs, ys = step_line.getData()
    np.testing.assert_allclose([xs[1] - xs[0], ys[1] - ys[0]], run.traj.path[7] - run.traj.path[6], rtol=1e-9)
    assert window.map.scale_ellipse.isVisible() == (n.scale is not None)
    # Right walks the steps and the narration follows
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)
    window.model.wait()
    assert window.inspector.narration.t == 8
    window.model.set_view(narrate=False)
    assert "update t</td><td>8" in window.inspector.text.text()


def test_narration_key_and_momentum_chain(window, qtbot):
    qtbot.keyClick(window, QtCore.Qt.Key.Key_N)
    assert window.model.view.narrate
    window.model.set_view(inspected="Momentum")
    window.model.set_step(20)
    n = window.inspector.narration
    lines = dict(zip(window.map.arrow_names, window.map.arrow_lines))
    k = window.map.arrow_scale
    # beta·v from W, (1-beta)·dW from its tip, v from W to the same point: tail to head
    bx, by = lines["beta·v"].getData()
    cx, cy = lines["(1-beta)·dW"].getData()
    vx, vy = lines["v"].getData()
    np.testing.assert_allclose([bx[1], by[1]], [cx[0], cy[0]])
    np.testing.assert_allclose([cx[1], cy[1]], [vx[1], vy[1]], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose([vx[1] - vx[0], vy[1] - vy[0]], n.part("v").vec * k, rtol=1e-9)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_N)
    assert not window.model.view.narrate


# ---------------------------------------------------------------- local optima, visibly
def test_map_marks_minima_saddles_and_maxima(window, qtbot):
    window.open_example("local-optima-himmelblau")
    window.model.wait()
    crit = window.map.critical
    assert len(crit["min"].getData()[0]) == 4
    assert len(crit["saddle"].getData()[0]) == 4
    assert len(crit["max"].getData()[0]) == 1
    names = [label.text for _, label in window.map.legend.items]
    assert "global minimum" in names and "saddle point" in names
    # four optimizers from four starts end in four different minima
    ends = {tuple(np.round(r.traj.path[-1], 2)) for r in window.model.runs}
    assert len(ends) == 4
    starts = window.map.start.getData()
    assert len(starts[0]) == 4
    window.model.set_surface("rastrigin")
    window.model.wait()
    n10 = len(window.map.critical["local_min"].getData()[0])
    window.model.set_surface_param("amplitude", 1.0)  # the ripples flatten: minima merge away
    window.model.wait()
    n1 = len(window.map.critical["local_min"].getData()[0])
    assert n1 < n10
    window.model.set_view(critical=False)
    assert len(window.map.critical["local_min"].getData()[0]) == 0
    assert "global minimum" not in [label.text for _, label in window.map.legend.items]


def test_the_click_that_leaves_a_field_does_not_move_the_start(window, qtbot):
    field = window.controls.optimizers.panels[0].editors["lr"].field
    window.activateWindow()
    qtbot.waitActive(window)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClicks(field, "5")
    start = window.model.scene.start
    view = window.map
    px, py = pixel_of(view, view.vb, 1.0, -1.0)
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(px, py))
    assert window.model.scene.start == start
    assert not isinstance(QtWidgets.QApplication.focusWidget(), QtWidgets.QLineEdit)
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(px, py))
    assert window.model.scene.start != start  # the next click does


# ---------------------------------------------------------------- what a review found
def test_hide_the_future_covers_the_future_not_the_past(window, qtbot):
    from tests.app.pixels import to_array

    window.model.set_view(hide_future=True)
    window.model.set_step(60)
    qtbot.wait(30)
    pixels = to_array(window.curves.grab().toImage())
    vb = window.curves.cost.vb

    def coloured(step):  # path-coloured pixels in the plot's column at this step
        x = int(vb.mapViewToScene(QtCore.QPointF(step, 0)).x() * window.curves.devicePixelRatioF())
        column = pixels[:, x - 1: x + 2].reshape(-1, 3).astype(int)
        grey = np.abs(column - column.mean(axis=1, keepdims=True)).sum(axis=1) < 30
        return int((~grey).sum())

    assert coloured(20) > 0 and coloured(40) > 0  # the past
    assert coloured(100) == 0 and coloured(140) == 0  # the future


def test_arrows_never_outgrow_the_view(window, qtbot):
    for name in ("rosenbrock-valley", "local-optima-camel", "momentum-ravine"):
        window.open_example(name)
        window.model.wait()
        for narrate in (False, True):
            window.model.set_view(narrate=narrate)
            for step in (1, 5, window.model.steps):
                window.model.set_step(step)
                (x0, x1), (y0, y1) = window.map.vb.viewRange()
                for line in window.map.arrow_lines:
                    xs, ys = line.getData()
                    if len(xs):
                        assert np.hypot(xs[1] - xs[0], ys[1] - ys[0]) <= 0.21 * min(x1 - x0, y1 - y0) + 1e-9 \
                            or line is window.map.arrow_lines[-1], (name, step)


def test_inspector_does_not_drive_the_map(window):
    import inspect

    from ravine.app.views import InspectorView

    assert "map" not in inspect.signature(InspectorView).parameters
    assert "map_view" not in inspect.getsource(InspectorView)
    window.playground.show_views(["map", "cost", "lr"])  # no inspector: no arrows
    assert not window.model.view.arrows and window.map.arrow_names == []


def test_restore_is_exact_with_hide_the_future(big_window, qtbot):
    """Items made or re-sized by their views while presenting go back to the desk's sizes."""
    from tests.app.test_presentation import snapshot

    w = big_window
    w.model.set_view(hide_future=True)
    for tab in (w.playground, w.network, w.ewa):
        w.tabs.setCurrentWidget(tab)
        qtbot.wait(10)
    w.tabs.setCurrentWidget(w.playground)
    before = snapshot(w)
    w.set_presentation(True)
    w.model.set_param(0, "lr", 0.02)  # new route pieces while presenting
    w.network.model.set_stop_at(3)
    w.network.model.play()
    assert w.network.model.wait()  # the landscape drawn (its title re-set) while presenting
    w.set_presentation(False)
    w.model.set_view(hide_future=True)
    after = snapshot(w)
    assert max(x[1] for x in after if x[0] == "pen") == max(x[1] for x in before if x[0] == "pen")
    route = [items.past.opts["pen"].widthF() for items in w.map.items]
    assert route and max(route) == 1.5
    assert w.network.landscape.getPlotItem().titleLabel.opts["size"] == "10pt"
    assert not any(x in (("label", "19.0pt"), ("label", "16.5pt"), ("textitem", 16.5)) for x in after)


def test_log_axes_always_have_numbers(window, qtbot):
    from ravine.app.style import LogAxis

    axis = LogAxis("left")
    axis.setLogMode(False, True)
    for lo, hi in ((-0.19, -0.155), (1.28, 1.33), (-3, 2), (0.0, 0.9)):
        axis.setRange(lo, hi)
        ticks = axis.tickValues(lo, hi, 400)
        values = [v for _, vs in ticks for v in vs]
        labels = [t for t in axis.tickStrings(values, 1, 1) if t]
        assert len(labels) >= 2, (lo, hi, labels)


def test_adams_narration_fits_without_scrolling(big_window, qtbot):
    w = big_window
    w.set_presentation(True)
    w.model.set_view(inspected="Adam", narrate=True)
    w.model.set_step(10)
    qtbot.wait(30)
    assert not w.inspector.scroll.verticalScrollBar().isVisible()
    w.set_presentation(False)


def test_edge_labels_do_not_overlap_and_the_legend_avoids_them(window, qtbot):
    window.open_example("local-optima-rastrigin")
    window.model.wait()
    window.model.set_step(window.model.steps)
    window.map.vb.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    qtbot.wait(30)
    labels = [items.edge_text for items in window.map.items if items.edge_text.isVisible()]
    assert len(labels) >= 2
    rects = [lab.sceneBoundingRect() for lab in labels]
    for i in range(len(rects)):
        for j in range(i + 1, len(rects)):
            assert not rects[i].intersects(rects[j]) or rects[i].intersected(rects[j]).height() < 3
    legend = window.map.legend.sceneBoundingRect()
    assert not any(legend.intersects(r) for r in rects)


def test_esc_leaves_a_text_field(window, qtbot):
    field = window.controls.optimizers.panels[0].editors["lr"].field
    window.activateWindow()
    qtbot.waitActive(window)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, QtCore.Qt.Key.Key_Escape)
    assert not field.hasFocus()
    window.model.set_step(10)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)
    assert window.model.step == 11


def test_changing_the_steps_while_playing_does_not_jump(window):
    tl = window.timeline
    clock = play_by_hand(window)
    clock.now += 1.0
    tl._tick()
    at = window.model.step
    window.model.set_steps(1500)  # ten times the rate from now on
    clock.now += 0.015
    tl._tick()
    assert window.model.step - at <= int(0.015 * tl.rate) + 1
    tl.pause()


def test_a_registered_view_appears_in_the_window(qtbot, monkeypatch):
    from ravine.app import registry

    def make(ctx, names):
        ctx.extra = QtWidgets.QLabel("a new view")
        return ctx.extra

    monkeypatch.setitem(registry.VIEWS, "extra", registry.ViewSpec("extra", "a test view", "optimizers", "surface", make))
    win = MainWindow(load_example("momentum-ravine"))
    qtbot.addWidget(win)
    assert win.playground.extra.text() == "a new view"
    assert win.playground.isAncestorOf(win.playground.extra)


def test_the_window_keeps_the_recorded_steps_limit(window, qtbot):
    from ravine.core.scene import MAX_RECORDED_STEPS

    editor = window.controls.scene_panel.steps
    editor.field.setText("1000000")
    editor.field.editingFinished.emit()
    assert window.model.scene.steps == 1_000_000
    for _ in range(7):  # (computed in the background: the test does not wait for it)
        window.controls.optimizers._add("adam")
    assert len(window.model.scene.optimizers) * window.model.scene.steps <= MAX_RECORDED_STEPS
    assert "recorded" in window.controls.optimizers.error.text()
