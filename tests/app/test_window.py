"""The plain window: it opens on a scene and draws each path in its colour over the map."""

import numpy as np
from PyQt6 import QtGui

from ravine.app.window import MainWindow, colors_for
from ravine.core import load_example


def to_array(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return arr[:, : image.width(), 2::-1].copy()  # BGRA -> RGB


def test_window_draws_every_path_in_its_colour(qtbot):
    scene = load_example("momentum-ravine")
    win = MainWindow(scene)
    qtbot.addWidget(win)
    win.resize(800, 800)
    win.show()
    qtbot.waitExposed(win)
    qtbot.wait(50)
    view = win.view
    assert len(view.sim) == 4
    pixels = to_array(view.grab().toImage())
    ratio = view.devicePixelRatioF()
    for traj, color in zip(view.sim, colors_for(scene)):
        want = np.array(QtGui.QColor(color).getRgb()[:3])
        # a point a third of the way along the path, in widget pixels
        x, y = traj.path[len(traj.path) // 3]
        scene_pt = view.map.vb.mapViewToScene(__import__("pyqtgraph").Point(x, y))
        px, py = int(scene_pt.x() * ratio), int(scene_pt.y() * ratio)
        patch = pixels[max(py - 3, 0): py + 4, max(px - 3, 0): px + 4].reshape(-1, 3).astype(int)
        dist = np.abs(patch - want).sum(axis=1).min()
        assert dist < 60, (traj.label, color, patch[:3])
    legend_text = " ".join(item[1].text for item in view.map.legend.items)
    assert "GD: loss" in legend_text and "Adam: loss" in legend_text
