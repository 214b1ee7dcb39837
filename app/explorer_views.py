"""Drawings of the explorers' results (ravine.core.explorers): a convergence map, basins of
attraction and an lr sweep. Each is a pyqtgraph widget that draws arrays the core
computed; `map_png`, `basins_png` and `tune_png` draw the same widgets offscreen for the
command line (`ravine map|basins|tune -o OUT.png`).

Colours: steps to the tolerance on a perceptual colormap (fewer steps brighter), cells that
never reach it in light grey, diverged cells in dark grey; basins take the palette's colours
in the minima's order, with "elsewhere" light grey and "diverged" dark grey.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.app.model import PALETTE
from ravine.app.style import LogAxis, restyle

NEVER = (215, 215, 215)
DIVERGED = (70, 70, 70)
BACKGROUND = "w"


def _transformed(axis, values: np.ndarray) -> np.ndarray:
    """Where values sit on the drawn axis: log10 for log, -log10(1 - v) for log1m (so that a
    beta nearer 1 is further along, as a larger value should be)."""
    if axis is None:
        return np.zeros(1)
    if axis.scale == "log":
        return np.log10(values)
    if axis.scale == "log1m":
        return -np.log10(np.maximum(1.0 - values, 1e-300))
    return np.asarray(values, dtype=float)


def _dark_axes(plot) -> None:
    """Black axes and text on the white background (pyqtgraph's default grey is faint)."""
    for name in ("bottom", "left"):
        plot.getAxis(name).setPen("k")
        plot.getAxis(name).setTextPen("k")
    plot.titleLabel.setAttr("color", "k")


def _ticks(axis, count: int = 6) -> list[tuple[float, str]]:
    """Tick positions on the drawn (transformed) axis, labelled with the values themselves."""
    values = axis.values()
    pos = _transformed(axis, values)
    picks = np.unique(np.linspace(0, len(values) - 1, min(count, len(values))).round().astype(int))
    return [(float(pos[i]), f"{values[i]:.3g}") for i in picks]


def _cell_rect(axis, values) -> tuple[float, float]:
    """(start, width) of the image along a drawn axis: cells centred on their values."""
    pos = _transformed(axis, values)
    if len(pos) == 1:
        return pos[0] - 0.5, 1.0
    step = (pos[-1] - pos[0]) / (len(pos) - 1)
    return pos[0] - step / 2, step * len(pos)


class MapView(pg.GraphicsLayoutWidget):
    """A convergence map: steps to the tolerance per cell (or the final loss), with
    diverged and never-converged cells in their own greys, a colour bar, the optimizer's
    own setting marked, and a readout of the cell under the mouse."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.plot = self.addPlot(row=0, col=0)
        _dark_axes(self.plot)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.mark = pg.ScatterPlotItem(size=16, symbol="+", pen=pg.mkPen("k", width=3))
        self.plot.addItem(self.mark)
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#0072B2", width=2.5), symbol="o", symbolSize=5,
                                     symbolBrush="#0072B2", symbolPen=None)
        self.flags = pg.ScatterPlotItem(size=9, symbol="s", pen=None)
        self.own = pg.InfiniteLine(angle=90, pen=pg.mkPen("k", width=2, style=QtCore.Qt.PenStyle.DashLine))
        for item in (self.curve, self.flags, self.own):
            self.plot.addItem(item)
        self.own.hide()
        self.bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False, width=14)
        self.addItem(self.bar, row=0, col=1)
        self.key = pg.LegendItem(colCount=3, labelTextColor="k")  # what the greys and the cross mean, below
        self.addItem(self.key, row=1, col=0)
        self.readout = pg.TextItem(color="k", anchor=(0, 1), fill=pg.mkBrush(255, 255, 255, 210))
        self.plot.addItem(self.readout, ignoreBounds=True)
        self.readout.hide()
        self.result = None
        self.show_loss = False
        self.plot.scene().sigMouseMoved.connect(self._hover)

    def set_result(self, m, show_loss: bool | None = None) -> None:
        """Draw map m, coloured by steps to the tolerance or (show_loss) by the final loss;
        None: by steps, unless no cell reaches the tolerance."""
        reached, diverged = m.steps_to_tol >= 0, m.diverged_at >= 0
        if show_loss is None:
            show_loss = not reached.any()
        self.result, self.show_loss = m, show_loss
        if show_loss:
            value = np.log10(np.maximum(m.final_loss, 1e-300))
            good = ~diverged & np.isfinite(value)
            title = "log10 final loss"
        else:
            value = m.steps_to_tol.astype(float)
            good = reached & ~diverged
            title = f"steps to {'f - min f' if m.criterion == 'loss' else '|grad|'} \u2264 {m.tol:g}"
        if m.y is None:  # lr alone (GD): a curve of the criterion against lr
            self._curve(m, value, good, diverged, title, show_loss)
            return
        for item in (self.image, self.bar):
            item.show()
        self.curve.setData([], [])
        self.flags.setData([], [])
        self.own.hide()
        lo, hi = (float(value[good].min()), float(value[good].max())) if good.any() else (0.0, 1.0)
        hi = hi if hi > lo else lo + 1
        cmap = pg.colormap.get("viridis")
        cmap.reverse()  # fewer steps (or a lower loss) bright
        t = np.clip((value - lo) / (hi - lo), 0, 1)
        rgb = (cmap.map(t.ravel(), mode="byte")[:, :3]).reshape(*value.shape, 3)
        rgb[~good] = NEVER
        rgb[diverged] = DIVERGED
        self.image.setImage(np.ascontiguousarray(rgb.transpose(1, 0, 2)), levels=(0, 255))
        x0, w = _cell_rect(m.x, m.xs)
        if m.y is not None:
            y0, h = _cell_rect(m.y, m.ys)
        else:
            y0, h = -0.5, 1.0
        self.image.setRect(QtCore.QRectF(x0, y0, w, h))
        self.bar.setColorMap(cmap)
        self.bar.setLevels((lo, hi))
        self.bar.axis.setLabel(title)
        self.bar.axis.setPen("k")
        self.bar.axis.setTextPen("k")
        never = "no final loss" if show_loss else "never gets there"
        self.plot.setTitle(f"{m.label}, {m.steps:,} steps from the start")
        self.key.clear()
        self.key.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(*NEVER)), never)
        self.key.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(*DIVERGED)), "diverges")
        self.key.addItem(pg.ScatterPlotItem(symbol="+", size=14, pen=pg.mkPen("k", width=3)), "its own setting")
        self.plot.getAxis("bottom").setTicks([_ticks(m.x)])
        self.plot.setLabel("bottom", m.x.name + (" (log scale)" if m.x.scale == "log" else
                                                 " (log of 1 - value)" if m.x.scale == "log1m" else ""))
        if m.y is not None:
            self.plot.getAxis("left").setTicks([_ticks(m.y)])
            self.plot.setLabel("left", m.y.name + (" (log of 1 - value)" if m.y.scale == "log1m" else
                                                   " (log scale)" if m.y.scale == "log" else ""))
        else:
            self.plot.getAxis("left").setTicks([[]])
            self.plot.setLabel("left", "")
        here = [m.setting.get(m.x.name), m.setting.get(m.y.name) if m.y else 0.0]
        if here[0] is not None and here[1] is not None:
            px = _transformed(m.x, np.array([here[0]]))[0]
            py = _transformed(m.y, np.array([here[1]]))[0] if m.y else 0.0
            self.mark.setData([px], [py])
        else:
            self.mark.setData([], [])
        self.plot.setRange(xRange=(x0, x0 + w), yRange=(y0, y0 + h), padding=0)
        restyle(self)  # new items get the current mode's sizes (presentation mode)

    def _curve(self, m, value, good, diverged, title: str, show_loss: bool) -> None:
        """One hyperparameter: the criterion against it as a curve; cells that never get
        there or diverge as grey marks along the top; the optimizer's own value a line."""
        self.image.hide()
        self.bar.hide()
        xs = _transformed(m.x, m.xs)
        v, ok = value[0], good[0]
        self.curve.setData(xs[ok], v[ok])
        top = float(v[ok].max()) if ok.any() else 1.0
        bad = ~ok
        self.flags.setData(xs[bad], np.full(bad.sum(), top), brush=[pg.mkBrush(*(DIVERGED if d else NEVER))
                                                                   for d in diverged[0][bad]])
        own = m.setting.get(m.x.name)
        if own is not None:
            self.own.setPos(_transformed(m.x, np.array([own]))[0])
            self.own.show()
        self.mark.setData([], [])
        self.plot.setTitle(f"{m.label}, {m.steps:,} steps from the start")
        self.key.clear()
        self.key.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(*NEVER)),
                         "no final loss" if show_loss else "never gets there")
        self.key.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(*DIVERGED)), "diverges")
        self.key.addItem(pg.PlotDataItem(pen=pg.mkPen("k", width=2, style=QtCore.Qt.PenStyle.DashLine)),
                         "its own setting")
        self.plot.getAxis("bottom").setTicks([_ticks(m.x)])
        self.plot.getAxis("left").setTicks(None)
        self.plot.setLabel("bottom", m.x.name + (" (log scale)" if m.x.scale == "log" else ""))
        self.plot.setLabel("left", title)
        self.plot.enableAutoRange()
        restyle(self)

    def cell_at(self, px: float, py: float) -> tuple[int, int] | None:
        """(row, column) of the cell at a point of the plot, or None outside."""
        m = self.result
        if m is None:
            return None
        xs = _transformed(m.x, m.xs)
        j = int(np.abs(xs - px).argmin())
        if m.y is None:  # a curve: the nearest value along x
            x0, w = _cell_rect(m.x, m.xs)
            return (0, j) if x0 <= px <= x0 + w else None
        i = int(np.abs(_transformed(m.y, m.ys) - py).argmin())
        x0, w = _cell_rect(m.x, m.xs)
        y0, h = _cell_rect(m.y, m.ys)
        return (i, j) if x0 <= px <= x0 + w and y0 <= py <= y0 + h else None

    def describe(self, i: int, j: int) -> str:
        m = self.result
        parts = [f"{m.x.name} = {m.xs[j]:.4g}"] + ([f"{m.y.name} = {m.ys[i]:.4g}"] if m.y else [])
        if m.diverged_at[i, j] >= 0:
            parts.append(f"diverged at step {int(m.diverged_at[i, j])}")
        elif m.steps_to_tol[i, j] >= 0:
            parts.append(f"{int(m.steps_to_tol[i, j])} steps to tolerance")
        else:
            parts.append("never reaches the tolerance")
        parts.append(f"final loss {m.final_loss[i, j]:.3g}")
        return ", ".join(parts)

    def _hover(self, pos) -> None:
        point = self.plot.vb.mapSceneToView(pos)
        cell = self.cell_at(point.x(), point.y())
        if cell is None:
            self.readout.hide()
            return
        self.readout.setText(self.describe(*cell))
        self.readout.setPos(point.x(), point.y())
        self.readout.show()


class BasinsView(pg.GraphicsLayoutWidget):
    """Basins of attraction: each start coloured by the minimum it ends at, the minima
    marked in their colours, "elsewhere" light grey and "diverged" dark grey."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.plot = self.addPlot()
        _dark_axes(self.plot)
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.marks = pg.ScatterPlotItem(size=18, symbol="star", pen=pg.mkPen("k", width=1.5))
        self.plot.addItem(self.marks)
        self.legend = pg.LegendItem(colCount=3, labelTextColor="k")  # below the map, not over it
        self.addItem(self.legend, row=1, col=0)

    def set_result(self, b) -> None:
        colors = [QtGui.QColor(PALETTE[k % len(PALETTE)]) for k in range(len(b.minima))]
        table = np.array([[c.red(), c.green(), c.blue()] for c in colors] + [list(NEVER)], dtype=np.uint8)
        idx = np.where(b.minimum >= 0, b.minimum, len(b.minima))
        rgb = table[idx]
        rgb[b.diverged_at >= 0] = DIVERGED
        self.image.setImage(np.ascontiguousarray(rgb.transpose(1, 0, 2)), levels=(0, 255))
        dx = (b.xs[-1] - b.xs[0]) / (len(b.xs) - 1)
        dy = (b.ys[-1] - b.ys[0]) / (len(b.ys) - 1)
        self.image.setRect(QtCore.QRectF(b.xs[0] - dx / 2, b.ys[0] - dy / 2, dx * len(b.xs), dy * len(b.ys)))
        self.marks.setData([m[0] for m in b.minima], [m[1] for m in b.minima],
                           brush=[pg.mkBrush(c) for c in colors])
        self.legend.clear()
        for k, (x, y) in enumerate(b.minima):
            share = (b.minimum == k).mean()
            self.legend.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(colors[k])),
                                f"({x:.3g}, {y:.3g}): {share:.0%}")
        for color, name, mask in ((NEVER, "elsewhere", (b.minimum < 0) & (b.diverged_at < 0)),
                                  (DIVERGED, "diverged", b.diverged_at >= 0)):
            self.legend.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(*color)),
                                f"{name}: {mask.mean():.0%}")
        self.plot.setTitle(f"{b.label}: where each start ends")
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        restyle(self)


class TuneView(pg.GraphicsLayoutWidget):
    """Each optimizer's sweep: the criterion against lr (log-log), its chosen lr marked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.plot = self.addPlot(axisItems={"left": LogAxis("left"), "bottom": LogAxis("bottom")})
        _dark_axes(self.plot)  # (LogAxis: decades labelled, labels never piled up)
        self.plot.setLogMode(x=True, y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        # below the plot, in the layout (an anchored legend's anchor outlived its view box
        # when a window was destroyed, and raised in the event loop)
        self.legend = pg.LegendItem(colCount=4, labelTextColor="k")
        self.addItem(self.legend, row=1, col=0)

    def set_result(self, results, colors: list[str] | None = None, by: str = "final") -> None:
        self.plot.clear()
        self.legend.clear()
        for k, r in enumerate(results):
            color = (colors or PALETTE)[k % len(colors or PALETTE)]
            y = np.asarray(r.criterion, dtype=float)
            positive = y[np.isfinite(y) & (y > 0)]
            # a loss of exactly 0 has no place on a log axis: drawn a decade under the lowest other
            y = np.where(y == 0, (positive.min() if len(positive) else 1.0) / 10, y)
            ok = np.isfinite(y) & (y > 0)
            curve = self.plot.plot(r.lrs[ok], y[ok], pen=pg.mkPen(color, width=2.5))
            self.legend.addItem(curve, f"{r.label}: lr {r.best_lr:.3g}")
            if ok[r.chosen]:
                self.plot.plot([r.lrs[r.chosen]], [y[r.chosen]], pen=None, symbol="o", symbolSize=12,
                               symbolBrush=color, symbolPen="k")
        self.plot.setLabel("bottom", "lr (log scale)")
        self.plot.setLabel("left", "final loss" if by == "final" else "steps to tolerance")
        self.plot.setTitle("each optimizer's best lr (the dot): the fair race uses these")
        restyle(self)


def _png(widget: QtWidgets.QWidget, size=(1100, 760)) -> bytes:
    widget.resize(*size)
    widget.show()
    QtWidgets.QApplication.processEvents()
    image = widget.grab()
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    widget.close()
    return bytes(buffer.data())


def _headless():
    from ravine.app.rendering import _app

    return _app()


def map_png(scene, result) -> bytes:
    _headless()
    view = MapView()
    view.set_result(result)
    return _png(view)


def basins_png(scene, result) -> bytes:
    _headless()
    view = BasinsView()
    view.set_result(result)
    return _png(view, (900, 860))


def tune_png(scene, results) -> bytes:
    from ravine.app.model import color_of

    _headless()
    view = TuneView()
    enabled = [i for i, c in enumerate(scene.optimizers) if c.enabled]
    view.set_result(results, [color_of(scene, i) for i in enabled])
    return _png(view)
