"""Kernels the views call for small things (the EWA of a year of temperatures, a network's
decision boundary on a grid), prepared in a thread before a view first needs them.

On an empty kernel cache, numba compiles each of these for a second or more; in the GUI
thread that would be a window that does not paint. `WARMER.request(name, fn)` runs fn (a
call that makes numba compile or load the kernel) in a thread, once per process, and
`ready(name)` says when it is done; a view that needs the kernel draws a placeholder until
then. With warm caches the whole wait is a few milliseconds.
"""

from __future__ import annotations

import threading

import numpy as np
from PyQt6 import QtCore


class Warmer(QtCore.QObject):
    ready = QtCore.pyqtSignal(str)

    def __init__(self):
        super().__init__()
        self.done: set[str] = set()
        self._started: set[str] = set()
        self._lock = threading.Lock()

    def is_ready(self, name: str) -> bool:
        return name in self.done

    def request(self, name: str) -> bool:
        """Start preparing `name` (one of KERNELS) unless it is ready or under way; True if
        it is ready now."""
        with self._lock:
            if name in self.done:
                return True
            if name in self._started:
                return False
            self._started.add(name)
        threading.Thread(target=self._run, args=(name,), name=f"ravine-warm-{name}", daemon=True).start()
        return False

    def _run(self, name: str) -> None:
        try:
            KERNELS[name]()
        finally:
            with self._lock:
                self.done.add(name)
            self.ready.emit(name)


def _ewa() -> None:
    from ravine.core.ewa import ewa

    ewa(np.zeros(3), 0.9, True)


def _network() -> None:
    from ravine.core.network import layout, predict_grid

    sizes, w_off, b_off, n = layout([2, 1])
    predict_grid(np.zeros(n), sizes, w_off, b_off, np.zeros(2), np.zeros(2), np.empty((2, 2)))


KERNELS = {"ewa": _ewa, "network": _network}
WARMER = Warmer()
