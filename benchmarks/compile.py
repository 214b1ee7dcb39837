#!/usr/bin/env python3
"""Compile time of each kind of kernel, on empty caches, as a new user's first start meets it.

    .venv/bin/python benchmarks/compile.py [--reps 2]

Each repetition is a fresh process with RAVINE_CACHE_DIR and NUMBA_CACHE_DIR pointed at new
empty folders. In it, in this order, the first call of: the small kernels (contours, EWA,
decision boundaries), one surface's value grid (the map), one (surface, optimizer) pair's
serial kernel (what a scene's path needs), a second optimizer on the same surface (the
surface's own functions are compiled by then), the pair's parallel kernel (sweeps, maps), the
network's training kernel with one optimizer's step, and a second optimizer's step (the
kernel is shared by all optimizers). Then a second fresh process on the now filled caches times the
same calls as cache loads. Figures are seconds, best and median of the repetitions.

Last, the whole command `ravine train course-adam` (the training kernel and three
optimizers' steps), timed from outside on empty caches and again on the filled ones.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from ravine.core import kernels as K
from ravine.core.simulation import simulate_batch, value_grid
out = {"import": time.perf_counter() - t0}

def timed(name, fn):
    t = time.perf_counter()
    fn()
    out[name] = time.perf_counter() - t

from ravine.core.warmup import run_job

def misc():
    run_job(("misc",))

def network(kind):
    return lambda: run_job(("network", kind))

one = np.array([[-1.0, 1.0]])
many = np.zeros((K.CHUNK + 1, 2))
timed("small kernels (contours, EWA, boundaries)", misc)
timed("value grid (rosenbrock)", lambda: value_grid("rosenbrock", np.arange(3.0), np.arange(3.0)))
timed("serial pair, first (rosenbrock x adam)", lambda: simulate_batch("rosenbrock", "adam", one, 2, record=True))
timed("serial pair, next optimizer (rosenbrock x momentum)", lambda: simulate_batch("rosenbrock", "momentum", one, 2, record=True))
timed("parallel pair (rosenbrock x adam)", lambda: simulate_batch("rosenbrock", "adam", many, 2))
timed("network training (the kernel, and adam's step)", network("adam"))
timed("network training, next optimizer (momentum's step)", network("momentum"))
print(json.dumps(out))
"""


def child(env) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2)
    args = ap.parse_args()
    cold, warm = [], []
    for _ in range(args.reps):
        with tempfile.TemporaryDirectory() as rc, tempfile.TemporaryDirectory() as nc:
            env = dict(os.environ, RAVINE_CACHE_DIR=rc, NUMBA_CACHE_DIR=nc)
            cold.append(child(env))
            warm.append(child(env))
    print(f"{'first call':55s} {'cold best':>9s} {'median':>7s} {'cached':>7s}")
    for key in cold[0]:
        c = [r[key] for r in cold]
        w = [r[key] for r in warm]
        print(f"{key:55s} {min(c):9.2f} {statistics.median(c):7.2f} {min(w):7.3f}")
    course = {"cold": [], "warm": []}
    for _ in range(args.reps):
        with tempfile.TemporaryDirectory() as rc, tempfile.TemporaryDirectory() as nc:
            env = dict(os.environ, RAVINE_CACHE_DIR=rc, NUMBA_CACHE_DIR=nc)
            for what in ("cold", "warm"):
                t = time.perf_counter()
                subprocess.run([sys.executable, "-m", "ravine.app.cli", "train", "course-adam"], env=env,
                               capture_output=True, check=True)
                course[what].append(time.perf_counter() - t)
    print(f"{'ravine train course-adam, the whole command':55s} {min(course['cold']):9.2f} "
          f"{statistics.median(course['cold']):7.2f} {min(course['warm']):7.3f}")


if __name__ == "__main__":
    main()
