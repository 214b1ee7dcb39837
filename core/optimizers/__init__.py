"""The optimizers, one module each, discovered into one registry.

Every optimizer works coordinate by coordinate, so one scalar `@njit` update serves the 2-D
surfaces and every weight of the network alike. Its uniform signature, in the spirit of
optax's (init, update) pairs over plain state:

    update(g, m, s, lr, b1, b2, eps, flag, c1, c2) -> (delta, m, s)

g is the gradient of one coordinate, m and s its first- and second-moment state (both start
at 0: that is `init`), lr the learning rate of this step, b1/b2/eps/flag the packed
hyperparameters (see `Optimizer.slots`), and c1 = 1 - b1**t, c2 = 1 - b2**t the bias
corrections of step t. The caller applies W += delta.

An optimizer that evaluates the gradient somewhere other than W (Nesterov's look-ahead)
also defines `eval_point(w, m, lr, b1)`. The step inspector's narration comes from an
optional plain-Python `explain(ctx)` (see ravine.core.narration).

Adding an optimizer means adding one module here that defines `OPTIMIZER = Optimizer(...)`
plus its test.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ravine.core.params import Param

# The parameter declarations the optimizers share, with the notes' defaults.
LR = Param("lr", 0.01, lo=0.0, lo_open=True, doc="learning rate alpha", scale="log",
           ui_range=(1e-4, 10.0))
# decay rates move on a log(1 - beta) scale: 0.9, 0.99 and 0.999 are evenly spaced
_DECAY = {"lo": 0.0, "hi": 1.0, "hi_open": True, "scale": "log1m", "ui_range": (0.0, 0.9999)}
BETA = Param("beta", 0.9, doc="momentum: weight of the past", **_DECAY)
BETA1 = Param("beta1", 0.9, doc="first-moment decay (momentum)", **_DECAY)
BETA2 = Param("beta2", 0.999, doc="second-moment decay (RMS)", **_DECAY)
EPS = Param("eps", 1e-8, lo=0.0, lo_open=True, doc="added to sqrt(S) to avoid dividing by 0",
            scale="log", ui_range=(1e-10, 1.0))
BIAS_CORRECTION = Param("bias_correction", True, kind="bool", doc="divide by 1 - beta**t")


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its name, formula, hyperparameters and scalar `update`."""

    name: str
    description: str
    formula: str
    params: tuple[Param, ...]
    update: Callable
    eval_point: Callable | None = None
    direction: str = "grad"
    """What the step follows: "grad" (dW itself) or "v" (the first moment / velocity)."""
    effective_lr: Callable | None = None
    """effective_lr(s, lr, hp, t) -> per-axis factor k with step = -k * direction, for the
    step inspector; None means lr on every axis."""
    explain: Callable | None = None
    """explain(ctx) -> ravine.core.narration.Explanation: plain Python (not jitted) that
    writes update ctx.t in the notes' notation with its numbers and names its parts as 2-D
    vectors; None: the narrator uses `formula` and the state."""

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def slots(self, values: dict[str, Any], n: int) -> tuple[np.ndarray, ...]:
        """Pack hyperparameters (scalars or arrays of n) into the kernel's slots.

        Returns (b1, b2, eps, flag) arrays of n: b1 is `beta1`, or `beta` for the momentum
        family; b2 is `beta2`; eps is `eps`; flag is `bias_correction`. Slots an optimizer
        does not use get neutral values.
        """
        full = self.defaults()
        full.update(values)

        def column(value, dtype=np.float64):
            return np.array(np.broadcast_to(np.asarray(value, dtype=dtype), (n,)))  # a writable copy

        return (
            column(full.get("beta1", full.get("beta", 0.0))),
            column(full.get("beta2", 0.0)),
            column(full.get("eps", 1.0)),
            column(full.get("bias_correction", False), np.bool_),
        )


def _discover() -> dict[str, Optimizer]:
    found: dict[str, Optimizer] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        opt = getattr(module, "OPTIMIZER", None)
        if isinstance(opt, Optimizer):
            found[opt.name] = opt
    order = ["gd", "momentum", "nesterov", "rmsprop", "adagrad", "adam"]
    return dict(sorted(found.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])))


OPTIMIZERS: dict[str, Optimizer] = _discover()

__all__ = ["OPTIMIZERS", "Optimizer", "LR", "BETA", "BETA1", "BETA2", "EPS", "BIAS_CORRECTION"]
