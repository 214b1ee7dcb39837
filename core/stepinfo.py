"""What one update did, for the step inspector: the numbers behind the arrows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ravine.core.optimizers import OPTIMIZERS


@dataclass
class StepInfo:
    """Update t (1-based) of a trajectory: from position `at` to at + step.

    grad is the gradient the update used, v and s the optimizer state after it, lr the
    learning rate of the update, direction what the step follows (the gradient, or the
    velocity v), and effective_lr the per-axis factor k with step = -k * direction: for
    RMSprop and Adam it is what makes them fast along a shallow ravine and careful across it.
    """

    t: int
    at: np.ndarray
    step: np.ndarray
    grad: np.ndarray
    v: np.ndarray
    s: np.ndarray
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
    grad, v, s = traj.grad[t - 1], traj.v[t - 1], traj.s[t - 1]
    direction = v if opt.direction == "v" else grad
    if opt.effective_lr is None:
        k = np.full(2, lr)
    else:
        k = np.asarray(opt.effective_lr(s, lr, full, t), dtype=np.float64)
    return StepInfo(t, traj.path[t - 1].copy(), traj.path[t] - traj.path[t - 1], grad.copy(),
                    v.copy(), s.copy(), lr, opt.direction, direction.copy(), k)
