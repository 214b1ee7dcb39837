"""The Network tab's views, shared with `ravine render`: decision boundaries, the cost and
learning-rate curves, the loss landscape.

Each view draws arrays computed elsewhere (a `Frame` of ravine.app.network_frames, a
LossSlice of the core) and knows nothing of training or of the other views: `setup(...)`
when a new training starts (its configurations, colours and epochs), then `show_frame`
(and for the landscape `show_slice`) as results come. The tab feeds them from its model's
signals; `NetworkFigure` is the render's host, which trains up front and computes each
frame itself. Colours come from the app's one rule (ravine.app.style.series_colors).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.app import network_frames as nf
from ravine.app.style import log_axes, no_si_prefix, restyle, series_colors
from ravine.app.views import cache_axes, cached, fit_title, fit_titles, readout_item, wrap_title

BOUNDARY_CMAP = pg.ColorMap([0.0, 0.5, 1.0], [(86, 180, 233), (245, 245, 245), (230, 159, 0)])
CLASS_BRUSH = [pg.mkBrush(0, 114, 178), pg.mkBrush(213, 94, 0)]
TITLE_PT = "10pt"
OUTLINE = "#111111"


@dataclass
class Series:
    """One enabled configuration as the views show it."""

    label: str
    color: str
    batch_size: int


def series_of(spec, trainer) -> list[Series]:
    """The enabled configurations of `spec`, in the trainer's order, with their colours (the
    app's one rule, over all configurations: switching one off moves no colour)."""
    colors = series_colors(spec.configs)
    enabled = [(c, color) for c, color in zip(spec.configs, colors) if c.enabled]
    return [Series(c.label, color, int(b)) for (c, color), b in zip(enabled, trainer.batch_size)]


def _pen(color, width=2.0, alpha=255):
    c = QtGui.QColor(color)
    c.setAlpha(alpha)
    return pg.mkPen(c, width=width)


def title_head(series: Series) -> str:
    """'■ Adam (batch 64)', the square in the configuration's colour."""
    return (f"<span style='color:{series.color}'>■</span> {html.escape(series.label)} "
            f"(batch&nbsp;{series.batch_size})")


def boundary_title(series: Series, run, epoch: int, has_test: bool) -> str:
    """'■ Adam (batch 64)' over 'train 94.2%, test 93.3%' at `epoch` (or where it diverged)."""
    head = title_head(series)
    if run is None:
        return f"{head}<br>not trained yet"
    if run.diverged_at is not None and epoch >= run.diverged_at:
        return f"{head}<br>diverged at epoch&nbsp;{run.diverged_at}"
    e = min(epoch, run.epochs_done)
    if e < 1:
        return f"{head}<br>not trained yet"
    acc = f"train&nbsp;{run.train_accuracy[e - 1]:.1%}"
    if has_test:
        acc += f", test&nbsp;{run.test_accuracy[e - 1]:.1%}"
    return f"{head}<br>{acc}"


class BoundaryPanels(pg.GraphicsLayoutWidget):
    """Each configuration's decision boundary: the network's yhat over the plane as a
    heatmap (blue class 0, orange class 1, white the boundary), the training points as dots
    and the test points as triangles, and a title with its colour, name, batch size and
    accuracy at the epoch shown."""

    COLUMNS = 4

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plots: list = []
        self.images: list[pg.ImageItem] = []
        self.series: list[Series] = []
        self.has_test = False
        self.rect = QtCore.QRectF()

    def setup(self, trainer, series: list[Series], xs, ys) -> None:
        """One panel per configuration, over the trainer's data; nothing trained yet."""
        self.clear()
        self.plots, self.images, self.series = [], [], list(series)
        self.has_test = len(trainer.y_test) > 0
        self.rect = QtCore.QRectF(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0])
        cols = min(self.COLUMNS, max(1, len(series)))
        train = [CLASS_BRUSH[int(v)] for v in trainer.y]
        test = [CLASS_BRUSH[int(v)] for v in trainer.y_test]
        for k, s in enumerate(series):
            plot = self.addPlot(row=k // cols, col=k % cols)
            plot.setAspectLocked(True)
            plot.hideAxis("left")
            plot.hideAxis("bottom")
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            img = pg.ImageItem()
            img.setColorMap(BOUNDARY_CMAP)
            plot.addItem(img)
            points = cached(pg.ScatterPlotItem(size=5, pen=pg.mkPen(255, 255, 255, 160, width=0.5)))
            points.setData(trainer.X[:, 0], trainer.X[:, 1], brush=train)
            plot.addItem(points)
            if self.has_test:
                held = cached(pg.ScatterPlotItem(size=7, symbol="t", pen=pg.mkPen("#333333", width=0.8)))
                held.setData(trainer.X_test[:, 0], trainer.X_test[:, 1], brush=test)
                plot.addItem(held)
            plot.setRange(self.rect, padding=0.0)
            plot.setTitle(boundary_title(s, None, 0, self.has_test), size=TITLE_PT)
            wrap_title(plot)
            self.plots.append(plot)
            self.images.append(img)
        restyle(self)
        fit_titles(self)

    def show_frame(self, frame: nf.Frame) -> None:
        relaid = False
        for plot, img, s, run, image in zip(self.plots, self.images, self.series, frame.runs, frame.images):
            img.setImage(image.T, levels=(0.0, 1.0), autoLevels=False)
            img.setRect(self.rect)
            text = boundary_title(s, run, frame.epoch, self.has_test)
            if text != plot.titleLabel.text:
                height = plot.titleLabel.maximumHeight()
                plot.titleLabel.setText(text, size=plot.titleLabel.opts.get("size", TITLE_PT))
                fit_title(plot)
                relaid |= plot.titleLabel.maximumHeight() != height
        if relaid:  # a title of more (or fewer) lines: the panels make room now, not a paint later
            self.ci.layout.activate()


    def titles(self) -> list[str]:
        return [p.titleLabel.text for p in self.plots]


CURVE_PLOTS = {
    "batch": "mini-batch cost J{t} (faint) and its EWA",
    "epoch": "cost per epoch",
    "lr": "learning rate per epoch",
}


class NetworkCurves(pg.GraphicsLayoutWidget):
    """The curves of every configuration against the epoch, on log axes: the cost of each
    mini-batch (faint) with its exponentially weighted average, the cost per epoch, and the
    learning rate per epoch (the schedule's, for every epoch of the run). Curves are drawn
    up to the epoch shown, whose cursor can be dragged (`scrubbed(epoch)`); the axes keep
    the whole run's range. The legend has a row of its own, above the plots, where it hides
    nothing."""

    scrubbed = QtCore.pyqtSignal(int)

    def __init__(self, plots=("batch", "epoch", "lr"), parent=None, titles: bool = True):
        super().__init__(parent)
        self.legend = pg.LegendItem(colCount=4, brush=(255, 255, 255, 0), labelTextColor="#222")
        self.addItem(self.legend, row=0, col=0)
        self.plots: dict[str, pg.PlotItem] = {}
        self.cursors = []
        first = None
        for i, name in enumerate(plots):
            plot = self.addPlot(row=i + 1, col=0, axisItems=log_axes())
            plot.setLogMode(y=True)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            no_si_prefix(plot)
            cache_axes(plot)
            if titles:
                plot.setTitle(CURVE_PLOTS[name], size=TITLE_PT)
                wrap_title(plot)
            else:  # (a small render: the name on the axis, the room for the curves)
                plot.setLabel("left", CURVE_PLOTS[name].split(" (")[0])
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            line = pg.InfiniteLine(angle=90, movable=True, pen=_pen("#555555", 1.5))
            line.setZValue(10)
            line.sigDragged.connect(lambda ln: self.scrubbed.emit(int(round(ln.value()))))
            plot.addItem(line, ignoreBounds=True)
            self.cursors.append(line)
            self.plots[name] = plot
        last = self.plots[plots[-1]]
        last.setLabel("bottom", "epoch")
        for plot in self.plots.values():  # one epoch axis, under the last plot (room for the curves)
            if plot is not last:
                plot.getAxis("bottom").setStyle(showValues=False)
        if "lr" in self.plots and len(plots) > 1:  # the plan is worth less room than the costs
            self.ci.layout.setRowStretchFactor(1 + list(plots).index("lr"), 2)
            for name in plots:
                if name != "lr":
                    self.ci.layout.setRowStretchFactor(1 + list(plots).index(name), 3)
        self.items: list[dict] = []
        self.epochs = 1
        self.describe = None
        """describe(epoch) -> lines: what the hover readout says of each configuration at that
        epoch (set by the tab; without it there is no readout)."""
        self.readout = readout_item()
        self.scene().addItem(self.readout)  # (not in a plot: a short one would clip it)
        self.hover_text = ""
        self.scene().sigMouseMoved.connect(self._hover)

    def _hover(self, pos) -> None:
        """The values at the epoch under the mouse, from the top plot's top-right corner down
        (over the plots below when it needs the room)."""
        under = next((p for p in self.plots.values() if p.sceneBoundingRect().contains(pos)), None)
        epoch = int(round(under.vb.mapSceneToView(pos).x())) if under is not None else -1
        if self.describe is None or not 1 <= epoch <= self.epochs:
            self.readout.hide()
            return
        self.readout.setText("\n".join([f"epoch {epoch:,}", *self.describe(epoch)]))
        corner = self.plots[next(iter(self.plots))].vb.sceneBoundingRect()
        self.readout.setPos(corner.right(), corner.top())
        self.readout.show()
        self.hover_text = self.readout.toPlainText()

    def leaveEvent(self, event) -> None:
        """The readout belongs to the mouse: it goes when the mouse leaves the plots."""
        self.readout.hide()
        super().leaveEvent(event)

    def setup(self, series: list[Series], epochs: int) -> None:
        """Curves and legend entries for these configurations, axes over 0..epochs."""
        for items in self.items:
            for name, item in items.items():
                self.plots[name.split(":")[0]].removeItem(item)
        self.legend.clear()
        self.items = []
        for s in series:
            items = {}
            if "batch" in self.plots:
                items["batch:raw"] = pg.PlotDataItem(pen=_pen(s.color, 1.0, 45), antialias=False, skipFiniteCheck=True)
                # faint noise, a hairline on a projector too (a thick zig-zag costs 20x the painting)
                items["batch:raw"].ravine_sized = True
                items["batch"] = pg.PlotDataItem(pen=_pen(s.color, 2.5), skipFiniteCheck=True)
            if "epoch" in self.plots:
                items["epoch"] = pg.PlotDataItem(pen=_pen(s.color, 2.5), skipFiniteCheck=True)
            if "lr" in self.plots:
                items["lr"] = pg.PlotDataItem(pen=_pen(s.color, 2.0), skipFiniteCheck=True)
            for name, item in items.items():
                self.plots[name.split(":")[0]].addItem(item)
            self.items.append(items)
            self.legend.addItem(pg.PlotDataItem(pen=_pen(s.color, 3.0)), html.escape(s.label))
        self.legend.setColumnCount(max(1, min(len(series), 4)))
        self.epochs = max(1, int(epochs))
        self.readout.hide()
        first = next(iter(self.plots.values()))
        first.setXRange(0, self.epochs, padding=0.02)
        for plot in self.plots.values():
            plot._log_range = None
            plot.setYRange(-2, 0, padding=0.05)  # (until there are costs: not the last run's range)
        for line in self.cursors:
            line.setBounds((0, self.epochs))
            line.setValue(0)
        restyle(self)
        fit_titles(self)

    def show_frame(self, frame: nf.Frame) -> None:
        lrs = []
        for items, c in zip(self.items, frame.curves):
            if "batch" in items:
                items["batch:raw"].setData(c.batch_x, c.batch)
                items["batch"].setData(c.smooth_x, c.smooth)
            if "epoch" in items:
                items["epoch"].setData(c.epoch_x, c.epoch)
            if "lr" in items:
                if getattr(items["lr"], "plan", None) is not c.lr:  # (the plan: drawn once per training)
                    items["lr"].setData(c.lr_x, c.lr)
                    items["lr"].plan = c.lr
                lrs.append(c.lr)
        if frame.ranges is not None:
            for name, (lo, hi) in zip(("batch", "epoch"), frame.ranges):
                if name in self.plots:
                    self._log_range(self.plots[name], lo, hi)
        if lrs and "lr" in self.plots:
            self._log_range(self.plots["lr"], min(float(v.min()) for v in lrs), max(float(v.max()) for v in lrs))
        for line in self.cursors:
            line.setValue(frame.epoch)

    @staticmethod
    def _log_range(plot, lo: float, hi: float) -> None:
        """The y range (log): lo..hi with a margin of at least a factor 1.6 each way, in
        steps of a tenth of a decade (the axis keeps still while the numbers creep)."""
        a = np.log10(max(lo, 1e-300))
        b = np.log10(max(hi, 1e-300))
        pad = max(0.1 * (b - a), 0.2)
        a, b = np.floor((a - pad) * 10) / 10, np.ceil((b + pad) * 10) / 10
        if getattr(plot, "_log_range", None) != (a, b):
            plot._log_range = (a, b)
            plot.setYRange(a, b, padding=0.0)


class LandscapeView(pg.PlotWidget):
    """A 2-D slice of the loss landscape (log-scaled cost) with each configuration's path of
    weights projected on it, up to the epoch shown, its head a dot."""

    WAITING = "loss landscape: drawn as soon as some epochs are trained"

    def __init__(self, parent=None):
        super().__init__(parent)
        plot = self.getPlotItem()
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("CET-L17"))
        self.image.setZValue(-10)
        plot.addItem(self.image)
        plot.setLabel("bottom", "direction 1")
        plot.setLabel("left", "direction 2")
        no_si_prefix(plot)
        self.items: list[tuple] = []
        self.slice = None
        self.setTitle(self.WAITING, size=TITLE_PT)
        wrap_title(plot)

    def setTitle(self, title: str, **args) -> None:
        """The title, wrapped at the plot's width (never cut, never widening the plot)."""
        plot = self.getPlotItem()
        if not getattr(plot, "wrapped_title", False):
            plot.setTitle(title, **args)
            return
        plot.titleLabel.setText(title, **args)
        fit_title(plot)

    def setup(self, series: list[Series]) -> None:
        plot = self.getPlotItem()
        for path, head in self.items:
            plot.removeItem(path)
            plot.removeItem(head)
        self.items = []
        for s in series:
            path = pg.PlotDataItem(pen=_pen(s.color, 2.5))
            head = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(s.color), pen=_pen(OUTLINE, 1.2))
            path.setZValue(5)
            head.setZValue(6)
            plot.addItem(path)
            plot.addItem(head)
            self.items.append((path, head))
        self.image.clear()
        self.slice = None
        self.setTitle(self.WAITING, size=TITLE_PT)
        plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0.02)
        restyle(self)

    def show_slice(self, sl) -> None:
        shown = np.log10(sl.cost - sl.cost.min() + 1e-3 * (np.ptp(sl.cost) or 1.0))
        self.image.setImage(shown.T)
        rect = QtCore.QRectF(sl.alphas[0], sl.betas[0], sl.alphas[-1] - sl.alphas[0], sl.betas[-1] - sl.betas[0])
        self.image.setRect(rect)
        self.getPlotItem().setRange(rect, padding=0.02)
        if sl.explained is not None:
            title = f"PCA plane: {sl.explained[0]:.0%} + {sl.explained[1]:.0%} of the paths' variance"
        else:
            title = "filter-normalised random plane (Li et al. 2018)"
        self.slice = sl
        restyle(self)
        self.setTitle(title, size=self.getPlotItem().titleLabel.opts.get("size", TITLE_PT))

    def show_paths(self, paths) -> None:
        for (path, head), p in zip(self.items, paths or [np.empty((0, 2))] * len(self.items)):
            path.setData(p[:, 0], p[:, 1])
            head.setData(p[-1:, 0], p[-1:, 1])


class NetworkFigure(QtWidgets.QWidget):
    """The network views of a render (`ravine render --views network`): each configuration's
    decision boundary above its cost per epoch, for a [network] trained up front; the same
    widgets as the Network tab. show_epoch(e) moves them to epoch e (past epochs at the
    snapshots' granularity, as the tab replays them)."""

    def __init__(self, spec, plots=("epoch",), parent=None):
        super().__init__(parent)
        from ravine.core.training import Trainer

        self.spec = spec
        self.trainer = Trainer(spec).step()
        self.runs = self.trainer.runs()
        self.series = series_of(spec, self.trainer)
        self.xs, self.ys = nf.boundary_axes(self.trainer)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.boundaries = BoundaryPanels()
        self.curves = NetworkCurves(plots, titles=False)
        layout.addWidget(self.boundaries, 1)
        layout.addWidget(self.curves, 1)
        self.boundaries.setup(self.trainer, self.series, self.xs, self.ys)
        self.curves.setup(self.series, spec.epochs)
        self._ewa = nf.EwaCache()
        self.show_epoch(spec.epochs)

    def show_epoch(self, epoch: int) -> None:
        e = nf.shown_epoch(epoch, self.trainer.epoch, self.trainer.snap_every)
        frame = nf.frame(self.trainer, self.runs, e, self.xs, self.ys, 0.98, True, cache=self._ewa)
        self.boundaries.show_frame(frame)
        self.curves.show_frame(frame)
