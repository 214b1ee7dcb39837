"""A 2-D slice of the network's loss landscape around trained weights, with paths on it.

Two choices of plane through the centre weights theta*:
- "random": two random directions, filter-normalised as in Li et al. 2018 ("Visualizing the
  Loss Landscape of Neural Nets"): every filter (for a dense layer, a row of W: the weights
  into one neuron) of a direction is rescaled to the norm of the same filter of theta*, and
  the bias entries are zero, so that the plane's scale matches the weights' own;
- "pca": the two main principal directions of the optimisation paths (the snapshots of
  theta minus theta*), orthonormal, which is where the paths actually move.

`loss_slice` evaluates the full-training-set cost J on a grid over the plane (rows in
parallel) and projects each configuration's path of snapshots onto it (least squares, exact
for the PCA plane when a path lies in it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ravine.core.network import cost_plane, layout, weight_mask


def filter_normalized_direction(theta: np.ndarray, layers, rng: np.random.Generator) -> np.ndarray:
    """A random direction with each filter (row of each W) scaled to theta's filter norm,
    and zero in the biases."""
    sizes, w_off, b_off, n = layout(layers)
    d = rng.normal(size=n)
    for l in range(1, len(sizes)):
        n_out, n_in = int(sizes[l]), int(sizes[l - 1])
        for j in range(n_out):
            row = slice(int(w_off[l - 1]) + j * n_in, int(w_off[l - 1]) + (j + 1) * n_in)
            norm_d = np.linalg.norm(d[row])
            d[row] *= np.linalg.norm(theta[row]) / norm_d if norm_d > 0 else 0.0
        d[int(b_off[l - 1]): int(b_off[l - 1]) + n_out] = 0.0
    return d


def pca_directions(snapshots: np.ndarray, center: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two main principal directions (unit, orthogonal) of snapshots - center, and the
    share of the variance each explains.

    Each direction's sign (which an SVD leaves to chance) is chosen so that the first
    snapshot, the start, lies on its negative side: recomputed as training goes on, the
    plane keeps its orientation instead of mirroring. A direction the start hardly moves
    along takes the sign that makes its largest component positive."""
    M = np.asarray(snapshots, dtype=np.float64) - center
    _, sv, vt = np.linalg.svd(M, full_matrices=False)
    if vt.shape[0] < 2:  # a path of one point: any unit direction orthogonal to the first
        d1 = vt[0]
        e = np.zeros(M.shape[1])
        e[np.argmin(np.abs(d1))] = 1.0
        e -= (e @ d1) * d1
        vt = np.vstack([vt, e / np.linalg.norm(e)])
        sv = np.r_[sv, 0.0]
    var = sv**2
    share = var[:2] / var.sum() if var.sum() > 0 else np.zeros(2)
    d1, d2 = vt[0].copy(), vt[1].copy()
    start = M[0]
    for d in (d1, d2):
        along = start @ d
        if abs(along) > 1e-3 * np.linalg.norm(start):
            d *= -np.sign(along)
        elif d[np.argmax(np.abs(d))] < 0:
            d *= -1.0
    return d1, d2, share


def project(points: np.ndarray, center: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """(k, 2) plane coordinates (a, b) minimising |point - (center + a d1 + b d2)|."""
    A = np.column_stack([d1, d2])
    coords, *_ = np.linalg.lstsq(A, (np.asarray(points) - center).T, rcond=None)
    return coords.T


@dataclass
class LossSlice:
    alphas: np.ndarray  # (n,) along d1
    betas: np.ndarray  # (n,) along d2
    cost: np.ndarray  # (n, n): cost[i, j] = J(center + alphas[j] d1 + betas[i] d2)
    paths: dict  # label -> (k, 2) projected snapshots
    d1: np.ndarray
    d2: np.ndarray
    method: str
    explained: np.ndarray | None = None  # PCA: share of variance of each direction


def loss_slice(trainer, runs, center_index: int = 0, method: str = "pca", n: int = 101,
               seed: int = 0, margin: float = 0.25) -> LossSlice:
    """The slice around runs[center_index].theta with every run's path projected on it."""
    if method not in ("pca", "random"):
        raise ValueError(f"method must be 'pca' or 'random', got {method!r}")
    center = runs[center_index].theta
    explained = None
    if method == "pca":
        d1, d2, explained = pca_directions(np.vstack([r.snapshots for r in runs]), center)
    else:
        rng = np.random.default_rng(seed)
        layers = trainer.spec.layers
        d1 = filter_normalized_direction(center, layers, rng)
        d2 = filter_normalized_direction(center, layers, rng)
    paths = {r.label: project(np.vstack([r.snapshots, r.theta[None]]), center, d1, d2) for r in runs}
    if method == "pca":
        pts = np.vstack(list(paths.values()))
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = margin * np.maximum(hi - lo, 1e-3)
        alphas = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n)
        betas = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)
    else:
        alphas = betas = np.linspace(-1.0, 1.0, n)
    cost = np.empty((n, n))
    cost_plane(center, d1, d2, alphas, betas, trainer.sizes, trainer.w_off, trainer.b_off,
               weight_mask(trainer.spec.layers), trainer.X, trainer.y, float(trainer.spec.lambd), cost)
    return LossSlice(alphas, betas, cost, paths, d1, d2, method, explained)
