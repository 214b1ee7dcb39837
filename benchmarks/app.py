#!/usr/bin/env python3
"""The app's responsiveness, measured on the real widgets (offscreen Qt).

    .venv/bin/python benchmarks/app.py        (python3 dev.py bench runs it too)

1. Slider-to-redraw latency: 6 optimizers x 1,000 steps on rosenbrock, a 400 x 400 map;
   a real lr slider is moved (as a drag does) and the time is taken until the map and the
   curves have repainted (synchronous repaint). Median and 95th percentile.
2. Animation: one frame = advance the current step and repaint the map and curves, with the
   6 trails of 1,000 steps; the frame rate the window can sustain.
3. Start-up: a fresh process that opens the window on the default scene, to its first
   painted frame, with numba's cache warm.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCENE = """
title = "six optimizers"
surface = "rosenbrock"
steps = 1000
[[optimizers]]
kind = "gd"
lr = 0.002
[[optimizers]]
kind = "momentum"
lr = 0.015
[[optimizers]]
kind = "nesterov"
lr = 0.01
[[optimizers]]
kind = "rmsprop"
lr = 0.005
[[optimizers]]
kind = "adagrad"
lr = 0.5
[[optimizers]]
kind = "adam"
lr = 0.1
"""

FIRST_FRAME = """
import time, sys
from PyQt6 import QtWidgets
app = QtWidgets.QApplication(sys.argv[:1])
from ravine.app.window import MainWindow
from ravine.core import load_example
w = MainWindow(load_example("momentum-ravine"))
w.show()
w.repaint()
app.processEvents()
print("painted", flush=True)
"""


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main():
    from PyQt6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    from ravine.app.model import MAP_GRID
    from ravine.app.window import MainWindow
    from ravine.core import loads_scene

    win = MainWindow(loads_scene(SCENE))
    win.resize(1500, 900)
    win.show()
    app.processEvents()
    views = (win.map, win.curves)
    from PyQt6 import QtCore

    class PaintCounter(QtCore.QObject):
        def __init__(self):
            super().__init__()
            self.count = 0

        def eventFilter(self, obj, ev):
            if ev.type() == QtCore.QEvent.Type.Paint:
                self.count += 1
            return False

    counters = []
    for v in views:
        c = PaintCounter()
        v.viewport().installEventFilter(c)
        counters.append(c)

    def repaint():
        """Let the event loop paint what the change scheduled, as it does in the app, and
        check that both views really repainted."""
        before = [c.count for c in counters]
        app.processEvents()
        missed = [v for v, c, b in zip(views, counters, before) if c.count == b]
        for v in missed:  # nothing scheduled: paint anyway, to time a full frame
            v.viewport().repaint()

    slider = win.controls.optimizers.panels[5].editors["lr"].slider
    base = slider.value()
    for i in range(10):  # warm up
        slider.setValue(base + (i % 2))
        repaint()
    lat = []
    for i in range(200):
        t0 = time.perf_counter()
        slider.setValue(base - 100 + (i % 100) * 2)
        repaint()
        lat.append((time.perf_counter() - t0) * 1e3)
    print(f"slider -> repainted map and curves ({len(win.model.runs)} optimizers x {win.model.steps} steps, "
          f"{MAP_GRID}x{MAP_GRID} map): median {statistics.median(lat):.1f} ms, "
          f"p95 {pct(lat, 95):.1f} ms, max {max(lat):.1f} ms   (targets 16 / 33 ms)")

    frames = []
    win.model.set_step(0)
    for step in range(1, 601):
        t0 = time.perf_counter()
        win.model.set_step(step)
        repaint()
        frames.append(time.perf_counter() - t0)
    mean = statistics.mean(frames)
    print(f"animation frame (6 trails of 1,000 steps): mean {mean * 1e3:.1f} ms, p95 {pct(frames, 95) * 1e3:.1f} ms"
          f" -> {1 / mean:.0f} frames/s sustainable   (target 60)")

    # the real thing: the timeline playing at 1x (one step a frame) for 3 seconds
    win.timeline.speed.setCurrentIndex(win.timeline.SPEEDS.index(1))
    win.model.set_step(0)
    app.processEvents()
    painted = counters[0].count
    t0 = time.perf_counter()
    win.timeline.play()
    while time.perf_counter() - t0 < 3.0:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)
    win.timeline.pause()
    elapsed = time.perf_counter() - t0
    print(f"playing (QTimer every 16 ms): the map painted {(counters[0].count - painted) / elapsed:.0f} frames/s, "
          f"{win.model.step / elapsed:.0f} steps/s")

    # training in the Network tab: how long does the event loop ever wait?
    net = win.network
    win.tabs.setCurrentWidget(net)
    net.model.edit(lambda raw: raw.__setitem__("epochs", 200000))
    app.processEvents()
    ticks = []
    timer = QtCore.QTimer()
    timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(5)
    net.model.start()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 3.0 and net.model.running:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)
    epochs = net.model.epoch
    net.model.stop()
    timer.stop()
    gaps = np.diff(ticks) * 1e3
    print(f"training in the Network tab ({epochs:,} epochs of 3 configs in 3 s): the event loop "
          f"answered a 5 ms timer with median gap {np.median(gaps):.1f} ms, p95 {np.percentile(gaps, 95):.1f} ms, "
          f"max {gaps.max():.0f} ms")

    subprocess.run([sys.executable, "-c", FIRST_FRAME], check=True, capture_output=True)  # warm the cache
    walls = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", FIRST_FRAME], check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    print(f"start-up to first painted frame (fresh process, warm cache): best {min(walls):.2f} s, "
          f"median {statistics.median(walls):.2f} s   (target 2 s)")


if __name__ == "__main__":
    main()
