"""The views: map, cost and learning-rate curves, step inspector, timeline.

Each view subscribes to the model's signals and draws arrays the core computed. The same
view classes serve the window and (later) the headless renderer.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

import time

from ravine.app.model import SceneModel
from ravine.app.style import LINE_SCALE, MARK_SCALE, PRESENTER, log_axes, no_si_prefix, restyle, signals_blocked
from ravine.core.decimate import route_segments
from ravine.core.narration import narrate
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.stepinfo import arrow_reference, step_info
from ravine.core.scene import is_custom
from ravine.landscapes import get_surface

pg.setConfigOptions(antialias=True, background="w", foreground="#222")

COLORMAP = "CET-L17"  # perceptually uniform, light (low) to dark (high)
MAP_TOP = 0.8  # the map uses CET-L17 up to here: its darkest blue would hide dark outlines
OUTLINE = "#000000"  # every path's outline: >= 3:1 against every colour of the map (WCAG)
TAIL = 40  # steps of the bright trail behind each head
ARROWS = {"-gradient": "#1E88E5", "velocity v": "#00C853", "step taken": "#FFFFFF"}  # on black outlines
EDGE_INSET = 14  # px between an off-map head's marker and the map's edge
BIG_RUN = 20_000  # steps from which the curves are redrawn a frame after the map
DENSE_ROUTE = 3_000  # segments from which a route is drawn fainter (it covers much of the map)
HUGE_ROUTE, RECENT = 50_000, 5_000  # past this many segments, only the latest steps' route is drawn
# how the map marks critical points: (legend name, symbol, fill), by kind
CRITICAL = {
    "min": ("global minimum", "star", "#FFD600"),
    "local_min": ("local minimum", "star", "#FFFFFF"),
    "saddle": ("saddle point", "d", "#00B8D4"),
    "max": ("maximum", "t1", "#FFFFFF"),
}


def map_colormap() -> pg.ColorMap:
    """CET-L17 (white, orange, red, magenta) without its darkest part: see MAP_TOP."""
    full = pg.colormap.get(COLORMAP)
    pos = np.linspace(0.0, 1.0, 64)
    return pg.ColorMap(pos, full.map(pos * MAP_TOP, mode="byte"))


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
        view = self.scene().views()[0] if self.scene() is not None else None
        if getattr(view, "click_only_focuses", False):  # the click that leaves a text field
            view.click_only_focuses = False
            ev.accept()
            return
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
    plot.titleLabel.setAttr("justify", "left")  # a long title loses its end, not both ends
    plot.titleLabel.setText(plot.titleLabel.text)
    unclamp(plot.titleLabel)


def wrap_title(plot, margin: float = 6.0) -> None:
    """The plot's title wraps at the plot's width (its lines break between words, never cut
    off at the edge) and its row is as tall as its lines (pyqtgraph gives a title 30 px, so a
    second line, or a projector's font, ran into the plot), at any font size. `fit_title`
    after the title's text or font changed."""
    label = plot.titleLabel
    label.setAttr("justify", "left")
    unclamp(label)
    plot.wrapped_title = True
    plot.geometryChanged.connect(lambda: fit_title(plot, margin))
    fit_title(plot, margin)


def fit_title(plot, margin: float = 6.0) -> None:
    """The title of a plot made with wrap_title: its text as wide as the plot, its row as
    tall as the text."""
    label = plot.titleLabel
    width = max(30.0, plot.vb.width() - margin)  # (the title spans the view's column, not the axes')
    if abs(label.item.textWidth() - width) > 0.5:
        label.item.setTextWidth(width)
        label.updateMin()
        label.resizeEvent(None)
    height = float(np.ceil(label.item.boundingRect().height()))
    if label.maximumHeight() != height:
        label.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)


def fit_titles(view) -> None:
    """fit_title for every wrapped title in a pyqtgraph view (after presentation mode changed
    their fonts)."""
    for item in view.scene().items():
        if isinstance(item, pg.PlotItem) and getattr(item, "wrapped_title", False):
            fit_title(item)


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

    FADE = (1.4, 2.0, 2.6, 3.2)  # the trail narrows away from the head (widths, px)

    def __init__(self, color: str):
        self.traj = None
        self.ghost = cached(pg.PlotCurveItem(pen=_pen(color, 1.5, 170), connect="pairs"))
        self.past = cached(pg.PlotCurveItem(pen=_pen(color, 1.5, 170), connect="pairs"))  # hiding the future
        self.past.hide()
        # the outline under the trail: a path of any palette colour stands out on any part of the map
        self.outlines = [pg.PlotCurveItem(pen=_pen(OUTLINE, w + 2.0)) for w in self.FADE]
        self.outline = self.outlines[-1]  # the newest part's
        self.tail = [pg.PlotCurveItem(pen=_pen(color, w)) for w in self.FADE]
        self.head = pg.ScatterPlotItem(symbol="o", size=12, brush=color, pen=_pen(OUTLINE, 1.5))
        self.bad = pg.ScatterPlotItem(symbol="x", size=18, brush="#C0392B", pen=_pen("#C0392B", 3))
        # where a head that left the view is: an arrow at the view's edge, with its position
        self.edge = pg.ArrowItem(headLen=16, tipAngle=40, pen=_pen(OUTLINE, 1.2), brush=color)
        self.edge_text = pg.TextItem(color="#111", fill=(255, 255, 255, 200), anchor=(0.5, 0.5))
        self.edge.hide()
        self.edge_text.hide()
        self.sample = pg.PlotDataItem(pen=_pen(color, 3.2))
        for z, item in enumerate(self.all()):
            item.setZValue(10 + z)

    def all(self):
        return [self.ghost, self.past, *self.outlines, *self.tail, self.head, self.bad, self.edge, self.edge_text]

    def thin_out(self, traj, color) -> None:
        """A route that covers much of the map (a wandering run of a million steps) is drawn
        fainter and thinner, so the surface and the other paths stay readable under it."""
        segments = sum(len(p) for p in traj.route[1])
        dense = segments > DENSE_ROUTE
        pen = _pen(color, 1.0 if dense else 1.5, 70 if dense else 170)
        for item in (self.ghost, self.past):
            item.setPen(pen)

    def route_chunks(self, plot, traj, color) -> None:
        """For "hide the future": the route's pieces (computed with the run: bounded by the
        pixels they cross); the pieces behind the head are drawn as one cached item, redrawn
        only when the head enters the next piece, and the part of the piece under the head
        is drawn each frame."""
        self.chunk_size, self.pieces = traj.route
        self.shown_pieces = -1
        self.ghost.setCacheMode(self.ghost.CacheMode.NoCache)
        self.past.show()

    def show_route_to(self, path, t: int, domain) -> None:
        """Hide the future: the route up to step t."""
        k = t // self.chunk_size
        if k != self.shown_pieces:
            seg = np.concatenate(self.pieces[:k]) if k else np.empty((0, 2, 2))
            self.past.setData(seg[:, :, 0].ravel(), seg[:, :, 1].ravel())
            self.shown_pieces = k
        seg = route_segments(path[k * self.chunk_size: t + 1], domain)
        self.ghost.setData(seg[:, :, 0].ravel(), seg[:, :, 1].ravel())


class MapView(pg.GraphicsLayoutWidget):
    """The surface (log-scaled heatmap, contours, colour bar) with every path animated on it."""

    def __init__(self, model: SceneModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.vb = MapViewBox(model)
        self.plot = self.addPlot(row=0, col=0, viewBox=self.vb)
        self.plot.showGrid(x=False, y=False)
        no_si_prefix(self.plot)
        self.image = cached(pg.ImageItem())
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        cmap = map_colormap()
        self.image.setColorMap(cmap)
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
        self.critical = {kind: pg.ScatterPlotItem(symbol=sym, size=14 if kind != "max" else 11, brush=fill,
                                                  pen=_pen(OUTLINE, 1.3)) for kind, (_, sym, fill) in CRITICAL.items()}
        for item in self.critical.values():
            item.setZValue(8)
            self.plot.addItem(item, ignoreBounds=True)
        self.start = pg.ScatterPlotItem(symbol="x", size=16, pen=_pen("#000000", 2.5), brush="k")
        self.start.setZValue(20)
        self.plot.addItem(self.start)
        self.legend = pg.LegendItem(offset=(8, 8), labelTextColor="#111", brush=(255, 255, 255, 215),
                                    pen=_pen("#999999", 1))
        self.legend.setParentItem(self.plot.vb)
        self.legend_corner = (0, 0)
        self.arrows = ArrowPool(self.plot)
        # the per-axis learning rate of RMSprop and Adam, as an ellipse around W
        self.scale_ellipse = pg.PlotCurveItem(pen=_pen(OUTLINE, 2.0, style=QtCore.Qt.PenStyle.DashLine))
        self.scale_ellipse.setZValue(29)
        self.scale_ellipse.hide()
        self.plot.addItem(self.scale_ellipse, ignoreBounds=True)
        # the scale of the gradient-like arrows: a bar of a round length, with its value
        self.scale_line = pg.PlotCurveItem(pen=_pen("#111111", 3.0))
        self.scale_bar = pg.TextItem(color="#111", fill=(255, 255, 255, 215), anchor=(1, 1))
        for item in (self.scale_line, self.scale_bar):
            item.setZValue(40)
            item.hide()
            self.plot.addItem(item, ignoreBounds=True)
        self.items: list[RunItems] = []
        self.click_only_focuses = False
        QtWidgets.QApplication.instance().focusChanged.connect(self._focus_changed)
        model.surface_changed.connect(self.draw_surface)
        model.simulation_changed.connect(self.draw_paths)
        model.step_changed.connect(self.draw_step)
        model.view_changed.connect(self.draw_paths)
        model.step_changed.connect(lambda _: self.draw_arrows())
        model.simulation_changed.connect(self.draw_arrows)
        model.view_changed.connect(self.draw_arrows)
        self.vb.sigRangeChanged.connect(lambda *_: self._view_moved())
        self.draw_surface()
        self.draw_paths()

    def draw_surface(self) -> None:
        img = self.model.image
        if img is None:  # still being computed (a first start on an empty kernel cache)
            return
        self.image.setImage(img.shown.T, autoLevels=False)
        lo, hi = float(img.shown.min()), float(img.shown.max())
        self.colorbar.setLevels((lo, hi))
        self.image.setRect(QtCore.QRectF(img.xs[0], img.ys[0], img.xs[-1] - img.xs[0], img.ys[-1] - img.ys[0]))
        seg = img.segments
        self.contours.setData(seg[:, :, 0].ravel(), seg[:, :, 1].ravel())
        self.fit()
        self._layout = None  # the legend lists this surface's kinds of critical points
        self.draw_critical()
        surf = get_surface(self.model.scene.surface)
        name = "your own" if is_custom(surf.name) else surf.name  # (not the formula's internal hash)
        set_title(self.plot, f"{name}:  f = {surf.formula}", color="#222", size="11pt")
        restyle(self)

    def _focus_changed(self, old, new) -> None:
        """A click on the map while a text field is being edited only ends the editing (and
        gives the keys back): it does not also move the start. Qt moves the focus before
        the press arrives, so the field is seen here."""
        self.click_only_focuses = new is self and isinstance(old, QtWidgets.QLineEdit)

    def mouseReleaseEvent(self, ev) -> None:
        super().mouseReleaseEvent(ev)
        self.click_only_focuses = False

    def draw_critical(self) -> None:
        """Mark the surface's minima, saddles and maxima (found by the core for the
        surface's current parameters)."""
        shown = self.model.view.critical and self.model.image is not None
        for kind, item in self.critical.items():
            pts = [(c.x, c.y) for c in self.model.image.critical if c.kind == kind] if shown else []
            item.setData([p[0] for p in pts], [p[1] for p in pts])

    def fit(self) -> None:
        """Show the surface's whole domain (again, e.g. after the widget was resized)."""
        img = self.model.image
        if img is None:
            return
        self.plot.setRange(xRange=(img.xs[0], img.xs[-1]), yRange=(img.ys[0], img.ys[-1]), padding=0.02)

    def draw_paths(self) -> None:
        runs = self.model.runs
        critical = self.model.image.critical if self.model.image is not None else []
        kinds = {c.kind for c in critical} if self.model.view.critical else set()
        layout = [(r.config.label, r.color) for r in runs], sorted(kinds)
        made = False
        if layout != getattr(self, "_layout", None):
            self._rebuild(runs)
            self._layout = layout
            made = True
        self.draw_critical()
        hide = self.model.view.hide_future
        for run, items in zip(runs, self.items):
            if items.traj is not run.traj or hide != getattr(items, "hid", None):  # only what changed
                items.traj, items.hid = run.traj, hide
                # the whole route, drawn once and cached; hiding the future draws it in pieces
                if hide:
                    items.route_chunks(self.plot, run.traj, run.color)
                else:
                    items.past.hide()
                    items.ghost.setCacheMode(items.ghost.CacheMode.DeviceCoordinateCache)
                    seg = np.concatenate(run.traj.route[1]) if run.traj.route[1] else np.empty((0, 2, 2))
                    if len(seg) > HUGE_ROUTE:  # a run wandering all over: its latest steps only
                        domain = get_surface(self.model.scene.surface).domain
                        seg = route_segments(run.traj.path[-RECENT:], domain)
                    items.ghost.setData(seg[:, :, 0].ravel(), seg[:, :, 1].ravel())
                items.thin_out(run.traj, run.color)
        starts = {getattr(r.config, "start", None) or self.model.scene.start for r in runs} or {self.model.scene.start}
        self.start.setData([p[0] for p in starts], [p[1] for p in starts])
        self.legend.setVisible(bool(runs))
        self.place_legend()
        self.draw_step(self.model.step)
        if made:
            restyle(self)  # items made or re-set just now get the mode's sizes

    def _rebuild(self, runs) -> None:
        for items in self.items:
            for item in items.all():
                self.plot.removeItem(item)
        self.legend.clear()
        self.items = []
        for run in runs:
            items = RunItems(run.color)
            for item in items.all():
                self.plot.addItem(item, ignoreBounds=True)
            self.legend.addItem(items.sample, status_text(run, self.model.step))
            self.items.append(items)
        if self.model.view.critical and self.model.image is not None:
            present = {c.kind for c in self.model.image.critical}
            for kind, item in self.critical.items():
                if kind in present:
                    self.legend.addItem(item, CRITICAL[kind][0])
        restyle(self)

    def draw_step(self, step: int) -> None:
        hide = self.model.view.hide_future
        for run, items, (_, label) in zip(self.model.runs, self.items, self.legend.items):
            path = run.traj.path
            t = min(step, run.traj.steps_done)
            if hide:
                items.show_route_to(path, t, get_surface(self.model.scene.surface).domain)
            # the trail: TAIL steps behind the head, widest at it, each piece on its outline
            edges = np.linspace(max(0, t - TAIL), t, len(items.tail) + 1).astype(int)
            for seg, out, a, b in zip(items.tail, items.outlines, edges[:-1], edges[1:]):
                seg.setData(path[a: b + 1, 0], path[a: b + 1, 1])
                out.setData(path[a: b + 1, 0], path[a: b + 1, 1])
            items.head.setData([path[t, 0]], [path[t, 1]])
            diverged = run.traj.diverged_at is not None and step >= run.traj.diverged_at
            items.bad.setData([path[t, 0]] if diverged else [], [path[t, 1]] if diverged else [])
            label.setText(status_text(run, step))
        self._mark_off_map()

    # ------------------------------------------------------------------ what the view frames
    def _view_moved(self) -> None:
        self._mark_off_map()
        self.place_legend()
        if getattr(self, "_redraw_arrows", None) is not None:  # their scale is the view's
            self._redraw_arrows()

    def _mark_off_map(self) -> None:
        """A head outside the view gets an arrow at the view's edge pointing to it, with its
        position (heads are never lost from sight)."""
        (x0, x1), (y0, y1) = self.vb.viewRange()
        px, py = self.vb.viewPixelSize()
        if not (px > 0 and py > 0):
            return
        ix, iy = EDGE_INSET * px, EDGE_INSET * py
        step = self.model.step
        placed: list[tuple[float, float]] = []  # labels already placed, to stack the next below
        self.edge_points = []
        for run, items in zip(self.model.runs, self.items):
            t = min(step, run.traj.steps_done)
            hx, hy = (float(v) for v in run.traj.path[t])
            if x0 <= hx <= x1 and y0 <= hy <= y1:
                items.edge.hide()
                items.edge_text.hide()
                continue
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            # the point where the line from the centre to the head crosses the inset border
            f = min(((x1 - ix - cx) / (hx - cx)) if hx > cx else ((x0 + ix - cx) / (hx - cx)) if hx < cx else np.inf,
                    ((y1 - iy - cy) / (hy - cy)) if hy > cy else ((y0 + iy - cy) / (hy - cy)) if hy < cy else np.inf)
            ex, ey = cx + f * (hx - cx), cy + f * (hy - cy)
            angle = np.degrees(np.arctan2((hy - cy) / py, (hx - cx) / px))
            items.edge.setStyle(angle=180 - angle)
            items.edge.setPos(ex, ey)
            items.edge.show()
            items.edge_text.setText(f"{run.config.label} ({hx:.3g}, {hy:.3g})")
            # the text sits inside the view, beside the arrow
            tx = ex - np.cos(np.radians(angle)) * 6 * ix
            ty = ey - np.sin(np.radians(angle)) * 2.5 * iy
            line = max(items.edge_text.boundingRect().height(), 12.0) * py
            for _ in range(len(placed)):  # below (above) the labels already there, one line each
                if not any(abs(tx - px_) < 8 * ix and abs(ty - py_) < line for px_, py_ in placed):
                    break
                ty += line if ty < (y0 + y1) / 2 else -line
            placed.append((tx, ty))
            items.edge_text.setPos(tx, ty)
            items.edge_text.show()
            self.edge_points += [(ex, ey), (tx, ty)]

    def place_legend(self) -> None:
        """Put the legend in the corner of the view where it hides least: the starts, the
        heads and the minima weigh most, then every point of the paths."""
        if not self.model.runs:
            return
        (x0, x1), (y0, y1) = self.vb.viewRange()
        px, py = self.vb.viewPixelSize()
        w, h = self.legend.boundingRect().width() * px, self.legend.boundingRect().height() * py
        pts, weights = [], []
        for run in self.model.runs:
            path = run.traj.path
            every = max(1, len(path) // 400)
            pts.append(path[::every])
            weights.append(np.ones(len(path[::every])))
            pts.append(path[[0, -1]])
            weights.append(np.full(2, 200.0))
        minima = [(c.x, c.y) for c in (self.model.image.critical if self.model.image is not None else [])
                  if c.kind == "min"] + list(getattr(self, "edge_points", []))
        if minima:
            pts.append(np.asarray(minima, dtype=float))
            weights.append(np.full(len(minima), 50.0))
        pts, weights = np.concatenate(pts), np.concatenate(weights)
        mx, my = 10 * px, 10 * py  # the legend's offset and a margin
        best = None
        for cx, cy in ((0, 0), (1, 0), (0, 1), (1, 1)):  # left/right, top/bottom
            left = x0 + mx if cx == 0 else x1 - mx - w
            top = y1 - my if cy == 0 else y0 + my + h
            inside = (pts[:, 0] >= left) & (pts[:, 0] <= left + w) & (pts[:, 1] <= top) & (pts[:, 1] >= top - h)
            cost = float(weights[inside].sum())
            if best is None or cost < best[0] - 1e-9:
                best = (cost, (cx, cy))
        corner = best[1]
        if corner != self.legend_corner or not getattr(self, "_anchored", False):
            self.legend_corner = corner
            self._anchored = True
            sx, sy = corner
            self.legend.anchor(itemPos=(sx, sy), parentPos=(sx, sy), offset=(8 - 16 * sx, 8 - 16 * sy))

    def draw_arrows(self) -> None:
        """The inspected optimizer's current update on the map (model.view says which and
        whether): its gradient, velocity and step, or, narrated, the parts its optimizer
        declares. The map reads the model itself; no other view drives these items."""
        run = self.model.inspected_run
        view = self.model.view
        if run is None or not view.arrows or run.traj.steps_done == 0:
            self.hide_arrows()
            return
        t = min(max(self.model.step, 1), run.traj.steps_done)
        reference = arrow_reference(run.traj, t)
        if view.narrate:
            self.show_parts(narrate(run.traj, run.config.params, t, schedule=run.config.schedule), reference)
            return
        info = step_info(run.traj, run.config.params, t)
        vectors = {"-gradient": -info.grad, "step taken": info.step}
        if info.direction_name == "v":
            vectors["velocity v"] = -info.v
        self.show_arrows(info.at, vectors, reference=reference)

    def show_arrows(self, origin, vectors: dict[str, np.ndarray], true_length: tuple[str, ...] = ("step taken",),
                    reference: float | None = None) -> None:
        """Arrows from `origin`, with their true lengths: the vectors named in `true_length`
        (the step: a move on the map) at the map's own scale, the others (gradient-like
        quantities) all on one common scale, shown by a scale bar, so that the longest is a
        fifth of the view (or a vector as long as `reference`, so that the scale stays put
        from step to step and a vanishing gradient is drawn vanishing)."""
        self._redraw_arrows = lambda: self.show_arrows(origin, vectors, true_length, reference)
        names = [n for n in ARROWS if n in vectors]
        scale = self._gradient_scale([vectors[n] for n in names if n not in true_length], reference)
        arrows = []
        for name in names:
            tip = origin + vectors[name] * (1.0 if name in true_length else scale)
            arrows.append((origin, tip, ARROWS[name]))
        self.arrow_names = [n for n, (o, t, c) in zip(names, arrows)]
        self.arrows.draw(arrows, self.vb)
        self.scale_ellipse.hide()
        self._scale_bar(scale if len(names) > sum(n in true_length for n in names) else None)

    def show_parts(self, narration, reference: float | None = None) -> None:
        """The narrated update: each part of it as an arrow, chained tail to head as the
        optimizer declares, moves of W at the map's own scale and gradient-like parts on one
        common scale (the scale bar), and the per-axis learning rate as an ellipse."""
        self._redraw_arrows = lambda: self.show_parts(narration, reference)
        parts = narration.parts
        scale = self._gradient_scale([p.vec for p in parts if not p.move], reference)
        tips: dict[str, np.ndarray] = {}

        def drawn_tip(part):
            if part.name not in tips:
                tail = narration.W if part.origin == "W" else drawn_tip(narration.part(part.origin))
                tips[part.name] = tail + part.vec * (1.0 if part.move else scale)
            return tips[part.name]

        arrows = []
        for i, part in enumerate(parts):
            tail = narration.W if part.origin == "W" else drawn_tip(narration.part(part.origin))
            arrows.append((tail, drawn_tip(part), part_color(i, part)))
        self.arrow_names = [p.name for p in parts]
        self.arrows.draw(arrows, self.vb)
        if narration.scale is not None and np.all(np.isfinite(narration.scale)) and np.max(narration.scale) > 0:
            (x0, x1), (y0, y1) = self.vb.viewRange()
            radius = 0.08 * min(x1 - x0, y1 - y0) * narration.scale / np.max(narration.scale)
            a = np.linspace(0, 2 * np.pi, 73)
            self.scale_ellipse.setData(narration.W[0] + radius[0] * np.cos(a), narration.W[1] + radius[1] * np.sin(a))
            self.scale_ellipse.show()
        else:
            self.scale_ellipse.hide()
        self._scale_bar(scale if any(not p.move for p in parts) else None)

    def _gradient_scale(self, vecs, reference: float | None = None) -> float:
        """One scale for gradient-like arrows: `reference` (else the longest of `vecs`) is
        drawn a fifth of the view long."""
        (x0, x1), (y0, y1) = self.vb.viewRange()
        norms = [float(np.hypot(*v)) for v in vecs]
        norms = [n for n in norms if np.isfinite(n) and n > 0]
        if reference is not None and np.isfinite(reference) and reference > 0:
            norms = [reference]
        scale = 0.2 * min(x1 - x0, y1 - y0) / max(norms) if norms and max(norms) > 1e-200 else 1.0
        self.arrow_scale = scale if np.isfinite(scale) else 1.0
        return self.arrow_scale

    def _scale_bar(self, scale: float | None) -> None:
        if scale is None:
            self.scale_line.hide()
            self.scale_bar.hide()
            return
        (x0, x1), (y0, y1) = self.vb.viewRange()
        unit = 10.0 ** np.floor(np.log10(0.1 * min(x1 - x0, y1 - y0) / scale))
        length = unit * scale  # on the map
        px, py = self.vb.viewPixelSize()
        right, bottom = x1 - 12 * px, y0 + 12 * py
        self.scale_line.setData([right - length, right], [bottom, bottom])
        self.scale_bar.setText(f"arrows: this bar = {unit:g} (gradient units); steps at true size")
        self.scale_bar.setPos(right, bottom + 6 * py)
        self.scale_line.show()
        self.scale_bar.show()

    @property
    def arrow_lines(self):
        return [line for _, line, _ in self.arrows.items[: len(self.arrow_names)]]

    def hide_arrows(self) -> None:
        self._redraw_arrows = None
        self.arrow_names = []
        self.arrows.draw([], self.vb)
        self.scale_ellipse.hide()
        self._scale_bar(None)


PART_COLORS = ["#1E88E5", "#FFD600", "#00C853", "#00B8D4", "#FF6D00", "#AA00FF"]


def part_color(i: int, part) -> str:
    """An arrow's colour in narrated mode: the step white (on its black outline), the other
    parts in colours that stand out on the map's white-orange-magenta."""
    return "#FFFFFF" if part.step else PART_COLORS[i % len(PART_COLORS)]


class ArrowPool:
    """Arrows on a plot (outline, line, head each), reused from one draw to the next;
    shorter arrows are drawn over longer ones (momentum's velocity and step share a
    direction)."""

    def __init__(self, plot):
        self.plot = plot
        self.items: list[tuple] = []

    def draw(self, arrows, vb) -> None:
        """arrows: (tail, tip, colour) in data coordinates."""
        while len(self.items) < len(arrows):
            outline = pg.PlotCurveItem()
            line = pg.PlotCurveItem()
            head = pg.ArrowItem(tipAngle=32)
            for item in (outline, line, head):
                item.ravine_sized = True  # sized here for the mode, not by the presenter's walk
                self.plot.addItem(item, ignoreBounds=True)
            self.items.append((outline, line, head))
        k = LINE_SCALE if PRESENTER.on else 1.0
        (x0, x1), _ = vb.viewRange()
        px, py = vb.viewPixelSize()
        if not (px > 0 and py > 0):  # a view with no size yet: nothing to point with
            arrows = []
        for k_, (outline, line, head) in enumerate(self.items):
            if k_ >= len(arrows) or not np.all(np.isfinite(np.concatenate(arrows[k_][:2]))) \
                    or np.array_equal(arrows[k_][0], arrows[k_][1]):
                outline.setData([], [])
                line.setData([], [])
                head.hide()
                continue
            tail, tip, color = arrows[k_]
            line.setPen(_pen(color, 3.0 * k))
            outline.setPen(_pen(OUTLINE, 6.0 * k))
            head.setPen(_pen(OUTLINE, 1.5 * k))
            head.setBrush(pg.mkBrush(color))
            line.setData([tail[0], tip[0]], [tail[1], tip[1]])
            outline.setData([tail[0], tip[0]], [tail[1], tip[1]])
            z = 30 + 5 / (1 + float(np.hypot(*(tip - tail))) / max(x1 - x0, 1e-300))
            outline.setZValue(z)
            line.setZValue(z + 0.01)
            head.setZValue(z + 0.02)
            d = tip - tail  # ArrowItem points along -x at angle 0; rotate to the arrow on screen
            shaft = float(np.hypot(d[0] / px, d[1] / py))  # on screen, px
            if shaft < 3:  # too short to show a direction: the shaft alone
                head.hide()
                continue
            head.setStyle(angle=180 - float(np.degrees(np.arctan2(d[1] / py, d[0] / px))),
                          headLen=min(16.0 * (MARK_SCALE if PRESENTER.on else 1.0), max(5.0, 0.45 * shaft)))
            head.setPos(*tip)
            head.show()


def readout_item() -> pg.TextItem:
    """The hover readout of a curves view: dark text on a light box, its top-right corner at
    its position, above everything else; hidden until the mouse is over a curve."""
    item = pg.TextItem(color="#111", anchor=(1, 0), fill=(255, 255, 255, 220))
    item.setZValue(50)
    item.hide()
    return item


class CurvesView(pg.GraphicsLayoutWidget):
    """Loss (log y, minus the surface's minimum) and learning rate (log y) against step,
    with a cursor at the current step that can be dragged, and a readout of the values
    under the mouse while it is over a plot."""

    def __init__(self, model: SceneModel, parent=None, plots=("cost", "lr")):
        super().__init__(parent)
        self.model = model
        self.cost = self.addPlot(row=0, col=0, axisItems=log_axes())
        self.lr = self.addPlot(row=1, col=0, axisItems=log_axes())
        for name in ("cost", "lr"):
            if name not in plots:  # (renders may ask for one of the two)
                self.ci.removeItem(getattr(self, name))
        if "lr" not in plots:
            self.cost.setLabel("bottom", "step")
        self.lr.setXLink(self.cost)
        for plot in (self.cost, self.lr):
            plot.showGrid(x=True, y=True, alpha=0.25)
            no_si_prefix(plot)
        self.lr.setLabel("bottom", "step")
        self.lr.setLabel("left", "learning rate")
        self.lr.setLogMode(y=True)  # a decaying schedule spans decades
        cache_axes(self.cost)
        cache_axes(self.lr)
        self.cursors = []
        for plot in (self.cost, self.lr):
            line = pg.InfiniteLine(angle=90, movable=True, pen=_pen("#555555", 1.5))
            line.sigDragged.connect(lambda ln: self.model.set_step(int(round(ln.value()))))
            plot.addItem(line)
            self.cursors.append(line)
        self.masks = []
        for plot in (self.cost, self.lr):
            mask = QtWidgets.QGraphicsRectItem()
            mask.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
            mask.setZValue(5)
            mask.hide()
            plot.addItem(mask, ignoreBounds=True)
            self.masks.append(mask)
        for line in self.cursors:
            line.setZValue(10)
        self.readout = readout_item()
        self.cost.addItem(self.readout, ignoreBounds=True)
        self.cost_curves: list[pg.PlotDataItem] = []
        self.lr_curves: list[pg.PlotDataItem] = []
        self.scene().sigMouseMoved.connect(self._hover)
        model.simulation_changed.connect(self._simulation_changed)
        model.step_changed.connect(self.draw_step)
        model.view_changed.connect(self.draw)
        model.scene_replaced.connect(self.readout.hide)
        self.draw()

    def _simulation_changed(self) -> None:
        """New runs: drawn at once, or, for big ones, in the event loop's next turn, so the
        map and the curves are painted in two shorter frames instead of one long one."""
        if self.model.steps > BIG_RUN:
            QtCore.QTimer.singleShot(0, self.draw)
        else:
            self.draw()

    def show_plots(self, cost: bool = True, lr: bool = True) -> None:
        """Which of the two plots are in the layout (a lesson's slide may want one)."""
        for row, (plot, on) in enumerate(((self.cost, cost), (self.lr, lr))):
            inside = plot in self.ci.items
            if inside and not on:
                self.ci.removeItem(plot)
            elif on and not inside:
                self.ci.addItem(plot, row=row, col=0)

    def leaveEvent(self, event) -> None:
        """The readout belongs to the mouse: it goes when the mouse leaves the plots."""
        self.readout.hide()
        super().leaveEvent(event)

    def cost_values(self, run, loss=None) -> np.ndarray:
        """What the cost plot shows for a run (or for `loss`, its values to draw): loss - min
        on a log axis, or the loss itself."""
        loss = run.traj.loss if loss is None else loss
        if self.log:
            return np.maximum(loss - self.model.floor_value, 1e-16)
        return loss

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
            restyle(self)
        lrs = [r.traj.lr for r in runs if len(r.traj.lr)]
        if lrs:  # whole decades, at least one, so that the decade labels are there
            lo = np.floor(np.log10(max(min(float(v.min()) for v in lrs), 1e-300)))
            hi = np.ceil(np.log10(max(float(v.max()) for v in lrs)))
            hi = max(hi, lo + 1)
            self.lr.setYRange(lo, hi, padding=0.06)
        for i, run in enumerate(runs):
            if self._drawn[i] is not run.traj:  # only what changed is redrawn
                # a million steps as the plot can show them (extremes kept; see core/decimate)
                x, loss = run.traj.loss_curve
                # an envelope zig-zags within each pixel column: antialiased, Qt takes 0.3 s a
                # curve to stroke it; plain, 1 ms (and at one point per pixel it looks the same)
                smooth = len(x) == len(run.traj.loss)
                self.cost_curves[i].setData(x, self.cost_values(run, loss), antialias=smooth)
                self.lr_curves[i].setData(*run.traj.lr_curve, antialias=smooth)
                self._drawn[i] = run.traj
        self.draw_step(self.model.step)

    def draw_step(self, step: int) -> None:
        # hiding the future covers the curves right of the cursor (the curves stay drawn
        # once and cached; the axes keep the whole run's range, so they grow into them)
        hide = self.model.view.hide_future
        color = self.backgroundBrush().color()
        for mask in self.masks:
            mask.setVisible(hide)
            if hide:  # a rectangle a few times the plot's size: far larger ones overflow when drawn
                n = self.model.steps + 1
                mask.setRect(QtCore.QRectF(step + 0.5, -400.0, 2.0 * n, 800.0))
                mask.setBrush(color)
        for line in self.cursors:
            with signals_blocked(line):
                line.setValue(step)

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


SLOT_NAMES = {"v": "velocity v", "s": "mean square S"}
"""How the inspector names the state slots the notes name; others show as "state NAME"."""

class InspectorView(QtWidgets.QWidget):
    """The numbers of the current update for one optimizer, and arrows on the map: the
    negative gradient, the velocity (momentum) and the step actually taken, with their true
    lengths. Which optimizer, and whether arrows are drawn, live in the model (`view`)."""

    ROWS = 9  # the text area always has room for this many lines: the plots never jump
    ROWS_NARRATED = 15  # Adam's narration: header, nine equations, the colour key, wrapped
    def __init__(self, model: SceneModel, parent=None):
        super().__init__(parent)
        self.model = model
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.show_arrows = QtWidgets.QCheckBox("arrows on the map")
        self.show_arrows.setChecked(model.view.arrows)
        self.show_arrows.toggled.connect(lambda on: self.model.set_view(arrows=on))
        self.which = QtWidgets.QComboBox()
        self.which.currentTextChanged.connect(self._chosen)
        self.caption = QtWidgets.QLabel("inspect")
        self.narrate = QtWidgets.QCheckBox("narrate (N)")
        self.narrate.setToolTip("explain this update in the notes' notation, with its numbers, "
                                "and draw its parts on the map")
        self.narrate.setChecked(model.view.narrate)
        self.narrate.toggled.connect(lambda on: self.model.set_view(narrate=on))
        top.addWidget(self.caption)
        top.addWidget(self.which, 1)
        top.addWidget(self.narrate)
        top.addWidget(self.show_arrows)
        layout.addLayout(top)
        self.text = QtWidgets.QLabel()
        self.text.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.text.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop | QtCore.Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidget(self.text)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        layout.addWidget(self.scroll, 1)
        model.simulation_changed.connect(self._runs_changed)
        model.view_changed.connect(self._runs_changed)
        model.step_changed.connect(lambda _: self.update_view())
        self._runs_changed()

    def fix_height(self) -> None:
        """A fixed height from the font (ROWS lines), so the curves above keep their size
        whatever the optimizer's table holds; called again when the font changes."""
        line = QtGui.QFontMetrics(self.text.font()).lineSpacing()
        text = line * self.ROWS
        if self.model.view.narrate:  # as tall as this optimizer's narration needs, and a line more
            width = max(self.scroll.viewport().width(), 200)
            text = max(line * self.ROWS_NARRATED, self.text.heightForWidth(width) + line)
        self.setFixedHeight(int(text + self.which.sizeHint().height() + 24))

    def changeEvent(self, event) -> None:
        if event.type() == QtCore.QEvent.Type.FontChange:
            self.fix_height()
        super().changeEvent(event)

    def showEvent(self, event) -> None:
        self.fix_height()
        super().showEvent(event)

    def _chosen(self, label: str) -> None:
        if label and label != self.model.view.inspected:
            self.model.set_view(inspected=label)

    def _runs_changed(self) -> None:
        labels = [r.config.label for r in self.model.runs]
        run = self.model.inspected_run
        with signals_blocked(self.which, self.show_arrows, self.narrate):
            if [self.which.itemText(i) for i in range(self.which.count())] != labels:
                self.which.clear()
                self.which.addItems(labels)
            if run is not None:
                self.which.setCurrentText(run.config.label)
            self.show_arrows.setChecked(self.model.view.arrows)
            self.narrate.setChecked(self.model.view.narrate)
        self.update_view()
        if self.isVisible():  # after the text: its height depends on what it says
            self.fix_height()

    def update_view(self) -> None:
        run = self.model.inspected_run
        if run is None:
            self.text.setText("")
            return
        t = min(max(self.model.step, 1), run.traj.steps_done)
        if run.traj.steps_done == 0:
            self.text.setText(f"<b>{run.config.label}</b> diverged at its first step.")
            return
        if self.model.view.narrate:
            self.narrate_step(run, t)
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
        for name, value in info.state.items():  # every slot the optimizer declares
            rows.append((SLOT_NAMES.get(name, f"state {name}"), vec(value)))
        if OPTIMIZERS[run.config.kind].effective_lr is not None:
            rows.append(("per-axis lr", vec(info.effective_lr)))
        rows.append(("step taken", vec(info.step)))
        html = "".join(f"<tr><td style='padding-right:10px'>{k}</td><td>{v}</td></tr>" for k, v in rows)
        note = (f"<br><span style='color:#555'>Arrows: <span style='color:{ARROWS['-gradient']}'>-gradient</span>, "
                f"<span style='color:{ARROWS['velocity v']}'>-velocity</span> (one scale, see the bar), "
                "step taken (white on black, true length on the map).</span>")
        self.text.setText(f"<b>{run.config.label}</b> ({run.config.kind})<table>{html}</table>{note}")


    def narrate_step(self, run, t: int) -> None:
        """Narrated mode: what update t did, in the notes' notation with its numbers (from
        the optimizer's own declaration), and its parts as arrows on the map."""
        n = narrate(run.traj, run.config.params, t, schedule=run.config.schedule)
        self.narration = n

        def esc(text):
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        lines = "".join(f"<div style='margin-top:3px'>{esc(line)}</div>" for line in n.lines)
        keys = "".join(f"<span style='background:{part_color(i, p)}; color:{part_color(i, p)}; "
                       f"border:1px solid #000'>&nbsp;■&nbsp;</span>&nbsp;{esc(p.name)}&nbsp;&nbsp; "
                       for i, p in enumerate(n.parts))
        diverged = ""
        if run.traj.diverged_at is not None and self.model.step > run.traj.steps_done:
            diverged = f"<div style='color:#C0392B'>diverged at step {run.traj.diverged_at}: showing its last update</div>"
        self.text.setText(f"<b>{esc(run.config.label)}</b> ({run.config.kind}): {esc(n.header)}{diverged}"
                          f"{lines}<div style='margin-top:4px'>{keys}</div>")


class Timeline(QtWidgets.QWidget):
    """Play/pause, step back/forward, speed, reset and a scrubber; drives model.step.

    Playback runs in wall time: at speed k the timeline moves k * base steps a second,
    where the base plays the whole scene in BASE_SECONDS, whatever painting costs (a slow
    frame is dropped, never played in slow motion)."""

    SPEEDS = [0.25, 0.5, 1, 2, 4, 8]
    BASE_SECONDS = 5.0

    def __init__(self, model: SceneModel, parent=None, clock=time.perf_counter):
        super().__init__(parent)
        self.model = model
        self.clock = clock
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
        self.speed.setCurrentIndex(self.SPEEDS.index(1))
        self.speed.currentIndexChanged.connect(self._speed_changed)
        layout.addWidget(self.speed)
        self.rate_label = QtWidgets.QLabel()
        layout.addWidget(self.rate_label)
        self.hide_future = QtWidgets.QCheckBox("hide the future")
        self.hide_future.setToolTip("draw paths and curves only up to the current step")
        self.hide_future.toggled.connect(lambda on: self.model.set_view(hide_future=on))
        layout.addWidget(self.hide_future)
        self.scrubber = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("scrub through the steps")
        self.scrubber.valueChanged.connect(self.model.set_step)
        layout.addWidget(self.scrubber, 1)
        self.label = QtWidgets.QLabel()
        self.label.setMinimumWidth(110)
        layout.addWidget(self.label)
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(15)
        self.timer.timeout.connect(self._tick)
        self._anchor = (0.0, 0)  # (wall time, step) playback counts from
        self._playing = False
        model.step_changed.connect(self._show_step)
        model.simulation_changed.connect(self._simulation_changed)
        model.view_changed.connect(self._view_changed)
        self.speed.setToolTip("playback speed: multiples of a base that plays the scene in about "
                              f"{self.BASE_SECONDS:g} s ([ and ] change it)")
        self._show_step(model.step)

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def rate(self) -> float:
        """Steps per second of wall time at the chosen speed."""
        return self.base_rate() * self.speed.currentData()

    def base_rate(self) -> float:
        """The 1x rate: the whole scene in BASE_SECONDS (at least one step a second)."""
        return max(self.model.steps / self.BASE_SECONDS, 1.0)

    def set_speed(self, multiple: float) -> None:
        """Choose the speed nearest to `multiple` of the base."""
        i = int(np.argmin([abs(np.log(s / multiple)) for s in self.SPEEDS]))
        self.speed.setCurrentIndex(i)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.model.step >= self.model.steps:
            self.model.set_step(0)
        self._anchor = (self.clock(), self.model.step)
        self._last = self.model.step
        self._playing = True
        self.timer.start()
        self.play_button.setIcon(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPause))

    def pause(self) -> None:
        self._playing = False
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

    def _speed_changed(self, _=None) -> None:
        if self.playing:  # go on from here at the new rate
            self._anchor = (self.clock(), self.model.step)
            self._last = self.model.step
        self._show_rate()

    def _tick(self) -> None:
        if self.model.step != self._last:  # scrubbed or stepped meanwhile: go on from there
            self._anchor = (self.clock(), self.model.step)
        t0, s0 = self._anchor
        target = min(s0 + int((self.clock() - t0) * self.rate), self.model.steps)
        if target != self.model.step:
            self.model.set_step(target)
        self._last = self.model.step
        if self.model.step >= self.model.steps:
            self.pause()

    def _simulation_changed(self) -> None:
        """A new length changes the rate: playing goes on from where it is, at the new rate."""
        if self.playing:
            self._anchor = (self.clock(), self.model.step)
            self._last = self.model.step
        self._show_step(self.model.step)

    def _view_changed(self) -> None:
        with signals_blocked(self.hide_future):
            self.hide_future.setChecked(self.model.view.hide_future)

    def _show_rate(self) -> None:
        self.rate_label.setText(f"{self.rate:.3g} steps/s")

    def _show_step(self, step: int) -> None:
        with signals_blocked(self.scrubber):
            self.scrubber.setRange(0, self.model.steps)
            self.scrubber.setValue(step)
        self.label.setText(f"step {step} / {self.model.steps}")
        self._show_rate()
