"""Contour lines of a gridded surface, by marching squares, as line segments for the views.

`contour_segments(z, xs, ys, levels)` returns an (m, 2, 2) array: segment k runs from
(seg[k, 0, 0], seg[k, 0, 1]) to (seg[k, 1, 0], seg[k, 1, 1]); `level_of[k]` says which level
it belongs to. Crossings are placed by linear interpolation along the cell edges; the two
ambiguous (saddle) cases are resolved by the cell's mean value.
"""

from __future__ import annotations

import numpy as np

from ravine.core.jit import jit
from ravine.core.threads import parallel


@jit
def _cell(z, xs, ys, i, j, level, out, k, write):
    """Segments of cell (i, j) at `level`; writes them at out[k...] if `write`; returns count."""
    z00 = z[i, j]
    z01 = z[i, j + 1]
    z10 = z[i + 1, j]
    z11 = z[i + 1, j + 1]
    a00 = z00 > level
    a01 = z01 > level
    a10 = z10 > level
    a11 = z11 > level
    if a00 == a01 and a00 == a10 and a00 == a11:
        return 0
    # crossings in order: bottom (00-01), right (01-11), top (10-11), left (00-10)
    px = np.empty(4)
    py = np.empty(4)
    n = 0
    if a00 != a01:
        t = (level - z00) / (z01 - z00)
        px[n] = xs[j] + t * (xs[j + 1] - xs[j])
        py[n] = ys[i]
        n += 1
    if a01 != a11:
        t = (level - z01) / (z11 - z01)
        px[n] = xs[j + 1]
        py[n] = ys[i] + t * (ys[i + 1] - ys[i])
        n += 1
    if a10 != a11:
        t = (level - z10) / (z11 - z10)
        px[n] = xs[j] + t * (xs[j + 1] - xs[j])
        py[n] = ys[i + 1]
        n += 1
    if a00 != a10:
        t = (level - z00) / (z10 - z00)
        px[n] = xs[j]
        py[n] = ys[i] + t * (ys[i + 1] - ys[i])
        n += 1
    if n == 2:
        if write:
            out[k, 0, 0] = px[0]
            out[k, 0, 1] = py[0]
            out[k, 1, 0] = px[1]
            out[k, 1, 1] = py[1]
        return 1
    # saddle: four crossings; the centre decides which corners the contour cuts off
    centre_above = 0.25 * (z00 + z01 + z10 + z11) > level
    if write:
        if centre_above == a00:  # bottom-right and top-left corners cut off
            pairs = ((0, 1), (2, 3))
        else:  # bottom-left and top-right corners cut off
            pairs = ((3, 0), (1, 2))
        for s in range(2):
            p, q = pairs[s]
            out[k + s, 0, 0] = px[p]
            out[k + s, 0, 1] = py[p]
            out[k + s, 1, 0] = px[q]
            out[k + s, 1, 1] = py[q]
    return 2


@jit
def _march(z, xs, ys, levels, at, out, level_of, lo, hi, write):
    """Marching squares for levels lo..hi-1. Without `write`, at[li] = the number of level
    li's segments; with it, they are written from out[at[li]] on and level_of says their level.
    (One function for both passes: numba then compiles it and _cell once each.)"""
    for li in range(lo, hi):
        k = at[li] if write else 0
        for i in range(z.shape[0] - 1):
            for j in range(z.shape[1] - 1):
                k += _cell(z, xs, ys, i, j, levels[li], out, k, write)
        if write:
            for m in range(at[li], k):
                level_of[m] = li
        else:
            at[li] = k


def contour_segments(z, xs, ys, levels):
    """Contour segments of z[i, j] = f(xs[j], ys[i]) at each level: (segments, level_of)."""
    z = np.ascontiguousarray(z, dtype=np.float64)
    xs = np.ascontiguousarray(xs, dtype=np.float64)
    ys = np.ascontiguousarray(ys, dtype=np.float64)
    levels = np.ascontiguousarray(np.atleast_1d(levels), dtype=np.float64)
    if z.shape != (ys.shape[0], xs.shape[0]):
        raise ValueError(f"z has shape {z.shape}, expected (len(ys), len(xs)) = {(len(ys), len(xs))}")
    counts = np.zeros(levels.shape[0], dtype=np.int64)
    none, no_level = np.empty((0, 2, 2)), np.empty(0, dtype=np.int64)
    parallel(lambda lo, hi: _march(z, xs, ys, levels, counts, none, no_level, lo, hi, False), levels.shape[0])
    offsets = np.zeros(levels.shape[0], dtype=np.int64)
    offsets[1:] = np.cumsum(counts)[:-1]
    out = np.empty((int(counts.sum()), 2, 2))
    level_of = np.empty(out.shape[0], dtype=np.int64)
    parallel(lambda lo, hi: _march(z, xs, ys, levels, offsets, out, level_of, lo, hi, True), levels.shape[0])
    return out, level_of


def log_levels(z, count: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Display values log10(z - min + floor) and `count` contour levels evenly spaced in them.

    floor is 1e-3 of the value range, so the minimum's basin shows structure without the
    log running to -inf. Returns (shown, levels, floor).
    """
    lo = float(np.min(z))
    span = float(np.max(z)) - lo
    floor = 1e-3 * span if span > 0 else 1.0
    shown = np.log10(z - lo + floor)
    levels = np.linspace(float(shown.min()), float(shown.max()), count + 2)[1:-1]
    return shown, levels, floor
