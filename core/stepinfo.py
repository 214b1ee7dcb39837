"""What one update did, for the step inspector: the numbers behind the arrows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ravine.core.optimizers import OPTIMIZERS
from ravine.core.slots import NamedSlots


@dataclass
class StepInfo(NamedSlots):
    """Update t (1-based) of a trajectory: from position `at` to at + step.

    grad is the gradient the update used, state the optimizer's state after it by its
    declared slot names (v and s: the slots of those names, zero where there are none), lr
    the learning rate of the update, direction what the step follows (the gradient, or a
    state slot such as the velocity v), and effective_lr the per-axis factor k with step = -k * direction: for
    RMSprop and Adam it is what makes them fast along a shallow ravine and careful across it.
    """

    t: int
    at: np.ndarray
    step: np.ndarray
    grad: np.ndarray
    state: dict[str, np.ndarray]
    lr: float
    direction_name: str
    direction: np.ndarray
    effective_lr: np.ndarray


def step_info(traj, params: dict, t: int) -> StepInfo:
    """StepInfo for update t (1 <= t <= traj.steps_done) of `traj`, run with hyperparameters
    `params` (an OptimizerConfig's params)."""
    if not 1 <= t <= traj.steps_done:
        raise ValueError(f"update {t} is not in 1..{traj.steps_done}")
    opt = OPTIMIZERS[traj.kind]
    full = {**opt.defaults(), **params}
    lr = float(traj.lr[t - 1])
    grad = traj.grad[t - 1]
    state = {name: a[t - 1].copy() for name, a in traj.state.items()}
    direction = grad if opt.direction == "grad" else state[opt.direction]
    if opt.effective_lr is None:
        k = np.full(2, lr)
    else:
        k = np.asarray(opt.effective_lr(state, lr, full, t), dtype=np.float64)
    return StepInfo(t, traj.path[t - 1].copy(), traj.path[t] - traj.path[t - 1], grad.copy(),
                    state, lr, opt.direction, direction.copy(), k)


def arrow_reference(traj, t: int) -> float:
    """The length that gradient-like arrows of update t are drawn against (a fifth of the
    view): the larger of the run's typical gradient (90th percentile of |dW| and |v| over
    the run, from at most 100,000 of them, so that arrows shrink as the run converges) and
    update t's own, so that no
    arrow of this update is drawn longer than that."""
    cached = getattr(traj, "_arrow_p90", None)
    if cached is None:
        every = max(1, len(traj.grad) // 50_000)  # a sample is enough for a percentile
        g, v = traj.grad[::every], traj.v[::every]
        sq = np.concatenate([np.einsum("ij,ij->i", g, g), np.einsum("ij,ij->i", v, v)])
        sq = sq[np.isfinite(sq) & (sq > 0)]
        # the 90th percentile of the lengths (partition, not a sort: a million steps in 20 ms)
        cached = float(np.sqrt(np.partition(sq, int(0.9 * (len(sq) - 1)))[int(0.9 * (len(sq) - 1))])) if len(sq) else 0.0
        traj._arrow_p90 = cached
    now = 0.0
    if 1 <= t <= traj.steps_done:
        values = [np.hypot(*traj.grad[t - 1]), np.hypot(*traj.v[t - 1])]
        now = max((float(v) for v in values if np.isfinite(v)), default=0.0)
    return max(cached, now) or 1.0
