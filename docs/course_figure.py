#!/usr/bin/env python3
"""Reproduce the course experiment and draw its cost curves into docs/course-costs.png.

    .venv/bin/python docs/course_figure.py

Prints each configuration's cost at epoch 4,000 and its final accuracy (the README table).
"""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import pyqtgraph.exporters  # noqa: E402, F401
from PyQt6 import QtWidgets  # noqa: E402

from ravine.app.model import PALETTE  # noqa: E402
from ravine.core import load_example  # noqa: E402
from ravine.core.training import train  # noqa: E402

COURSE = {"course-adam": {"GD": 0.573, "Momentum": 0.573, "Adam": 0.136},
          "course-decay": {"GD, decay": 0.118, "Momentum, decay": 0.123, "Adam, decay": 0.128}}


def main():
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    pg.setConfigOptions(antialias=True, background="w", foreground="#222")
    win = pg.GraphicsLayoutWidget()
    win.resize(1200, 450)
    for col, name in enumerate(COURSE):
        scene = load_example(name)
        runs = train(scene.network)
        plot = win.addPlot(row=0, col=col, title=scene.title.replace("The course experiment", "Course"))
        plot.setLogMode(y=True)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", "cost (cross-entropy, mean over the epoch)")
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.addLegend(offset=(-10, 10), brush=(255, 255, 255, 220))
        for i, r in enumerate(runs):
            plot.plot(np.arange(1, r.epochs_done + 1), r.epoch_cost, pen=pg.mkPen(PALETTE[i], width=2.5), name=r.label)
            print(f"{name:13} {r.label:16} cost at epoch 4000: ravine {r.epoch_cost[3999]:.3f}, "
                  f"course {COURSE[name][r.label]:.3f}; final train accuracy {r.train_accuracy[-1]:.3f}")
    win.show()
    for _ in range(5):
        app.processEvents()
    out = Path(__file__).with_name("course-costs.png")
    pg.exporters.ImageExporter(win.scene()).export(str(out))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
