"""Helpers for tests that look at what was drawn."""

import numpy as np
from PyQt6 import QtCore, QtGui


def to_array(image: QtGui.QImage) -> np.ndarray:
    """A QImage as an (h, w, 3) RGB uint8 array."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return arr[:, : image.width(), 2::-1].copy()  # BGRA -> RGB


def pixel_of(widget, viewbox, x: float, y: float) -> tuple[int, int]:
    """Where data point (x, y) of `viewbox` lands in `widget`'s grab, in device pixels."""
    scene_pt = viewbox.mapViewToScene(QtCore.QPointF(x, y))
    view_pt = viewbox.scene().views()[0].mapFromScene(scene_pt)
    global_pt = viewbox.scene().views()[0].mapTo(widget, view_pt)
    ratio = widget.devicePixelRatioF()
    return int(global_pt.x() * ratio), int(global_pt.y() * ratio)


def colour_near(pixels: np.ndarray, px: int, py: int, rgb, radius: int = 3) -> int:
    """The smallest L1 distance to `rgb` among the pixels within `radius` of (px, py)."""
    patch = pixels[max(py - radius, 0): py + radius + 1, max(px - radius, 0): px + radius + 1]
    return int(np.abs(patch.reshape(-1, 3).astype(int) - np.array(rgb)).sum(axis=1).min())


def viewport_pos(viewbox, x: float, y: float) -> QtCore.QPointF:
    """Where data point (x, y) lands in the graphics view's viewport (for mouse events)."""
    view = viewbox.scene().views()[0]
    return QtCore.QPointF(view.mapFromScene(viewbox.mapViewToScene(QtCore.QPointF(x, y))))
