"""The views: map, cost and learning-rate curves, step inspector, timeline.

Each view subscribes to the model's signals and draws arrays the core computed. The same
view classes serve the window and (later) the headless renderer.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.app.model import SceneModel
from ravine.core.stepinfo import step_info
from ravine.landscapes import get_surface

pg.setConfigOptions(antialias=True, background="w", foreground="#222")

COLORMAP = "CET-L17"  # perceptually uniform, light (low) to dark (high)
TAIL = 40  # steps of the bright trail behind each head
ARROWS = {"-gradient": "#C0392B", "velocity v": "#8E44AD", "step taken": "#111111"}


def _pen(color, width=2.0, alpha=255, style=QtCore.Qt.PenStyle.SolidLine):
    c = QtGui.QColor(color)
    c.setAlpha(alpha)
    return pg.mkPen(c, width=width, style=style)


def status_text(run, step: int) -> str:
    """Legend text: the loss at the current step, or where the run diverged."""
    traj = run.traj
    if traj.diverged_at is not None and step >= traj.diverged_at:
        return f"{run.config.label}: diverged at step {traj.diverged_at}"
    t = min(step, traj.steps_done)
    return f"{run.config.label}: loss {traj.loss[t]:.3g}"


class MapViewBox(pg.ViewBox):
    """Click to move the start point; drag the start marker to slide it; else pan/zoom."""

    def __init__(self, model: SceneModel):
        super().__init__()
        self.model = model
        self._dragging = False
        self.setAspectLocked(True)

    def _near_start(self, scene_pos) -> bool:
        x, y = self.model.scene.start
        p = self.mapViewToScene(QtCore.QPointF(x, y))
        return (p - scene_pos).manhattanLength() < 18

    def mouseClickEvent(self, ev):
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            pos = self.mapSceneToView(ev.scenePos())
            self.model.set_start(pos.x(), pos.y())
            ev.accept()
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() == QtCore.Qt.MouseButton.LeftButton and (
            self._dragging or (ev.isStart() and self._near_start(ev.buttonDownScenePos()))
        ):
            self._dragging = not ev.isFinish()
            pos = self.mapSceneToView(ev.scenePos())
            self.model.set_start(pos.x(), pos.y())
            ev.accept()
            return
        super().mouseDragEvent(ev, axis)


def set_title(plot, text: str, **style) -> None:
    """plot.setTitle, but a long title is clipped rather than widening the plot past its view
    (pyqtgraph makes a label at least as wide as its text)."""
    plot.setTitle(text, **style)
    unclamp(plot.titleLabel)


def unclamp(label) -> None:
    """Let a pyqtgraph LabelItem be narrower than its text (it keeps its height): LabelItem
    makes its text's width its minimum in `updateMin`, which it calls on every resize, so
    this label gets an updateMin that only sets the height."""
    hints = QtCore.Qt.SizeHint

    def update_min():
        height = label.itemRect().height()
        label.setMinimumWidth(0)
        label.setMinimumHeight(height)
        label._sizeHint = {hints.MinimumSize: (0, height), hints.PreferredSize: (0, height),
                           hints.MaximumSize: (-1, -1), hints.MinimumDescent: (0, 0)}
        label.updateGeometry()

    label.updateMin = update_min
    update_min()


def cached(item):
    """Draw `item` once into a pixmap and blit it until it changes (big static items)."""
    item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return item


def cache_axes(plot) -> None:
    for axis in plot.axes.values():
        cached(axis["item"])


class RunItems:
    """What the map draws for one optimizer: its whole path faintly (drawn once per
    simulation and cached), a trail fading behind the head, the head, a cross where it
    diverged, and the legend sample."""

    FADE = (60, 110, 170, 255)

    def __init__(self, color: str):
        self.traj = None
        self.ghost = cached(pg.PlotCurveItem(pen=_pen(color, 2.0, 150)))
        self.tail = [pg.PlotCurveItem(pen=_pen(color, 3.2, a)) for a in self.FADE]
        self.head = pg.ScatterPlotItem(symbol="o", size=12, brush=color, pen=_pen("#FFFFFF", 1.5))
        self.bad = pg.ScatterPlotItem(symbol="x", size=18, brush="#C0392B", pen=_pen("#C0392B", 3))
        self.sample = pg.PlotDataItem(pen=_pen(color, 3.2))
        for z, item in enumerate(self.all()):
            item.setZValue(10 + z)

    def all(self):
        return [self.ghost, *self.tail, self.head, self.bad]


class MapView(pg.GraphicsLayoutWidget):
    """The surface (log-scaled heatmap, contours, colour bar) with every path animated on it."""

    def __init__(self, model: SceneModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.vb = MapViewBox(model)
        self.plot = self.addPlot(row=0, col=0, viewBox=self.vb)
        self.plot.showGrid(x=False, y=False)
        self.image = cached(pg.ImageItem())
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        cmap = pg.colormap.get(COLORMAP)
        self.colorbar = pg.ColorBarItem(colorMap=cmap, interactive=False, width=14,
                                        label="log10(f - min)")
        self.colorbar.getAxis("right").setWidth(42)
        cached(self.colorbar)
        cache_axes(self.plot)
        self.colorbar.setImageItem(self.image)
        self.addItem(self.colorbar, row=0, col=1)
        self.contours = cached(pg.PlotCurveItem(pen=_pen("#202020", 1.0, 90), connect="pairs"))
        self.contours.setZValue(-5)
        self.plot.addItem(self.contours)
        self.start = pg.ScatterPlotItem(symbol="x", size=16, pen=_pen("#000000", 2.5), brush="k")
        self.start.setZValue(20)
        self.plot.addItem(self.start)
        self.legend = pg.LegendItem(offset=(8, 8), labelTextColor="#111", brush=(255, 255, 255, 215),
                                    pen=_pen("#999999", 1))
        self.legend.setParentItem(self.plot.vb)
        self.arrow_lines = [pg.PlotCurveItem(pen=_pen(c, 2.5)) for c in ARROWS.values()]
        for line in self.arrow_lines:
            line.setZValue(30)
            self.plot.addItem(line)
        self.arrow_heads = [pg.ArrowItem(headLen=14, tipAngle=30, pen=None, brush=c) for c in ARROWS.values()]
        for a in self.arrow_heads:
            a.setZValue(31)
            a.hide()
            self.plot.addItem(a)
        self.items: list[RunItems] = []
        self.label_size = None  # legend text size; presentation mode makes it larger
        model.surface_changed.connect(self.draw_surface)
        model.simulation_changed.connect(self.draw_paths)
        model.step_changed.connect(self.draw_step)
        self.draw_surface()
        self.draw_paths()

    def draw_surface(self) -> None:
        img = self.model.image
        self.image.setImage(img.shown.T, autoLevels=False)
        lo, hi = float(img.shown.min()), float(img.shown.max())
        self.colorbar.setLevels((lo, hi))
        self.image.setRect(QtCore.QRectF(img.xs[0], img.ys[0], img.xs[-1] - img.xs[0], img.ys[-1] - img.ys[0]))
        seg = img.segments
        self.contours.setData(seg[:, :, 0].ravel(), seg[:, :, 1].ravel())
        self.fit()
        surf = get_surface(self.model.scene.surface)
        set_title(self.plot, f"{surf.name}:  f = {surf.formula}", color="#222", size="11pt")

    def fit(self) -> None:
        """Show the surface's whole domain (again, e.g. after the widget was resized)."""
        img = self.model.image
        self.plot.setRange(xRange=(img.xs[0], img.xs[-1]), yRange=(img.ys[0], img.ys[-1]), padding=0.02)

    def draw_paths(self) -> None:
        runs = self.model.runs
        layout = [(r.config.label, r.color) for r in runs]
        if layout != getattr(self, "_layout", None):
            self._rebuild(runs)
            self._layout = layout
        for run, items in zip(runs, self.items):
            if items.traj is not run.traj:  # only what changed is redrawn
                items.traj = run.traj
                items.ghost.setData(run.traj.path[:, 0], run.traj.path[:, 1])
        x, y = self.model.scene.start
        self.start.setData([x], [y])
        self.draw_step(self.model.step)

    def _rebuild(self, runs) -> None:
        for items in self.items:
            for item in items.all():
                self.plot.removeItem(item)
        self.legend.clear()
        self.items = []
        for run in runs:
            items = RunItems(run.color)
            for item in items.all():
                self.plot.addItem(item)
            self.legend.addItem(items.sample, status_text(run, self.model.step))
            self.items.append(items)

    def draw_step(self, step: int) -> None:
        for run, items, (_, label) in zip(self.model.runs, self.items, self.legend.items):
            path = run.traj.path
            t = min(step, run.traj.steps_done)
            # the fading trail: TAIL steps behind the head, brighter towards it
            edges = np.linspace(max(0, t - TAIL), t, len(items.tail) + 1).astype(int)
            for seg, a, b in zip(items.tail, edges[:-1], edges[1:]):
                seg.setData(path[a: b + 1, 0], path[a: b + 1, 1])
            items.head.setData([path[t, 0]], [path[t, 1]])
            diverged = run.traj.diverged_at is not None and step >= run.traj.diverged_at
            items.bad.setData([path[t, 0]] if diverged else [], [path[t, 1]] if diverged else [])
            if self.label_size:
                label.setText(status_text(run, step), size=self.label_size)
            else:
                label.setText(status_text(run, step))

    def show_arrows(self, origin, vectors: dict[str, np.ndarray]) -> None:
        """Arrows from `origin` along each vector (directions; equal lengths on screen)."""
        (x0, x1), (y0, y1) = self.vb.viewRange()
        length = 0.12 * min(x1 - x0, y1 - y0)
        for name, line, head in zip(ARROWS, self.arrow_lines, self.arrow_heads):
            vec = vectors.get(name)
            norm = float(np.hypot(*vec)) if vec is not None else 0.0
            if vec is None or not np.isfinite(norm) or norm == 0.0:
                line.setData([], [])
                head.hide()
                continue
            tip = origin + vec / norm * length
            line.setData([origin[0], tip[0]], [origin[1], tip[1]])
            # ArrowItem points along -x at angle 0; rotate to the vector (screen y is down)
            head.setStyle(angle=180 - float(np.degrees(np.arctan2(vec[1], vec[0]))))
            head.setPos(*tip)
            head.show()

    def hide_arrows(self) -> None:
        for line, head in zip(self.arrow_lines, self.arrow_heads):
            line.setData([], [])
            head.hide()


class CurvesView(pg.GraphicsLayoutWidget):
    """Loss (log y, minus the surface's minimum) and learning rate against step, with a
    cursor at the current step that can be dragged, and a readout of the values under the mouse."""

    def __init__(self, model: SceneModel, parent=None, plots=("cost", "lr")):
        super().__init__(parent)
        self.model = model
        self.cost = self.addPlot(row=0, col=0)
        self.lr = self.addPlot(row=1, col=0)
        for name in ("cost", "lr"):
            if name not in plots:  # (renders may ask for one of the two)
                self.ci.removeItem(getattr(self, name))
        if "lr" not in plots:
            self.cost.setLabel("bottom", "step")
        self.lr.setXLink(self.cost)
        for plot in (self.cost, self.lr):
            plot.showGrid(x=True, y=True, alpha=0.25)
        self.lr.setLabel("bottom", "step")
        self.lr.setLabel("left", "learning rate")
        cache_axes(self.cost)
        cache_axes(self.lr)
        self.cursors = []
        for plot in (self.cost, self.lr):
            line = pg.InfiniteLine(angle=90, movable=True, pen=_pen("#555555", 1.5))
            line.sigDragged.connect(lambda ln: self.model.set_step(int(round(ln.value()))))
            plot.addItem(line)
            self.cursors.append(line)
        self.readout = pg.TextItem(color="#111", anchor=(1, 0), fill=(255, 255, 255, 220))
        self.readout.setZValue(50)
        self.cost.addItem(self.readout, ignoreBounds=True)
        self.readout.hide()
        self.cost_curves: list[pg.PlotDataItem] = []
        self.lr_curves: list[pg.PlotDataItem] = []
        self.scene().sigMouseMoved.connect(self._hover)
        model.simulation_changed.connect(self.draw)
        model.step_changed.connect(self.draw_step)
        self.draw()

    def cost_values(self, run) -> np.ndarray:
        """What the cost plot shows for a run: loss - min on a log axis, or the loss itself."""
        if self.log:
            return np.maximum(run.traj.loss - self.model.floor_value, 1e-16)
        return run.traj.loss

    def draw(self) -> None:
        surf = get_surface(self.model.scene.surface)
        log = bool(surf.minima)
        floor = self.model.floor_value
        runs = self.model.runs
        layout = ([(r.config.label, r.color) for r in runs], log, floor, self.model.steps)
        if layout != getattr(self, "_layout", None):
            for c in self.cost_curves:
                self.cost.removeItem(c)
            for c in self.lr_curves:
                self.lr.removeItem(c)
            self.log = log
            self.cost.setLogMode(y=log)
            self.cost.setLabel("left", f"loss - min  (min {floor:.4g})" if log else "loss")
            self.cost_curves = [self.cost.plot(pen=_pen(r.color, 2.0)) for r in runs]
            self.lr_curves = [self.lr.plot(pen=_pen(r.color, 2.0)) for r in runs]
            for c in self.cost_curves + self.lr_curves:
                cached(c.curve)
            self._drawn = [None] * len(runs)
            self._layout = layout
            self.cost.setXRange(0, self.model.steps, padding=0.02)
        for i, run in enumerate(runs):
            if self._drawn[i] is not run.traj:  # only what changed is redrawn
                steps = np.arange(run.traj.steps_done + 1)
                self.cost_curves[i].setData(steps, self.cost_values(run))
                self.lr_curves[i].setData(steps[1:], run.traj.lr)
                self._drawn[i] = run.traj
        self.draw_step(self.model.step)

    def draw_step(self, step: int) -> None:
        for line in self.cursors:
            line.blockSignals(True)
            line.setValue(step)
            line.blockSignals(False)

    def _hover(self, pos) -> None:
        if not self.cost.sceneBoundingRect().contains(pos) and not self.lr.sceneBoundingRect().contains(pos):
            self.readout.hide()
            return
        vb = self.cost.vb if self.cost.sceneBoundingRect().contains(pos) else self.lr.vb
        step = int(round(vb.mapSceneToView(pos).x()))
        if not 0 <= step <= self.model.steps:
            self.readout.hide()
            return
        lines = [f"step {step}"]
        for run in self.model.runs:
            t = run.traj
            if step > t.steps_done:
                lines.append(f"{run.config.label}: diverged at step {t.diverged_at}")
                continue
            lr = f", lr {t.lr[step - 1]:.3g}" if step >= 1 else ""
            lines.append(f"{run.config.label}: loss {t.loss[step]:.4g}{lr}")
        self.readout.setText("\n".join(lines))
        (x0, x1), (y0, y1) = self.cost.vb.viewRange()
        self.readout.setPos(x1, y1)
        self.readout.show()
        self.hover_text = self.readout.toPlainText()


class InspectorView(QtWidgets.QWidget):
    """The numbers of the current update for one optimizer, and arrows on the map:
    the negative gradient, the velocity (momentum) and the step actually taken."""

    def __init__(self, model: SceneModel, map_view: MapView, parent=None):
        super().__init__(parent)
        self.model = model
        self.map_view = map_view
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.show_arrows = QtWidgets.QCheckBox("arrows on the map")
        self.show_arrows.setChecked(True)
        self.show_arrows.toggled.connect(lambda _: self.update_view())
        self.which = QtWidgets.QComboBox()
        self.which.currentIndexChanged.connect(lambda _: self.update_view())
        top.addWidget(QtWidgets.QLabel("inspect"))
        top.addWidget(self.which, 1)
        top.addWidget(self.show_arrows)
        layout.addLayout(top)
        self.text = QtWidgets.QLabel()
        self.text.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.text.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop | QtCore.Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text, 1)
        model.simulation_changed.connect(self._runs_changed)
        model.step_changed.connect(lambda _: self.update_view())
        self._runs_changed()

    def _runs_changed(self) -> None:
        current = self.which.currentText()
        self.which.blockSignals(True)
        self.which.clear()
        self.which.addItems([r.config.label for r in self.model.runs])
        if current in [r.config.label for r in self.model.runs]:
            self.which.setCurrentText(current)
        self.which.blockSignals(False)
        self.update_view()

    def update_view(self) -> None:
        runs = self.model.runs
        i = self.which.currentIndex()
        if not runs or i < 0:
            self.text.setText("")
            self.map_view.hide_arrows()
            return
        run = runs[i]
        t = min(max(self.model.step, 1), run.traj.steps_done)
        if run.traj.steps_done == 0:
            self.text.setText(f"<b>{run.config.label}</b> diverged at its first step.")
            self.map_view.hide_arrows()
            return
        info = step_info(run.traj, run.config.params, t)

        def vec(a):
            return f"({a[0]:.4g}, {a[1]:.4g})"

        rows = [
            ("update t", f"{info.t}"),
            ("at W", vec(info.at)),
            ("gradient dW", vec(info.grad)),
            ("learning rate", f"{info.lr:.4g}"),
        ]
        if info.direction_name == "v":
            rows.append(("velocity v", vec(info.v)))
        if np.any(info.s):
            rows.append(("mean square S", vec(info.s)))
            rows.append(("per-axis lr", vec(info.effective_lr) + "  (lr / (sqrt(S)+eps))"))
        rows.append(("step taken", vec(info.step)))
        html = "".join(f"<tr><td style='padding-right:10px'>{k}</td><td>{v}</td></tr>" for k, v in rows)
        note = ("<br><span style='color:#666'>Arrows show directions: "
                "<span style='color:#C0392B'>-gradient</span>, "
                "<span style='color:#8E44AD'>velocity</span>, step taken (black).</span>")
        self.text.setText(f"<b>{run.config.label}</b> ({run.config.kind})<table>{html}</table>{note}")
        if self.show_arrows.isChecked():
            vectors = {"-gradient": -info.grad, "step taken": info.step}
            if info.direction_name == "v":
                vectors["velocity v"] = -info.v
            self.map_view.show_arrows(info.at, vectors)
        else:
            self.map_view.hide_arrows()


class Timeline(QtWidgets.QWidget):
    """Play/pause, step back/forward, speed, reset and a scrubber; drives model.step."""

    SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16, 32]

    def __init__(self, model: SceneModel, parent=None):
        super().__init__(parent)
        self.model = model
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)

        style = self.style()
        icons = {"⏮": "SP_MediaSkipBackward", "◀": "SP_MediaSeekBackward", "▶": "SP_MediaPlay",
                 "▶|": "SP_MediaSeekForward", "⏭": "SP_MediaSkipForward"}

        def button(text, tip, slot):
            b = QtWidgets.QToolButton()
            b.setIcon(style.standardIcon(getattr(QtWidgets.QStyle.StandardPixmap, icons[text])))
            b.setToolTip(tip)
            b.clicked.connect(slot)
            layout.addWidget(b)
            return b

        self.reset_button = button("⏮", "back to the start (Home)", self.reset)
        self.back_button = button("◀", "one step back (Left)", lambda: self.step_by(-1))
        self.play_button = button("▶", "play / pause (Space)", self.toggle)
        self.forward_button = button("▶|", "one step forward (Right)", lambda: self.step_by(1))
        self.end_button = button("⏭", "to the last step (End)", lambda: self.model.set_step(self.model.steps))
        self.speed = QtWidgets.QComboBox()
        for s in self.SPEEDS:
            self.speed.addItem(f"{s:g}x", s)
        self.speed.setCurrentIndex(self.SPEEDS.index(2))
        self.speed.setToolTip("playback speed: 1x is 60 steps a second ([ and ] change it)")
        layout.addWidget(self.speed)
        self.scrubber = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("scrub through the steps")
        self.scrubber.valueChanged.connect(self.model.set_step)
        layout.addWidget(self.scrubber, 1)
        self.label = QtWidgets.QLabel()
        self.label.setMinimumWidth(110)
        layout.addWidget(self.label)
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(16)
        self.timer.timeout.connect(self._tick)
        self._carry = 0.0
        model.step_changed.connect(self._show_step)
        model.simulation_changed.connect(lambda: self._show_step(self.model.step))
        self._show_step(model.step)

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.model.step >= self.model.steps:
            self.model.set_step(0)
        self._carry = 0.0
        self.timer.start()
        self.play_button.setIcon(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPause))

    def pause(self) -> None:
        self.timer.stop()
        self.play_button.setIcon(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPlay))

    def reset(self) -> None:
        self.pause()
        self.model.set_step(0)

    def step_by(self, n: int) -> None:
        self.pause()
        self.model.set_step(self.model.step + n)

    def faster(self, up: bool) -> None:
        i = self.speed.currentIndex() + (1 if up else -1)
        self.speed.setCurrentIndex(min(max(i, 0), len(self.SPEEDS) - 1))

    def _tick(self) -> None:
        self._carry += self.speed.currentData()
        n = int(self._carry)
        self._carry -= n
        if n:
            self.model.set_step(self.model.step + n)
        if self.model.step >= self.model.steps:
            self.pause()

    def _show_step(self, step: int) -> None:
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, self.model.steps)
        self.scrubber.setValue(step)
        self.scrubber.blockSignals(False)
        self.label.setText(f"step {step} / {self.model.steps}")
