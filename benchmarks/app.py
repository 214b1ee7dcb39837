#!/usr/bin/env python3
"""The app's responsiveness, measured on the real widgets (offscreen Qt).

    .venv/bin/python benchmarks/app.py        (python3 dev.py bench runs it too)

1. Slider-to-redraw latency: 6 optimizers x 1,000 steps on rosenbrock, a 400 x 400 map;
   a real lr slider is moved (as a drag does) and the time is taken until the map and the
   curves have repainted (synchronous repaint). Median and 95th percentile; again in
   presentation mode at 1920 x 1080 (controls shown with F6, paths drawn up to their heads).
2. Animation: one frame = advance the current step and repaint the map and curves, with the
   6 trails of 1,000 steps; the frame rate the window can sustain (1500 x 900, then a
   maximised 1920 x 1080 window, then presentation mode at 1920 x 1080).
3. Playback in wall time: the real timeline (its QTimer, in a running event loop) plays from
   step 0 at 1x, 4x and 8x (1x plays the whole scene in Timeline.BASE_SECONDS), for 3 s or
   to the end of the scene, windowed (1400 x 900 asked; the window's minimum width makes it
   1409) and in presentation mode (1920 x 1080).
   Measured as the viewer sees it: the step each paint of the map shows, from the first
   paint after step 0 to the last paint before the end (so neither the first tick's wait
   nor the clamp at the last step counts), against the nominal Timeline.rate; and how many
   frames were painted a second. Target: within 10 % of nominal.
4. Training in the Network tab: how long the event loop ever waits.
5. Start-up: a fresh process that opens the window on the default scene, to its first
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


def size_of(win) -> str:
    return f"{win.width()}x{win.height()}"


def frame_cost(app, win, repaint, n):
    """Advance one step and repaint, n times from step 0: mean and p95 of a frame (ms)."""
    frames = []
    win.model.set_step(0)
    repaint()
    for step in range(1, n + 1):
        t0 = time.perf_counter()
        win.model.set_step(step)
        repaint()
        frames.append((time.perf_counter() - t0) * 1e3)
    return statistics.mean(frames), pct(frames, 95)


class Repainter:
    """Let the event loop paint what a change scheduled, as it does in the app, and check
    that the views really repainted (counting paint events on their viewports)."""

    def __init__(self, app, views):
        from PyQt6 import QtCore

        class PaintCounter(QtCore.QObject):
            def __init__(self):
                super().__init__()
                self.count = 0

            def eventFilter(self, obj, ev):
                if ev.type() == QtCore.QEvent.Type.Paint:
                    self.count += 1
                return False

        self.app, self.views = app, views
        self.counters = []
        for v in views:
            c = PaintCounter()
            v.viewport().installEventFilter(c)
            self.counters.append(c)
        self.missed = 0

    def __call__(self):
        before = [c.count for c in self.counters]
        self.app.processEvents()
        missed = [v for v, c, b in zip(self.views, self.counters, before) if c.count == b]
        self.missed += bool(missed)
        for v in missed:  # nothing scheduled: paint anyway, to time a full frame
            v.viewport().repaint()


def slider_latency(app, win, repaint, moves=200):
    """Move the last optimizer's lr slider (10,000 ticks on a log scale) by 2 ticks at a time,
    as a drag does, and time each move until the map and curves have painted the new
    result. Returns the latencies (ms) and a note if a move did not recompute or repaint."""
    slider = win.controls.optimizers.panels[5].editors["lr"].slider
    base = slider.value()
    win.model.set_step(win.model.steps)  # whole paths and curves on show
    sims = []

    def simulated():
        sims.append(win.model.runs[5].traj)

    win.model.simulation_changed.connect(simulated)
    for i in range(10):  # warm up
        slider.setValue(base + (i % 2))
        repaint()
    sims.clear()
    repaint.missed = 0
    lat = []
    for i in range(moves):
        t0 = time.perf_counter()
        slider.setValue(base - 100 + (i % 100) * 2)
        repaint()
        lat.append((time.perf_counter() - t0) * 1e3)
    win.model.simulation_changed.disconnect(simulated)
    fresh = len({id(t) for t in sims})
    note = ""
    if len(sims) != moves or fresh != moves:
        note += f"  [only {len(sims)} of {moves} moves recomputed, {fresh} new trajectories]"
    if repaint.missed:
        note += f"  [{repaint.missed} moves painted nothing by themselves]"
    slider.setValue(base)
    repaint()
    return lat, note


def playback(app, win, speed, limit=3.0):
    """Play from step 0 at `speed` with the real timer in a running event loop, for `limit`
    seconds or to the end of the scene. Returns the nominal rate, the rate shown on the map
    (the step each map paint shows, first paint after step 0 to the last before the end),
    the rate the model advanced (step_changed, same span), and the frames painted."""
    from PyQt6 import QtCore

    tl, model = win.timeline, win.model
    tl.pause()
    tl.set_speed(speed)
    assert tl.speed.currentData() == speed
    model.set_step(0)
    for _ in range(3):
        app.processEvents()
    shown, advanced = [], []  # (perf_counter, step)

    class Paints(QtCore.QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QtCore.QEvent.Type.Paint:
                shown.append((time.perf_counter(), model.step))
            return False

    paints = Paints()
    win.map.viewport().installEventFilter(paints)
    loop = QtCore.QEventLoop()

    def stepped(step):
        advanced.append((time.perf_counter(), step))
        if step >= model.steps:  # let the last frame paint, then stop
            QtCore.QTimer.singleShot(100, loop.quit)

    model.step_changed.connect(stepped)
    deadline = QtCore.QTimer()
    deadline.setTimerType(QtCore.Qt.TimerType.PreciseTimer)  # a coarse one may fire 5 % late
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    t_play = time.perf_counter()
    deadline.start(int(limit * 1000))
    tl.play()
    loop.exec()
    deadline.stop()
    tl.pause()
    model.step_changed.disconnect(stepped)
    win.map.viewport().removeEventFilter(paints)

    def rate(events):
        inner = [(t, s) for t, s in events if 0 < s < model.steps]
        if len(inner) < 2 or inner[-1][0] <= inner[0][0]:
            raise RuntimeError(f"playback at {speed}x: fewer than 2 frames between step 0 and the end")
        (ta, sa), (tb, sb) = inner[0], inner[-1]
        return (sb - sa) / (tb - ta), ta, tb

    shown_rate, ta, tb = rate(shown)
    frames = sum(1 for t, _ in shown if ta <= t <= tb)
    ends = [t for t, s in shown if s >= model.steps]
    return {
        "nominal": tl.rate,
        "shown": shown_rate,
        "advanced": rate(advanced)[0],
        "frames": frames,
        "span": tb - ta,
        "fps": (frames - 1) / (tb - ta),
        "per_frame": shown_rate * (tb - ta) / max(frames - 1, 1),
        "end": ends[0] - t_play if ends else None,
    }


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
    from PyQt6 import QtCore

    repaint = Repainter(app, (win.map, win.curves))
    lat, missed = slider_latency(app, win, repaint)
    print(f"slider -> repainted map and curves ({len(win.model.runs)} optimizers x {win.model.steps} steps, "
          f"{MAP_GRID}x{MAP_GRID} map, window 1500x900): median {statistics.median(lat):.1f} ms, "
          f"p95 {pct(lat, 95):.1f} ms, max {max(lat):.1f} ms   (targets 16 / 33 ms){missed}")

    mean, p95 = frame_cost(app, win, repaint, 600)
    print(f"animation frame (6 trails of 1,000 steps, window 1500x900): mean {mean:.1f} ms, p95 {p95:.1f} ms"
          f" -> {1e3 / mean:.0f} frames/s sustainable   (target 60)")
    for presenting in (False, True):  # a maximised window, and the projector
        win.set_presentation(presenting)
        win.resize(1920, 1080)
        app.processEvents()
        mean, p95 = frame_cost(app, win, repaint, 300)
        what = "presenting, paths up to their heads" if presenting else "windowed"
        print(f"animation frame, {what} {size_of(win)}: mean {mean:.1f} ms, p95 {p95:.1f} ms"
              f" -> {1e3 / mean:.0f} frames/s sustainable   (target 60)")
    win.set_presentation(False)

    # playback in wall time, windowed and presenting
    for presenting, size in ((False, (1400, 900)), (True, (1920, 1080))):
        win.set_presentation(presenting)
        win.resize(*size)
        app.processEvents()
        if presenting:  # a teacher drags a slider on the projector (F6 shows the controls)
            win.toggle_controls()
            app.processEvents()
            lat, missed = slider_latency(app, win, repaint)
            print(f"slider -> repainted map and curves, presenting {size_of(win)} (controls shown, paths "
                  f"up to their heads): median {statistics.median(lat):.1f} ms, p95 {pct(lat, 95):.1f} ms, "
                  f"max {max(lat):.1f} ms   (targets 16 / 33 ms){missed}")
            win.toggle_controls()
            app.processEvents()
        for speed in (1, 4, 8):
            r = playback(app, win, speed)
            mode = "presenting" if presenting else "windowed"
            end = (f", the last step shown after {r['end']:.2f} s (nominal {win.model.steps / r['nominal']:.2f} s)"
                   if r["end"] is not None else "")
            print(f"playback {mode} {size_of(win)}, {speed}x: nominal {r['nominal']:.0f} steps/s, "
                  f"shown {r['shown']:.0f} steps/s ({r['shown'] / r['nominal']:.3f}x), "
                  f"advanced {r['advanced']:.0f} steps/s; {r['frames']} frames painted in {r['span']:.2f} s "
                  f"-> {r['fps']:.0f} frames/s, {r['per_frame']:.1f} steps a frame{end}   (target within 10 %)")
    win.set_presentation(False)
    win.resize(1500, 900)
    app.processEvents()

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
