"""The `Surface` record every landscape module declares as `SURFACE`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ravine.core.params import Param

KINDS = ("min", "local_min", "saddle", "max")
"""Kinds of critical point: "min" is a global minimum (the lowest minimum in the domain)."""


def pack_in_order(params: tuple[Param, ...]) -> Callable[[dict[str, Any]], np.ndarray]:
    """The default packing: the declared parameters' values, in declared order."""

    def pack(values: dict[str, Any]) -> np.ndarray:
        return np.array([float(values[p.name]) for p in params], dtype=np.float64)

    return pack


@dataclass(frozen=True)
class CriticalPoint:
    """A point where grad f = 0; kind is one of KINDS."""

    x: float
    y: float
    kind: str


@dataclass(frozen=True)
class Surface:
    """A 2-D test surface f(x, y; p).

    value(x, y, p) and grad(x, y, p) are scalar `@njit` functions; p is the float64 array made
    by `pack` from the declared `params` (empty for surfaces without parameters). `grad`
    returns the analytic gradient (df/dx, df/dy). `critical` lists every critical point in the
    domain at the default parameters as (x, y, kind), kind in KINDS; the global `minima` are
    its "min" points.
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
    critical: tuple[tuple[float, float, str], ...] = ()

    def __post_init__(self) -> None:
        for x, y, kind in self.critical:
            if kind not in KINDS:
                raise ValueError(f"{self.name}: critical point ({x}, {y}) has kind '{kind}' "
                                 f"(allowed: {', '.join(KINDS)})")

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

    def critical_points(self, values: dict[str, Any] | None = None) -> list[CriticalPoint]:
        """The critical points in the domain for the parameters `values` (defaults where missing).

        Each declared point is followed by damped Newton on grad f = 0 from its declared
        position (Hessian: central differences of the analytic grad; a step is at most a tenth
        of the domain, halved while |grad| grows); points that do not converge to |grad| <= 1e-8
        of the largest |grad| on a coarse grid, or leave the domain, are dropped, duplicates
        (within 1e-6 of the domain size) merged. Each is then classified by
        the Hessian's eigenvalues: both > 0 a minimum, both < 0 "max", opposite signs "saddle";
        with a (near-)zero eigenvalue, by the sign of f - f(point) on a small circle around it
        (the monkey saddle: "saddle"). The lowest minima are "min", the others "local_min".
        Sorted by kind, then x, y; cached per parameter values.
        """
        p = self.packed(values)
        key = (id(self), p.tobytes())
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
        if hit is None or hit[0] is not self:
            hit = (self, tuple(_critical_points(self, p)))
            with _CACHE_LOCK:
                while len(_CACHE) >= _CACHE_SIZE:
                    del _CACHE[next(iter(_CACHE))]
                _CACHE[key] = hit
        return list(hit[1])


_CACHE: dict[tuple[int, bytes], tuple[Surface, tuple[CriticalPoint, ...]]] = {}
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()  # the app may ask from worker threads
_NEWTON_STEPS = 40


def _grads(grad: Callable, pts: np.ndarray, p: np.ndarray) -> np.ndarray:
    """grad at each row of pts, as an (n, 2) array."""
    if len(pts) == 0:
        return np.zeros((0, 2))
    return np.array([grad(x, y, p) for x, y in pts.tolist()], dtype=np.float64)


def _hessians(grad: Callable, pts: np.ndarray, p: np.ndarray, h: float) -> np.ndarray:
    """(n, 2, 2) Hessians: central differences of the analytic grad, symmetrised."""
    n = len(pts)
    shifts = np.array([[h, 0.0], [-h, 0.0], [0.0, h], [0.0, -h]])
    g = _grads(grad, (pts[:, None, :] + shifts[None]).reshape(-1, 2), p).reshape(n, 4, 2)
    H = np.stack([(g[:, 0] - g[:, 1]) / (2 * h), (g[:, 2] - g[:, 3]) / (2 * h)], axis=1)
    return 0.5 * (H + H.transpose(0, 2, 1))


def _critical_points(surf: Surface, p: np.ndarray) -> list[CriticalPoint]:
    (x0, x1), (y0, y1) = surf.domain
    size = max(x1 - x0, y1 - y0)
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    slack = 1e-9 * size
    h = 1e-5 * size

    def inside(z: np.ndarray) -> np.ndarray:
        return np.all((z >= lo - slack) & (z <= hi + slack), axis=1)

    # scales from a coarse grid: gradient size, value range, curvature
    gx, gy = np.meshgrid(np.linspace(x0, x1, 9), np.linspace(y0, y1, 9))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    gscale = float(np.hypot(*_grads(surf.grad, grid, p).T).max()) or 1.0
    fgrid = [surf.value(x, y, p) for x, y in grid.tolist()]
    fscale = float(max(fgrid) - min(fgrid)) or 1.0
    zero_eig = 1e-7 * gscale / size
    gtol = 1e-8 * gscale  # |grad| accepted as zero

    # damped Newton on grad f = 0, all points at once
    z = np.array([(x, y) for x, y, _ in surf.critical], dtype=np.float64).reshape(-1, 2)
    alive = np.ones(len(z), dtype=bool)
    active = alive.copy()
    g = _grads(surf.grad, z, p)
    for _ in range(_NEWTON_STEPS):
        idx = np.flatnonzero(active)
        if len(idx) == 0:
            break
        gi = g[idx]
        lam, vec = np.linalg.eigh(_hessians(surf.grad, z[idx], p, h))
        # Newton step -H^-1 g, with zero eigenvalues left out (pseudo-inverse)
        inv = np.where(np.abs(lam) > 1e-12 * gscale / size, 1.0 / np.where(lam == 0, 1, lam), 0.0)
        step = -np.einsum("nij,nj,nkj,nk->ni", vec, inv, vec, gi)
        norm = np.hypot(step[:, 0], step[:, 1])
        step *= np.minimum(1.0, 0.1 * size / np.maximum(norm, 1e-300))[:, None]
        gnorm = np.hypot(gi[:, 0], gi[:, 1])
        trial = z[idx] + step
        gt = _grads(surf.grad, trial, p)
        for _halving in range(4):  # backtrack where |grad| grew
            worse = np.hypot(gt[:, 0], gt[:, 1]) > gnorm
            if not worse.any():
                break
            step[worse] *= 0.5
            trial[worse] = z[idx][worse] + step[worse]
            gt[worse] = _grads(surf.grad, trial[worse], p)
        # still worse after backtracking: no root nearby (e.g. a minimum and a saddle have met
        # and vanished), or already at rounding level
        stuck = np.hypot(gt[:, 0], gt[:, 1]) > gnorm
        z[idx], g[idx] = np.where(stuck[:, None], z[idx], trial), np.where(stuck[:, None], gi, gt)
        done = np.hypot(step[:, 0], step[:, 1]) <= 1e-13 * size
        done |= np.hypot(gt[:, 0], gt[:, 1]) <= 1e-15 * gscale
        left = ~inside(z[idx]) | ~np.isfinite(z[idx]).all(axis=1)
        left |= stuck & (gnorm > gtol)
        done |= stuck
        alive[idx[left]] = False
        active[idx[done | left]] = False
    gn = np.hypot(g[:, 0], g[:, 1])
    keep = alive & inside(z) & (gn <= gtol)
    z = np.clip(z[keep], lo, hi)

    # merge duplicates: keep a point unless an earlier one is within 1e-6 of the domain size
    close = np.hypot(*(z[:, None, :] - z[None, :, :]).transpose(2, 0, 1)) <= 1e-6 * size
    z = z[~np.tril(close, -1).any(axis=1)]
    if len(z) == 0:
        return []

    # classify
    lam = np.linalg.eigvalsh(_hessians(surf.grad, z, p, h))
    f = np.array([surf.value(x, y, p) for x, y in z.tolist()])
    kinds = np.where(lam[:, 0] > 0, "local_min", np.where(lam[:, 1] < 0, "max", "saddle"))
    kinds = kinds.astype(object)
    angles = np.linspace(0.0, 2 * np.pi, 24, endpoint=False)
    ring = 1e-3 * size * np.column_stack([np.cos(angles), np.sin(angles)])
    for i in np.flatnonzero(np.abs(lam).min(axis=1) <= zero_eig):
        d = np.array([surf.value(x, y, p) for x, y in (z[i] + ring).tolist()]) - f[i]
        kinds[i] = "local_min" if (d > 0).all() else "max" if (d < 0).all() else "saddle"
    is_min = kinds == "local_min"
    if is_min.any():
        lowest = f[is_min].min()
        kinds[is_min & (f <= lowest + 1e-9 * fscale)] = "min"
    order = sorted(range(len(z)), key=lambda i: (KINDS.index(kinds[i]), z[i, 0], z[i, 1]))
    return [CriticalPoint(float(z[i, 0]), float(z[i, 1]), str(kinds[i])) for i in order]
