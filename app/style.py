"""Sizes for a desk and for a projector, in one place, and small Qt helpers the views share.

Presentation mode must hold on every tab, including views added later, so it is not a list
of items to enlarge: `Presenter` walks every pyqtgraph scene under a widget and sets each
text item's font, each line's pen and each marker's size from what it was drawn with. What
an item had before is recorded on the item the first time the walk meets it, so leaving
the mode restores every size exactly, and items made while presenting (a rebuilt legend, a
new curve) are enlarged by the next walk: views call `restyle(self)` after they rebuild.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtGui, QtWidgets

PRESENT_PT = 16.5  # 22 px at 96 DPI: no text on a projector is smaller than 20 px
PRESENT_ICON_PX = 32  # the transport buttons' icons on a projector (16 px at the desk)
TITLE_PT = 19.0
LINE_SCALE = 2.0  # paths 2-3.2 px -> 4-6.4 px, cursors 1.5 -> 3 px
MARK_SCALE = 1.5
BASE = "_ravine_base"  # the attribute that records an item's own sizes


def _guard_anchors() -> None:
    """pyqtgraph's anchored items (a legend over a plot) follow their view box's geometry.
    When a window is destroyed, such a legend can outlive its view box for a moment, and a
    font change then (presentation mode) made it raise RuntimeError in the event loop. An
    update with nothing left to follow is dropped. (Set before any anchor is made: anchor()
    connects the method as it is then.)"""
    from pyqtgraph.graphicsItems.GraphicsWidgetAnchor import GraphicsWidgetAnchor

    follow = GraphicsWidgetAnchor._GraphicsWidgetAnchor__geometryChanged
    if getattr(follow, "guarded", False):
        return

    def guarded(self):
        try:
            follow(self)
        except RuntimeError:  # "wrapped C/C++ object ... has been deleted"
            pass

    guarded.guarded = True
    GraphicsWidgetAnchor._GraphicsWidgetAnchor__geometryChanged = guarded


_guard_anchors()

PALETTE = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
"""Okabe & Ito's colour-blind-safe palette (blue, vermillion, bluish green, orange, ...)."""
KIND_COLORS = {"gd": PALETTE[0], "momentum": PALETTE[1], "rmsprop": PALETTE[2], "adam": PALETTE[3],
               "nesterov": PALETTE[4], "adagrad": PALETTE[5]}
"""The colour an optimizer of the course's kinds is drawn in, on every tab and in renders."""


def series_colors(configs) -> list[str]:
    """The one colour rule of the app, its tabs and its renders: the colour of each of
    `configs` (a scene's optimizers or a network's configurations, enabled or not: colours
    do not move when one is switched off). A configuration's own `color` first; then the
    first configuration of each kind gets its kind's colour (Adam is orange on the
    Optimizers tab, on the Network tab and in a render); the others, in order, the
    palette's colours nobody has."""
    configs = list(configs)
    out = [c.color or None for c in configs]
    taken = {c for c in out if c}
    for i, c in enumerate(configs):
        home = KIND_COLORS.get(c.kind)
        if out[i] is None and home is not None and home not in taken:
            out[i] = home
            taken.add(home)
    free = [p for p in PALETTE if p not in taken]
    for i in range(len(out)):
        if out[i] is None:
            out[i] = free.pop(0) if free else PALETTE[i % len(PALETTE)]
    return out


MUTED = "#555555"
"""Hints and notes under the controls."""
ERROR = "#C0392B"
"""Error lines under a field."""


def clear_layout(layout: QtWidgets.QLayout) -> None:
    """Empty a layout whose editors are rebuilt: its widgets hidden and deleted, nested
    layouts emptied."""
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()
            item.widget().deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


def error_line() -> QtWidgets.QLabel:
    """The one-line (wrapping) red message under a field, hidden until there is something to
    say; coloured through its palette, so it grows with the font on a projector."""
    label = QtWidgets.QLabel()
    text_color(label, ERROR)
    label.setWordWrap(True)
    label.hide()
    return label


def text_color(widget: QtWidgets.QWidget, color: str) -> QtWidgets.QWidget:
    """Colour a widget's text through its palette. (A style sheet would do it too, but a
    widget with a style sheet keeps its font when the application's changes, so its text
    stayed at the desk's size on a projector.)"""
    palette = widget.palette()
    palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor(color))
    widget.setPalette(palette)
    return widget


@contextlib.contextmanager
def signals_blocked(*objects):
    """Change widgets without their signals firing (no hand-paired blockSignals calls)."""
    old = [o.blockSignals(True) for o in objects]
    try:
        yield
    finally:
        for o, was in zip(objects, old):
            o.blockSignals(was)


def pt_font(base: QtGui.QFont | None, pt: float) -> QtGui.QFont:
    font = QtGui.QFont(base) if base is not None else QtGui.QFont()
    font.setPointSizeF(pt)
    return font


def _own_font(font: QtGui.QFont) -> QtGui.QFont | None:
    """The font an item set for itself, or None where it follows the application's (an
    item made while presenting must go back to the desk's font, not keep the big one)."""
    return None if font == QtWidgets.QApplication.font() else QtGui.QFont(font)


def _scaled_pen(pen, factor: float):
    pen = QtGui.QPen(pg.mkPen(pen))
    pen.setWidthF(max(pen.widthF(), 1.0) * factor)
    return pen


class Presenter:
    """Presentation sizes on or off for every pyqtgraph item under the registered roots."""

    def __init__(self):
        self.on = False
        self.roots: list[QtWidgets.QWidget] = []

    def add_root(self, widget: QtWidgets.QWidget) -> None:
        self.roots.append(widget)
        widget.destroyed.connect(lambda _=None, w=widget: self.roots.remove(w) if w in self.roots else None)

    def set(self, on: bool) -> None:
        self.on = bool(on)
        for root in list(self.roots):
            try:
                self.apply(root, force=True)
            except RuntimeError:  # its C++ side is gone
                self.roots.remove(root)

    def apply(self, widget, force: bool = False) -> None:
        """Set the sizes of every item in the pyqtgraph views in and under `widget`."""
        if not self.on and not force:
            return
        views = [widget] if isinstance(widget, pg.GraphicsView) else []
        views += widget.findChildren(pg.GraphicsView)
        for view in views:
            for item in view.scene().items():
                self._item(item)

    # one rule per kind of item ------------------------------------------------------------
    def _item(self, item) -> None:
        if getattr(item, "ravine_sized", False):
            return  # an item that sizes itself for the mode (e.g. the map's arrows)
        on = self.on
        if isinstance(item, pg.AxisItem):
            base = _record(item, lambda: {"tick": item.style.get("tickFont"), "label": _own_font(item.label.font()),
                                          "width": item.fixedWidth, "height": item.fixedHeight,
                                          "style": dict(item.labelStyle)})
            item.setStyle(tickFont=pt_font(base["tick"], PRESENT_PT) if on else base["tick"])
            if base["tick"] is None and not on:
                item.style["tickFont"] = None
            item.label.setFont(pt_font(base["label"], PRESENT_PT) if on else base["label"] or QtGui.QFont())
            item.labelStyle = {**base["style"], "font-size": f"{PRESENT_PT}pt"} if on else dict(base["style"])
            item._updateLabel()
            if base["width"] is not None:
                item.setWidth(base["width"] * (1.9 if on else 1.0))
            if base["height"] is not None:
                item.setHeight(base["height"] * (1.9 if on else 1.0))
        elif isinstance(item, pg.LabelItem):
            base = _record(item, lambda: {"size": item.opts.get("size")})
            title = _is_title(item)
            item.setAttr("size", f"{TITLE_PT if title else PRESENT_PT}pt" if on else base["size"])
            if base["size"] is None and not on:
                item.opts.pop("size", None)
            item.setText(item.text)
        elif isinstance(item, pg.TextItem):
            base = _record(item, lambda: {"font": _own_font(item.textItem.font())})
            item.setFont(pt_font(base["font"], PRESENT_PT) if on else base["font"] or QtGui.QFont())
        elif isinstance(item, pg.PlotDataItem):
            base = _record(item, lambda: {"pen": QtGui.QPen(pg.mkPen(item.opts["pen"])) if item.opts["pen"] is not None else None,
                                          "size": item.opts.get("symbolSize")})
            if base["pen"] is not None:
                item.setPen(_scaled_pen(base["pen"], LINE_SCALE) if on else base["pen"])
            if item.opts.get("symbol") is not None and base["size"]:
                item.setSymbolSize(base["size"] * (MARK_SCALE if on else 1.0))
        elif isinstance(item, pg.PlotCurveItem):
            if isinstance(item.parentItem(), pg.PlotDataItem):
                return  # its PlotDataItem sets its pen
            base = _record(item, lambda: {"pen": QtGui.QPen(pg.mkPen(item.opts["pen"]))})
            item.setPen(_scaled_pen(base["pen"], LINE_SCALE) if on else base["pen"])
        elif isinstance(item, pg.InfiniteLine):
            base = _record(item, lambda: {"pen": QtGui.QPen(item.pen)})
            item.setPen(_scaled_pen(base["pen"], LINE_SCALE) if on else base["pen"])
        elif isinstance(item, pg.ScatterPlotItem):
            if isinstance(item.parentItem(), pg.PlotDataItem):
                return
            base = _record(item, lambda: {"size": item.opts["size"], "pen": QtGui.QPen(pg.mkPen(item.opts["pen"]))})
            item.setSize(base["size"] * (MARK_SCALE if on else 1.0))
            item.setPen(_scaled_pen(base["pen"], LINE_SCALE) if on else base["pen"])
        elif isinstance(item, pg.ArrowItem):
            base = _record(item, lambda: {"headLen": item.opts["headLen"]})
            item.setStyle(headLen=base["headLen"] * (MARK_SCALE if on else 1.0))
        else:
            return
        getattr(item, BASE)["applied"] = _signature(item)


def _font_sig(font):
    return None if font is None else (font.family(), round(font.pointSizeF(), 3), font.bold())


def _pen_sig(pen):
    pen = pg.mkPen(pen) if pen is not None else None
    return None if pen is None else (pen.color().rgba(), round(pen.widthF(), 3), int(pen.style().value))


def _signature(item):
    """What the walk sets on an item, to tell its own later changes from the walk's."""
    if isinstance(item, pg.AxisItem):
        return (_font_sig(item.style.get("tickFont")), _font_sig(item.label.font()), item.fixedWidth,
                item.fixedHeight, tuple(sorted(item.labelStyle.items())))
    if isinstance(item, pg.LabelItem):
        return item.opts.get("size")
    if isinstance(item, pg.TextItem):
        return _font_sig(item.textItem.font())
    if isinstance(item, pg.PlotDataItem):
        return (_pen_sig(item.opts["pen"]), item.opts.get("symbolSize"))
    if isinstance(item, pg.PlotCurveItem):
        return _pen_sig(item.opts["pen"])
    if isinstance(item, pg.InfiniteLine):
        return _pen_sig(item.pen)
    if isinstance(item, pg.ScatterPlotItem):
        return (item.opts["size"], _pen_sig(item.opts["pen"]))
    if isinstance(item, pg.ArrowItem):
        return item.opts["headLen"]
    return None


def _record(item, what):
    """The item's own sizes: recorded the first time the walk meets it, and again whenever
    the item changed them itself since the walk last set them (a view that sets a title's
    size on every redraw, a route piece made with the pen of the moment)."""
    state = getattr(item, BASE, None)
    if state is None or state.get("applied") != _signature(item):
        state = what()
        setattr(item, BASE, state)
    return state


def _is_title(label) -> bool:
    parent = label.parentItem()
    return isinstance(parent, pg.PlotItem) and parent.titleLabel is label


PRESENTER = Presenter()


def restyle(widget) -> None:
    """After a view made new items: give them the sizes of the current mode."""
    PRESENTER.apply(widget)


class LogAxis(pg.AxisItem):
    """A log axis that labels whole decades (and 2 and 5 times them only when fewer than
    two decades show): pyqtgraph's own labels every minor tick of a short range, a crowd of
    overlapping numbers on a projector. Whatever is labelled, two labels are never closer
    than LABEL_ROOM times the text's height on screen: on a short axis the less round
    numbers give way (of 0.4 0.5 0.6 0.7 0.8 on a 100 px axis, four are labelled)."""

    LABEL_ROOM = 1.3

    def tickValues(self, minVal, maxVal, size):
        self._length = float(size)  # pixels along the axis, for tickStrings' spacing
        self._placed: list[float] = []  # where labels went, across this drawing's tick levels
        ticks = super().tickValues(minVal, maxVal, size)
        if self.logMode and sum(len(v) for _, v in ticks) < 2 and maxVal > minVal:
            # less than a decade's minor ticks in view: plain ticks of the values themselves
            lo, hi = 10.0 ** minVal, 10.0 ** maxVal
            step = 10.0 ** np.floor(np.log10((hi - lo) / 3))
            step *= next(m for m in (1, 2, 5, 10) if (hi - lo) / (step * m) <= 5)
            values = np.arange(np.ceil(lo / step) * step, hi, step)
            ticks = [(None, [float(np.log10(v)) for v in values if v > 0])]
        return ticks

    def tickStrings(self, values, scale, spacing):
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        lo, hi = sorted(self.range)
        span = hi - lo
        seen = self._inside(values, lo, span)
        keep = []
        for v, inside in zip(values, seen):
            mantissa = round(10.0 ** (v - np.floor(v + 1e-9)))
            decade = abs(v - round(v)) < 1e-6
            keep.append(inside and (decade or (span < 1.6 and mantissa in (2, 5))))
        if sum(keep) < 2:  # a range too short for those: every tick, plainly...
            keep = seen
        keep = self._room(values, keep, lo, span)  # ...as far as there is room for them
        return [f"{10.0 ** v:.3g}" if k else "" for v, k in zip(values, keep)]

    def _text_height(self) -> float:
        font = self.style.get("tickFont") or self.font()
        return QtGui.QFontMetricsF(font).height()

    def _inside(self, values, lo, span) -> list[bool]:
        """Which ticks' labels fit along the axis (pyqtgraph drops a label that would stick
        out of a plot with a grid: a decade at the very end of the axis is not drawn)."""
        length = getattr(self, "_length", 0.0)
        if length <= 0 or span <= 0:
            return [True] * len(values)
        half = 0.5 * self._text_height()
        return [half <= (v - lo) / span * length <= length - half for v in values]

    def _room(self, values, keep, lo, span) -> list[bool]:
        """Of the labels in `keep`, those that fit: the roundest first (decades, then 5, then
        2, then the others), each at least LABEL_ROOM text heights from every label placed."""
        length = getattr(self, "_length", 0.0)
        if length <= 0 or span <= 0:
            return keep
        room = self.LABEL_ROOM * self._text_height()
        placed = getattr(self, "_placed", [])

        def roundness(i):
            v = values[i]
            mantissa = round(10.0 ** (v - np.floor(v + 1e-9)))
            return (0 if abs(v - round(v)) < 1e-6 else {5: 1, 2: 2}.get(mantissa, 3), i)

        out = [False] * len(values)
        for i in sorted((i for i, k in enumerate(keep) if k), key=roundness):
            at = (values[i] - lo) / span * length
            if all(abs(at - p) >= room for p in placed):
                placed.append(at)
                out[i] = True
        return out


def log_axes() -> dict:
    """axisItems for a plot with a log y axis."""
    return {"left": LogAxis("left")}


def no_si_prefix(plot) -> None:
    """Axes say their numbers plainly: no '(x1e+12)' or '(x0.001)' scale factors."""
    for axis in plot.axes.values():
        axis["item"].enableAutoSIPrefix(False)

