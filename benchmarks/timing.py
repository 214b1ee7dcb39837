"""What the benchmark scripts share (they run as scripts: this folder is on sys.path)."""

from __future__ import annotations

import time


def best(fn, reps: int) -> float:
    """The shortest of `reps` timed calls of fn(), in seconds."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
