"""Presentation mode holds on every tab: a walk over every visible widget and plot item
checks text of at least 20 px, paths of 4 px, cursors of 3 px, and that leaving the mode
gives every size back exactly."""

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtGui, QtWidgets

MIN_PX = 20


def _px(font: QtGui.QFont, dpi: float) -> float:
    return font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * dpi / 72.0


def doc_px(doc: QtGui.QTextDocument, dpi: float) -> float:
    """The smallest text size in a rich-text document, in pixels (inf if it has no text)."""
    smallest = np.inf
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and frag.text().strip():
                font = QtGui.QFont(doc.defaultFont())
                fmt = frag.charFormat()
                if fmt.hasProperty(QtGui.QTextFormat.Property.FontPointSize) or fmt.hasProperty(
                        QtGui.QTextFormat.Property.FontPixelSize) or fmt.hasProperty(
                        QtGui.QTextFormat.Property.FontSizeAdjustment):
                    font = fmt.font().resolve(font)
                    adjust = fmt.intProperty(QtGui.QTextFormat.Property.FontSizeAdjustment)
                    if adjust and not fmt.hasProperty(QtGui.QTextFormat.Property.FontPointSize):
                        font.setPointSizeF(doc.defaultFont().pointSizeF() * (1.2 ** adjust))
                smallest = min(smallest, _px(font, dpi))
            it += 1
        block = block.next()
    return smallest


def label_px(label: QtWidgets.QLabel, dpi: float) -> float:
    doc = QtGui.QTextDocument()
    doc.setDefaultFont(label.font())
    if label.textFormat() == QtCore.Qt.TextFormat.RichText or QtCore.Qt.mightBeRichText(label.text()):
        doc.setHtml(label.text())
    else:
        doc.setPlainText(label.text())
    return doc_px(doc, dpi)


from PyQt6 import QtCore  # noqa: E402  (used above at call time)


def text_sizes(window):
    """(what, px) for every visible text of the window, widgets and plot items."""
    dpi = window.logicalDpiY()
    out = []
    for w in window.findChildren(QtWidgets.QWidget):
        if not w.isVisibleTo(window) or w.window() is not window:
            continue
        if isinstance(w, QtWidgets.QLabel):
            if w.text().strip():
                out.append((f"label {w.text()[:40]!r}", label_px(w, dpi)))
        elif isinstance(w, (QtWidgets.QAbstractButton, QtWidgets.QComboBox, QtWidgets.QLineEdit,
                            QtWidgets.QTabBar, QtWidgets.QMenuBar, QtWidgets.QStatusBar)):
            out.append((f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"[:60], _px(w.font(), dpi)))
    for view in window.findChildren(pg.GraphicsView):
        if not view.isVisibleTo(window):
            continue
        for item in view.scene().items():
            if not item.isVisible():
                continue
            if isinstance(item, pg.AxisItem):
                if item.style["showValues"]:
                    font = item.style.get("tickFont") or view.font()
                    out.append((f"axis {item.orientation} ticks", _px(font, dpi)))
                if item.label.isVisible() and item.label.toPlainText().strip():
                    out.append((f"axis {item.orientation} label", doc_px(item.label.document(), dpi)))
            elif isinstance(item, pg.LabelItem) and item.text.strip():
                out.append((f"text {item.text[:40]!r}", doc_px(item.item.document(), dpi)))
            elif isinstance(item, pg.TextItem) and item.toPlainText().strip():
                out.append((f"text {item.toPlainText()[:40]!r}", doc_px(item.textItem.document(), dpi)))
    return out


def snapshot(window):
    """Every size presentation mode may change, to compare before and after."""
    app = QtWidgets.QApplication.instance()
    sizes = [("app font", app.font().pointSizeF())]
    for view in window.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                font = item.style.get("tickFont")
                sizes.append(("tick", None if font is None else font.pointSizeF()))
                sizes.append(("axis label", item.label.font().pointSizeF(), tuple(sorted(item.labelStyle.items()))))
            elif isinstance(item, pg.LabelItem):
                sizes.append(("label", item.opts.get("size")))
            elif isinstance(item, pg.TextItem):
                sizes.append(("textitem", item.textItem.font().pointSizeF()))
            elif isinstance(item, (pg.PlotCurveItem, pg.InfiniteLine)):
                pen = item.opts["pen"] if isinstance(item, pg.PlotCurveItem) else item.pen
                sizes.append(("pen", pg.mkPen(pen).widthF()))
            elif isinstance(item, pg.ScatterPlotItem):
                sizes.append(("marker", item.opts["size"]))
    return sizes


def test_every_text_on_every_tab_is_at_least_20_px(big_window, qtbot):
    w = big_window
    w.model.set_view(narrate=True, inspected="Adam")
    w.set_presentation(True)
    checked = 0
    for tab in (w.playground, w.network, w.ewa):
        w.tabs.setCurrentWidget(tab)
        if tab is w.network:
            w.network.model.set_stop_at(5)  # accuracy lines, curves and a landscape to read
            w.network.model.play()
            assert w.network.model.wait()
        qtbot.wait(30)
        small = [(what, px) for what, px in text_sizes(w) if px < MIN_PX]
        assert not small, (type(tab).__name__, small[:8])
        checked += len(text_sizes(w))
    assert checked > 40
    from ravine.core.lesson import load_builtin_lesson

    w.open_lesson(load_builtin_lesson("optimization"))  # the slide's strip too
    w.model.wait()
    w.lesson.go(3)
    w.model.wait()
    qtbot.wait(30)
    assert w.strip.isVisible()
    small = [(what, px) for what, px in text_sizes(w) if px < MIN_PX]
    assert not small, small[:8]
    w.set_presentation(False)


def test_lines_are_thick_enough_to_see_from_the_back(big_window, qtbot):
    w = big_window
    w.set_presentation(True)
    w.model.set_step(60)
    for items in w.map.items:  # the paths up to their heads
        assert items.tail[-1].opts["pen"].widthF() >= 4
        assert items.outline.opts["pen"].widthF() >= 6
    for curve in w.curves.cost_curves + w.curves.lr_curves:
        assert curve.opts["pen"].widthF() >= 4
    for line in w.curves.cursors:
        assert line.pen.widthF() >= 3
    w.set_presentation(False)


def test_controls_hide_on_every_tab_and_f6_brings_them_back(big_window, qtbot):
    w = big_window
    w.set_presentation(True)
    assert not w.controls.isVisibleTo(w)
    w.tabs.setCurrentWidget(w.network)
    assert not w.network.scroll.isVisibleTo(w) and not w.network.export_button.isVisibleTo(w)
    w.tabs.setCurrentWidget(w.ewa)
    assert not w.ewa.beta_editor.isVisibleTo(w)
    w.toggle_controls()
    assert w.ewa.beta_editor.isVisibleTo(w)
    w.tabs.setCurrentWidget(w.network)
    assert w.network.scroll.isVisibleTo(w)
    w.set_presentation(False)
    assert w.network.scroll.isVisibleTo(w)


def test_network_controls_are_not_cut_off(big_window, qtbot):
    w = big_window
    w.set_presentation(True)
    w.toggle_controls()
    w.tabs.setCurrentWidget(w.network)
    qtbot.wait(50)
    scroll = w.network.scroll
    for button in w.network.controls.findChildren(QtWidgets.QToolButton):
        if button.text() == "✕" and button.isVisibleTo(w):
            right = button.mapTo(scroll.viewport(), button.rect().topRight()).x()
            assert right <= scroll.viewport().width(), "the x button is cut off"
    w.set_presentation(False)


def test_transport_icons_are_projector_sized(big_window, qtbot):
    """The play, step and seek buttons of both tabs: their icons kept 16 px on a projector
    while every label around them grew; leaving gives each its own size back."""
    from PyQt6 import QtWidgets

    w = big_window
    buttons = [b for b in w.findChildren(QtWidgets.QToolButton) if not b.icon().isNull()]
    assert {w.timeline.play_button, w.network.transport.back_button, w.network.transport.forward_button} <= set(buttons)
    before = [b.iconSize() for b in buttons]
    w.set_presentation(True)
    assert all(min(b.iconSize().width(), b.iconSize().height()) >= 28 for b in buttons)
    w.set_presentation(False)
    assert [b.iconSize() for b in buttons] == before


def test_leaving_restores_every_size_exactly(big_window, qtbot):
    w = big_window
    for tab in (w.playground, w.network, w.ewa):
        w.tabs.setCurrentWidget(tab)
        qtbot.wait(10)
    w.tabs.setCurrentWidget(w.playground)
    before = snapshot(w)
    w.set_presentation(True)
    w.model.add_optimizer("adam")  # the legend and curves are rebuilt while presenting
    w.model.remove_optimizer(len(w.model.scene.optimizers) - 1)
    assert snapshot(w) != before
    w.set_presentation(False)
    assert snapshot(w) == before
    assert not w.model.view.hide_future


def test_present_mode_hides_the_future_and_leaving_restores_it(big_window):
    w = big_window
    w.set_presentation(True)
    assert w.model.view.hide_future
    w.model.set_step(120)
    items = w.map.items[0]
    xs = np.concatenate([items.past.getData()[0], items.ghost.getData()[0]])
    route = w.model.runs[0].traj.path[:, 0]
    assert set(xs) == set(route[:121])  # the route only up to the head: cached pieces and the rest
    assert items.shown_pieces == 120 // items.chunk_size
    mask = w.curves.masks[0]
    assert mask.isVisible() and mask.rect().left() == 120.5  # the curves' future is covered
    w.set_presentation(False)
    assert not mask.isVisible()
    xs, _ = w.map.items[0].ghost.getData()
    assert len(xs) == 2 * w.model.runs[0].traj.steps_done  # every step, as a segment


def test_controls_shown_while_presenting_are_projector_sized_too(qtbot):
    """F6 shows the controls on a projector: their hints, notes and error lines (labels with
    their own colour) grow with the rest; they used to stay at the desk's 12 px."""
    from ravine.app.window import MainWindow
    from ravine.core import loads_scene

    scene = loads_scene('surface = "booth"\nsteps = 30\n[[optimizers]]\nkind = "adamw"\nlr = 0.05\n')
    w = MainWindow(scene)
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    assert w.model.wait()
    w.set_presentation(True)
    w.toggle_controls()
    editor = w.controls.optimizers.panels[0].editors["lr"]
    editor.field.setText("-1")
    editor.field.editingFinished.emit()  # an error line under the field
    qtbot.wait(30)
    labels = [w.controls.scene_panel.hint, w.controls.optimizers.panels[0].note, editor.error]
    assert all(label.isVisibleTo(w) for label in labels)
    dpi = w.logicalDpiY()
    small = [(label.text()[:30], label_px(label, dpi)) for label in labels if label_px(label, dpi) < MIN_PX]
    assert not small
    w.set_presentation(False)
