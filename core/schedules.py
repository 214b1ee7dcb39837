"""Learning-rate schedules: pure functions of the epoch number.

Epoch 1 is the first pass, so `inverse_time` with lr 0.2 and decay_rate 1 gives the lecture's
table 0.1, 0.0667, 0.05, 0.04 for epochs 1-4. On a surface an "epoch" is `steps_per_epoch`
updates (default 1): update t (1-based) belongs to epoch (t - 1) // steps_per_epoch + 1.

Each schedule is one function `f(epoch, lr, **params) -> lr_epoch` over a NumPy array of
epochs, registered with `@schedule`. Adding a schedule means adding one such function here
plus its test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ravine.core.params import Param, SceneError, check_params, show

STEPS_PER_EPOCH = Param(
    "steps_per_epoch", 1, kind="int", lo=1, hi=1_000_000, doc="updates that make one epoch",
    scale="log", ui_range=(1, 1000),
)


@dataclass(frozen=True)
class Schedule:
    """A registered schedule: `fn(epoch, lr, **params)` and its declared parameters."""

    name: str
    description: str
    formula: str
    params: tuple[Param, ...]
    fn: Callable[..., np.ndarray]
    check: Callable[[dict[str, Any], str], None] | None = None

    def all_params(self) -> tuple[Param, ...]:
        return (*self.params, STEPS_PER_EPOCH)

    def __call__(self, epoch, lr: float, **params: Any) -> np.ndarray:
        """lr at each epoch. Without warnings where a value leaves the float range: the
        formulas then give what they tend to (lr / (1 + 1e308 * e) is 0), or inf where lr
        itself would overflow (a run with that lr diverges at its first update)."""
        epoch = np.asarray(epoch, dtype=np.float64)
        full = {p.name: p.default for p in self.params}
        full.update(params)
        with np.errstate(over="ignore", under="ignore"):
            return np.broadcast_to(self.fn(epoch, lr, **full), epoch.shape).astype(np.float64)


SCHEDULES: dict[str, Schedule] = {}


def schedule(description: str, formula: str, params: tuple[Param, ...] = (), check=None):
    """Register the decorated function as a schedule named after it."""

    def register(fn):
        SCHEDULES[fn.__name__] = Schedule(fn.__name__, description, formula, params, fn, check)
        return fn

    return register


DECAY_RATE = Param("decay_rate", 1.0, lo=0.0, doc="how fast lr decays", ui_range=(0.0, 10.0))
INTERVAL = Param("interval", 10, kind="int", lo=1, hi=1_000_000, doc="epochs between drops",
                 scale="log", ui_range=(1, 1000))


@schedule("a fixed learning rate", "lr")
def constant(epoch, lr):
    return np.full_like(epoch, lr)


@schedule("the lecture's 1/(1 + decay_rate*epoch) decay", "lr / (1 + decay_rate*epoch)",
          (DECAY_RATE,))
def inverse_time(epoch, lr, decay_rate):
    return lr / (1.0 + decay_rate * epoch)


@schedule("exponential decay", "lr * rate**epoch",
          (Param("rate", 0.95, lo=0.0, hi=1.0, lo_open=True, doc="factor per epoch"),))
def exponential(epoch, lr, rate):
    return lr * rate**epoch


@schedule("decay with the square root of the epoch", "lr * k / sqrt(epoch)",
          (Param("k", 1.0, lo=0.0, lo_open=True, doc="scale", scale="log", ui_range=(0.01, 100.0)),))
def inverse_sqrt(epoch, lr, k):
    return lr * k / np.sqrt(epoch)


@schedule("discrete staircase: drop by `rate` every `interval` epochs",
          "lr * rate**floor(epoch/interval)",
          (Param("rate", 0.5, lo=0.0, hi=1.0, lo_open=True, doc="factor per drop"), INTERVAL))
def staircase(epoch, lr, rate, interval):
    return lr * rate ** np.floor(epoch / interval)


@schedule("the course assignment's scheduling: inverse-time decay every `interval` epochs",
          "lr / (1 + decay_rate*floor(epoch/interval))",
          (DECAY_RATE, Param("interval", 1000, kind="int", lo=1, hi=1_000_000,
                             doc="epochs between drops", scale="log", ui_range=(1, 10000))))
def fixed_interval(epoch, lr, decay_rate, interval):
    return lr / (1.0 + decay_rate * np.floor(epoch / interval))


def _check_piecewise(params: dict[str, Any], where: str) -> None:
    boundaries, values = params["boundaries"], params["values"]
    if any(later <= earlier for earlier, later in zip(boundaries, boundaries[1:])):
        raise SceneError(f"{where}.boundaries: must increase strictly (got {show(boundaries)})")
    if len(values) != len(boundaries) + 1:
        raise SceneError(
            f"{where}.values: needs one more entry than boundaries "
            f"({len(boundaries) + 1}, got {len(values)})"
        )


@schedule("manual decay: lr times values[i] between the given epoch boundaries",
          "lr * values[i] for boundaries[i-1] <= epoch < boundaries[i]",
          (Param("boundaries", [100, 200], kind="ints", lo=1, hi=1_000_000, doc="epochs where lr changes"),
           Param("values", [1.0, 0.1, 0.01], kind="floats", lo=0.0, lo_open=True,
                 doc="factors of lr, one more than boundaries")),
          check=_check_piecewise)
def piecewise(epoch, lr, boundaries, values):
    index = np.searchsorted(np.asarray(boundaries, dtype=np.float64), epoch, side="right")
    return lr * np.asarray(values, dtype=np.float64)[index]


def check_schedule(table: dict[str, Any], where: str) -> dict[str, Any]:
    """Validate a schedule table {kind, ...params}; return it with defaults filled in."""
    kind = table.get("kind", "constant")
    if not isinstance(kind, str) or kind not in SCHEDULES:
        raise SceneError(f"{where}.kind: unknown schedule {show(kind)} (allowed: {', '.join(SCHEDULES)})")
    sched = SCHEDULES[kind]
    params = check_params({k: v for k, v in table.items() if k != "kind"}, sched.all_params(), where)
    if sched.check:
        sched.check(params, where)
    return {"kind": kind, **params}


def lr_per_step(table: dict[str, Any], lr: float, steps: int) -> np.ndarray:
    """The learning rate each update t = 1..steps uses, from a validated schedule table."""
    params = dict(table)
    kind = params.pop("kind", "constant")
    steps_per_epoch = params.pop("steps_per_epoch", 1)
    epoch = np.arange(steps, dtype=np.int64) // steps_per_epoch + 1
    return SCHEDULES[kind](epoch, lr, **params)
