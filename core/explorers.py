"""The explorers: every trajectory at once, on the batch engine (`simulate_batch`).

convergence_map  one optimizer from the scene's start, over a grid of two of its
                 hyperparameters (lr alone for GD): final loss, steps to a tolerance, and
                 where it diverged, per cell.
basins           one optimizer from a grid of starts over the surface's domain: which minimum
                 each trajectory ends at (or "elsewhere", or diverged).
tune             every enabled optimizer over a log-spaced sweep of lr: the criterion per lr
                 and the best lr of each (a fair race gives each its best).

The tolerance is measured on f - min f where the surface's minimum is known (criterion
"loss"), else on the norm of the gradient (criterion "grad"); "auto" (the default) picks
the first that applies; see simulate_batch. An axis is
written NAME:LOW:HIGH:SCALE:COUNT, SCALE one of lin, log and log1m (log of 1 - value, for
decay rates near 1). Every error a caller can make is one SceneError line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np

from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import Param, SceneError, show
from ravine.core.scene import OptimizerConfig, Scene
from ravine.core.simulation import simulate_batch
from ravine.landscapes import get_surface

SCALES = ("lin", "log", "log1m")
MAX_CELLS = 1_000_000
"""Trajectories one explorer may run (a 1000 x 1000 grid)."""
COUNT = Param("count", 64, kind="int", lo=1, hi=4096, doc="values along an axis")


@dataclass(frozen=True)
class Axis:
    """Values of one hyperparameter (or lr) to sweep: `count` of them from low to high,
    evenly spaced in the scale's terms."""

    name: str
    low: float
    high: float
    scale: str = "log"
    count: int = 64

    def values(self) -> np.ndarray:
        if self.count == 1:
            return np.array([self.low])
        if self.scale == "lin":
            return np.linspace(self.low, self.high, self.count)
        if self.scale == "log":
            return np.geomspace(self.low, self.high, self.count)
        return 1.0 - np.geomspace(1.0 - self.low, 1.0 - self.high, self.count)

    def __str__(self) -> str:
        return f"{self.name}:{self.low:g}:{self.high:g}:{self.scale}:{self.count}"


def parse_axis(text: str, kind: str, where: str = "axis") -> Axis:
    """NAME:LOW:HIGH:SCALE:COUNT for optimizer `kind`, checked against its declaration."""
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) != 5:
        raise SceneError(f"{where}: must be NAME:LOW:HIGH:SCALE:COUNT, e.g. lr:1e-4:1:log:64 (got {show(text)})")
    name, low, high, scale, count = parts
    try:
        low_f, high_f = float(low), float(high)
        count_i = int(count)
    except ValueError:
        raise SceneError(f"{where}: LOW and HIGH must be numbers and COUNT an integer (got {show(text)})") from None
    return make_axis(name, low_f, high_f, scale, count_i, kind, where)


def make_axis(name: str, low: float, high: float, scale: str, count: int, kind: str, where: str = "axis") -> Axis:
    declared = {p.name: p for p in OPTIMIZERS[kind].params if p.kind == "float"}
    if name not in declared:
        raise SceneError(f"{where}: {kind} has no hyperparameter {show(name)} to sweep "
                         f"(allowed: {', '.join(declared)})")
    if scale not in SCALES:
        raise SceneError(f"{where}: SCALE must be one of {', '.join(SCALES)} (got {show(scale)})")
    count = COUNT.check(count, f"{where}: COUNT")
    param = declared[name]
    for value in (low, high):
        param.check(value, f"{where}: {name}")
    if scale == "log" and min(low, high) <= 0:
        raise SceneError(f"{where}: a log axis needs LOW and HIGH > 0 (got {low:g}, {high:g})")
    if scale == "log1m" and max(low, high) >= 1:
        raise SceneError(f"{where}: a log1m axis needs LOW and HIGH < 1 (got {low:g}, {high:g})")
    return Axis(name, float(low), float(high), scale, count)


def default_axes(kind: str) -> tuple[Axis, Axis | None]:
    """lr on a log axis, and the optimizer's first other number (momentum's beta, RMSprop's
    beta2, Adam's beta1, AdaGrad's eps...) on its natural axis; GD has lr alone."""
    lr = Axis("lr", 1e-4, 1.0, "log", 64)
    others = [p for p in OPTIMIZERS[kind].params[1:] if p.kind == "float"]
    if not others:
        return lr, None
    p = others[0]
    if p.scale == "log1m" or p.name.startswith(("beta", "rho")):
        return lr, Axis(p.name, 0.0, 0.999, "log1m", 32)
    if p.scale == "log":
        lo, hi = p.ui_range or (1e-10, 1.0)
        return lr, Axis(p.name, lo, hi, "log", 32)
    lo, hi = p.slider_range()
    return lr, Axis(p.name, lo, hi, "lin", 32)


def _config(scene: Scene, optimizer: str | int) -> OptimizerConfig:
    if isinstance(optimizer, int) and not isinstance(optimizer, bool) and 0 <= optimizer < len(scene.optimizers):
        return scene.optimizers[optimizer]
    for cfg in scene.optimizers:
        if cfg.label == optimizer:
            return cfg
    labels = ", ".join(repr(c.label) for c in scene.optimizers) or "none"
    raise SceneError(f"optimizer: the scene has no optimizer labelled {show(optimizer)} (it has: {labels})")


def _criterion(criterion: str, scene: Scene) -> str:
    """"auto": the loss where the surface's minimum is known, else the gradient's norm."""
    if criterion != "auto":
        return criterion
    return "loss" if get_surface(scene.surface).min_value(scene.surface_params) is not None else "grad"


def _check_cells(n: int, what: str) -> None:
    if n > MAX_CELLS:
        raise SceneError(f"{what}: {n:,} trajectories; at most {MAX_CELLS:,}")


def _empty(a: np.ndarray) -> list:
    """-1 (never) as an empty CSV field."""
    return ["" if v < 0 else int(v) for v in a]


@dataclass
class MapResult:
    """A convergence map: values of axis x (nx,), of axis y (ny,) or None (lr alone), and per
    cell (ny, nx; one row without y): the final loss, the steps to the tolerance (-1 never)
    and the update at which it diverged (-1 never)."""

    label: str
    kind: str
    x: Axis
    y: Axis | None
    xs: np.ndarray
    ys: np.ndarray
    final_loss: np.ndarray
    steps_to_tol: np.ndarray
    diverged_at: np.ndarray
    tol: float
    criterion: str
    steps: int
    setting: dict[str, float] = field(default_factory=dict)  # the optimizer's own values

    def csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        names = [self.x.name] + ([self.y.name] if self.y else [])
        w.writerow([*names, "final_loss", "steps_to_tol", "diverged_at"])
        for i in range(self.final_loss.shape[0]):  # (one row without y)
            for j, xv in enumerate(self.xs):
                cell = [repr(float(xv))] + ([repr(float(self.ys[i]))] if self.y else [])
                w.writerow([*cell, repr(float(self.final_loss[i, j])), *_empty(
                    np.array([self.steps_to_tol[i, j], self.diverged_at[i, j]]))])
        return out.getvalue()


def convergence_map(scene: Scene, optimizer: str | int = 0, x: Axis | None = None, y: Axis | None = None,
                    steps: int | None = None, tol: float = 1e-6, criterion: str = "auto") -> MapResult:
    """Optimizer `optimizer` (label or index) of the scene, from its start, with every
    combination of x's and y's values (the others as the scene sets them); lr alone for an
    optimizer without another number to sweep, or when y is None and x is given."""
    cfg = _config(scene, optimizer)
    criterion = _criterion(criterion, scene)
    dx, dy = default_axes(cfg.kind)
    if x is None:
        x, y = dx, dy
    xs = x.values()
    ys = y.values() if y is not None else np.array([np.nan])
    if y is not None and y.name == x.name:
        raise SceneError(f"axes: x and y both sweep {x.name}; choose two different ones")
    n = len(xs) * len(ys)
    _check_cells(n, "map")
    steps = scene.steps if steps is None else steps
    values = dict(cfg.params)
    values[x.name] = np.tile(xs, len(ys))
    if y is not None:
        values[y.name] = np.repeat(ys, len(xs))
    lr = values.pop("lr")
    start = cfg.start if cfg.start is not None else scene.start
    r = simulate_batch(scene.surface, cfg.kind, np.broadcast_to(np.asarray(start, dtype=np.float64), (n, 2)).copy(),
                       steps, lr=lr, schedule=cfg.schedule, surface_params=scene.surface_params, tol=tol,
                       criterion=criterion, **values)
    shape = (len(ys), len(xs))
    return MapResult(cfg.label, cfg.kind, x, y, xs, ys if y is not None else np.array([]),
                     r.final_loss.reshape(shape), r.steps_to_tol.reshape(shape), r.diverged_at.reshape(shape),
                     tol, criterion, steps, {k: float(v) for k, v in cfg.params.items()
                                             if k in (x.name, getattr(y, "name", None))})


@dataclass
class BasinsResult:
    """Basins of attraction: starts on a grid (xs (nx,), ys (ny,)), and per start (ny, nx)
    the index into `minima` of the minimum its trajectory ends at (-1: elsewhere or
    diverged), the steps to the tolerance and the update at which it diverged (-1 never)."""

    label: str
    kind: str
    xs: np.ndarray
    ys: np.ndarray
    minima: list[tuple[float, float]]
    minimum: np.ndarray
    steps_to_tol: np.ndarray
    diverged_at: np.ndarray
    radius: float

    def csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["x", "y", "minimum", "steps_to_tol", "diverged_at"])
        for i, yv in enumerate(self.ys):
            for j, xv in enumerate(self.xs):
                w.writerow([repr(float(xv)), repr(float(yv)),
                            *_empty(np.array([self.minimum[i, j], self.steps_to_tol[i, j], self.diverged_at[i, j]]))])
        return out.getvalue()


GRID = Param("grid", 200, kind="int", lo=2, hi=1000, doc="starts along each axis")


def basins(scene: Scene, optimizer: str | int = 0, grid: int = 200, steps: int | None = None, tol: float = 1e-6,
           criterion: str = "auto", radius: float | None = None) -> BasinsResult:
    """Optimizer `optimizer` of the scene from every start of a grid x grid lattice over the
    surface's domain: which of the surface's minima (global and local, as its critical points
    say at the scene's parameters) each ends within `radius` of (default: 1% of the domain's
    smaller side)."""
    cfg = _config(scene, optimizer)
    grid = GRID.check(grid, "grid")
    surf = get_surface(scene.surface)
    (x0, x1), (y0, y1) = surf.domain
    xs, ys = np.linspace(x0, x1, grid), np.linspace(y0, y1, grid)
    starts = np.column_stack([np.tile(xs, grid), np.repeat(ys, grid)])
    steps = scene.steps if steps is None else steps
    values = dict(cfg.params)
    lr = values.pop("lr")
    minima = surface_minima(scene)
    criterion = _criterion(criterion, scene)
    r = simulate_batch(scene.surface, cfg.kind, starts, steps, lr=lr, schedule=cfg.schedule,
                       surface_params=scene.surface_params, tol=tol, criterion=criterion, **values)
    radius = 0.01 * min(x1 - x0, y1 - y0) if radius is None else float(radius)
    which = np.full(len(starts), -1, dtype=np.int64)
    if minima:
        m = np.array(minima)
        dist = np.hypot(r.final[:, None, 0] - m[None, :, 0], r.final[:, None, 1] - m[None, :, 1])
        nearest = dist.argmin(axis=1)
        ok = (dist[np.arange(len(starts)), nearest] <= radius) & (r.diverged_at < 0)
        which[ok] = nearest[ok]
    shape = (grid, grid)
    return BasinsResult(cfg.label, cfg.kind, xs, ys, minima, which.reshape(shape), r.steps_to_tol.reshape(shape),
                        r.diverged_at.reshape(shape), radius)


def surface_minima(scene: Scene) -> list[tuple[float, float]]:
    """The surface's minima (global and local) at the scene's parameters: its declared
    critical points followed by Newton (Surface.critical_points), or, for a surface that
    declares none (your own formula), found: Adam from a 16 x 16 grid of starts, the ends
    that stay in the domain refined by the same Newton and classified by the Hessian."""
    import dataclasses

    surf = get_surface(scene.surface)
    if not surf.critical:
        (x0, x1), (y0, y1) = surf.domain
        xs, ys = np.linspace(x0, x1, 16), np.linspace(y0, y1, 16)
        starts = np.column_stack([np.tile(xs, 16), np.repeat(ys, 16)])
        r = simulate_batch(scene.surface, "adam", starts, 2000, lr=0.005 * max(x1 - x0, y1 - y0),
                           surface_params=scene.surface_params)
        ends = r.final[(r.diverged_at < 0) & (r.final[:, 0] >= x0) & (r.final[:, 0] <= x1)
                       & (r.final[:, 1] >= y0) & (r.final[:, 1] <= y1)]
        found = np.unique(np.round(ends / (1e-3 * max(x1 - x0, y1 - y0))), axis=0)
        ends = found * 1e-3 * max(x1 - x0, y1 - y0)
        surf = dataclasses.replace(surf, critical=tuple((float(x), float(y), "min") for x, y in ends))
    return [(p.x, p.y) for p in surf.critical_points(scene.surface_params) if p.kind in ("min", "local_min")]


BY = ("final", "steps")


@dataclass
class TuneResult:
    """One optimizer's lr sweep: the criterion per lr (final loss, or steps to the
    tolerance with inf where never reached or diverged) and the lr chosen."""

    label: str
    kind: str
    lrs: np.ndarray
    criterion: np.ndarray
    final_loss: np.ndarray
    steps_to_tol: np.ndarray
    diverged_at: np.ndarray
    chosen: int

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.chosen])


def tune(scene: Scene, lrs: Axis | None = None, by: str = "final", steps: int | None = None, tol: float = 1e-6,
         criterion: str = "auto") -> list[TuneResult]:
    """Every enabled optimizer of the scene over the lrs (default 64 values from 1e-5 to 10,
    log-spaced), its other settings as the scene has them: by "final" the lr with the lowest
    final loss (diverged runs count as infinite), by "steps" the one reaching the tolerance in
    the fewest steps (ties: the lower final loss; if none reaches it, the lowest final loss)."""
    if by not in BY:
        raise SceneError(f"by: must be one of {', '.join(BY)} (got {show(by)})")
    enabled = [c for c in scene.optimizers if c.enabled]
    if not enabled:
        raise SceneError("tune: the scene has no enabled optimizer")
    criterion = _criterion(criterion, scene)
    out = []
    for cfg in enabled:
        axis = lrs or Axis("lr", 1e-5, 10.0, "log", 64)
        if lrs is not None:
            axis = make_axis(axis.name, axis.low, axis.high, axis.scale, axis.count, cfg.kind, "lrs")
        values = axis.values()
        params = {k: v for k, v in cfg.params.items() if k != "lr"}
        start = cfg.start if cfg.start is not None else scene.start
        n = len(values)
        r = simulate_batch(scene.surface, cfg.kind, np.broadcast_to(np.asarray(start, dtype=np.float64), (n, 2)).copy(),
                           scene.steps if steps is None else steps, lr=values, schedule=cfg.schedule,
                           surface_params=scene.surface_params, tol=tol, criterion=criterion, **params)
        final = np.where((r.diverged_at < 0) & np.isfinite(r.final_loss), r.final_loss, np.inf)
        reached = np.where((r.steps_to_tol >= 0) & (r.diverged_at < 0), r.steps_to_tol, np.inf).astype(float)
        if by == "steps" and np.isfinite(reached).any():
            chosen = int(np.lexsort((final, reached))[0])
        else:
            chosen = int(np.argmin(final))
        out.append(TuneResult(cfg.label, cfg.kind, values, reached if by == "steps" else final, r.final_loss,
                              r.steps_to_tol, r.diverged_at, chosen))
    return out


def tune_csv(results: list[TuneResult]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["optimizer", "lr", "criterion", "chosen"])
    for r in results:
        for i, (lr, c) in enumerate(zip(r.lrs, r.criterion)):
            w.writerow([r.label, repr(float(lr)), "" if not np.isfinite(c) else repr(float(c)),
                        "1" if i == r.chosen else "0"])
    return out.getvalue()


def tuned(scene: Scene, results: list[TuneResult]) -> Scene:
    """The scene with each tuned optimizer's lr set to its best: the fair race."""
    import copy

    out = copy.deepcopy(scene)
    best = {r.label: r.best_lr for r in results}
    for cfg in out.optimizers:
        if cfg.label in best:
            cfg.params["lr"] = best[cfg.label]
    return out
