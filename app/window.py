"""The window: the scene's surface as a log-scaled heatmap with contours, every optimizer's
path over it, and the cost curves below. Views draw arrays the core computed.

This is the first, plain window; the live playground (controls, animation, EWA view, step
inspector) builds on `SceneView`.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.core import simulate, value_grid
from ravine.landscapes import get_surface

# Okabe & Ito's colour-blind-safe palette (blue, vermillion, bluish green, orange, ...)
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GRID = 240
CONTOUR_LEVELS = 12


def colors_for(scene) -> list[str]:
    return [cfg.color or PALETTE[i % len(PALETTE)] for i, cfg in enumerate(scene.optimizers)]


def surface_image(scene, n: int = GRID):
    """The grid values of the scene's surface and their log-scaled display values."""
    surf = get_surface(scene.surface)
    (x0, x1), (y0, y1) = surf.domain
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    z = value_grid(scene.surface, xs, ys, scene.surface_params)
    lo = float(z.min())
    span = float(z.max()) - lo
    shown = np.log10(z - lo + 1e-3 * span + 1e-12)
    return xs, ys, z, shown


class SceneView(pg.GraphicsLayoutWidget):
    """Map (heatmap, contours, paths, start) above, cost curves below."""

    def __init__(self, scene, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.map = self.addPlot(row=0, col=0)
        self.cost = self.addPlot(row=1, col=0)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 1)
        self.map.setAspectLocked(True)
        self.cost.setLogMode(y=True)
        self.cost.setLabel("bottom", "step")
        self.cost.setLabel("left", "loss - min")
        self.cost.showGrid(x=True, y=True, alpha=0.3)
        self.set_scene(scene)

    def set_scene(self, scene) -> None:
        self.scene_data = scene
        self.sim = simulate(scene)
        self.map.clear()
        self.cost.clear()
        if self.map.legend is not None:
            self.map.legend.scene().removeItem(self.map.legend)
            self.map.legend = None
        self._draw_surface()
        self._draw_paths()

    def _draw_surface(self) -> None:
        xs, ys, _, shown = surface_image(self.scene_data)
        img = pg.ImageItem(shown.T)  # ImageItem wants [x, y]
        img.setColorMap(pg.colormap.get("CET-L17"))
        img.setRect(QtCore.QRectF(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0]))
        self.map.addItem(img)
        levels = np.linspace(shown.min(), shown.max(), CONTOUR_LEVELS + 2)[1:-1]
        for level in levels:
            curve = pg.IsocurveItem(data=shown.T, level=level, pen=pg.mkPen((60, 60, 60, 110), width=1))
            curve.setParentItem(img)
        self.map.setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0)
        surf = get_surface(self.scene_data.surface)
        title = self.scene_data.title or surf.name
        self.map.setTitle(f"{title}  ({surf.formula})", color="#222")

    def _draw_paths(self) -> None:
        legend = self.map.addLegend(offset=(10, 10), labelTextColor="#222", brush=(255, 255, 255, 200))
        colors = colors_for(self.scene_data)
        enabled = [c for cfg, c in zip(self.scene_data.optimizers, colors) if cfg.enabled]
        floor = get_surface(self.scene_data.surface).min_value(self.scene_data.surface_params)
        for traj, color in zip(self.sim, enabled):
            pen = pg.mkPen(color, width=2.5)
            item = self.map.plot(traj.path[:, 0], traj.path[:, 1], pen=pen)
            self.map.plot([traj.path[-1, 0]], [traj.path[-1, 1]], pen=None, symbol="o",
                          symbolBrush=color, symbolPen="w", symbolSize=10)
            note = (f"diverged at step {traj.diverged_at}" if traj.diverged_at is not None
                    else f"loss {traj.loss[-1]:.3g}")
            legend.addItem(item, f"{traj.label}: {note}")
            base = floor if floor is not None else float(min(t.loss.min() for t in self.sim))
            gap = np.maximum(traj.loss - base, 1e-16)
            self.cost.plot(np.arange(len(gap)), gap, pen=pen)
        x, y = self.scene_data.start
        self.map.plot([x], [y], pen=None, symbol="x", symbolBrush="k", symbolPen="k", symbolSize=12)


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, scene):
        super().__init__()
        self.view = SceneView(scene)
        self.setCentralWidget(self.view)
        self.setWindowTitle(f"Ravine: {scene.title or scene.surface}")
        self.resize(900, 900)
        QtGui.QShortcut(QtGui.QKeySequence.StandardKey.Quit, self, activated=self.close)


def run_app(scene) -> int:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Ravine")
    window = MainWindow(scene)
    window.show()
    return app.exec()
