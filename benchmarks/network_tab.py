#!/usr/bin/env python3
"""The Network tab's responsiveness while it trains, measured on the real window (offscreen Qt).

    .venv/bin/python benchmarks/network_tab.py [--size 1920x1080] [--present] [--profile]

The window opens on the course experiment (`course-adam`: GD, momentum and Adam on moons,
5,000 epochs, or --epochs), shows the Network tab and trains to the end at full speed, in a running
event loop, with a 5 ms timer ticking. The gaps between the timer's ticks are how long
the GUI thread was deaf (drawing, or anything else it did): median, p95 and max, against
the target of 50 ms at most while training and redrawing; and of each gap, the processor
time the GUI thread itself used (thread_time): a gap much longer than that is the thread
waiting for a processor (on a machine shared with other programs) or for Python's lock.
Also: how many frames the tab painted, and how many times the loss landscape was redrawn
while training.

--present measures in presentation mode (bigger fonts and lines); --profile prints where
the GUI thread spent its time (cProfile of the main thread only); --why samples the GUI
thread's stack whenever it has been deaf for over 30 ms and prints where those samples were.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def measure(size=(1920, 1080), present=False, profile=False, example="course-adam", epochs=None, limit=120.0,
            why=False):
    from PyQt6 import QtCore, QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    from ravine.app.window import MainWindow
    from ravine.core import load_example

    scene = load_example(example)
    if epochs is not None:
        scene.network.epochs = epochs
    win = MainWindow(scene)
    win.resize(*size)
    win.show()
    if present:
        win.set_presentation(True)
        win.resize(*size)
    win.tabs.setCurrentWidget(win.network)
    for _ in range(20):
        app.processEvents()
    net = win.network
    model = net.model
    # a first short training loads (or compiles) the kernels: not what is measured here
    model.start()
    while model.running:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
    model.reset() if hasattr(model, "reset") else None
    for _ in range(20):
        app.processEvents()

    paints = []

    class Paints(QtCore.QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QtCore.QEvent.Type.Paint:
                paints.append(time.perf_counter())
            return False

    watch = Paints()
    for view in net.findChildren(QtWidgets.QGraphicsView):
        view.viewport().installEventFilter(watch)
    landscapes = []
    signal = getattr(model, "landscape_ready", None)
    if signal is not None:
        signal.connect(lambda *_: landscapes.append(time.perf_counter()))

    ticks = []  # (wall time, the GUI thread's processor time) at each tick
    timer = QtCore.QTimer()
    timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append((time.perf_counter(), time.thread_time())))
    loop = QtCore.QEventLoop()
    model.running_changed.connect(lambda on: on or QtCore.QTimer.singleShot(0, loop.quit))
    deadline = QtCore.QTimer(singleShot=True, interval=int(limit * 1000), timeout=loop.quit)
    sampler = Sampler() if why else None
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
    timer.start()
    if sampler:
        timer.timeout.connect(sampler.tick)
        sampler.start()
    deadline.start()
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    model.start()
    loop.exec()
    if prof:
        prof.disable()
    t1 = time.perf_counter()
    timer.stop()
    if sampler:
        sampler.stop()
    epochs = model.epoch
    model.stop()
    inside = [(t, c) for t, c in ticks if t0 < t < t1]
    ts = np.array([t0] + [t for t, _ in inside] + [t1])
    gaps = np.diff(ts) * 1e3
    # of each gap, the time the GUI thread itself ran (the rest it waited: for a processor
    # other programs had, or for Python's lock)
    cpu = np.diff([c for _, c in inside]) * 1e3 if len(inside) > 1 else np.zeros(1)
    frames = sum(1 for t in paints if t0 < t < t1)
    out = {
        "size": f"{win.width()}x{win.height()}", "present": present, "seconds": t1 - t0, "epochs": epochs,
        "median": float(np.median(gaps)), "p95": float(np.percentile(gaps, 95)), "max": float(gaps.max()),
        "over50": int((gaps > 50).sum()), "frames": frames,
        "cpu_p95": float(np.percentile(cpu, 95)), "cpu_max": float(cpu.max()),
        "landscapes": sum(1 for t in landscapes if t0 < t < t1),
    }
    if prof:
        import io
        import pstats

        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(40)
        out["profile"] = s.getvalue()
    if sampler:
        out["why"] = sampler.report()
    win.set_presentation(False)
    win.close()
    return out


class Sampler:
    """Where the GUI thread is while the 5 ms timer has not ticked for over 30 ms."""

    def __init__(self):
        import threading

        self.last = time.perf_counter()
        self.samples: dict[tuple, int] = {}
        self.running = False
        self.main = threading.main_thread().ident
        self.thread = threading.Thread(target=self._run, daemon=True)

    def tick(self):
        self.last = time.perf_counter()

    def start(self):
        self.running = True
        self.thread.start()

    def stop(self):
        self.running = False
        self.thread.join()

    def _run(self):
        import traceback

        while self.running:
            time.sleep(0.003)
            if time.perf_counter() - self.last > 0.03:
                frame = sys._current_frames().get(self.main)
                if frame is not None:
                    stack = traceback.extract_stack(frame)[-6:]
                    key = tuple(f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in stack)
                    self.samples[key] = self.samples.get(key, 0) + 1

    def report(self) -> str:
        top = sorted(self.samples.items(), key=lambda kv: -kv[1])[:12]
        return "\n\n".join(f"{n} samples:\n  " + "\n  ".join(k) for k, n in top)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--present", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--why", action="store_true", help="sample the GUI thread when it is deaf")
    parser.add_argument("--example", default="course-adam")
    parser.add_argument("--epochs", type=int, default=None, help="train this many epochs instead")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.split("x"))
    r = measure(size, args.present, args.profile, args.example, args.epochs, why=args.why)
    mode = "presenting" if r["present"] else "windowed"
    print(f"Network tab training {args.example} ({r['epochs']:,} epochs in {r['seconds']:.1f} s, {mode} "
          f"{r['size']}): event loop gaps between 5 ms ticks median {r['median']:.1f} ms, p95 {r['p95']:.1f} ms, "
          f"max {r['max']:.0f} ms ({r['over50']} over 50 ms; the GUI thread's own work in a gap: p95 "
          f"{r['cpu_p95']:.1f} ms, max {r['cpu_max']:.0f} ms); {r['frames']} paints, "
          f"{r['landscapes']} landscape redraws while training   (target: max 50 ms)")
    if "profile" in r:
        print(r["profile"])
    if "why" in r:
        print(r["why"])


if __name__ == "__main__":
    main()
