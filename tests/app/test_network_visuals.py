"""What the Network tab looks like: log-axis labels that never pile up, a legend that hides
no curve, boundary titles that are never cut off, one colour per configuration on every tab
and in renders (by one rule), and renders drawn by the tab's own widgets."""

import numpy as np
import pyqtgraph as pg
import pytest
from PyQt6 import QtGui

from ravine.app.style import LogAxis, log_axes, series_colors
from ravine.core import load_example, loads_scene
from tests.app.conftest import SMALL, make_window

THREE = SMALL.replace("test_fraction = 0.2", "test_fraction = 0.2") + """
[[network.configs]]
kind = "momentum"
label = "Momentum, slow"
lr = 0.05
"""


def drawn_labels(axis):
    """The tick labels pyqtgraph draws on `axis`: (rect, text)."""
    image = QtGui.QImage(10, 10, QtGui.QImage.Format.Format_RGB32)
    painter = QtGui.QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _, text in specs[2]] if specs else []


def crowded(axis) -> list:
    """Pairs of labels closer than their height (vertical axis): a pile."""
    labels = sorted(drawn_labels(axis), key=lambda lt: lt[0].center().y())
    return [(a[1], b[1]) for a, b in zip(labels, labels[1:])
            if b[0].center().y() - a[0].center().y() < max(a[0].height(), b[0].height())]


@pytest.mark.parametrize("height, lo, hi", [(150, 0.38, 0.85), (110, 0.38, 0.85), (90, 0.2, 0.9), (300, 0.38, 0.85),
                                            (120, 0.01, 0.9), (60, 6e-4, 8e-4)])
def test_log_ticks_never_pile_up(qtbot, height, lo, hi):
    w = pg.GraphicsLayoutWidget()
    qtbot.addWidget(w)
    w.resize(500, height)
    w.show()
    plot = w.addPlot(axisItems=log_axes())
    plot.setLogMode(y=True)
    plot.showGrid(x=True, y=True)
    plot.plot(np.arange(50), np.linspace(lo, hi, 50))
    qtbot.wait(20)
    axis = plot.getAxis("left")
    labels = drawn_labels(axis)
    assert not crowded(axis), [t for _, t in labels]
    assert len(labels) >= (2 if height >= 110 else 1), [t for _, t in labels]  # and numbers to read


def test_log_ticks_keep_their_room_on_a_projector(qtbot):
    from ravine.app.style import PRESENT_PT, pt_font

    w = pg.GraphicsLayoutWidget()
    qtbot.addWidget(w)
    w.resize(500, 160)
    w.show()
    plot = w.addPlot(axisItems=log_axes())
    plot.setLogMode(y=True)
    plot.plot(np.arange(50), np.linspace(0.38, 0.85, 50))
    plot.getAxis("left").setStyle(tickFont=pt_font(None, PRESENT_PT))
    qtbot.wait(20)
    assert not crowded(plot.getAxis("left"))


def test_the_tabs_curves_have_readable_axes_and_a_legend_that_hides_nothing(qtbot):
    win = make_window(qtbot, load_example("course-adam"), size=(1920, 1080))
    tab = win.network
    try:
        tab.model.play()
        assert tab.wait(120)
        for presenting in (False, True):
            win.set_presentation(presenting)
            qtbot.wait(50)
            for name, plot in tab.curves.plots.items():
                assert isinstance(plot.getAxis("left"), LogAxis)
                assert not crowded(plot.getAxis("left")), name
                assert drawn_labels(plot.getAxis("left")), name
            legend = tab.curves.legend.sceneBoundingRect()
            assert legend.width() > 0
            for plot in tab.curves.plots.values():
                assert not legend.intersects(plot.vb.sceneBoundingRect())  # no curve's end under it
        win.set_presentation(False)
    finally:
        tab.model.close()


@pytest.mark.parametrize("present", [False, True])
def test_boundary_titles_are_never_cut_off(qtbot, present):
    win = make_window(qtbot, loads_scene(THREE), size=(1500, 950))
    tab = win.network
    try:
        if present:
            win.set_presentation(True)
            win.toggle_controls()  # the controls shown too: the narrowest panels
        tab.model.play()
        assert tab.wait(60)
        qtbot.wait(50)
        assert win.width() == 1500  # nothing in the tab needs a wider window than asked for
        for plot in tab.boundaries.plots:
            assert "test&nbsp;" in plot.titleLabel.text and "train&nbsp;" in plot.titleLabel.text
        for widget in (tab.boundaries, tab.curves, tab.landscape):  # every title of the tab's views
            view = widget.viewport().rect()
            plots = [i for i in widget.scene().items() if isinstance(i, pg.PlotItem) and i.titleLabel.isVisible()]
            assert plots
            for plot in plots:
                label = plot.titleLabel
                text = label.item.mapRectToScene(label.item.boundingRect())
                doc = label.item.document()
                assert doc.idealWidth() <= label.item.textWidth() + 0.5  # no line longer than the room
                assert text.right() <= plot.vb.sceneBoundingRect().right() + 1  # not cut at the right
                assert text.right() <= view.right() + 1 and text.left() >= view.left() - 1
                assert text.bottom() <= plot.vb.sceneBoundingRect().top() + 1  # not run into the plot
        win.set_presentation(False)
    finally:
        tab.model.close()


def test_one_colour_per_configuration_everywhere(qtbot):
    """Adam is Adam's colour on the Optimizers tab, on the Network tab and in a render."""
    from ravine.app.network_widgets import NetworkFigure

    win = make_window(qtbot, load_example("momentum-ravine"))
    try:
        assert win.model.wait()
        on_map = {r.config.label: r.color for r in win.model.runs}
        win.open_example("course-adam")
        tab = win.network
        assert tab.wait()
        for title, s in zip(tab.boundaries.titles(), ("GD", "Momentum", "Adam")):
            assert f"color:{on_map[s]}" in title, (s, title)
        for items, s in zip(tab.curves.items, ("GD", "Momentum", "Adam")):
            assert items["epoch"].opts["pen"].color().name().upper() == on_map[s].upper()
        assert [p.styleSheet().split("background: ")[1].split(";")[0] for p in
                (panel.swatch for panel in tab.controls.panels)] == [on_map[s] for s in ("GD", "Momentum", "Adam")]
        spec = load_example("course-adam").network
        spec.epochs = 20
        figure = NetworkFigure(spec)
        try:
            assert [i["epoch"].opts["pen"].color().name().upper() for i in figure.curves.items] == \
                [on_map[s].upper() for s in ("GD", "Momentum", "Adam")]
        finally:
            figure.close()
    finally:
        win.network.model.close()


def test_renders_colour_configurations_by_the_tabs_rule(qtbot):
    """A switched-off configuration moves no colour, in the tab or in a render."""
    from ravine.app.network_widgets import NetworkFigure

    text = THREE.replace('label = "GD"\nlr = 0.1', 'label = "GD"\nlr = 0.1\nenabled = false').replace("epochs = 400", "epochs = 30")
    scene = loads_scene(text)
    want = series_colors(scene.network.configs)[1:]
    win = make_window(qtbot, scene)
    try:
        assert win.network.wait()
        assert [f"color:{c}" in t for c, t in zip(want, win.network.boundaries.titles())] == [True, True]
        figure = NetworkFigure(scene.network)
        try:
            assert [i["epoch"].opts["pen"].color().name().upper() for i in figure.curves.items] == \
                [c.upper() for c in want]
            assert [f"color:{c}" in t for c, t in zip(want, figure.boundaries.titles())] == [True, True]
        finally:
            figure.close()
    finally:
        win.network.model.close()


def test_renders_use_the_tabs_widgets(tmp_path):
    from ravine.app import rendering
    from ravine.app.network_widgets import BoundaryPanels, NetworkCurves, NetworkFigure
    from ravine.app.rendering import Canvas, RenderOptions

    assert not hasattr(rendering, "NetworkRender")  # no drawing of its own
    scene = load_example("minibatch-noise")
    scene.network.epochs = 30
    canvas = Canvas(scene, RenderOptions((480, 320), views=["network"]))
    try:
        assert isinstance(canvas.network, NetworkFigure)
        assert isinstance(canvas.network.boundaries, BoundaryPanels)
        assert isinstance(canvas.network.curves, NetworkCurves)
        canvas.show(10)
        assert all("train" in t for t in canvas.network.boundaries.titles())
        x = canvas.network.curves.items[0]["epoch"].xData
        assert x[-1] == 10
        frame = canvas.frame()
        assert frame.shape == (320, 480, 3) and len(np.unique(frame.reshape(-1, 3), axis=0)) > 50
    finally:
        canvas.close()


def test_the_colour_rule():
    class C:
        def __init__(self, kind, color=None):
            self.kind, self.color = kind, color

    # the course's kinds have their colours wherever they are in the list
    a = series_colors([C("gd"), C("momentum"), C("adam")])
    b = series_colors([C("adam"), C("rmsprop"), C("gd"), C("momentum")])
    assert a[2] == b[0] and a[0] == b[2] and a[1] == b[3]
    # a second of a kind takes a colour nobody has; an own colour is kept and not reused
    c = series_colors([C("adam"), C("adam"), C("gd", "#E69F00")])
    assert c[2] == "#E69F00" and len(set(c)) == 3
    assert series_colors([C("gd")] * 3) == ["#0072B2", "#D55E00", "#009E73"]
