"""The `Surface` record every landscape module declares as `SURFACE`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ravine.core.params import Param


def pack_in_order(params: tuple[Param, ...]) -> Callable[[dict[str, Any]], np.ndarray]:
    """The default packing: the declared parameters' values, in declared order."""

    def pack(values: dict[str, Any]) -> np.ndarray:
        return np.array([float(values[p.name]) for p in params], dtype=np.float64)

    return pack


@dataclass(frozen=True)
class Surface:
    """A 2-D test surface f(x, y; p).

    value(x, y, p) and grad(x, y, p) are scalar `@njit` functions; p is the float64 array made
    by `pack` from the declared `params` (empty for surfaces without parameters). `grad`
    returns the analytic gradient (df/dx, df/dy).
    """

    name: str
    description: str
    value: Callable
    grad: Callable
    domain: tuple[tuple[float, float], tuple[float, float]]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    params: tuple[Param, ...] = ()
    pack: Callable[[dict[str, Any]], np.ndarray] | None = field(default=None)
    formula: str = ""

    def packed(self, values: dict[str, Any] | None = None) -> np.ndarray:
        """The parameter array for the kernels, from `values` (defaults where missing)."""
        full = {p.name: p.default for p in self.params}
        full.update(values or {})
        return (self.pack or pack_in_order(self.params))(full)

    def min_value(self, values: dict[str, Any] | None = None) -> float | None:
        """The lowest value at the declared minima, or None if the surface has none."""
        if not self.minima:
            return None
        p = self.packed(values)
        return min(float(self.value(float(x), float(y), p)) for x, y in self.minima)
