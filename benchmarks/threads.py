#!/usr/bin/env python3
"""Thread scaling of the trajectory kernels, beside the same loop in C with OpenMP.

    .venv/bin/python benchmarks/threads.py [--n 100000] [--steps 1000] [--reps 3]

Adam on rosenbrock, n trajectories x steps updates, record=False (the sweeps' and maps' fast
path), through `simulate_batch` at 1, 2, 4, ... threads up to the machine's cores
(ravine.core.threads.set_threads). The baseline, when gcc is on the PATH, is the same
computation written in C (trajectories innermost in chunks of 64, `#pragma omp parallel for`
over the chunks, gcc -O3 -march=native -fopenmp, no FMA contraction), run through ctypes at the same thread
counts; its results are checked against Ravine's. Figures are M steps/s, best of `reps`.

--timeline adds, per thread count, where Ravine's time went (best of `reps`): the serial
work of `simulate_batch` outside the threads, the pieces' total time against one thread's
(how much slower each piece runs when all threads run together), and the spread of the
threads' busy times (load balance).
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from timing import best

LR, B1, B2, EPS = 0.002, 0.9, 0.999, 1e-8

C_SOURCE = r"""
#include <math.h>
#include <stdlib.h>
#define CHUNK 64
void run(const double *starts, long n, long steps, double lr, double b1, double b2, double eps,
         double *final) {
    long chunks = (n + CHUNK - 1) / CHUNK;
    #pragma omp parallel for schedule(static)
    for (long c = 0; c < chunks; c++) {
        long lo = c * CHUNK, k = (n - lo < CHUNK) ? n - lo : CHUNK;
        double x[CHUNK], y[CHUNK], mx[CHUNK] = {0}, my[CHUNK] = {0}, sx[CHUNK] = {0}, sy[CHUNK] = {0};
        for (long j = 0; j < k; j++) { x[j] = starts[2 * (lo + j)]; y[j] = starts[2 * (lo + j) + 1]; }
        double p1 = 1.0, p2 = 1.0;
        for (long t = 1; t <= steps; t++) {
            p1 *= b1; p2 *= b2;
            if (p1 < 1e-200) p1 = 0.0;
            if (p2 < 1e-200) p2 = 0.0;
            double c1 = 1.0 - p1, c2 = 1.0 - p2;
            for (long j = 0; j < k; j++) {
                double r = y[j] - x[j] * x[j];
                double gx = -2.0 * (1.0 - x[j]) - 400.0 * x[j] * r, gy = 200.0 * r;
                mx[j] = b1 * mx[j] + (1.0 - b1) * gx;
                my[j] = b1 * my[j] + (1.0 - b1) * gy;
                sx[j] = b2 * sx[j] + (1.0 - b2) * gx * gx;
                sy[j] = b2 * sy[j] + (1.0 - b2) * gy * gy;
                x[j] += -lr * (mx[j] / c1) / (sqrt(sx[j] / c2) + eps);
                y[j] += -lr * (my[j] / c1) / (sqrt(sy[j] / c2) + eps);
            }
        }
        for (long j = 0; j < k; j++) { final[2 * (lo + j)] = x[j]; final[2 * (lo + j) + 1] = y[j]; }
    }
}
void set_threads(int n);
"""


def c_baseline(folder: Path):
    """The C loop as a ctypes function with a thread-count setter, or None without gcc."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    src, lib = folder / "adam.c", folder / "adam.so"
    src.write_text(C_SOURCE.replace("void set_threads(int n);",
                                    "#include <omp.h>\nvoid set_threads(int n) { omp_set_num_threads(n); }"))
    # no FMA contraction (numba does not contract either: the same results) and no errno
    # for sqrt (numba's error_model="numpy" has none), which would keep gcc from vectorising
    subprocess.run([gcc, "-O3", "-march=native", "-ffp-contract=off", "-fno-math-errno", "-fopenmp", "-shared",
                    "-fPIC", str(src), "-o", str(lib), "-lm"],
                   check=True)
    so = ctypes.CDLL(str(lib))
    dp = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
    so.run.argtypes = [dp, ctypes.c_long, ctypes.c_long, ctypes.c_double, ctypes.c_double, ctypes.c_double,
                       ctypes.c_double, dp]
    so.set_threads.argtypes = [ctypes.c_int]
    return so


class Timeline:
    """Wraps `parallel` as simulate_batch calls it, recording each piece's thread and times."""

    def __init__(self):
        import ravine.core.simulation as sim

        self.sim, self.real, self.pieces, self.span = sim, sim.parallel, [], (0.0, 0.0)
        sim.parallel = self.parallel

    def parallel(self, fn, n, piece=1, workers=None):
        def timed(lo, hi):
            t0 = time.perf_counter()
            fn(lo, hi)
            self.pieces.append((threading.get_ident(), t0, time.perf_counter()))

        t0 = time.perf_counter()
        self.real(timed, n, piece, workers)
        self.span = (t0, time.perf_counter())

    def measure(self, fn, reps: int) -> tuple[float, float, float, float, float]:
        """Best of reps: (total, serial outside the threads, sum of pieces, least and most busy thread)."""
        out = []
        for _ in range(reps):
            self.pieces.clear()
            t0 = time.perf_counter()
            fn()
            total = time.perf_counter() - t0
            busy: dict[int, float] = {}
            for ident, a, b in self.pieces:
                busy[ident] = busy.get(ident, 0.0) + b - a
            out.append((total, total - (self.span[1] - self.span[0]), sum(busy.values()), min(busy.values()),
                        max(busy.values())))
        return min(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=1_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=str, default="", help="comma-separated counts (default 1, 2, 4 ... cores)")
    ap.add_argument("--pieces", type=int, default=0, help="pieces per thread (default: Ravine's)")
    ap.add_argument("--timeline", action="store_true", help="where Ravine's time goes at each thread count")
    args = ap.parse_args()

    from ravine.core import simulate_batch, threads
    from ravine.core.threads import cores, set_threads

    if args.pieces:
        threads.PIECES_PER_THREAD = args.pieces

    n, steps = args.n, args.steps
    top = cores()
    counts = [int(c) for c in args.threads.split(",")] if args.threads else \
        sorted({*(2**i for i in range(top.bit_length()) if 2**i <= top), top})
    starts = np.random.default_rng(0).uniform([-2.0, -1.0], [2.0, 3.0], (n, 2))
    simulate_batch("rosenbrock", "adam", starts[:8], 2, lr=LR)  # compile or load
    work = n * steps
    print(f"machine: {top} cores; Adam on rosenbrock, {n:,} trajectories x {steps:,} steps (M steps/s, best of {args.reps})")
    with tempfile.TemporaryDirectory() as tmp:
        c = c_baseline(Path(tmp))
        final_c = np.empty((n, 2))
        print(f"{'threads':>8s} {'ravine':>9s} {'speed-up':>9s} {'C+OpenMP':>9s} {'speed-up':>9s} {'ravine/C':>9s}")
        base_r = base_c = None
        for k in counts:
            set_threads(k)
            r_time = best(lambda: simulate_batch("rosenbrock", "adam", starts, steps, lr=LR), args.reps)
            rate_r = work / r_time / 1e6
            base_r = base_r or rate_r
            line = f"{k:8d} {rate_r:9.1f} {rate_r / base_r:8.2f}x"
            if c is not None:
                c.set_threads(k)
                c_time = best(lambda: c.run(starts, n, steps, LR, B1, B2, EPS, final_c), args.reps)
                rate_c = work / c_time / 1e6
                base_c = base_c or rate_c
                line += f" {rate_c:9.1f} {rate_c / base_c:8.2f}x {rate_r / rate_c:8.2f}x"
            print(line, flush=True)
        if args.timeline:
            timeline, alone = Timeline(), None
            print("\nwhere the time goes (ms; pieces: their summed time, and against one thread's)")
            for k in counts:
                set_threads(k)
                total, serial, pieces, low, high = timeline.measure(
                    lambda: simulate_batch("rosenbrock", "adam", starts, steps, lr=LR), args.reps)
                alone = alone or pieces
                print(f"{k:3d} threads: total {total * 1e3:8.2f}  serial {serial * 1e3:5.2f}  pieces "
                      f"{pieces * 1e3:8.1f} ({pieces / alone:.2f}x)  busy {low * 1e3:.1f}-{high * 1e3:.1f}", flush=True)
            timeline.sim.parallel = timeline.real
        set_threads(None)
        if c is not None:
            mine = simulate_batch("rosenbrock", "adam", starts, steps, lr=LR).final
            print(f"C and ravine agree: {np.allclose(final_c, mine, rtol=1e-9, atol=1e-12)}")
        else:
            print("(gcc not found: no C baseline)")


if __name__ == "__main__":
    sys.exit(main())
