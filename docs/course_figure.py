#!/usr/bin/env python3
"""Reproduce the course experiment and draw its cost curves into docs/course-costs.png.

    .venv/bin/python docs/course_figure.py

Prints each configuration's costs where the course printed them ("Cost after epoch i" for
0-based i = 0, 1000, ..., 4000, which is Ravine's 1-based epoch i + 1, row i) and its final
training accuracy, beside the course's printout (the README table).
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

EPOCHS = (0, 1000, 2000, 3000, 4000)  # the course's 0-based "Cost after epoch i"
COURSE = {  # the assignment's printout: those five costs, then the final training accuracy (%)
    "course-adam": {
        "GD": ("0.702405 0.668101 0.635288 0.600491 0.573367", "71.67"),
        "Momentum": ("0.702413 0.668167 0.635388 0.600591 0.573444", "71.67"),
        "Adam": ("0.702166 0.167845 0.141316 0.138788 0.136066", "94.33"),
    },
    "course-decay": {
        "GD, decay": ("0.701091 0.127161 0.120304 0.117033 0.117512", "94.33"),
        "Momentum, decay": ("0.702226 0.128974 0.125965 0.123375 0.123218", "95.33"),
        "Adam, decay": ("0.699346 0.130074 0.129826 0.129282 0.128361", "94.00"),
    },
}


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
        # where the curves are not: below GD crawling along the top, above the others
        plot.addLegend(offset=(-10, 110) if col == 0 else (-10, 10), brush=(255, 255, 255, 220))
        for i, r in enumerate(runs):
            plot.plot(np.arange(1, r.epochs_done + 1), r.epoch_cost, pen=pg.mkPen(PALETTE[i], width=2.5), name=r.label)
            mine = " ".join(f"{r.epoch_cost[i]:.6f}" for i in EPOCHS)  # row i: 1-based epoch i + 1
            accuracy = f"{100 * r.train_accuracy[-1]:.2f}"
            same = (mine, accuracy) == COURSE[name][r.label]
            print(f"{name:13} {r.label:16} {mine}  {accuracy}%  {'= the course' if same else 'course: ' + str(COURSE[name][r.label])}")
    win.show()
    for _ in range(5):
        app.processEvents()
    out = Path(__file__).with_name("course-costs.png")
    pg.exporters.ImageExporter(win.scene()).export(str(out))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
