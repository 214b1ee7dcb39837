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
   painted frame, with numba's cache warm; then cold, as a fresh clone meets it (both caches
   empty: RAVINE_CACHE_DIR and NUMBA_CACHE_DIR pointed at new empty folders), to the first
   painted frame and to the paint that shows the paths (model.runs filled, not busy), and the
   same again on those caches once filled, side by side. Target: first paint within 2 s cold.
   Kernel compile time: in a fresh process, the first call of `kernels().run(surface, kind)`
   for each of the 6 optimizers on rosenbrock, cold (a compile) against warm (a cache load).
6. Big runs: the same 6 optimizers at 100,000 and 1,000,000 steps. Slider -> repaint: an lr
   slider moved until the paint of the map and of the curves that show the new result (the
   model computes big runs in the background: its result, then those two paints), median and
   p95 of 7 moves (targets 50 ms at 100,000 and 100 ms at 1,000,000); the longest gap of the
   event loop (a 5 ms timer) during those moves and during a recompute of all six (steps
   changed); playback at 1x and 8x as in 3.
7. Memory: a fresh process per size opens the window on the 6-optimizer scene at 1,000,
   100,000 and 1,000,000 steps; its resident memory once the paths are painted, and its peak
   (/proc/self/status VmHWM: a child's getrusage ru_maxrss starts at its parent's peak); and
   the peak of this benchmark's own process (getrusage), which ends at 1,000,000 steps.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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
print("painted", time.time(), flush=True)
if "drawn" in sys.argv:  # on to the paint of the map that shows the paths
    from PyQt6 import QtCore
    m = w.model
    seen = []

    class Paints(QtCore.QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QtCore.QEvent.Type.Paint and m.runs and not m.busy and not seen:
                seen.append(1)  # stamped once this paint is done
                QtCore.QTimer.singleShot(0, lambda: (print("drawn", time.time(), flush=True), app.quit()))
            return False

    paints = Paints()
    w.map.viewport().installEventFilter(paints)
    if m.runs and not m.busy:  # the results came in the first turn of the event loop: paint them
        w.map.viewport().update()
    QtCore.QTimer.singleShot(300_000, app.quit)
    app.exec()
"""

KERNEL_TIMES = """
import json, sys, time
import numpy as np
from ravine.core import kernels as K
from ravine.core.simulation import simulate_batch
from ravine.landscapes import get_surface
t0 = time.perf_counter()
ks = K.kernels()
out = {"module": time.perf_counter() - t0, "pairs": []}
run = ks.run
timed = {}

def timing_run(surface, kind):
    kernel = run(surface, kind)
    def call(*args):
        t = time.perf_counter()
        kernel(*args)
        timed[(surface, kind)] = time.perf_counter() - t
    return call

ks.run = timing_run
for pair in sys.argv[1:]:
    surface, kind = pair.split(":")
    start = np.asarray(get_surface(surface).start, dtype=np.float64)[None, :]
    simulate_batch(surface, kind, start, 1, record=True)  # kernels().run(surface, kind)
    out["pairs"].append([surface, kind, timed[(surface, kind)]])
print(json.dumps(out))
"""

MEMORY = """
import json, resource, sys, time
from PyQt6 import QtWidgets
app = QtWidgets.QApplication(sys.argv[:1])
from ravine.app.window import MainWindow
from ravine.core import loads_scene
w = MainWindow(loads_scene(sys.stdin.read()))
w.resize(1500, 900)
w.show()
app.processEvents()


def status():  # resident now and at most (kB): VmHWM is this process's own peak, where a child's
    # getrusage ru_maxrss starts from its parent's (Linux keeps the larger across fork and exec)
    with open("/proc/self/status") as fh:
        fields = dict(line.split(":", 1) for line in fh)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


_, before = status()
w.model.wait(600)
for _ in range(5):
    app.processEvents()
    w.map.viewport().repaint()
    w.curves.viewport().repaint()
rss, peak = status()
print(json.dumps({"rss_kb": rss, "peak_kb": peak, "peak_before_kb": before, "runs": len(w.model.runs),
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

BIG_STEPS = (100_000, 1_000_000)
PAIRS = [("rosenbrock", k) for k in ("gd", "momentum", "nesterov", "rmsprop", "adagrad", "adam")]


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


class Ticks:
    """A 5 ms timer's ticks: the longest wait between two of them is how long the event loop
    was deaf (the GUI thread busy)."""

    def __init__(self):
        from PyQt6 import QtCore

        self.times = []
        self.timer = QtCore.QTimer()
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(lambda: self.times.append(time.perf_counter()))
        self.timer.start()

    def longest(self, t0, t1) -> float:
        """The longest gap (ms) between t0, the ticks in between, and t1."""
        ts = [t0] + [t for t in self.times if t0 < t < t1] + [t1]
        return float(np.diff(ts).max()) * 1e3

    def stop(self) -> None:
        self.timer.stop()


def until_shown(app, win, action, limit=600.0):
    """Do `action` (an edit), then run the event loop until the model has adopted the new
    result (not busy) and the map and the curves have each finished a paint that shows it
    (their items hold the model's trajectories). Returns (seconds to the map's paint, seconds
    to the later of the two paints), timed from the action's start."""
    from PyQt6 import QtCore

    model = win.model
    state = {"adopted": False}
    done = {}
    loop = QtCore.QEventLoop()

    def adopted():
        state["adopted"] = not model.busy

    def map_shows():
        return all(getattr(items, "traj", None) is run.traj for run, items in zip(model.runs, win.map.items))

    def curves_show():
        drawn = getattr(win.curves, "_drawn", None)
        return drawn is None or all(d is run.traj for run, d in zip(model.runs, drawn))

    def finish(name):
        if name not in done:
            done[name] = time.perf_counter()
            if len(done) == 2:
                loop.quit()

    class Paints(QtCore.QObject):
        def __init__(self, name, shows):
            super().__init__()
            self.name, self.shows = name, shows

        def eventFilter(self, obj, ev):
            if (ev.type() == QtCore.QEvent.Type.Paint and state["adopted"] and self.name not in done
                    and self.shows()):
                QtCore.QTimer.singleShot(0, lambda: finish(self.name))  # once this paint is done
            return False

    watches = [(win.map, Paints("map", map_shows)), (win.curves, Paints("curves", curves_show))]
    for view, watch in watches:
        view.viewport().installEventFilter(watch)
    model.simulation_changed.connect(adopted)
    deadline = QtCore.QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    t0 = time.perf_counter()
    action()
    deadline.start(int(limit * 1000))
    loop.exec()
    deadline.stop()
    model.simulation_changed.disconnect(adopted)
    for view, watch in watches:
        view.viewport().removeEventFilter(watch)
    if len(done) < 2:
        raise RuntimeError(f"no paint showed the new result within {limit:.0f} s (painted: {sorted(done)})")
    return done["map"] - t0, max(done.values()) - t0


def big_slider(app, win, ticks, moves=7):
    """Move the last optimizer's lr slider `moves` times (2 more moves first, not timed: the
    first one maps the new arrays' memory), each time until the repaint that shows the new
    result. Returns latencies to both paints (ms), to the map's paint (ms), the longest
    event-loop gap of each move (ms), and a note if a move did not recompute."""
    slider = win.controls.optimizers.panels[5].editors["lr"].slider
    base = slider.value()
    both, map_only, gaps = [], [], []
    stale = 0
    for i in range(moves + 2):
        before = win.model.runs[5].traj
        t0 = time.perf_counter()
        t_map, t_both = until_shown(app, win, lambda: slider.setValue(base - 40 * (i + 1)))
        stale += win.model.runs[5].traj is before
        if i >= 2:
            both.append(t_both * 1e3)
            map_only.append(t_map * 1e3)
            gaps.append(ticks.longest(t0, t0 + t_both))
    note = f"  [{stale} moves did not recompute]" if stale else ""
    until_shown(app, win, lambda: slider.setValue(base))
    return both, map_only, gaps, note


def stamps(env, drawn=True, timeout=600):
    """FIRST_FRAME in a fresh process: seconds from its start to the first painted frame
    ("painted") and to the paint that shows the paths ("drawn")."""
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME] + (["drawn"] if drawn else []), env=env,
                         check=True, capture_output=True, text=True, timeout=timeout)
    return {line.split()[0]: float(line.split()[1]) - t0 for line in out.stdout.splitlines()
            if line.split() and line.split()[0] in ("painted", "drawn")}


def empty_caches(root) -> dict:
    """An environment whose kernel caches (Ravine's and numba's) are new empty folders."""
    folder = tempfile.mkdtemp(prefix="caches-", dir=root)
    for sub in ("ravine", "numba"):
        os.mkdir(os.path.join(folder, sub))
    return dict(os.environ, RAVINE_CACHE_DIR=os.path.join(folder, "ravine"),
                NUMBA_CACHE_DIR=os.path.join(folder, "numba"))


def kernel_times(env) -> dict:
    pairs = [f"{s}:{k}" for s, k in PAIRS]
    out = subprocess.run([sys.executable, "-c", KERNEL_TIMES, *pairs], env=env, check=True,
                         capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory(steps) -> dict:
    scene = SCENE.replace("steps = 1000", f"steps = {steps}")
    out = subprocess.run([sys.executable, "-c", MEMORY], input=scene, check=True, capture_output=True,
                         text=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def mb(kb) -> str:
    return f"{kb / 1024:,.0f} MB"


def main():
    from PyQt6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    from ravine.app.model import MAP_GRID, SYNC_WORK
    from ravine.app.window import MainWindow
    from ravine.core import loads_scene

    win = MainWindow(loads_scene(SCENE))
    win.resize(1500, 900)
    win.show()
    app.processEvents()
    win.model.wait()  # the first scene is always computed in the background
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

    # big runs: the same six optimizers at 100,000 and 1,000,000 steps
    win.tabs.setCurrentWidget(win.playground)
    win.resize(1500, 900)
    app.processEvents()
    ticks = Ticks()
    for steps in BIG_STEPS:
        until_shown(app, win, lambda: win.model.set_steps(steps - 1))  # maps the memory: not timed
        t0 = time.perf_counter()
        t_map, t_all = until_shown(app, win, lambda: win.model.set_steps(steps))
        gap = ticks.longest(t0, t0 + t_all)
        print(f"big run, 6 optimizers x {steps:,} steps (window {size_of(win)}): all six recomputed (steps "
              f"changed) -> map painted after {t_map:.2f} s, map and curves {t_all:.2f} s; longest event-loop "
              f"gap meanwhile {gap:.0f} ms   (target under 100 ms)")
        win.model.set_step(win.model.steps)  # whole paths and curves on show
        app.processEvents()
        both, map_only, gaps, note = big_slider(app, win, ticks)
        print(f"slider -> repainted map and curves, 6 optimizers x {steps:,} steps ({len(both)} moves, the "
              f"result computed {'in the GUI thread' if steps <= SYNC_WORK else 'in the background'}): "
              f"median {statistics.median(both):.1f} ms, p95 {pct(both, 95):.1f} ms, max {max(both):.1f} ms "
              f"(map alone: median {statistics.median(map_only):.1f} ms); longest event-loop gap per move: "
              f"median {statistics.median(gaps):.0f} ms, max {max(gaps):.0f} ms   "
              f"(target {50 if steps <= 100_000 else 100} ms median){note}")
        for speed in (1, 8):
            r = playback(app, win, speed)
            end = (f", the last step shown after {r['end']:.2f} s (nominal {win.model.steps / r['nominal']:.2f} s)"
                   if r["end"] is not None else "")
            print(f"playback 6 x {steps:,} steps, windowed {size_of(win)}, {speed}x: nominal {r['nominal']:,.0f} "
                  f"steps/s, shown {r['shown']:,.0f} steps/s ({r['shown'] / r['nominal']:.3f}x); {r['frames']} "
                  f"frames painted in {r['span']:.2f} s -> {r['fps']:.0f} frames/s{end}   (target within 10 %)")
    ticks.stop()
    here = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"this process (everything above, ending at 6 x 1,000,000 steps): peak resident {mb(here)}")
    for steps in (1000,) + BIG_STEPS:
        m = memory(steps)
        assert m["runs"] == 6, m
        print(f"memory, a fresh process opening the window on 6 optimizers x {steps:,} steps: resident "
              f"{mb(m['rss_kb'])} once painted, peak {mb(m['peak_kb'])} (VmHWM; {mb(m['peak_before_kb'])} "
              f"before the first result)")

    # start-up: on the usual caches (filled by the first run), then cold as a fresh clone
    # meets it (both caches empty), then on those caches once filled, side by side
    stamps(os.environ)  # fills the usual caches
    warm = [stamps(os.environ) for _ in range(5)]
    painted = [w["painted"] for w in warm]
    drawn = [w["drawn"] for w in warm]
    print(f"start-up to first painted frame (fresh process, warm cache): best {min(painted):.2f} s, "
          f"median {statistics.median(painted):.2f} s; to the paths painted: best {min(drawn):.2f} s, "
          f"median {statistics.median(drawn):.2f} s   (target 2 s)")
    with tempfile.TemporaryDirectory(prefix="ravine-bench-") as root:
        cold, refilled = [], []
        for _ in range(2):
            env = empty_caches(root)
            cold.append(stamps(env))
            refilled += [stamps(env) for _ in range(3)]
        first = " / ".join(f"{c['painted']:.2f}" for c in cold)
        paths = " / ".join(f"{c['drawn']:.2f}" for c in cold)
        print(f"start-up on empty caches (RAVINE_CACHE_DIR and NUMBA_CACHE_DIR new empty folders, 2 tries): "
              f"first painted frame {first} s, paths painted {paths} s; the same caches once filled (6 starts): first "
              f"painted frame median {statistics.median(r['painted'] for r in refilled):.2f} s, paths painted "
              f"median {statistics.median(r['drawn'] for r in refilled):.2f} s   (target first paint 2 s cold)")
        env = empty_caches(root)
        compiled, loaded = kernel_times(env), kernel_times(env)
    for what, k in (("cold (a compile)", compiled), ("warm (a cache load)", loaded)):
        secs = [t for _, _, t in k["pairs"]]
        each = ", ".join(f"{kind} {t * 1e3:.0f}" for _, kind, t in k["pairs"])
        print(f"kernel, first call of kernels().run(surface, kind) in a fresh process, {what}: mean "
              f"{statistics.mean(secs) * 1e3:.0f} ms a kernel, without the process's first "
              f"{statistics.mean(secs[1:]) * 1e3:.0f} ms (rosenbrock: {each} ms); the generated module "
              f"imported in {k['module'] * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
