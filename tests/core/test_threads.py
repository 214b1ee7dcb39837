"""Ravine's worker threads: every item once, errors handed back, the same results for any
number of threads, and a bad thread count refused in one line."""

import subprocess
import sys

import numpy as np
import pytest

from ravine.core import simulate_batch
from ravine.core import threads as T


@pytest.mark.parametrize("n,piece,workers", [(0, 1, 4), (1, 64, 4), (10, 1, 3), (1000, 64, 2), (1000, 7, 8)])
def test_every_item_is_done_once(n, piece, workers):
    seen = np.zeros(n, dtype=int)

    def fn(lo, hi):
        seen[lo:hi] += 1

    T.parallel(fn, n, piece, workers)
    assert np.all(seen == 1)


def test_an_error_in_a_piece_reaches_the_caller():
    def fn(lo, hi):
        if lo > 0:
            raise ZeroDivisionError("piece failed")

    with pytest.raises(ZeroDivisionError, match="piece failed"):
        T.parallel(fn, 100, 1, 4)


def test_results_do_not_depend_on_the_number_of_threads():
    starts = np.random.default_rng(1).uniform(-2, 2, (1000, 2))
    out = []
    for k in (1, 2, 5):
        T.set_threads(k)
        try:
            out.append(simulate_batch("rosenbrock", "adam", starts, 50, lr=np.geomspace(1e-4, 1e-1, 1000)))
        finally:
            T.set_threads(None)
    for r in out[1:]:
        np.testing.assert_array_equal(r.final, out[0].final)
        np.testing.assert_array_equal(r.diverged_at, out[0].diverged_at)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "4", 10**6])
def test_a_bad_thread_count_is_refused(bad):
    with pytest.raises(ValueError, match="threads: must be a whole number from 1 to 1024"):
        T.set_threads(bad)


def test_ravine_threads_from_the_environment(monkeypatch):
    monkeypatch.setenv("RAVINE_THREADS", "3")
    assert T.env_threads() == 3 and T.threads() == 3
    monkeypatch.setenv("RAVINE_THREADS", "many")
    with pytest.raises(ValueError, match=r"RAVINE_THREADS: must be a whole number from 1 to 1024 \(got many\)"):
        T.env_threads()
    assert T.threads() == T.cores()  # the library goes on with the default


def test_the_command_line_refuses_a_bad_ravine_threads_in_one_line():
    import os

    done = subprocess.run([sys.executable, "-m", "ravine.app.cli", "list"], capture_output=True, text=True,
                          env={**os.environ, "RAVINE_THREADS": "0"}, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["ravine: RAVINE_THREADS: must be a whole number from 1 to 1024 (got 0)"]


def test_a_piece_that_calls_parallel_does_not_wait_forever():
    seen = np.zeros((8, 50), dtype=int)

    def inner(row):
        def fn(lo, hi):
            seen[row, lo:hi] += 1
        T.parallel(fn, 50, 1, 4)

    T.parallel(lambda lo, hi: [inner(r) for r in range(lo, hi)], 8, 1, 4)
    assert np.all(seen == 1)
