"""The app's model: the scene being edited, its simulation and the current step.

Views subscribe to the model's signals and never to each other (napari's rule). Every edit
goes through a method here, which changes the plain-data `Scene`, asks the core to simulate
it again and announces what changed. The model computes nothing itself.
"""

from __future__ import annotations

import copy
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt6 import QtCore

from ravine.app.style import PALETTE, series_colors
from ravine.core import OptimizerConfig, Scene, SceneError, simulate, value_grid
from ravine.core.contours import contour_segments, log_levels
from ravine.core.decimate import envelope, route_pieces
from ravine.core.kernels import kernels
from ravine.core.stepinfo import arrow_reference
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import check_params
from ravine.core.scene import START_LIMIT, check_recorded
from ravine.core.schedules import check_schedule
from ravine.core.warmup import CompileAhead
from ravine.landscapes import get_surface

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
    """The optimizer's colour, by the app's one rule (ravine.app.style.series_colors)."""
    return series_colors(scene.optimizers)[index]


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


ROUTE_PIECES = 64  # hiding the future draws the route from this many cached pieces
SYNC_WORK = 200_000  # steps x optimizers computed in the GUI thread at most (about 15 ms warm)
_WARM: set = set()  # kernels this process has run: ("grid", surface), ("run", surface, kind)


def run_key(scene: Scene, cfg: OptimizerConfig) -> tuple:
    """Everything a trajectory depends on: equal keys, equal trajectories."""
    return (scene.surface, tuple(sorted(scene.surface_params.items())), scene.start, scene.steps,
            getattr(cfg, "start", None), cfg.kind, repr(sorted(cfg.params.items())),
            repr(sorted(cfg.schedule.items())))


def compute(scene: Scene, surface: bool, known: dict, stop=lambda: False, progress=lambda done, total: None,
            partial=None):
    """What the views draw for `scene`, from the core: the surface image (if `surface`) and
    every enabled optimizer's trajectory, reusing `known` (run key -> trajectory). Returns
    (image or None, {run key: trajectory}), or None if `stop()` said so between parts.
    partial(image, trajectories so far) is called as each part is ready (the window shows
    them as they come)."""
    todo = [cfg for cfg in scene.optimizers if cfg.enabled and run_key(scene, cfg) not in known]
    ahead = _compile_ahead(scene.surface, todo)
    try:
        return _compute(scene, surface, todo, stop, progress, partial, ahead)
    finally:
        if ahead is not None:
            ahead.close()


AHEAD_MIN = 2
"""A helper process compiles ahead when at least this many of a scene's kernels are neither
run in this process nor in the disk cache (a first start on empty caches)."""


def _compile_ahead(surface: str, todo) -> CompileAhead | None:
    """A helper process that compiles the pairs this scene lacks from the last one back (see
    ravine.core.warmup.CompileAhead), or None when they are cached or too few to share."""
    ks = kernels()
    cold = [("pair", surface, kind) for kind in dict.fromkeys(cfg.kind for cfg in todo)
            if ("run", surface, kind) not in _WARM and not ks.cached(surface, kind)]
    return CompileAhead(cold[::-1]) if len(cold) >= AHEAD_MIN else None


def _compute(scene, surface, todo, stop, progress, partial, ahead):
    total = len(todo) + (1 if surface else 0)
    image = None
    if surface:
        image = surface_image(scene)
        _WARM.add(("grid", scene.surface))
        progress(1, total)
        if partial and todo:
            partial(image, {})
    trajs = {}
    for k, cfg in enumerate(todo):
        if stop():
            return None
        if ahead is not None:
            ahead.wait_for(("pair", scene.surface, cfg.kind), stop)  # compiled there: loaded from the cache
        traj = simulate(scene.with_(optimizers=[cfg]))[0]
        # what drawing needs, done here too (off the GUI thread for big runs): the route cut
        # into pieces bounded by the pixels they cross, and the arrows' scale
        traj.route = route_pieces(traj.path, get_surface(scene.surface).domain, ROUTE_PIECES)
        traj.loss_curve = envelope(traj.loss)  # the curves as a plot can show them, extremes kept
        traj.lr_curve = envelope(np.maximum(traj.lr, 1e-300), first=1)
        arrow_reference(traj, 0)
        trajs[run_key(scene, cfg)] = traj
        _WARM.add(("run", scene.surface, cfg.kind))
        progress(k + 1 + (1 if surface else 0), total)
        if partial and k + 1 < len(todo):
            partial(image, dict(trajs))
    return image, trajs


class SceneModel(QtCore.QObject):
    """The scene, its simulation and the current step, with signals for the views.

    surface_changed: the surface or its parameters changed (the map image must be redrawn).
    simulation_changed: new trajectories (after any edit).
    step_changed(int): the current step moved (animation, scrubbing).
    scene_replaced: a whole new scene was loaded (panels rebuild themselves).
    optimizers_changed: optimizers were added, removed, renamed or re-kinded.
    view_changed: what the views show changed (`view`: inspected optimizer, arrows,
    narration, hiding the future), not the scene itself.
    busy_changed(str): a computation in the background started or moved on (the text says
    what and how far: "preparing the optimizers, first start only: 3 of 8"), or ended ("").
    network_changed: the scene's [network] was edited (`set_network`; the Network tab's
    model takes it from here, and the window's title shows the unsaved change).

    The views draw `image` and `runs`, which always belong together. An edit that is cheap
    (kernels this process has run, at most SYNC_WORK steps to compute) is computed at once;
    anything else (a first start on an empty kernel cache, a million steps) in a background
    thread, with `busy` saying how far it is, while the views keep showing the last result;
    a newer edit supersedes it, and `cancel()` (Esc) goes back to the last computed scene.
    With background=False (renders, scripts) everything is computed at once.
    """

    surface_changed = QtCore.pyqtSignal()
    simulation_changed = QtCore.pyqtSignal()
    step_changed = QtCore.pyqtSignal(int)
    scene_replaced = QtCore.pyqtSignal()
    optimizers_changed = QtCore.pyqtSignal()
    view_changed = QtCore.pyqtSignal()
    busy_changed = QtCore.pyqtSignal(str)
    network_changed = QtCore.pyqtSignal()
    _finished = QtCore.pyqtSignal(object)
    _partly = QtCore.pyqtSignal(object)
    _progressed = QtCore.pyqtSignal(object)

    def __init__(self, scene: Scene, path: Path | None = None, parent=None, background: bool = False):
        super().__init__(parent)
        self.view = ViewState()
        self.scene = copy.deepcopy(scene)
        self.path = path
        self.dirty = False
        self.step = scene.steps
        self.background = background
        self.image: SurfaceImage | None = None
        self.runs: list[Run] = []
        self.busy = ""
        self._known: dict = {}  # run key -> trajectory, of the runs shown
        self._shown = None  # the scene the shown results belong to
        self._generation = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ravine-scene") if background else None
        self._part = None  # the latest partial result the window has not taken yet
        self._part_lock = threading.Lock()
        self._finished.connect(self._adopt)
        self._partly.connect(self._adopt_part)
        self._progressed.connect(self._show_progress)
        self._request(surface=True, step=True)

    # ------------------------------------------------------------------ derived data
    def _request(self, surface: bool = False, step: bool = False) -> None:
        """Compute what the edited scene needs: now if cheap, else in the background."""
        self._generation += 1
        gen = self._generation
        scene = copy.deepcopy(self.scene)
        surface = surface or self.image is None
        todo = [c for c in scene.optimizers if c.enabled and run_key(scene, c) not in self._known]
        warm = (not surface or ("grid", scene.surface) in _WARM) and all(
            ("run", scene.surface, c.kind) in _WARM for c in todo)
        # a new surface image (grid, contours, critical points: 50-150 ms) is never cheap
        cheap = warm and not surface and scene.steps * len(todo) <= SYNC_WORK and not self.busy
        if self._pool is None or cheap:
            self._adopt((gen, scene, surface, step, compute(scene, surface, self._known)))
            return
        cold = not warm
        self._set_busy(self._busy_text(cold, 0, len(todo) + surface, scene))
        known = dict(self._known)

        def job():
            def progress(done, total):
                if gen == self._generation:
                    self._progressed.emit((gen, self._busy_text(cold, done, total, scene)))

            def partial(image, trajs):
                # the latest part replaces one the window has not taken yet: parts that
                # come faster than frames never queue up in the GUI thread
                if gen == self._generation:
                    with self._part_lock:
                        waiting = self._part is not None
                        self._part = (gen, image, trajs)
                    if not waiting:
                        self._partly.emit(None)

            try:
                out = compute(scene, surface, known, stop=lambda: gen != self._generation, progress=progress,
                              partial=partial)
            except Exception as exc:  # reported in the window, never lost in the thread
                out = exc
            self._finished.emit((gen, scene, surface, step, out))

        self._pool.submit(job)

    @staticmethod
    def _busy_text(cold: bool, done: int, total: int, scene: Scene) -> str:
        if cold:
            return f"preparing the optimizers, first start only: {done} of {total}"
        return f"computing {scene.steps:,} steps: {done} of {total}"

    def _show_progress(self, payload) -> None:
        gen, text = payload
        if gen == self._generation and self.busy:
            self._set_busy(text)

    def _set_busy(self, text: str) -> None:
        if text != self.busy:
            self.busy = text
            self.busy_changed.emit(text)

    def _adopt(self, payload) -> None:
        """Take a computation's results, if they are for the scene as it is now."""
        gen, scene, surface, step, out = payload
        if gen != self._generation or out is None:
            return  # superseded by a newer edit, or cancelled
        with self._part_lock:
            self._part = None  # the whole result replaces any part still waiting
        self._set_busy("")
        if isinstance(out, Exception):
            raise out
        image, trajs = out
        if image is not None and image is self.image:
            surface = False  # shown already, with the first part
        if image is not None:
            self.image = image
        known = {}
        runs = []
        for i, cfg in enumerate(self.scene.optimizers):
            if not cfg.enabled:
                continue
            key = run_key(self.scene, cfg)
            traj = trajs.get(key) or self._known[key]
            traj.label, traj.color = cfg.label, cfg.color
            known[key] = traj
            runs.append(Run(i, cfg, traj, color_of(self.scene, i)))
        self.runs, self._known, self._shown = runs, known, scene
        self.step = min(self.step, self.scene.steps)
        if surface:
            self.surface_changed.emit()
        self.simulation_changed.emit()
        if step:
            self.step_changed.emit(self.step)

    def _adopt_part(self, _=None) -> None:
        """Show what a background computation has so far: the new surface, and the paths
        that are ready (the others appear as they come)."""
        with self._part_lock:
            payload, self._part = self._part, None
        if payload is None:
            return
        gen, image, trajs = payload
        if gen != self._generation:
            return
        if image is not None and image is not self.image:
            self.image = image
            self.surface_changed.emit()
        shown = {run.index: run.traj for run in self.runs}
        runs = []
        for i, cfg in enumerate(self.scene.optimizers):
            key = run_key(self.scene, cfg)
            # the new path if ready; else the one shown so far (so the views keep their items
            # and only swap data), if any
            traj = trajs.get(key) or self._known.get(key) or shown.get(i)
            if cfg.enabled and traj is not None:
                traj.label, traj.color = cfg.label, cfg.color
                runs.append(Run(i, cfg, traj, color_of(self.scene, i)))
        self.runs = runs
        self.step = min(self.step, self.scene.steps)
        self.simulation_changed.emit()

    def wait(self, timeout: float = 120.0) -> bool:
        """Block until the background computation (if any) is shown; True if it is."""
        deadline = time.monotonic() + timeout
        while self.busy and time.monotonic() < deadline:
            QtCore.QCoreApplication.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.002)
        return not self.busy

    def cancel(self) -> bool:
        """Stop the background computation and go back to the scene that is shown."""
        if not self.busy or self._shown is None:
            return False
        self._generation += 1
        self.scene = copy.deepcopy(self._shown)
        self._set_busy("")
        self.scene_replaced.emit()
        self.optimizers_changed.emit()
        self.simulation_changed.emit()
        return True

    def close(self) -> None:
        if self._pool is not None:
            self._generation += 1
            self._pool.shutdown(wait=False, cancel_futures=True)

    @property
    def steps(self) -> int:
        return self.scene.steps

    @property
    def floor_value(self) -> float:
        """The surface's minimum (declared, or the lowest value on the map grid)."""
        if self.image is None:  # not computed yet (and the surface's kernel may not be either)
            return 0.0
        m = get_surface(self.scene.surface).min_value(self.scene.surface_params)
        return self.image.zmin if m is None else min(m, self.image.zmin)

    def _changed(self, surface: bool = False, optimizers: bool = False) -> None:
        self.dirty = True
        self.step = min(self.step, self.scene.steps)
        if optimizers:
            self.optimizers_changed.emit()
        self._request(surface=surface)

    # ------------------------------------------------------------------ whole scenes
    def replace(self, scene: Scene, path: Path | None = None) -> None:
        self.scene = copy.deepcopy(scene)
        self.path = path
        self.dirty = False
        self.step = scene.steps
        self.scene_replaced.emit()
        self.optimizers_changed.emit()
        self._request(surface=True, step=True)

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
        check_recorded(int(steps), len(self.scene.optimizers))
        self.scene.steps = int(steps)
        self._changed()
        self.step_changed.emit(self.step)

    def set_network(self, spec) -> None:
        """Edit the scene's [network] (a validated NetworkSpec, or None): the scene is changed
        (unsaved) and `network_changed` says so. The training is not the scene model's: the
        Network tab's model follows the signal."""
        self.scene.network = copy.deepcopy(spec)
        if self._shown is not None:  # Esc on a surface computation keeps the network as edited
            self._shown.network = copy.deepcopy(spec)
        self.dirty = True
        self.network_changed.emit()

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
        check_recorded(self.scene.steps, len(self.scene.optimizers) + 1, "add optimizer")
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
