"""Exponentially weighted averages, as in the notes.

V_t = beta * V_{t-1} + (1 - beta) * theta_t, from V_0 = 0. With bias correction the
estimate is V_t / (1 - beta**t), which removes the start-up bias towards 0. The average
looks back over about 1 / (1 - beta) values.
"""

from __future__ import annotations

import numpy as np
from ravine.core.jit import jit


@jit
def _ewa(theta, beta, bias_correction, out):
    v = 0.0
    power = 1.0
    for t in range(theta.shape[0]):
        v = beta * v + (1.0 - beta) * theta[t]
        if bias_correction:
            power *= beta
            out[t] = v / (1.0 - power)
        else:
            out[t] = v
    return out


def ewa(theta, beta: float, bias_correction: bool = False) -> np.ndarray:
    """V_1..V_n for the series theta_1..theta_n (optionally divided by 1 - beta**t)."""
    beta = float(beta)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    theta = np.ascontiguousarray(theta, dtype=np.float64)
    return _ewa(theta, beta, bool(bias_correction), np.empty_like(theta))


def effective_window(beta: float) -> float:
    """1 / (1 - beta): about how many recent values the average spans."""
    return 1.0 / (1.0 - float(beta))


def synthetic_temperatures(days: int = 365, seed: int = 0) -> np.ndarray:
    """A year of noisy daily temperatures (deg C), seeded: the notes' running example."""
    rng = np.random.default_rng(seed)
    day = np.arange(days)
    seasonal = 12.0 - 10.0 * np.cos(2.0 * np.pi * (day - 15) / 365.0)
    return seasonal + rng.normal(0.0, 3.0, days)
