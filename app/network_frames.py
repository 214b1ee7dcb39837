"""What the Network tab's views draw at an epoch, computed from a trainer's results.

Plain NumPy and the core's kernels, no Qt: the window runs these in worker threads (its GUI
thread only draws), `ravine render` calls them directly, and both hand the results to the
same widgets (app/network_widgets.py).

The epoch shown is the last one trained, or, before it, a multiple of the weight snapshots'
interval (`snap_every`: every epoch for runs of up to 1000 epochs, thinned beyond; see
ravine.core.training.snapshot_every): past epochs are replayed at the snapshots' granularity,
where the weights are known exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ravine.core.decimate import envelope
from ravine.core.ewa import ewa
from ravine.core.loss_landscape import LossSlice, loss_slice, project
from ravine.core.network import predict_grid

GRID = 80
"""Boundary grid points per axis."""
FLOOR = 1e-4
"""Costs below this (single well-classified examples) are drawn at it, on the log axes."""
EWA_KEPT = 1_000_000
"""A run's EWA is kept between frames up to this many mini-batches (8 MB); a longer one is
computed again for each frame (in a worker: about 20 ms per million)."""
BUCKETS = 300
"""A curve of more than 2 * BUCKETS points is drawn as its minimum and maximum per bucket
(about a pixel each on a full-HD window's plot; more points cost painting time, not detail)."""


def boundary_axes(trainer, n: int = GRID, pad: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """The (xs, ys) grid a decision boundary is drawn on: the data's extent plus a margin."""
    X = trainer.X_all
    return (np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, n),
            np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, n))


def shown_epoch(epoch: int, trained: int, snap_every: int) -> int:
    """The epoch the views can show for the one wanted: the last epoch trained, or, before
    it, the latest snapshot's epoch at or before it."""
    epoch = int(min(max(epoch, 0), trained))
    if epoch >= trained:
        return trained
    return epoch // snap_every * snap_every


def weights_at(run, epoch: int) -> np.ndarray:
    """A run's weights after `epoch` epochs: its latest weights at or past its last epoch
    (a run that diverged stops there), else its snapshot at the epoch (or just before it)."""
    if epoch >= run.epochs_done:
        return run.theta
    return run.snapshots[min(epoch // run.snap_every, len(run.snapshots) - 1)]


def boundary_image(trainer, theta: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """yhat of the network with weights theta at every grid point, (len(ys), len(xs))."""
    out = np.empty((len(ys), len(xs)))
    predict_grid(theta, trainer.sizes, trainer.w_off, trainer.b_off, xs, ys, out)
    return out


@dataclass
class Curves:
    """One run's curves up to the epoch shown, as a plot can draw them (see BUCKETS):
    the cost of every mini-batch (x in epochs: batch t of an epoch of nb batches is at t/nb)
    and its EWA, and the cost per epoch; `lr` is the learning rate of every epoch of the
    run, the schedule's plan (drawn whole: it is known before training)."""

    batch_x: np.ndarray
    batch: np.ndarray
    smooth_x: np.ndarray
    smooth: np.ndarray
    epoch_x: np.ndarray
    epoch: np.ndarray
    lr_x: np.ndarray
    lr: np.ndarray


class EwaCache:
    """What frames of one training share: the EWA of each run's mini-batch costs (it only
    depends on the values before it, so a replay takes a prefix of the one computed for the
    epochs trained), and each run's learning-rate plan as drawn (the same arrays every
    frame: a view need not draw it again)."""

    def __init__(self):
        self._kept: dict = {}
        self._plans: dict = {}

    def plan(self, key, lr_plan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hit = self._plans.get(key)
        if hit is None or hit[0] is not lr_plan:
            hit = (lr_plan, lr_curve(lr_plan))
            self._plans[key] = hit
        return hit[1]

    def get(self, key, values: np.ndarray, beta: float, bias: bool) -> np.ndarray:
        hit = self._kept.get(key)
        if hit is not None and hit[0] == (beta, bias) and len(hit[1]) >= len(values) and hit[2] is values.base:
            return hit[1][: len(values)]
        out = ewa(values, beta, bias)
        if len(out) <= EWA_KEPT:
            self._kept[key] = ((beta, bias), out, values.base)
        return out


def curves(run, epoch: int, batches_per_epoch: int, lr_plan: np.ndarray, beta: float, bias: bool,
           cache: EwaCache | None = None, key=None) -> Curves:
    """`run`'s curves up to `epoch` (see Curves); lr_plan: its learning rate of every epoch."""
    e = min(epoch, run.epochs_done)
    its = run.iteration_cost[: e * batches_per_epoch]
    if cache is not None and len(its):
        smooth = cache.get(key, run.iteration_cost, beta, bias)[: len(its)]
    else:
        smooth = ewa(its, beta, bias) if len(its) else its
    bx, by = envelope(np.maximum(its, FLOOR), first=1, buckets=BUCKETS)
    sx, sy = thin(np.maximum(smooth, FLOOR))
    ex, ey = thin(np.maximum(run.epoch_cost[:e], 1e-12))
    lx, ly = cache.plan(key, lr_plan) if cache is not None else lr_curve(lr_plan)
    return Curves(bx / batches_per_epoch, by, sx / batches_per_epoch, sy, ex, ey, lx, ly)


def describe(trainer, runs, epoch: int) -> list[str]:
    """What the curves' hover readout says of each configuration at `epoch` (1-based): its
    cost, accuracies and learning rate; before it got there, the learning rate planned, or
    where it diverged."""
    lines = []
    for c, r in enumerate(runs):
        lr = f"lr {trainer.lr_table[c][epoch - 1]:.3g}"
        if epoch <= r.epochs_done:
            acc = f"train {r.train_accuracy[epoch - 1]:.1%}"
            if np.isfinite(r.test_accuracy[epoch - 1]):
                acc += f", test {r.test_accuracy[epoch - 1]:.1%}"
            lines.append(f"{r.label}: cost {r.epoch_cost[epoch - 1]:.4g}, {acc}, {lr}")
        elif r.diverged_at is not None:
            lines.append(f"{r.label}: diverged at epoch {r.diverged_at:,}")
        else:
            lines.append(f"{r.label}: not trained yet, {lr}")
    return lines


def thin(values: np.ndarray, points: int = BUCKETS) -> tuple[np.ndarray, np.ndarray]:
    """A smooth curve (an average, the cost per epoch) at about `points` evenly spaced points,
    the first and the last among them: (x from 1, y). A noisy one keeps its extremes with
    `envelope` instead."""
    n = len(values)
    if n <= points:
        return np.arange(1, n + 1, dtype=np.float64), np.asarray(values, dtype=np.float64)
    idx = np.unique(np.linspace(0, n - 1, points).round().astype(np.int64))
    return idx + 1.0, np.asarray(values, dtype=np.float64)[idx]


def lr_curve(lr_plan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The learning rate of every epoch (1, 2, ...) as few points as draw it: where it stays
    put (a constant, a staircase) only the ends of each flat stretch."""
    lr = np.maximum(np.asarray(lr_plan, dtype=np.float64), 1e-300)
    if len(lr) < 3:
        return np.arange(1, len(lr) + 1, dtype=np.float64), lr
    change = np.flatnonzero(lr[1:] != lr[:-1])
    keep = np.unique(np.concatenate([[0, len(lr) - 1], change, change + 1]))
    if len(keep) > 2 * BUCKETS:  # a smooth decay: as a plot can show it
        return envelope(lr, first=1, buckets=BUCKETS)
    return keep + 1.0, lr[keep]


def cost_ranges(runs) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """(lo, hi) of the mini-batch costs and of the epoch costs trained so far, for axes that
    keep the whole run's range while a replay draws the curves up to an earlier epoch."""
    batch = [r.iteration_cost for r in runs if len(r.iteration_cost)]
    epoch = [r.epoch_cost for r in runs if r.epochs_done]
    if not batch or not epoch:
        return None

    def span(arrays, floor):
        lo = min(float(np.nanmin(a)) for a in arrays)
        hi = max(float(np.nanmax(a)) for a in arrays)
        return max(lo, floor), max(hi, floor)

    return span(batch, FLOOR), span(epoch, 1e-12)


def landscape(trainer, runs, center: int, method: str, n: int = 61, previous: LossSlice | None = None) -> LossSlice:
    """The loss landscape around runs[center] (ravine.core.loss_landscape.loss_slice), with
    its centre kept on it (`.center`); its directions turned to agree with `previous` (a PCA
    direction's sign is arbitrary: without this the picture could flip from one redraw to
    the next while training)."""
    sl = loss_slice(trainer, runs, center_index=center, method=method, n=n)
    sl.center = runs[center].theta.copy()
    if previous is None or previous.method != method or len(previous.d1) != len(sl.d1):
        return sl
    for axis, (d, old) in enumerate(((sl.d1, previous.d1), (sl.d2, previous.d2))):
        if float(d @ old) < 0:
            d *= -1.0
            if axis == 0:
                sl.alphas = -sl.alphas[::-1]
                sl.cost = sl.cost[:, ::-1]
            else:
                sl.betas = -sl.betas[::-1]
                sl.cost = sl.cost[::-1, :]
            for path in sl.paths.values():
                path[:, axis] *= -1.0
    return sl


def landscape_paths(sl: LossSlice, runs, epoch: int) -> list[np.ndarray]:
    """Each run's path on the slice's plane up to `epoch`, its last point the head (the
    weights at that epoch): the snapshots the slice projected, those taken since it was made
    (projected here), then the head. (k, 2) each; empty for a run the slice does not know."""
    out = []
    for run in runs:
        known = sl.paths.get(run.label)
        if known is None:
            out.append(np.empty((0, 2)))
            continue
        e = min(epoch, run.epochs_done)
        upto = min(e // run.snap_every + 1, len(run.snapshots))  # the snapshots at or before e
        have = min(len(known) - 1, upto)  # (the slice's last point: the weights when it was made)
        parts = [known[:have]]
        if upto > have:
            parts.append(project(run.snapshots[have:upto], sl.center, sl.d1, sl.d2))
        parts.append(project(weights_at(run, e)[None], sl.center, sl.d1, sl.d2))
        out.append(np.vstack(parts))
    return out


@dataclass
class Frame:
    """What the views draw at one epoch (`epoch`, the cursor), for `runs`: each run's
    decision boundary (yhat on the boundary grid), its curves up to the epoch, the cost
    axes' ranges over everything trained, and, given a loss landscape, each run's path on it
    up to the epoch (its last point the head)."""

    epoch: int
    runs: list
    images: list
    curves: list
    ranges: tuple | None
    landscape: LossSlice | None = None
    paths: list | None = None


def frame(trainer, runs, epoch: int, xs, ys, beta: float, bias: bool, sl: LossSlice | None = None,
          cache: EwaCache | None = None) -> Frame:
    """Everything the views draw at `epoch` (see Frame), for a trainer's `runs`."""
    images = [boundary_image(trainer, weights_at(r, epoch), xs, ys) for r in runs]
    drawn = [curves(r, epoch, int(trainer.nb[c]), trainer.lr_table[c], beta, bias, cache, key=c)
             for c, r in enumerate(runs)]
    paths = landscape_paths(sl, runs, epoch) if sl is not None else None
    return Frame(epoch, runs, images, drawn, cost_ranges(runs), sl, paths)
