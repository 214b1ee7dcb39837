#!/usr/bin/env python3
"""The explorers' speed, beside the core's trajectory throughput in the same run.

    .venv/bin/python benchmarks/explorers.py [--reps 5]

1. A 128 x 128 convergence map (momentum, lr x beta) of 500 steps on rosenbrock, steps to
   a tolerance on the loss (8.2 M trajectory-steps): seconds (target <= 0.25 s), and its
   throughput against `simulate_batch` of the same optimizer and surface without a
   tolerance, as many trajectory-steps (a stricter yardstick than the target's). Then the
   target's own: a map of Adam (lr x beta1) on rosenbrock against the core benchmark, Adam
   on rosenbrock 100,000 x 1,000, in the same run: >= 0.8x. The loss criterion
   evaluates f at every step, which a step on rosenbrock does not otherwise need; the map
   with the gradient criterion is timed too.
2. A 200 x 200 basins grid of 1,000 steps (GD on himmelblau): target <= 0.5 s.
3. A 64-value lr sweep of the four optimizers of momentum-ravine ("tune").
4. In the window (offscreen), on the Explorers tab with a 64 x 32 map of momentum-ravine's
   Momentum shown: the start slider dragged (60 moves, 30 ms apart): each move's time in
   the GUI thread until the playground's model holds the new paths (median, target 16 ms),
   and how long after the last move the map shows the last start (it catches up behind).
Best of `reps`, warm (kernels loaded first).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from timing import best

from ravine.core import load_example, simulate_batch
from ravine.core.explorers import Axis, basins, convergence_map, tune
from ravine.core.scene import OptimizerConfig, Scene


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    scene = Scene("map", "rosenbrock", (-1.5, 1.5), 500, [OptimizerConfig("momentum", "M", {"lr": 1e-3, "beta": 0.9})],
                  {})
    x, y = Axis("lr", 1e-5, 1e-2, "log", 128), Axis("beta", 0.0, 0.999, "log1m", 128)
    n, steps = 128 * 128, 500
    starts = np.tile([-1.5, 1.5], (n, 1))
    lrs, betas = np.tile(x.values(), 128), np.repeat(y.values(), 128)
    convergence_map(scene, x=Axis("lr", 1e-3, 1e-2, "log", 2), steps=2)  # load the kernels
    t_map = best(lambda: convergence_map(scene, x=x, y=y, tol=1e-6), args.reps)
    t_core = best(lambda: simulate_batch("rosenbrock", "momentum", starts, steps, lr=lrs, beta=betas), args.reps)
    work = n * steps
    print(f"128 x 128 map, 500 steps (momentum on rosenbrock, steps to f - min <= 1e-6): {t_map:.3f} s "
          f"(target 0.25 s), {work / t_map / 1e6:.0f} M steps/s")
    print(f"  the same trajectories through simulate_batch without a tolerance: {t_core:.3f} s, "
          f"{work / t_core / 1e6:.0f} M steps/s -> the map runs at {t_core / t_map:.2f}x (stricter than the target)")
    t_grad = best(lambda: convergence_map(scene, x=x, y=y, tol=1e-6, criterion="grad"), args.reps)
    print(f"  the map with the gradient's norm as the criterion (no extra evaluation): {t_grad:.3f} s "
          f"-> {t_core / t_grad:.2f}x")

    # the yardstick: the core benchmark (Adam on rosenbrock, 100,000 x 1,000 through
    # simulate_batch, as benchmarks/threads.py) against a map of the same optimizer and surface
    adam = Scene("map", "rosenbrock", (-1.5, 1.5), 500, [OptimizerConfig("adam", "A", {"lr": 1e-3})], {})
    ax, ay = Axis("lr", 1e-5, 1e-1, "log", 128), Axis("beta1", 0.0, 0.999, "log1m", 128)
    many = np.random.default_rng(0).uniform([-2.0, -1.0], [2.0, 3.0], (100_000, 2))
    simulate_batch("rosenbrock", "adam", many[:8], 2, lr=0.002)
    convergence_map(adam, x=Axis("lr", 1e-3, 1e-2, "log", 2), steps=2)
    t_adam = best(lambda: convergence_map(adam, x=ax, y=ay, tol=1e-6), args.reps)
    t_bench = best(lambda: simulate_batch("rosenbrock", "adam", many, 1000, lr=0.002), 3)
    rate_map, rate_bench = work / t_adam / 1e6, 100_000 * 1000 / t_bench / 1e6
    print(f"128 x 128 map of Adam (lr x beta1), 500 steps on rosenbrock, loss criterion: {t_adam:.3f} s, "
          f"{rate_map:.0f} M steps/s; the core benchmark (Adam on rosenbrock, 100,000 x 1,000): "
          f"{rate_bench:.0f} M steps/s -> {rate_map / rate_bench:.2f}x (target 0.8x)")

    hb = Scene("basins", "himmelblau", (0.0, 0.0), 1000, [OptimizerConfig("gd", "GD", {"lr": 0.01})], {})
    basins(hb, grid=4, steps=2)
    t_basins = best(lambda: basins(hb, grid=200), args.reps)
    print(f"200 x 200 basins, 1,000 steps (GD on himmelblau): {t_basins:.3f} s (target 0.5 s), "
          f"{200 * 200 * 1000 / t_basins / 1e6:.0f} M steps/s")

    ravine = load_example("momentum-ravine")
    tune(ravine, Axis("lr", 1e-3, 1e-2, "log", 2), steps=2)
    t_tune = best(lambda: tune(ravine), args.reps)
    print(f"tune: 4 optimizers x 64 lrs x {ravine.steps} steps on {ravine.surface}: {t_tune:.3f} s")
    drag_with_the_map_open()


def drag_with_the_map_open() -> None:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from ravine.app.window import MainWindow

    win = MainWindow(load_example("momentum-ravine"))
    win.resize(1920, 1080)
    win.show()
    win.model.wait()
    tab = win.explorers
    win.tabs.setCurrentWidget(tab)
    tab.optimizer.setCurrentIndex(1)
    tab.wait()
    slider = win.controls.scene_panel.start_x.slider
    base = slider.value()
    lat = []
    for i in range(60):
        t0 = time.perf_counter()
        slider.setValue(base + (i % 30) * 4)
        app.processEvents()
        lat.append((time.perf_counter() - t0) * 1e3)
        deadline = time.perf_counter() + 0.030
        while time.perf_counter() < deadline:  # the drag's pace; the event loop runs meanwhile
            app.processEvents()
    last = win.model.scene.start
    t0 = time.perf_counter()
    while not (tab.result and not tab.busy and not tab._timer.isActive()
               and tab.result[1].final_loss is not None and win.model.scene.start == last):
        app.processEvents()
    caught = time.perf_counter() - t0
    lat.sort()
    print(f"dragging the start with the map open: median {lat[len(lat) // 2]:.1f} ms per move in the GUI thread "
          f"(target 16 ms), slowest {lat[-1]:.1f} ms; the map caught up {caught * 1e3:.0f} ms after the last move")
    win.close()


if __name__ == "__main__":
    main()
