"""The Network tab's model: the [network] being edited, its training, and the epoch shown.

No widgets here (napari's rule: views subscribe to the model and never to each other). The
settings are the scene's: an edit is validated by the core and goes through the scene
model (`SceneModel.set_network`), whose `network_changed` this model follows, so the window
knows the scene has unsaved changes. What is shown is not the scene's: the epoch shown
(`cursor`), the pace of playback (`rate`, epochs per second; None: as fast as it trains),
where to pause (`stop_at`), the EWA and landscape settings (`view`).

Nothing long runs in the GUI thread:
- training runs in a thread, a chunk of about CHUNK_S at a time, up to a goal epoch that
  playback moves (so a rate of 5 epochs/s trains 5 epochs a second);
- a big spec's trainer (its records are allocated up front) is made in a thread too;
- what the views draw at the cursor (boundary grids, decimated curves and their EWA, paths
  on the landscape: a `Frame`) and the loss landscape itself are computed by workers that
  run only the latest request, and handed to the views by `frame_ready` and
  `landscape_ready`.

Past epochs are replayed at the granularity of the weight snapshots the trainer keeps
(ravine.app.network_frames.shown_epoch).
"""

from __future__ import annotations

import copy
import math
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass

from PyQt6 import QtCore

from ravine.app import network_frames as nf
from ravine.core.training import Trainer, network_from_dict

DEFAULT = {
    "dataset": "moons", "data": {"n": 300, "noise": 0.2}, "layers": [2, 5, 2, 1], "epochs": 2000,
    "batch_size": 64, "test_fraction": 0.2, "seed": 1,
    "configs": [{"kind": "gd", "label": "GD", "lr": 0.1},
                {"kind": "momentum", "label": "Momentum", "lr": 0.1, "beta": 0.9},
                {"kind": "adam", "label": "Adam", "lr": 0.01}],
}
RATES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, None)
"""Playback rates on offer, epochs per second; None: as fast as the machine trains."""
REPLAY_SECONDS = 5.0
"""At the rate None, replaying what is trained takes about this long for the whole run."""
TICK_MS = 15
FRAME_MS = 40
"""The views get a new frame at most this often (the event loop keeps time for the rest)."""
LANDSCAPE_S = 1.0
"""While training, the loss landscape is recomputed at most this often."""
CHUNK_S = 0.03
"""The training thread trains chunks of about this long: a pause takes effect within one."""
COMPILE_NOTE_MS = 500
"""A first chunk that takes longer than this is a kernel being compiled: the tab says so."""
COMPILING = "compiling the network kernel (first start only)..."
SYNC_FLOATS = 2_000_000
"""A trainer whose records hold more numbers than this is made in a thread."""

_TRAINED_KINDS: set[str] = set()
"""Optimizer kinds this process has trained (the shared kernel and their steps loaded or compiled)."""
BACKGROUND_NICE = 10
"""How much lower than the window's the priority of the tab's worker threads is (Linux):
the GUI thread gets the processor when it needs one, training everything else."""
_reniced: set[int] = set()


def background_priority(thread: threading.Thread | None = None) -> None:
    """Give `thread` (default: the calling one) a lower priority than the window's: with
    every core busy training, the GUI thread still paints without waiting its turn. Linux
    schedules threads as tasks with their own nice value; elsewhere this does nothing."""
    if not sys.platform.startswith("linux"):
        return
    tid = (thread or threading.current_thread()).native_id
    if tid is None or tid in _reniced or tid == threading.main_thread().native_id:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICE))
        _reniced.add(tid)
    except OSError:
        pass


def background_helpers() -> None:
    """The core's pool of helper threads (ravine.core.threads), which run the training's
    other configurations, at the background priority too."""
    for t in threading.enumerate():
        if t.name.startswith("ravine-worker-") and t.native_id not in _reniced:
            background_priority(t)


@dataclass
class NetworkView:
    """What the views show of the training (not saved with the scene)."""

    beta: float = 0.98  # the EWA drawn over the noisy mini-batch cost
    bias_correction: bool = True
    method: str = "pca"  # the landscape's plane: "pca" or "random"
    center: int = -1  # the landscape is centred on this run's weights (-1: the last run)


class LatestWorker(QtCore.QObject):
    """A thread that runs submitted jobs one at a time, only the latest waiting one (a job
    submitted while another waits replaces it). `done(result)` comes in the GUI thread; a
    job's exception is its result (the traceback printed)."""

    done = QtCore.pyqtSignal(object)

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.name = name
        self._cond = threading.Condition()
        self._job = None
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._job is None and not self._busy

    def submit(self, job) -> None:
        with self._cond:
            self._job = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._job = None
            self._cond.notify()

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until no job waits or runs (tests and renders); True if so."""
        deadline = time.monotonic() + timeout
        while not self.idle and time.monotonic() < deadline:
            time.sleep(0.002)
        return self.idle

    def _run(self) -> None:
        background_priority()
        while True:
            with self._cond:
                while self._job is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job, self._job = self._job, None
                self._busy = True
            try:
                out = job()
            except Exception as exc:  # handed to the GUI thread, which reports it
                traceback.print_exc()
                out = exc
            try:
                self.done.emit(out)
            except RuntimeError:  # the model is gone (its window closed)
                return
            finally:
                with self._cond:
                    self._busy = False


class _Training:
    """One trainer, trained in a thread up to a goal epoch that the model moves; each chunk's
    results are handed to `post(trainer, (runs, epoch), error)`."""

    def __init__(self, trainer: Trainer, post):
        self.trainer = trainer
        self.post = post
        self.goal = 0
        self.cancelled = False
        self.chunk = 1
        self._cond = threading.Condition()
        self.thread: threading.Thread | None = None

    def _target(self) -> int:
        return self.trainer.epoch if self.trainer.done else min(self.goal, self.trainer.spec.epochs)

    def train_to(self, goal: int) -> None:
        with self._cond:
            self.goal = int(goal)
            if self.thread is None and not self.cancelled and self.trainer.epoch < self._target():
                self.thread = threading.Thread(target=self._run, name="ravine-training", daemon=True)
                self.thread.start()

    @property
    def active(self) -> bool:
        return self.thread is not None

    def cancel(self) -> None:
        with self._cond:
            self.cancelled = True

    def join(self) -> None:
        thread = self.thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        background_priority()
        while True:
            with self._cond:
                n = self._target() - self.trainer.epoch
                if n <= 0 or self.cancelled:
                    self.thread = None
                    return
            n = min(n, self.chunk)
            t0 = time.perf_counter()
            try:
                self.trainer.step(n)
            except Exception as exc:
                with self._cond:
                    self.thread = None
                self.post(self.trainer, None, exc)
                return
            took = time.perf_counter() - t0
            background_helpers()
            self.chunk = int(min(4 * self.chunk, max(1, n * CHUNK_S / max(took, 1e-5))))
            self.post(self.trainer, (self.trainer.runs(), self.trainer.epoch), None)


def _records(spec) -> int:
    """About how many numbers a trainer of `spec` allocates for its records."""
    n = int(spec.data.get("n", 10_000))
    m = max(2, n - int(round(spec.test_fraction * n)))
    enabled = [c for c in spec.configs if c.enabled] or spec.configs
    smallest = min(min(c.batch_size or spec.batch_size, m) for c in enabled)
    return len(enabled) * spec.epochs * (-(-m // smallest) + 4)


class NetworkModel(QtCore.QObject):
    """The network spec, its trainer and results, the epoch shown and playback.

    spec_changed: the settings changed (an edit, a new scene): the editors show them.
    reset_done: a new training starts from epoch 0 (new trainer): the views rebuild.
    progress: more epochs trained (`runs`, `epoch`).
    cursor_changed(int): the epoch shown moved.
    running_changed(bool): playback started or paused.
    busy_changed(str): what the tab should say it is waiting for ("" when nothing).
    frame_ready(Frame): what the views draw at the cursor.
    landscape_ready(LossSlice): a new loss landscape.
    view_changed: the EWA or landscape settings changed.
    """

    spec_changed = QtCore.pyqtSignal()
    reset_done = QtCore.pyqtSignal()
    progress = QtCore.pyqtSignal()
    cursor_changed = QtCore.pyqtSignal(int)
    running_changed = QtCore.pyqtSignal(bool)
    busy_changed = QtCore.pyqtSignal(str)
    frame_ready = QtCore.pyqtSignal(object)
    landscape_ready = QtCore.pyqtSignal(object)
    view_changed = QtCore.pyqtSignal()
    _posted = QtCore.pyqtSignal()

    def __init__(self, scene_model, parent=None, clock=time.perf_counter):
        super().__init__(parent)
        self.scene_model = scene_model
        self.clock = clock
        self.view = NetworkView()
        self.rate: float | None = None
        self.stop_at: int | None = None
        self.trainer: Trainer | None = None
        self.runs: list = []
        self.epoch = 0
        self.cursor = 0
        self.landscape = None
        self.frame = None
        self.busy = ""
        self.generation = 0
        self._playing = False
        self._play_when_ready = False
        self._follow = True  # the cursor follows training that lands while paused
        self._replaying = False
        self._anchor = (0.0, 0)
        self._limit = 0
        self._training: _Training | None = None
        self._lock = threading.Lock()
        self._latest = None  # the newest chunk's results, not taken yet
        self._posted.connect(self._take)
        self._clock = QtCore.QTimer(self)
        self._clock.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._clock.setInterval(TICK_MS)
        self._clock.timeout.connect(self._tick)
        self._compile_timer = QtCore.QTimer(self, singleShot=True, interval=COMPILE_NOTE_MS,
                                            timeout=self._compiling)
        self._setup = LatestWorker("ravine-network-setup", self)
        self._setup.done.connect(self._trainer_made)
        self._frames = LatestWorker("ravine-network-frames", self)
        self._frames.done.connect(self._frame_done)
        self._frame_timer = QtCore.QTimer(self, singleShot=True, timeout=self._submit_frame)
        self._last_frame = -1.0
        self._ewa = nf.EwaCache()
        self._landscapes = LatestWorker("ravine-network-landscape", self)
        self._landscapes.done.connect(self._landscape_done)
        self._landscape_timer = QtCore.QTimer(self, singleShot=True, timeout=self._submit_landscape)
        self._landscape_again = False
        self._landscape_key = None
        self._last_landscape = -1e9
        self.xs = self.ys = None
        scene_model.scene_replaced.connect(self.load_from_scene)
        scene_model.network_changed.connect(self._scene_network_changed)
        self.load_from_scene()

    # ------------------------------------------------------------------ settings
    def load_from_scene(self) -> None:
        """The scene's [network] (or the default network for a scene without one), from
        epoch 0: a newly opened scene shows nothing of the one before."""
        net = self.scene_model.scene.network
        base = str(self.scene_model.path.parent) if self.scene_model.path else ""
        self.spec = copy.deepcopy(net) if net is not None else network_from_dict(copy.deepcopy(DEFAULT), "network", base)
        self.attached = net is not None
        self.stop_at = None
        self._play_when_ready = False
        self._new_training()
        self.spec_changed.emit()

    def edit(self, change) -> None:
        """Apply change(spec_dict) to a copy of the spec's [network] table, validate it
        (SceneError, for the editor to show) and make it the scene's (through the scene
        model, which marks the scene as changed); training starts afresh, playing on if it
        was."""
        raw = self.spec.to_dict()
        change(raw)
        spec = network_from_dict(raw, "network", self.spec.base_dir)
        self.scene_model.set_network(spec)

    def _scene_network_changed(self) -> None:
        net = self.scene_model.scene.network
        if net is None or (self.attached and net == self.spec):
            return
        playing = self._playing or self._play_when_ready
        self.spec = copy.deepcopy(net)
        self.attached = True
        self._new_training(play=playing)
        self.spec_changed.emit()

    def reset(self) -> None:
        """Train again from epoch 0 (the same settings)."""
        self._new_training()

    # ------------------------------------------------------------------ the trainer
    def _new_training(self, play: bool = False) -> None:
        self._stop_clock()
        if self._training is not None:
            self._training.cancel()  # it ends after its chunk; its results are ignored
            self._training = None
        self.generation += 1
        self._set_busy("")
        self._compile_timer.stop()
        spec, gen = copy.deepcopy(self.spec), self.generation
        self._play_when_ready = play
        if _records(spec) <= SYNC_FLOATS:
            self._adopt_trainer(gen, Trainer(spec))
        else:
            self._set_busy(f"preparing the training of {spec.epochs:,} epochs...")
            self._setup.submit(lambda: (gen, Trainer(spec)))

    def _trainer_made(self, out) -> None:
        if isinstance(out, Exception):
            self._set_busy("")
            raise out
        gen, trainer = out
        if gen == self.generation:
            self._set_busy("")
            self._adopt_trainer(gen, trainer)

    def _adopt_trainer(self, gen: int, trainer: Trainer) -> None:
        self.trainer = trainer
        self._training = _Training(trainer, self._post)
        self.runs = trainer.runs()
        self.epoch = 0
        self.cursor = 0
        self._follow = True
        self.landscape = None
        self.frame = None
        self._ewa = nf.EwaCache()
        self.xs, self.ys = nf.boundary_axes(trainer)
        self.reset_done.emit()
        self.progress.emit()
        self.cursor_changed.emit(0)
        self.running_changed.emit(False)
        self.request_frame()
        if self._play_when_ready:
            self._play_when_ready = False
            self.play()

    @property
    def ready(self) -> bool:
        """A trainer for the current settings exists (a big one is made in a thread)."""
        return self.trainer is not None and self.trainer.spec == self.spec and not self.busy.startswith("preparing")

    @property
    def done(self) -> bool:
        """Nothing more to train: every epoch, or every configuration diverged."""
        return self.trainer is not None and self.trainer.done

    @property
    def end(self) -> int:
        """The last epoch there will be: the spec's, or where training ended early."""
        return self.epoch if self.done else self.spec.epochs

    @property
    def snap_every(self) -> int:
        return self.trainer.snap_every if self.trainer is not None else 1

    @property
    def examples(self) -> int:
        """Training examples (what batch size m means)."""
        return len(self.trainer.y) if self.trainer is not None else int(self.spec.data.get("n", 0))

    # ------------------------------------------------------------------ playback
    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def running(self) -> bool:
        """Playing (training or replaying), or about to as soon as the trainer is made."""
        return self._playing or self._play_when_ready

    def start(self) -> None:
        self.play()

    def play(self) -> None:
        """Move the cursor on at `rate`: through the epochs trained (a replay), then
        training more, up to `stop_at` or the end. At the end, replay from epoch 0."""
        if self._playing:
            return
        if not self.ready:
            self._play_when_ready = True
            return
        if self.cursor >= self.end:
            self._show(0)
        self._limit = self.stop_at if self.stop_at and self.stop_at > self.cursor else self.spec.epochs
        self._anchor = (self.clock(), self.cursor)
        self._replaying = self.cursor < self.epoch
        self._playing = True
        self._clock.start()
        self.running_changed.emit(True)
        self._tick()

    def pause(self) -> None:
        """Stop where it is: training stops after its current chunk (whose results, when
        they land, the cursor follows if it was at the last epoch trained)."""
        self._play_when_ready = False
        if not self._playing:
            return
        self._stop_clock()
        self._follow = self.cursor >= self.epoch
        if self._training is not None:
            self._training.train_to(self.epoch)
        self.running_changed.emit(False)

    def _stop_clock(self) -> None:
        if self._playing:
            self._playing = False
            self._clock.stop()

    def stop(self) -> None:
        """Pause and wait for the training thread, so that `runs` are final (closing the
        window, tests)."""
        self.pause()
        if self._training is not None:
            self._training.train_to(self._training.trainer.epoch)
            self._training.join()
        self._take()

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def set_rate(self, rate: float | None) -> None:
        """Epochs per second (None: as fast as it trains); playing goes on from here."""
        self.rate = rate
        if self._playing:
            self._anchor = (self.clock(), self.cursor)
            self._replaying = self.cursor < self.epoch

    def set_stop_at(self, epoch: int | None) -> None:
        """Pause when this epoch is reached (None or 0: at the end)."""
        self.stop_at = int(epoch) if epoch else None
        if self._playing:
            self._limit = self.stop_at if self.stop_at and self.stop_at > self.cursor else self.spec.epochs

    def replay_rate(self) -> float:
        return max(self.spec.epochs / REPLAY_SECONDS, 1.0)

    def describe(self, epoch: int) -> list[str]:
        """Each configuration's values at `epoch` for a readout (see network_frames.describe)."""
        return nf.describe(self.trainer, self.runs, epoch) if self.trainer is not None else []

    def set_cursor(self, epoch: int) -> None:
        """Show `epoch` (scrubbing): playback pauses; a past epoch is shown at the nearest
        snapshot at or before it; an epoch not trained yet, at the last one trained."""
        self.pause()
        self._show(epoch)
        self._follow = self.cursor >= self.epoch

    def step_by(self, direction: int) -> None:
        """One snapshot interval back or forward (training that many epochs more if the
        cursor is at the last epoch trained)."""
        self.pause()
        snap = self.snap_every
        if direction < 0:
            target = self.cursor - 1 if self.cursor < self.epoch or self.cursor % snap == 0 else self.cursor
            self._show(max(0, target))
            self._follow = False
            return
        target = min(self.end, (self.cursor // snap + 1) * snap)
        if target <= self.epoch:
            self._show(target)
        elif self._training is not None and not self.done:
            self._follow = True
            self._training.train_to(target)
            self._note_compile()

    def _show(self, epoch: float) -> None:
        cursor = nf.shown_epoch(int(epoch), self.epoch, self.snap_every)
        if cursor != self.cursor:
            self.cursor = cursor
            self.cursor_changed.emit(cursor)
            self.request_frame()

    def _tick(self) -> None:
        if not self._playing or self.trainer is None:
            return
        t0, e0 = self._anchor
        elapsed = self.clock() - t0
        limit = self._limit
        if self.rate is None:
            if self._replaying:
                raw = e0 + elapsed * self.replay_rate()
                if raw < self.epoch:
                    self._show(math.floor(raw))
                    return
                self._replaying = False
            goal, want = limit, self.epoch
        else:
            raw = min(e0 + elapsed * self.rate, limit)
            goal = math.ceil(raw)
            want = min(goal, self.epoch)
        if goal > self.epoch and not self.done:
            self._training.train_to(goal)
            self._note_compile()
        self._show(want)
        if self.cursor >= min(limit, self.end) and (self.cursor >= self.epoch):
            self.pause()

    def _note_compile(self) -> None:
        """A first training of kinds this process has not trained: if its first chunk takes
        long, a kernel is being compiled, and the tab says so."""
        kinds = {c.kind for c in self.trainer.configs}
        if not kinds <= _TRAINED_KINDS and not self._compile_timer.isActive():
            self._compile_timer.start()

    def _compiling(self) -> None:
        if self.trainer is not None and not {c.kind for c in self.trainer.configs} <= _TRAINED_KINDS:
            self._set_busy(COMPILING)

    def _set_busy(self, text: str) -> None:
        if text != self.busy:
            self.busy = text
            self.busy_changed.emit(text)

    # ------------------------------------------------------------------ results
    def _post(self, trainer, runs, error) -> None:
        """From the training thread: the newest results replace any the window has not
        taken yet (it never queues up stale ones)."""
        with self._lock:
            waiting = self._latest is not None
            self._latest = (trainer, runs, error)
        if not waiting:
            try:
                self._posted.emit()
            except RuntimeError:  # the model is gone
                pass

    def _take(self) -> None:
        with self._lock:
            latest, self._latest = self._latest, None
        if latest is None:
            return
        trainer, results, error = latest
        if trainer is not self.trainer:
            return  # a training since replaced
        if error is not None:
            self.pause()
            raise error
        _TRAINED_KINDS.update(c.kind for c in trainer.configs)
        self._compile_timer.stop()
        if self.busy == COMPILING:
            self._set_busy("")
        self.runs, self.epoch = results
        self.progress.emit()
        if self._playing:
            self._tick()
        elif self._follow:
            self._show(self.epoch)
        self.request_frame()
        self.request_landscape()

    # ------------------------------------------------------------------ frames and landscape
    def set_view(self, **changes) -> None:
        """Change the EWA or landscape settings (beta, bias_correction, method, center)."""
        landscape = False
        for key, value in changes.items():
            if not hasattr(self.view, key):
                raise AttributeError(f"no view setting {key!r}")
            landscape |= key in ("method", "center") and getattr(self.view, key) != value
            setattr(self.view, key, value)
        self.view_changed.emit()
        if landscape:
            self.request_landscape(now=True)
        self.request_frame()

    def request_frame(self) -> None:
        """Compute what the views draw at the cursor, in a worker: now, or FRAME_MS after
        the last one."""
        if self.trainer is None or self._frame_timer.isActive():
            return
        wait = FRAME_MS - (self.clock() - self._last_frame) * 1000.0
        self._frame_timer.start(int(max(0.0, wait)))

    def _submit_frame(self) -> None:
        if self.trainer is None:
            return
        self._last_frame = self.clock()
        trainer, runs, epoch, view = self.trainer, list(self.runs), self.cursor, copy.copy(self.view)
        xs, ys, sl, cache, gen = self.xs, self.ys, self.landscape, self._ewa, self.generation

        def job():
            return gen, nf.frame(trainer, runs, epoch, xs, ys, view.beta, view.bias_correction, sl, cache)

        self._frames.submit(job)

    def _frame_done(self, out) -> None:
        if isinstance(out, Exception):
            raise out
        gen, frame = out
        if gen != self.generation:
            return
        self.frame = frame
        self.frame_ready.emit(frame)

    def request_landscape(self, now: bool = False) -> None:
        """Recompute the loss landscape in a worker: at once after a change of its settings,
        else at most every LANDSCAPE_S while training (and once more at the end)."""
        if self.trainer is None or not any(r.epochs_done for r in self.runs):
            return
        if now:
            self._landscape_timer.stop()
            self._landscape_timer.start(0)
            return
        if self._landscape_timer.isActive():
            return
        wait = LANDSCAPE_S - (self.clock() - self._last_landscape)
        self._landscape_timer.start(int(max(0.0, wait) * 1000))

    def _submit_landscape(self) -> None:
        if self.trainer is None or not any(r.epochs_done for r in self.runs):
            return
        if not self._landscapes.idle:  # one at a time: the next when this one is done
            self._landscape_again = True
            return
        trainer, runs, gen = self.trainer, list(self.runs), self.generation
        center = self.view.center % len(runs)
        method = self.view.method
        key = (gen, self.epoch, center, method)
        if key == self._landscape_key:
            return  # made for just this already
        self._landscape_key = key
        self._last_landscape = self.clock()
        previous = self.landscape if self.landscape is not None and self.landscape.method == method else None

        def job():
            return gen, nf.landscape(trainer, runs, center, method, previous=previous)

        self._landscapes.submit(job)

    def _landscape_done(self, out) -> None:
        if self._landscape_again:
            self._landscape_again = False
            self.request_landscape()
        if isinstance(out, Exception):
            raise out
        gen, sl = out
        if gen != self.generation:
            return
        self.landscape = sl
        self.landscape_ready.emit(sl)
        self.request_frame()  # the paths on it, up to the cursor

    def wait(self, timeout: float = 60.0) -> bool:
        """Block (running the event loop) until training, frames and the landscape are done
        and shown: for tests and scripts."""
        deadline = time.monotonic() + timeout
        app = QtCore.QCoreApplication.instance()
        while time.monotonic() < deadline:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
            busy = (self.running or (self._training is not None and self._training.active)
                    or self._latest is not None or not self._frames.idle or not self._landscapes.idle
                    or not self._setup.idle or self._frame_timer.isActive() or self._landscape_timer.isActive()
                    or self.busy.startswith("preparing"))
            if not busy:
                app.processEvents()
                return True
            time.sleep(0.002)
        return False

    def close(self) -> None:
        """No thread outlives the window."""
        self.stop()
        for worker in (self._setup, self._frames, self._landscapes):
            worker.close()

