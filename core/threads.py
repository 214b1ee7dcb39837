"""Ravine's worker threads: the compiled kernels release the GIL, so plain threads run them
side by side on every core.

`parallel(fn, n)` cuts the items 0..n-1 into pieces and runs fn(lo, hi) for each piece on
the calling thread and up to threads() - 1 helper threads, which are started once and then
wait for work. Pieces are handed out in order, so a fast thread takes more of them. Each
piece's results go to disjoint slices of the caller's arrays: the outcome does not depend on
the number of threads, to the bit.

Why not numba's `prange`: a kernel with `parallel=True` takes 2-4 times longer to compile than
the same serial kernel and runs its chunks through numba's threading layer; the serial kernel
on these threads compiles once for any thread count and scales with the cores (see
benchmarks/threads.py).
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable

PIECES_PER_THREAD = 4
"""How many pieces `parallel` cuts the work into per thread: more balance the load better
between threads that run at different speeds, fewer cost fewer calls."""

_lock = threading.Lock()
_count: int | None = None
_jobs: queue.SimpleQueue = queue.SimpleQueue()
_helpers: list[threading.Thread] = []
_local = threading.local()  # .inside: this thread is running a piece of a `parallel` call


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


MAX_THREADS = 1024


def env_threads() -> int | None:
    """$RAVINE_THREADS as a number of threads (None when unset or empty), or ValueError with
    one line saying what is allowed."""
    env = os.environ.get("RAVINE_THREADS", "").strip()
    if not env:
        return None
    if not (env.isdigit() and 1 <= int(env) <= MAX_THREADS):
        shown = env if len(env) <= 20 and env.isprintable() else repr(env[:20]) + "..."
        raise ValueError(f"RAVINE_THREADS: must be a whole number from 1 to {MAX_THREADS} (got {shown})")
    return int(env)


def threads() -> int:
    """How many threads `parallel` uses: set_threads(n), else $RAVINE_THREADS (an invalid value
    is ignored here; the command line refuses it in one line), else the cores."""
    if _count is not None:
        return _count
    try:
        return env_threads() or cores()
    except ValueError:
        return cores()


def set_threads(n: int | None) -> None:
    """Use n threads from now on (None: back to the default)."""
    global _count
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_THREADS):
        raise ValueError(f"threads: must be a whole number from 1 to {MAX_THREADS} (got {n!r})")
    _count = n


def _helper() -> None:
    while True:
        job = _jobs.get()
        job()


def _ensure(n: int) -> None:
    with _lock:
        while len(_helpers) < n:
            t = threading.Thread(target=_helper, name=f"ravine-worker-{len(_helpers) + 1}", daemon=True)
            t.start()
            _helpers.append(t)


def parallel(fn: Callable[[int, int], None], n: int, piece: int = 1, workers: int | None = None) -> None:
    """fn(lo, hi) over 0..n-1, cut into pieces of at least `piece` items (PIECES_PER_THREAD per thread),
    on `workers` threads (default threads()). The first exception raised by any piece is raised
    here once every started piece has ended; the pieces not yet started are dropped. A piece
    that calls `parallel` itself runs that call's pieces on its own thread (helpers waiting
    for helpers could wait forever)."""
    if n <= 0:
        return
    workers = threads() if workers is None else workers
    if getattr(_local, "inside", False):
        workers = 1
    count = max(1, min(-(-n // max(1, piece)), PIECES_PER_THREAD * workers))
    size = -(-n // count)
    bounds = [(lo, min(n, lo + size)) for lo in range(0, n, size)]
    if workers <= 1 or len(bounds) <= 1:
        for lo, hi in bounds:
            fn(lo, hi)
        return
    ticket = itertools.count()
    errors: list[BaseException] = []
    done = threading.Condition()
    active = [0]

    def work() -> None:
        _local.inside = True
        try:
            while not errors:
                i = next(ticket)
                if i >= len(bounds):
                    break
                fn(*bounds[i])
        except BaseException as exc:  # handed to the caller
            errors.append(exc)
        finally:
            _local.inside = False
            with done:
                active[0] -= 1
                done.notify_all()

    helpers = min(workers, len(bounds)) - 1
    _ensure(helpers)
    active[0] = helpers + 1
    for _ in range(helpers):
        _jobs.put(work)
    try:
        work()
    finally:
        with done:
            while active[0] > 0:
                done.wait()
    if errors:
        raise errors[0]
