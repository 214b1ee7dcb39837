"""Trajectories: the batch call the sweeps build on, and `simulate(scene)` for a scene.

`simulate_batch` runs many trajectories of one optimizer on one surface at once (shared out
over the cores by ravine.core.threads), each with its own start point and hyperparameters; `simulate` turns a scene into one
`Trajectory` per optimizer with everything the views draw. Nothing here returns a NaN: a
trajectory that diverges stops at its last finite position and says at which step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ravine.core.kernels import CHUNK, LIMIT, kernels
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import Param, SceneError, check_params, show
from ravine.core.scene import MAX_RECORDED_STEPS, STEPS
from ravine.core.schedules import check_schedule, lr_per_step
from ravine.core.slots import NamedSlots
from ravine.core.threads import parallel
from ravine.landscapes import builtin_names, get_surface


@dataclass
class BatchResult(NamedSlots):
    """What `simulate_batch` returns, for n trajectories.

    final (n, 2): last good position; final_loss (n,): the loss there; diverged_at (n,):
    the update at which a trajectory diverged, or -1. With record=True also path and loss
    (n, steps+1[, 2]), grad (n, steps, 2), the gradient each update used, and `state`, the
    optimizer's state after each update by its slot names (each (n, steps, 2); Adam's are
    "v" and "s"). `v` and `s` are the slots of those names, zeros for an optimizer without
    them. Recorded rows at and after a trajectory's divergence repeat its last good
    position; use diverged_at to cut them.
    """

    final: np.ndarray
    final_loss: np.ndarray
    diverged_at: np.ndarray
    lr: np.ndarray  # (n,): each trajectory's base learning rate
    lr_factor: np.ndarray  # (steps,): the schedule's factor for each update
    path: np.ndarray | None = None
    loss: np.ndarray | None = None
    grad: np.ndarray | None = None
    state: dict[str, np.ndarray] = field(default_factory=dict)
    steps_to_tol: np.ndarray | None = None  # (n,), with tol: the updates to reach it, -1 never
    _lr_steps: np.ndarray | None = field(default=None, repr=False)  # the schedule of lr, when one lr for all

    def lr_per_step(self, i: int) -> np.ndarray:
        """(steps,): the learning rate each update of trajectory i used: the schedule of lr
        itself when every trajectory has the same lr, else lr times the schedule's factor
        (inf where that leaves the float range: the trajectory diverged there)."""
        if self._lr_steps is not None:
            return self._lr_steps.copy()
        with np.errstate(over="ignore"):
            return self.lr[i] * self.lr_factor


def _array(value: Any, name: str, allowed: str) -> np.ndarray:
    """value as a NumPy array, or a SceneError naming the argument (a ragged list, say)."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise SceneError(f"{name}: must be {allowed} (got {show(value)})") from None


def _got(value: Any, arr: np.ndarray) -> str:
    """What the caller gave, as the messages name it."""
    if arr.ndim == 0:
        return show(arr[()] if isinstance(value, np.ndarray) else value)
    if isinstance(value, (list, tuple)):
        return show(value)
    return f"an array of {arr.dtype} with shape {arr.shape}"


def _per_trajectory(value: Any, n: int, param) -> np.ndarray:
    """A hyperparameter for n trajectories: a scalar (returned as one value, shape (1,), which
    the kernel shares out: no serial fill of n copies) or n values, of the declared type (a
    real bool for a bool; a number, not a string or a bool, for a number)."""
    allowed = param.allowed()
    raw = _array(value, param.name, allowed)
    if param.kind == "bool":
        ok = raw.dtype == np.bool_
    else:
        ok = raw.dtype.kind in "iuf"
    if not ok:
        raise SceneError(f"{param.name}: must be {allowed} (got {_got(value, raw)})")
    dtype = np.bool_ if param.kind == "bool" else np.float64
    arr = raw.astype(dtype)
    if arr.ndim == 0:
        return arr.reshape(1)
    if arr.shape != (n,):
        raise SceneError(f"{param.name}: expected a scalar or an array of {n} values, one per start "
                         f"(got shape {arr.shape})")
    return np.array(arr)  # a writable C-contiguous copy: one compiled signature for all


def _checked(param, value, n: int) -> np.ndarray:
    """A hyperparameter for n trajectories (shape (1,) for one value for all, else (n,)), every
    value checked against its declaration
    (the same rule as in scene files); SceneError (a ValueError) names the parameter and what
    is allowed."""
    arr = _per_trajectory(value, n, param)
    if param.kind == "bool":
        return arr
    bad = ~np.isfinite(arr)
    if param.lo is not None:
        bad |= (arr <= param.lo) if param.lo_open else (arr < param.lo)
    if param.hi is not None:
        bad |= (arr >= param.hi) if param.hi_open else (arr > param.hi)
    if bad.any():
        i = int(np.argmax(bad))
        which = f" for trajectory {i}" if np.ndim(value) else ""
        raise SceneError(f"{param.name}: must be {param.allowed()} (got {arr[i]:g}{which})")
    return arr


_STARTS = f"an array of shape (n, 2) of numbers in [-{LIMIT:g}, {LIMIT:g}], or one start (x, y)"


def _starts(value: Any) -> np.ndarray:
    """(n, 2) start points, n >= 1; one start (x, y) of shape (2,) is (1, 2). Nothing is
    reshaped: a (2, n) array is refused, not read as n wrong points."""
    raw = _array(value, "starts", _STARTS)
    if raw.dtype.kind not in "iuf":
        raise SceneError(f"starts: must be {_STARTS} (got {_got(value, raw)})")
    if raw.shape == (2,):
        raw = raw[None]
    if raw.ndim != 2 or raw.shape[1] != 2 or raw.shape[0] < 1:
        raise SceneError(f"starts: must be {_STARTS} (got shape {raw.shape})")
    # the caller's array itself when it is already float64 and C-ordered (the kernels only
    # read it): a copy of 100,000 starts costs more than a step of all of them
    starts = np.ascontiguousarray(raw, dtype=np.float64)
    if not (starts.max() <= LIMIT and starts.min() >= -LIMIT):  # false for a NaN too
        bad = ~(np.abs(starts) <= LIMIT).all(axis=1)
        i = int(np.argmax(bad))
        raise SceneError(f"starts: must be {_STARTS} (got ({starts[i, 0]:g}, {starts[i, 1]:g}) for trajectory {i})")
    return starts


def _schedule(schedule: Any) -> dict[str, Any]:
    """A schedule's name (its defaults) or its table; None is the constant schedule."""
    if schedule is None:
        table = {}
    elif isinstance(schedule, str):
        table = {"kind": schedule}
    elif isinstance(schedule, dict):
        table = schedule
    else:
        raise SceneError("schedule: must be a schedule's name or a table such as "
                         f"{{'kind': 'exponential', 'rate': 0.99}} (got {show(schedule)})")
    return check_schedule(table, "schedule")


def _surface(surface: Any):
    if not isinstance(surface, str):
        raise KeyError(f"unknown surface {show(surface)} (allowed: {', '.join(builtin_names())}, or a "
                       "custom surface's name)")
    return get_surface(surface)


CRITERIA = ("loss", "grad")
TOL = Param("tol", 1e-6, lo=0.0, lo_open=True, doc="tolerance of the convergence criterion")


def _tolerance(tol: Any, criterion: Any, surf, params: dict[str, Any]) -> np.ndarray:
    """The kernel's (mode, tol, fmin): mode 0 without tol, 1 for "loss", 2 for "grad"."""
    if tol is None:
        return np.zeros(3)
    tol = TOL.check(tol, "tol")
    if criterion not in CRITERIA:
        raise SceneError(f"criterion: must be one of {', '.join(CRITERIA)} (got {show(criterion)})")
    if criterion == "grad":
        return np.array([2.0, tol, 0.0])
    fmin = surf.min_value(params)
    if fmin is None:
        raise SceneError(f"criterion: {surf.name} has no known minimum to measure the loss against; "
                         "use criterion 'grad' (the gradient's norm)")
    return np.array([1.0, tol, fmin])


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise SceneError(f"{name}: must be True or False (got {show(value)})")
    return bool(value)


ONE = np.ones(1)  # the kernel's lr when the schedule table holds lr itself


def simulate_batch(
    surface: str,
    kind: str,
    starts,
    steps: int,
    *,
    lr=0.01,
    schedule: dict[str, Any] | str | None = None,
    surface_params: dict[str, Any] | None = None,
    record: bool = False,
    tol: float | None = None,
    criterion: str = "loss",
    **hyper,
) -> BatchResult:
    """Run len(starts) trajectories of optimizer `kind` on `surface` at once.

    starts: (n, 2) start points, or one (x, y). lr and each hyperparameter of the optimizer
    (beta, beta1, beta2, eps, bias_correction...; see `ravine list`) may be a scalar or an
    array of n values, one per trajectory, so one call sweeps them. The trajectories are
    shared out over ravine.core.threads (the same results for any number of threads). schedule: a schedule's name
    ("exponential", with its defaults) or its table such as {"kind": "inverse_time",
    "decay_rate": 1.0, "steps_per_epoch": 10}; update t uses lr[i] * schedule(epoch(t), lr=1).
    record=False keeps only the final positions (the fast path for sweeps and maps);
    record=True keeps every step, at most MAX_RECORDED_STEPS of them (n x steps).
    tol: also find, per trajectory, `steps_to_tol`, the first update count at which the
    criterion falls to tol (-1 where never): criterion "loss" is f - min f (surfaces whose
    minimum is known), "grad" the norm of the gradient an update used (at the look-ahead
    point for Nesterov), so the count is the updates before that point.

    Every argument is checked as strictly as a scene file's value, with the same messages: a
    SceneError (a ValueError) names the argument and what is allowed; an unknown surface or
    optimizer is a KeyError, an unknown hyperparameter a TypeError.
    """
    surf = _surface(surface)
    if not isinstance(kind, str) or kind not in OPTIMIZERS:
        raise KeyError(f"unknown optimizer {show(kind)} (allowed: {', '.join(OPTIMIZERS)})")
    opt = OPTIMIZERS[kind]
    allowed = {p.name for p in opt.params} - {"lr"}
    unknown = set(hyper) - allowed
    if unknown:
        raise TypeError(f"{kind} has no hyperparameter {sorted(unknown)[0]!r} (allowed: lr, {', '.join(sorted(allowed))})")
    steps = STEPS.check(steps, "steps")
    record = _flag(record, "record")
    starts = _starts(starts)
    n = starts.shape[0]
    if record and n * steps > MAX_RECORDED_STEPS:
        raise SceneError(f"record: {n:,} trajectories x {steps:,} steps is {n * steps:,} recorded steps; at most "
                         f"{MAX_RECORDED_STEPS:,} (record=False keeps only the final positions)")
    params = check_params(surface_params if surface_params is not None else {}, surf.params, "surface_params")

    declared = {p.name: p for p in opt.params}
    checked = {name: _checked(declared[name], value, n) for name, value in hyper.items()}
    # one row for all unless some value is per trajectory: the kernel reads row 0 then
    table_h = opt.hyper_table(checked, max((len(a) for a in checked.values()), default=1))
    initial = opt.initial_state()

    lr_arr = _checked(declared["lr"], lr, n)
    table = _schedule(schedule)
    factor = lr_per_step(table, 1.0, steps)
    # One lr for all: the kernel takes lr 1 and the schedule of lr itself, so that update t
    # uses lr / (1 + ...) to the last digit (lr * (1 / (1 + ...)) can differ in it). An lr
    # per trajectory is that lr times the schedule's factor.
    exact = lr_per_step(table, float(lr_arr[0]), steps) if len(lr_arr) == 1 else None

    p = surf.packed(params)
    tolerance = _tolerance(tol, criterion, surf, params)
    run = kernels().run(surf.name, kind)
    slots = len(opt.state)
    if record:
        path = np.empty((n, steps + 1, 2))
        loss = np.empty((n, steps + 1))
        grad = np.empty((n, steps, 2))
        state = np.empty((n, steps, slots, 2))
    else:
        path = np.empty((1, 1, 2))
        loss = np.empty((1, 1))
        grad = np.empty((1, 1, 2))
        state = np.empty((1, 1, slots, 2))
    final = np.empty((n, 2))
    final_loss = np.empty(n)
    diverged = np.empty(n, dtype=np.int64)
    reached = np.empty(n, dtype=np.int64)

    def mine(arr: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return arr[lo:hi] if len(arr) > 1 else arr  # one value or row for all: shared

    def piece(lo: int, hi: int) -> None:
        rows = slice(lo, hi) if record else slice(0, 1)
        run(p, starts[lo:hi], ONE if exact is not None else lr_arr[lo:hi], factor if exact is None else exact,
            mine(table_h, lo, hi), initial, steps,
            record, path[rows], loss[rows], grad[rows], state[rows], final[lo:hi], final_loss[lo:hi],
            diverged[lo:hi], tolerance, reached[lo:hi])

    parallel(piece, n, CHUNK)
    result = BatchResult(final, final_loss, diverged, np.broadcast_to(lr_arr, (n,)), factor, _lr_steps=exact)
    if tol is not None:
        result.steps_to_tol = reached
    if record:
        result.path, result.loss, result.grad = path, loss, grad
        result.state = {name: state[:, :, i] for i, name in enumerate(opt.state)}
    return result


@dataclass
class Trajectory(NamedSlots):
    """One optimizer's run on a scene's surface, cut at its last finite step.

    path (k+1, 2) and loss (k+1,) are positions 0..k (0 is the start); lr (k,) is the
    learning rate update t used, grad (k, 2) the gradient it used (Nesterov: at the
    look-ahead point), state the optimizer's state after it, (k, 2) per slot by the names the
    optimizer declares; v and s are the slots of those names (first moment / momentum and
    second moment S), zero where the optimizer has none. diverged_at is the update at which
    the run left the finite region |x|, |y| <= 1e6, or None.
    """

    label: str
    kind: str
    path: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    grad: np.ndarray
    state: dict[str, np.ndarray] = field(default_factory=dict)
    diverged_at: int | None = None
    color: str | None = None

    @property
    def steps_done(self) -> int:
        return len(self.path) - 1

    @property
    def step_taken(self) -> np.ndarray:
        """(k, 2): the step each update actually moved, path[t] - path[t-1]."""
        return np.diff(self.path, axis=0)


@dataclass
class Simulation:
    """simulate(scene): one Trajectory per enabled optimizer, in the scene's order."""

    scene: Any
    trajectories: list[Trajectory] = field(default_factory=list)

    def __iter__(self):
        return iter(self.trajectories)

    def __len__(self):
        return len(self.trajectories)

    def __getitem__(self, i):
        return self.trajectories[i]


def simulate(scene) -> Simulation:
    """Compute every enabled optimizer's trajectory for a validated `Scene`; each starts at
    its own `start` where it has one, else at the scene's."""
    out = Simulation(scene)
    for cfg in scene.optimizers:
        if not cfg.enabled:
            continue
        hyper = {k: v for k, v in cfg.params.items() if k != "lr"}
        start = scene.start if cfg.start is None else cfg.start
        r = simulate_batch(scene.surface, cfg.kind, [start], scene.steps,
                           lr=cfg.params["lr"], schedule=cfg.schedule,
                           surface_params=scene.surface_params, record=True, **hyper)
        bad = int(r.diverged_at[0])
        k = scene.steps if bad < 0 else bad - 1
        out.trajectories.append(Trajectory(
            label=cfg.label, kind=cfg.kind,
            path=r.path[0, :k + 1], loss=r.loss[0, :k + 1], lr=r.lr_per_step(0)[:k],
            grad=r.grad[0, :k], state={name: a[0, :k] for name, a in r.state.items()},
            diverged_at=None if bad < 0 else bad, color=cfg.color,
        ))
    return out


MAX_GRID_POINTS = 4096 * 4096
"""value_grid's largest grid (128 MiB of values)."""


def _axis(values: Any, name: str) -> np.ndarray:
    allowed = "a 1-D array of finite numbers"
    raw = _array(values, name, allowed)
    if raw.dtype.kind not in "iuf":
        raise SceneError(f"{name}: must be {allowed} (got {_got(values, raw)})")
    if raw.ndim != 1 or raw.shape[0] < 1:
        raise SceneError(f"{name}: must be {allowed}, at least one (got shape {raw.shape})")
    arr = np.ascontiguousarray(raw, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise SceneError(f"{name}: must be {allowed} (got {arr[~np.isfinite(arr)][0]:g})")
    return arr


def value_grid(surface: str, xs, ys, surface_params: dict[str, Any] | None = None) -> np.ndarray:
    """f on the grid: out[i, j] = f(xs[j], ys[i]), computed in parallel (for contour maps).
    xs and ys: 1-D arrays of finite numbers, at most MAX_GRID_POINTS together; surface_params
    are checked as a scene's are."""
    surf = _surface(surface)
    params = check_params(surface_params if surface_params is not None else {}, surf.params, "surface_params")
    xs, ys = _axis(xs, "xs"), _axis(ys, "ys")
    if xs.shape[0] * ys.shape[0] > MAX_GRID_POINTS:
        raise SceneError(f"xs, ys: {xs.shape[0]:,} x {ys.shape[0]:,} points; at most {MAX_GRID_POINTS:,} "
                         "(4096 x 4096)")
    out = np.empty((ys.shape[0], xs.shape[0]))
    grid, p = kernels().grid(surf.name), surf.packed(params)
    parallel(lambda lo, hi: grid(p, xs, ys[lo:hi], out[lo:hi]), ys.shape[0], max(1, 4096 // xs.shape[0]))
    return out
