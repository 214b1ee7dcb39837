#!/usr/bin/env python3
"""Ravine's performance suite, every figure side by side with its baseline in the same run.

    python3 dev.py bench            (or: .venv/bin/python benchmarks/run.py [--quick])

1. Trajectory throughput: Adam on rosenbrock, 10,000 trajectories x 1,000 steps, through
   `simulate_batch` (numba, chunks of trajectories shared out over threads, trajectories
   innermost), against the same
   loop written as vectorised NumPy over the 10,000 trajectories, and against a
   `torch.optim.Adam` loop on one point when torch is installed.
2. Warm start: a fresh process that loads the default scene and simulates it, with numba's
   cache already filled (and a check that the cache was really used).

Times are the best of several repetitions (the machine is shared; the best is the least
disturbed); the median is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

N, STEPS, LR = 10_000, 1_000, 0.002


def timed(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), out


def starts(n):
    return np.random.default_rng(0).uniform([-2.0, -1.0], [2.0, 3.0], (n, 2))


def ravine_batch(n, steps, threads=None):
    from ravine.core import simulate_batch
    from ravine.core.threads import set_threads

    s = starts(n)
    simulate_batch("rosenbrock", "adam", s[:8], 4, lr=LR)  # load the kernel
    set_threads(threads)
    try:
        return timed(lambda: simulate_batch("rosenbrock", "adam", s, steps, lr=LR), 5)
    finally:
        set_threads(None)


def numpy_batch(n, steps):
    """The same Adam-on-rosenbrock loop, vectorised over trajectories with NumPy."""
    b1, b2, eps = 0.9, 0.999, 1e-8

    def run():
        w = starts(n).copy()
        m = np.zeros_like(w)
        v = np.zeros_like(w)
        g = np.empty_like(w)
        for t in range(1, steps + 1):
            x, y = w[:, 0], w[:, 1]
            r = y - x * x
            g[:, 0] = -2.0 * (1.0 - x) - 400.0 * x * r
            g[:, 1] = 200.0 * r
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            w -= LR * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        return w

    return timed(run, 3)


def numba_steps_innermost(n, steps):
    """The other loop order, as most visualizers write it: prange over trajectories, each
    running its own step loop (a dependent chain per trajectory, nothing to vectorise)."""
    import math

    from numba import njit, prange

    @njit(parallel=True, error_model="numpy")
    def run(w0, steps, lr, b1, b2, eps):
        out = np.empty_like(w0)
        for i in prange(w0.shape[0]):
            x, y = w0[i, 0], w0[i, 1]
            mx = my = sx = sy = 0.0
            for t in range(1, steps + 1):
                r = y - x * x
                gx = -2.0 * (1.0 - x) - 400.0 * x * r
                gy = 200.0 * r
                mx = b1 * mx + (1 - b1) * gx
                my = b1 * my + (1 - b1) * gy
                sx = b2 * sx + (1 - b2) * gx * gx
                sy = b2 * sy + (1 - b2) * gy * gy
                c1 = 1 - b1**t
                c2 = 1 - b2**t
                x -= lr * (mx / c1) / (math.sqrt(sx / c2) + eps)
                y -= lr * (my / c1) / (math.sqrt(sy / c2) + eps)
            out[i, 0], out[i, 1] = x, y
        return out

    w0 = starts(n)
    run(w0[:4], 3, LR, 0.9, 0.999, 1e-8)
    return timed(lambda: run(w0, steps, LR, 0.9, 0.999, 1e-8), 3)


def torch_one_point(steps):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def run():
        w = torch.tensor([-1.5, 1.5], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([w], lr=LR)
        for _ in range(steps):
            opt.zero_grad()
            loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
            loss.backward()
            opt.step()
        return w.detach().numpy()

    return timed(run, 3)


WARM = """
import time, json
t0 = time.perf_counter()
from ravine.core import load_example, simulate
from ravine.core.kernels import kernels
scene = load_example("momentum-ravine")
sim = simulate(scene)
stats = [kernels().run(scene.surface, o.kind).stats for o in scene.optimizers]
print(json.dumps({"inside": time.perf_counter() - t0,
                  "hits": sum(sum(s.cache_hits.values()) for s in stats),
                  "misses": sum(sum(s.cache_misses.values()) for s in stats)}))
"""


def warm_start(reps):
    subprocess.run([sys.executable, "-c", WARM], check=True, capture_output=True)  # fill the cache
    walls, info = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", WARM], check=True, capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        info = json.loads(out.stdout.strip().splitlines()[-1])
    return min(walls), statistics.median(walls), info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smaller problem, for a smoke test")
    args = ap.parse_args()
    n, steps = (1_000, 200) if args.quick else (N, STEPS)
    work = n * steps
    print(f"machine: {os.cpu_count()} cores; Adam on rosenbrock, {n:,} trajectories x {steps:,} steps")

    best, med, res = ravine_batch(n, steps)
    rate = work / best
    print(f"  ravine simulate_batch   {rate / 1e6:8.1f} M steps/s   (best {best:.3f} s, median {med:.3f} s)")
    best1, med1, _ = ravine_batch(n, steps, threads=1)
    print(f"  ravine, 1 thread        {work / best1 / 1e6:8.1f} M steps/s   (best {best1:.3f} s, median {med1:.3f} s)"
          f"   -> {best1 / best:.2f}x from threads")
    nbest, nmed, w = numpy_batch(n, steps)
    agree = np.allclose(w, res.final, rtol=1e-9, atol=1e-12)
    print(f"  NumPy vectorised loop   {work / nbest / 1e6:8.1f} M steps/s   (best {nbest:.3f} s, median {nmed:.3f} s)"
          f"   -> ravine is {nbest / best:.1f}x faster; same results: {agree}")
    obest, omed, w = numba_steps_innermost(n, steps)
    agree = np.allclose(w, res.final, rtol=1e-9, atol=1e-12)
    print(f"  numba, steps innermost  {work / obest / 1e6:8.1f} M steps/s   (best {obest:.3f} s, median {omed:.3f} s)"
          f"   -> ravine is {obest / best:.1f}x faster; same results: {agree}")
    torch_steps = 2_000
    t = torch_one_point(torch_steps)
    if t is None:
        print("  torch.optim.Adam        not installed: skipped (pip install torch to compare)")
    else:
        tbest, tmed, w = t
        from ravine.core import simulate_batch
        mine = simulate_batch("rosenbrock", "adam", [(-1.5, 1.5)], torch_steps, lr=LR).final[0]
        print(f"  torch.optim.Adam, 1 pt  {torch_steps / tbest / 1e3:8.1f} k steps/s   (best {tbest:.3f} s, median {tmed:.3f} s)"
              f"   -> ravine is {rate / (torch_steps / tbest):,.0f}x more steps/s")
        print(f"    (torch and ravine end at the same point: {np.allclose(w, mine, rtol=1e-9)})")

    wbest, wmed, info = warm_start(3 if args.quick else 7)
    print(f"warm start (fresh process: import, load default scene, simulate): best {wbest:.2f} s, "
          f"median {wmed:.2f} s; numba cache hits {info['hits']}, misses {info['misses']}")


if __name__ == "__main__":
    main()
