"""The app's model: the scene being edited, its simulation and the current step.

Views subscribe to the model's signals and never to each other (napari's rule). Every edit
goes through a method here, which changes the plain-data `Scene`, asks the core to simulate
it again and announces what changed. The model computes nothing itself.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt6 import QtCore

from ravine.core import OptimizerConfig, Scene, SceneError, simulate, value_grid
from ravine.core.contours import contour_segments, log_levels
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import check_params
from ravine.core.scene import START_LIMIT
from ravine.core.schedules import check_schedule
from ravine.landscapes import get_surface

# Okabe & Ito's colour-blind-safe palette (blue, vermillion, bluish green, orange, ...)
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
MAP_GRID = 400
CONTOURS = 14


@dataclass
class Run:
    """One enabled optimizer's trajectory with what the views need to draw it."""

    index: int  # position in scene.optimizers
    config: OptimizerConfig
    traj: object  # ravine.core.Trajectory
    color: str


@dataclass
class SurfaceImage:
    """The surface on the map grid, computed by the core: values, log display, contours."""

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray
    shown: np.ndarray  # log10(z - min + floor)
    levels: np.ndarray
    segments: np.ndarray  # (m, 2, 2) contour segments
    floor: float
    zmin: float
    critical: list = ()  # the surface's critical points at these parameters (CriticalPoint)


KIND_LABELS = {"gd": "GD", "rmsprop": "RMSprop", "adagrad": "AdaGrad", "adamw": "AdamW", "amsgrad": "AMSGrad"}


def kind_label(kind: str) -> str:
    """The name a new optimizer of this kind gets in the legend: GD, Momentum, Adam..."""
    return KIND_LABELS.get(kind, kind.capitalize())


def names_kind(label: str, kind: str) -> bool:
    """True if `label` only names `kind` (e.g. "GD", "gd", "Adam 2"), so a change of kind
    should rename it."""
    stem = label.strip()
    head, _, tail = stem.rpartition(" ")
    if head and tail.isdigit():
        stem = head
    return stem.lower() in (kind.lower(), kind_label(kind).lower())


def color_of(scene: Scene, index: int) -> str:
    return scene.optimizers[index].color or PALETTE[index % len(PALETTE)]


def surface_image(scene: Scene, n: int = MAP_GRID, count: int = CONTOURS) -> SurfaceImage:
    surf = get_surface(scene.surface)
    (x0, x1), (y0, y1) = surf.domain
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    z = value_grid(scene.surface, xs, ys, scene.surface_params)
    shown, levels, floor = log_levels(z, count)
    segments, _ = contour_segments(shown, xs, ys, levels)
    critical = surf.critical_points(scene.surface_params)
    return SurfaceImage(xs, ys, z, shown, levels, segments, floor, float(z.min()), critical)


@dataclass
class ViewState:
    """What the views show of the scene (not saved with it): the optimizer the inspector
    and the narration explain (by label; None: the first), arrows on the map, the narrated
    step mode, and whether paths are drawn only up to their heads ("hide the future")."""

    inspected: str | None = None
    arrows: bool = True
    narrate: bool = False
    hide_future: bool = False
    critical: bool = True  # mark the surface's minima, saddles and maxima


class SceneModel(QtCore.QObject):
    """The scene, its simulation and the current step, with signals for the views.

    surface_changed: the surface or its parameters changed (the map image must be redrawn).
    simulation_changed: new trajectories (after any edit).
    step_changed(int): the current step moved (animation, scrubbing).
    scene_replaced: a whole new scene was loaded (panels rebuild themselves).
    optimizers_changed: optimizers were added, removed, renamed or re-kinded.
    view_changed: what the views show changed (`view`: inspected optimizer, arrows,
    narration, hiding the future), not the scene itself.
    """

    surface_changed = QtCore.pyqtSignal()
    simulation_changed = QtCore.pyqtSignal()
    step_changed = QtCore.pyqtSignal(int)
    scene_replaced = QtCore.pyqtSignal()
    optimizers_changed = QtCore.pyqtSignal()
    view_changed = QtCore.pyqtSignal()

    def __init__(self, scene: Scene, path: Path | None = None, parent=None):
        super().__init__(parent)
        self.view = ViewState()
        self.scene = copy.deepcopy(scene)
        self.path = path
        self.dirty = False
        self.step = scene.steps
        self.image = surface_image(self.scene)
        self.runs: list[Run] = []
        self._simulate()

    # ------------------------------------------------------------------ derived data
    def _simulate(self) -> None:
        """Simulate the enabled optimizers, reusing the trajectory of any optimizer whose
        inputs did not change (so views redraw only what moved)."""
        scene = self.scene
        shared = (scene.surface, tuple(sorted(scene.surface_params.items())), scene.start, scene.steps)
        old = {id(r.config): r for r in getattr(self, "runs", [])}
        cache = getattr(self, "_inputs", {})
        runs, inputs = [], {}
        for i, cfg in enumerate(scene.optimizers):
            if not cfg.enabled:
                continue
            key = (shared, getattr(cfg, "start", None), cfg.kind, repr(sorted(cfg.params.items())), repr(sorted(cfg.schedule.items())))
            prev = old.get(id(cfg))
            if prev is not None and cache.get(id(cfg)) == key:
                traj = prev.traj
            else:
                traj = simulate(scene.with_(optimizers=[cfg]))[0]
            traj.label, traj.color = cfg.label, cfg.color
            inputs[id(cfg)] = key
            runs.append(Run(i, cfg, traj, color_of(scene, i)))
        self.runs, self._inputs = runs, inputs

    @property
    def steps(self) -> int:
        return self.scene.steps

    @property
    def floor_value(self) -> float:
        """The surface's minimum (declared, or the lowest value on the map grid)."""
        m = get_surface(self.scene.surface).min_value(self.scene.surface_params)
        return self.image.zmin if m is None else min(m, self.image.zmin)

    def _changed(self, surface: bool = False, optimizers: bool = False) -> None:
        self.dirty = True
        if surface:
            self.image = surface_image(self.scene)
        self._simulate()
        self.step = min(self.step, self.scene.steps)
        if surface:
            self.surface_changed.emit()
        if optimizers:
            self.optimizers_changed.emit()
        self.simulation_changed.emit()

    # ------------------------------------------------------------------ whole scenes
    def replace(self, scene: Scene, path: Path | None = None) -> None:
        self.runs, self._inputs = [], {}
        self.scene = copy.deepcopy(scene)
        self.path = path
        self.dirty = False
        self.step = scene.steps
        self.image = surface_image(self.scene)
        self._simulate()
        self.scene_replaced.emit()
        self.surface_changed.emit()
        self.optimizers_changed.emit()
        self.simulation_changed.emit()
        self.step_changed.emit(self.step)

    # ------------------------------------------------------------------ what is shown
    @property
    def inspected_run(self) -> Run | None:
        """The run the inspector explains: the one named in `view.inspected`, else the first."""
        for run in self.runs:
            if run.config.label == self.view.inspected:
                return run
        return self.runs[0] if self.runs else None

    def set_view(self, **changes) -> None:
        """Change what the views show, e.g. set_view(inspected="Adam", narrate=True)."""
        for key, value in changes.items():
            if not hasattr(self.view, key):
                raise AttributeError(f"no view setting {key!r}")
            setattr(self.view, key, value)
        self.view_changed.emit()

    # ------------------------------------------------------------------ edits
    def set_step(self, step: int) -> None:
        step = int(np.clip(step, 0, self.scene.steps))
        if step != self.step:
            self.step = step
            self.step_changed.emit(step)

    def set_start(self, x: float, y: float) -> None:
        """Move the start (clipped to the region the core accepts, |x|, |y| <= 1e6)."""
        lim = START_LIMIT
        self.scene.start = (float(np.clip(x, -lim, lim)), float(np.clip(y, -lim, lim)))
        self._changed()

    def set_steps(self, steps: int) -> None:
        self.scene.steps = int(steps)
        self._changed()
        self.step_changed.emit(self.step)

    def set_title(self, title: str) -> None:
        self.scene.title = title
        self.dirty = True

    def set_surface(self, name: str) -> None:
        surf = get_surface(name)
        self.scene.surface = name
        self.scene.surface_params = check_params({}, surf.params, "surface_params")
        self.scene.start = tuple(float(v) for v in surf.start)
        self._changed(surface=True)

    def set_surface_param(self, key: str, value) -> None:
        self.scene.surface_params[key] = value
        self._changed(surface=True)

    def set_param(self, index: int, key: str, value) -> None:
        self.scene.optimizers[index].params[key] = value
        self._changed()

    def set_schedule(self, index: int, table: dict) -> None:
        self.scene.optimizers[index].schedule = check_schedule(table, "schedule")
        self._changed()

    def set_enabled(self, index: int, enabled: bool) -> None:
        self.scene.optimizers[index].enabled = bool(enabled)
        self._changed()

    def set_label(self, index: int, label: str) -> None:
        if not label.strip():
            raise SceneError("label: must be a non-empty string")
        if any(c.label == label for i, c in enumerate(self.scene.optimizers) if i != index):
            raise SceneError(f"label: {label!r} is already another optimizer's label")
        self.scene.optimizers[index].label = label
        self._changed(optimizers=True)

    def set_kind(self, index: int, kind: str) -> None:
        """Change an optimizer's kind, keeping lr and any hyperparameters both kinds share.
        A label that only named the old kind ("GD", "gd", "Adam 2") names the new one."""
        old = self.scene.optimizers[index]
        opt = OPTIMIZERS[kind]
        keep = {k: v for k, v in old.params.items() if k in {p.name for p in opt.params}}
        relabel = names_kind(old.label, old.kind)
        old.kind = kind
        old.params = check_params(keep, opt.params, "optimizer")
        if relabel:
            was = old.label
            old.label = self._free_label(kind_label(kind), index)
            if self.view.inspected == was:
                self.view.inspected = old.label
        self._changed(optimizers=True)

    def _free_label(self, label: str, index: int | None = None) -> str:
        """`label`, or `label 2`, `label 3`... whichever no other optimizer has."""
        taken = {c.label for i, c in enumerate(self.scene.optimizers) if i != index}
        out, n = label, 2
        while out in taken:
            out, n = f"{label} {n}", n + 1
        return out

    def add_optimizer(self, kind: str = "adam") -> int:
        opt = OPTIMIZERS[kind]
        label = self._free_label(kind_label(kind))
        used = {c.color for c in self.scene.optimizers if c.color}
        self.scene.optimizers.append(OptimizerConfig(kind, label, opt.defaults()))
        index = len(self.scene.optimizers) - 1
        color = next((c for c in PALETTE if c not in used and c not in
                      [color_of(self.scene, i) for i in range(index)]), None)
        self.scene.optimizers[index].color = color
        self._changed(optimizers=True)
        return index

    def remove_optimizer(self, index: int) -> None:
        if len(self.scene.optimizers) <= 1:
            raise SceneError("a scene needs at least one optimizer")
        # keep the colours the others are shown in
        for i, cfg in enumerate(self.scene.optimizers):
            cfg.color = color_of(self.scene, i)
        del self.scene.optimizers[index]
        self._changed(optimizers=True)
