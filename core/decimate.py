"""Paths cut down to what a screen can show: the drawing cost of a route is bounded by the
pixels it crosses, not by its number of steps.

A route of a million steps that oscillates in a small valley crosses a few hundred pixels
a million times; drawing each step is what made a 30,000-step rastrigin render take 85 s.
`route_segments` keeps each segment between two different cells of a grid as fine as the
screen (the map's domain / 1,024 per axis: about a pixel of a full-screen map) once, in any order (the faint route is drawn as
separate segments), and the cell centres as its ends: at the scale it is drawn, the same
picture.
"""

from __future__ import annotations

import numpy as np

EXACT = 4_000  # routes up to this many steps are drawn exactly
CELLS = 1_024  # cells across the domain (about a pixel of a full-screen map)
_BITS = 21  # cell coordinates clipped to +-2**20 cells around the domain


def segments(path: np.ndarray) -> np.ndarray:
    """(n-1, 2, 2): every step of the path as a segment."""
    path = np.asarray(path, dtype=np.float64)
    if len(path) < 2:
        return np.empty((0, 2, 2))
    return np.stack([path[:-1], path[1:]], axis=1)


def route_segments(path: np.ndarray, domain, exact: bool | None = None) -> np.ndarray:
    """(m, 2, 2) segments that draw `path` as it looks on a map of `domain` ((x0, x1),
    (y0, y1)): exactly for short paths; for long ones each distinct segment between two
    grid cells once (the order of drawing is lost, which a static route does not need)."""
    path = np.asarray(path, dtype=np.float64)
    if exact if exact is not None else len(path) <= EXACT:
        return segments(path)
    (x0, x1), (y0, y1) = domain
    origin = np.array([x0, y0])
    cell = np.array([(x1 - x0) / CELLS, (y1 - y0) / CELLS])
    half = 2 ** (_BITS - 1)
    q = np.clip(np.floor((path - origin) / cell), -half, half - 1).astype(np.int64) + half
    ids = (q[:, 0] << _BITS) | q[:, 1]  # one 42-bit number per cell
    moved = ids[1:] != ids[:-1]
    a, b = ids[:-1][moved], ids[1:][moved]
    lo, hi = np.minimum(a, b), np.maximum(a, b)  # a segment either way round is one segment
    key = lo * np.int64(0x9E3779B1) ^ hi  # a 64-bit hash of the pair (collisions: ~1e-8 a route)
    _, first = np.unique(key, return_index=True)
    ends = np.stack([lo[first], hi[first]], axis=1)  # (m, 2) cell ids
    cx = (ends >> _BITS) - half
    cy = (ends & ((1 << _BITS) - 1)) - half
    return np.stack([origin[0] + (cx + 0.5) * cell[0], origin[1] + (cy + 0.5) * cell[1]], axis=2)


def route_pieces(path: np.ndarray, domain, pieces: int, least: int = 50) -> tuple[int, list[np.ndarray]]:
    """The route cut into up to `pieces` pieces of `size` steps (at least `least`), each as
    route_segments: (size, [piece 0, piece 1, ...]); piece k covers steps k*size..(k+1)*size.
    Whether to decimate is decided on the whole route: a long route's pieces are all
    decimated, however short each is."""
    n = len(path)
    size = max(least, -(-n // pieces))
    exact = n <= EXACT
    return size, [route_segments(path[a: a + size + 1], domain, exact) for a in range(0, max(n - 1, 1), size)]


def envelope(values: np.ndarray, first: int = 0, buckets: int = 2_048) -> tuple[np.ndarray, np.ndarray]:
    """A curve of many points as what a plot can show, extremes kept: (x, y) with x the
    step (first, first + 1, ...) of each value; past 2 * buckets points, each bucket of
    consecutive steps is drawn as its minimum and maximum (in step order), so a spike or a
    dip of a single step is never lost."""
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    if n <= 2 * buckets:
        return np.arange(first, first + n, dtype=np.float64), values
    size = -(-n // buckets)
    m = n // size
    body = values[: m * size].reshape(m, size)
    lo_i, hi_i = body.argmin(axis=1), body.argmax(axis=1)
    starts = np.arange(m) * size
    a, b = np.minimum(lo_i, hi_i), np.maximum(lo_i, hi_i)  # the earlier of the two first
    idx = np.stack([starts + a, starts + b], axis=1).ravel()
    if m * size < n:  # the rest, as it is
        idx = np.concatenate([idx, np.arange(m * size, n)])
    return (first + idx).astype(np.float64), values[idx]
