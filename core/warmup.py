"""`ravine warmup`: compile every kernel once, on all cores, so that no window and no
command waits for numba later.

A kernel is compiled the first time it runs and loaded from the disk cache after that (a
second or two against a few milliseconds). Warm-up runs each one on a tiny input in a pool
of worker processes (numba's cache is shared through the disk), and reports how long each
took: a compile when the cache did not have it, a load when it did.

`CompileAhead` does the same for a window's first start on empty caches: a helper process
compiles the scene's kernels from the last one back while the window's worker compiles them
from the first one on, and each side takes from the disk cache what the other has done.
(Numba compiles hold the GIL: threads would only take turns; a process uses another core.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

import numpy as np

# a job is ("pair", surface, optimizer) | ("grid", surface) | ("network", *optimizers) | ("misc",)


def jobs(examples_only: bool = False) -> list[tuple]:
    """Every kernel (or those the built-in examples need): the (surface, optimizer) pairs,
    one grid per surface, the network's training kernel with each optimizer's step (one job:
    the kernel is shared, and compiling it in several processes at once would only repeat
    the work), and the small ones (contours, critical points, EWA, decision boundaries)."""
    from ravine.core.optimizers import OPTIMIZERS
    from ravine.core.scene import example_names, load_example
    from ravine.landscapes import SURFACES

    if examples_only:
        pairs, surfaces, network = set(), set(), set()
        for name in example_names():
            scene = load_example(name)
            for cfg in scene.optimizers:
                pairs.add((scene.surface, cfg.kind))
            if scene.optimizers:
                surfaces.add(scene.surface)
            if scene.network is not None:
                network |= {c.kind for c in scene.network.configs}
    else:
        pairs = {(s, o) for s in SURFACES for o in OPTIMIZERS}
        surfaces, network = set(SURFACES), set(OPTIMIZERS)
    out = [("misc",)] + [("grid", s) for s in sorted(surfaces)] + [("pair", s, o) for s, o in sorted(pairs)]
    return out + ([("network", *sorted(network))] if network else [])


def run_job(job: tuple) -> tuple[tuple, float]:
    """Compile (or load) the kernels of one job; returns (job, seconds)."""
    t0 = time.perf_counter()
    kind = job[0]
    if kind == "pair":
        from ravine.core.simulation import simulate_batch
        from ravine.landscapes import get_surface

        surface, optimizer = job[1], job[2]
        start = np.asarray(get_surface(surface).start, dtype=np.float64)
        simulate_batch(surface, optimizer, start[None, :], 2, record=True)  # the serial kernel
    elif kind == "grid":
        from ravine.core.simulation import value_grid
        from ravine.landscapes import get_surface

        surf = get_surface(job[1])
        (x0, x1), (y0, y1) = surf.domain
        value_grid(job[1], np.linspace(x0, x1, 3), np.linspace(y0, y1, 3))
        surf.critical_points()
    elif kind == "network":
        from ravine.core.training import Trainer, network_from_dict

        spec = network_from_dict({"dataset": "moons", "data": {"n": 16}, "epochs": 1, "batch_size": 8,
                                  "configs": [{"kind": kind, "lr": 0.01} for kind in job[1:]]}, "warmup")
        Trainer(spec).step(1)
    else:
        from ravine.core.contours import contour_segments, log_levels
        from ravine.core.ewa import ewa
        from ravine.core.network import layout, predict_grid

        z = np.arange(9.0).reshape(3, 3)
        shown, levels, _ = log_levels(z, 3)
        contour_segments(shown, np.arange(3.0), np.arange(3.0), levels)
        ewa(np.zeros(3), 0.9, True)
        sizes, w_off, b_off, n = layout([2, 1])
        predict_grid(np.zeros(n), sizes, w_off, b_off, np.zeros(2), np.zeros(2), np.empty((2, 2)))
    return job, time.perf_counter() - t0


def warmup(examples_only: bool = False, workers: int | None = None,
           progress: Callable[[int, int, tuple, float], None] | None = None) -> list[tuple[tuple, float]]:
    """Run every job (see `jobs`) in `workers` processes (default: the machine's cores);
    progress(done, total, job, seconds) after each. Returns [(job, seconds)]."""
    todo = jobs(examples_only)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    done = []
    if workers == 1:
        for job in todo:
            done.append(run_job(job))
            if progress:
                progress(len(done), len(todo), *done[-1])
        return done
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for future in as_completed([pool.submit(run_job, job) for job in todo]):
            done.append(future.result())
            if progress:
                progress(len(done), len(todo), *done[-1])
    return done


def describe(job: tuple) -> str:
    return {"pair": lambda: f"{job[1]} x {job[2]}", "grid": lambda: f"{job[1]} map",
            "network": lambda: f"network training x {len(job) - 1} optimizers", "misc": lambda: "contours, EWA, boundaries"}[job[0]]()


# ------------------------------------------------------------------ compiling ahead
def encode(job: tuple) -> str:
    return ":".join(job)


def decode(text: str) -> tuple:
    return tuple(text.split(":"))


class CompileAhead:
    """Compiles `jobs`, in that order, in a helper process at a lower priority, into the disk
    caches, while this process works through the same kernels from the other end:
    `wait_for(job)` before compiling one here says whether the helper has it (wait for it if
    it is under way, then load it from the cache) or not (compile it here). Whatever goes
    wrong in the helper (no process, a crash, an unwritable cache) only means this process
    compiles the kernel itself, as it would without one. `close()` stops the helper."""

    def __init__(self, jobs: list[tuple]):
        self.started: set[tuple] = set()
        self.done: set[tuple] = set()
        self.ended = False
        self._cond = threading.Condition()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "ravine.core.warmup", *map(encode, jobs)],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, text=True)
        except OSError:
            self.proc, self.ended = None, True
            return
        threading.Thread(target=self._read, name="ravine-compile-ahead", daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self.proc.stdout:
                what, _, text = line.strip().partition(" ")
                with self._cond:
                    (self.done if what == "done" else self.started).add(decode(text))
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self.ended = True
                self._cond.notify_all()

    def wait_for(self, job: tuple, stop: Callable[[], bool] = lambda: False) -> bool:
        """True if the helper has compiled `job` (after waiting for it, if it is compiling it
        now); False if it has not begun it, or ended without it: compile it here."""
        with self._cond:
            while job in self.started and job not in self.done and not self.ended and not stop():
                self._cond.wait(0.05)
            return job in self.done

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()
            self.proc.stdout.close()


KINDS = ("pair", "grid", "network", "misc")


def _helper(specs: list[str]) -> int:
    """The helper process of CompileAhead: each job in turn, saying when it starts and ends.
    A job it cannot do ends it with one line on stderr and exit status 2 (the window then
    compiles the rest itself)."""
    try:
        os.nice(10)  # the window's process gets the processor first
    except (AttributeError, OSError):
        pass
    for text in specs:
        job = decode(text)
        if job[0] not in KINDS:
            sys.stderr.write(f"ravine.core.warmup: unknown job {text!r} (a job is one of {', '.join(KINDS)}, "
                             f"as kind:name:...)\n")
            return 2
        print("start", text, flush=True)
        try:
            run_job(job)
        except Exception as exc:  # (a surface or optimizer that is not registered, a full disk...)
            line = f"ravine.core.warmup: {text}: {type(exc).__name__}: {exc}".replace("\n", " ")
            sys.stderr.write(line[:300] + "\n")
            return 2
        print("done", text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_helper(sys.argv[1:]))
