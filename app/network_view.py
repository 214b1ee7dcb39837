"""The Network tab: mini-batch training of the small network, several configurations side
by side, live.

Training runs in a worker thread (the kernels release the GIL), a chunk of epochs at a
time; after each chunk the worker hands the views a copy of the results, so the window
never waits on training and never reads half-written numbers. Any change of settings stops
the training and starts it afresh from the same seed.
"""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtWidgets

from ravine.app.model import PALETTE
from ravine.app.params_editor import ParamEditor
from ravine.app.style import log_axes, no_si_prefix, restyle, signals_blocked
from ravine.app.warm import WARMER
from ravine.core.datasets import DATASETS
from ravine.core.ewa import ewa
from ravine.core.loss_landscape import loss_slice
from ravine.core.network import predict_grid
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import Param, SceneError
from ravine.core.training import NETWORK_PARAMS, NetworkConfig, Trainer, network_from_dict

DEFAULT = {
    "dataset": "moons", "data": {"n": 300, "noise": 0.2}, "layers": [2, 5, 2, 1], "epochs": 2000,
    "batch_size": 64, "test_fraction": 0.2, "seed": 1,
    "configs": [{"kind": "gd", "label": "GD", "lr": 0.1},
                {"kind": "momentum", "label": "Momentum", "lr": 0.1, "beta": 0.9},
                {"kind": "adam", "label": "Adam", "lr": 0.01}],
}
GRID = 80
MAX_POINTS = 1500  # points per curve drawn
FLOOR = 1e-4  # costs below this (single well-classified examples) are drawn at it, on the log axis
REDRAW_MS = 100  # while training, the views redraw at most this often
BOUNDARY_CMAP = pg.ColorMap([0.0, 0.5, 1.0], [(86, 180, 233), (245, 245, 245), (230, 159, 0)])
CLASS_BRUSH = [pg.mkBrush(0, 114, 178), pg.mkBrush(213, 94, 0)]
EWA_BETA = Param("smoothing beta", 0.98, lo=0.0, hi=1.0, hi_open=True, ui_range=(0.0, 0.999), scale="log1m",
                 doc="beta of the EWA drawn over the noisy mini-batch cost")


def boundary_grid(trainer, n: int = GRID, pad: float = 0.5):
    """The (xs, ys) grid a decision boundary is drawn on: the data's extent plus a margin."""
    X = trainer.X_all
    return (np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, n),
            np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, n))


def add_boundary_panel(layout, row: int, col: int, trainer):
    """A plot in `layout` with the training data over an (empty) decision-boundary image."""
    plot = layout.addPlot(row=row, col=col)
    plot.setAspectLocked(True)
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    img = pg.ImageItem()
    img.setColorMap(BOUNDARY_CMAP)
    plot.addItem(img)
    points = pg.ScatterPlotItem(size=5, pen=pg.mkPen(255, 255, 255, 160, width=0.5))
    points.setData(trainer.X[:, 0], trainer.X[:, 1], brush=[CLASS_BRUSH[int(v)] for v in trainer.y])
    plot.addItem(points)
    return plot, img


def draw_boundary(img, theta, trainer, xs, ys) -> None:
    """yhat of the network with weights theta on the grid, computed by the core."""
    out = np.empty((len(ys), len(xs)))
    predict_grid(theta, trainer.sizes, trainer.w_off, trainer.b_off, xs, ys, out)
    img.setImage(out.T, levels=(0.0, 1.0))
    img.setRect(QtCore.QRectF(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0]))


def config_color(spec, i: int) -> str:
    return spec.configs[i].color or PALETTE[i % len(PALETTE)]


class NetworkModel(QtCore.QObject):
    """The network spec being edited, its trainer and the latest results.

    progress: new results are in `runs` (after a chunk of epochs, or a reset).
    spec_changed: the settings changed (panels refresh).
    running_changed(bool).
    """

    progress = QtCore.pyqtSignal()
    spec_changed = QtCore.pyqtSignal()
    running_changed = QtCore.pyqtSignal(bool)
    _chunk_done = QtCore.pyqtSignal(object)

    def __init__(self, scene_model, parent=None):
        super().__init__(parent)
        self.scene_model = scene_model
        self._thread: threading.Thread | None = None
        self._active = False  # training, as far as the window knows
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest = None
        self._chunk_done.connect(self._take)
        self.load_from_scene()
        scene_model.scene_replaced.connect(self.load_from_scene)

    # ------------------------------------------------------------ state
    def load_from_scene(self) -> None:
        self.stop()
        net = self.scene_model.scene.network
        base = str(self.scene_model.path.parent) if self.scene_model.path else ""
        self.spec = copy.deepcopy(net) if net is not None else network_from_dict(copy.deepcopy(DEFAULT), "network", base)
        self.attached = net is not None
        self.reset()
        self.spec_changed.emit()

    def reset(self) -> None:
        self.stop()
        self.trainer = Trainer(self.spec)
        self.runs = self.trainer.runs()
        self.epoch = 0
        self.progress.emit()

    @property
    def running(self) -> bool:
        return self._active

    @property
    def done(self) -> bool:
        return self.trainer.done

    # ------------------------------------------------------------ training
    def start(self) -> None:
        if self.running:
            return
        if self.trainer.done:
            self.reset()
        self._stop.clear()
        self._active = True
        self._thread = threading.Thread(target=self._work, args=(self.trainer,), name="ravine-training",
                                        daemon=True)
        self._thread.start()
        self.running_changed.emit(True)

    def stop(self) -> None:
        """Pause: wait for the worker to finish its chunk, then show exactly where it is."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        if self._active:
            self._active = False
            self.runs, self.epoch = self.trainer.runs(), self.trainer.epoch
            self.progress.emit()
            self.running_changed.emit(False)

    def _work(self, trainer) -> None:
        chunk = 10
        while not self._stop.is_set() and not trainer.done:
            t0 = time.perf_counter()
            trainer.step(chunk)
            self._post((trainer, trainer.runs(), trainer.epoch))
            took = time.perf_counter() - t0
            chunk = int(np.clip(chunk * 0.05 / max(took, 1e-4), 1, 1000))  # ~20 updates a second
        if not self._stop.is_set():
            self._post((trainer, None, trainer.epoch))  # finished

    def _post(self, snapshot) -> None:
        """Hand the newest results to the window; if it has not taken the last ones yet, they
        are simply replaced (the window never queues up stale updates)."""
        with self._lock:
            pending = self._latest is not None
            self._latest = snapshot
        if not pending:
            self._chunk_done.emit(None)

    def _take(self, _=None) -> None:
        with self._lock:
            snapshot, self._latest = self._latest, None
        if snapshot is None:
            return
        trainer, runs, epoch = snapshot
        if trainer is not self.trainer or not self._active:  # stale: reset or paused since
            return
        if runs is None:  # the worker finished
            self._thread.join()
            self._thread = None
            self._active = False
            self.runs, self.epoch = trainer.runs(), trainer.epoch
            self.progress.emit()
            self.running_changed.emit(False)
            return
        self.runs, self.epoch = runs, epoch
        self.progress.emit()

    # ------------------------------------------------------------ edits
    def edit(self, change) -> None:
        """Apply change(spec_dict) to a copy of the spec, validate it (SceneError), adopt it,
        attach it to the scene and restart training from scratch."""
        raw = self.spec.to_dict()
        change(raw)
        spec = network_from_dict(raw, "network", self.spec.base_dir)
        was_running = self.running
        self.stop()
        self.spec = spec
        self.scene_model.scene.network = copy.deepcopy(spec)
        self.scene_model.dirty = True
        self.attached = True
        self.reset()
        self.spec_changed.emit()
        if was_running:
            self.start()

    # ------------------------------------------------------------ derived, from the core
    def landscape(self, method: str, center: int, n: int = 61):
        return loss_slice(self.trainer, self.runs, center_index=center, method=method, n=n)


class NetworkControls(QtWidgets.QWidget):
    """Dataset, layers, lambda, epochs, batch size (with presets) and the configurations."""

    def __init__(self, model: NetworkModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.layout_ = QtWidgets.QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        model.spec_changed.connect(self.rebuild)
        self.rebuild()

    def _edit(self, change, editor=None) -> None:
        try:
            self.model.edit(change)
        except SceneError as exc:
            if editor is not None:
                editor.show_error(str(exc))

    def rebuild(self) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        spec = self.model.spec
        box = QtWidgets.QGroupBox("Data and network")
        v = QtWidgets.QVBoxLayout(box)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("dataset"))
        self.dataset = QtWidgets.QComboBox()
        self.dataset.addItems(list(DATASETS))
        self.dataset.setCurrentText(spec.dataset)
        self.dataset.currentTextChanged.connect(self._dataset_chosen)
        row.addWidget(self.dataset, 1)
        v.addLayout(row)
        for p in DATASETS[spec.dataset].params:
            ed = ParamEditor(p, spec.data[p.name])
            ed.changed.connect(lambda val, key=p.name, e=ed: self._edit(lambda r: r["data"].__setitem__(key, val), e))
            v.addWidget(ed)
        self.editors = {}
        for p in NETWORK_PARAMS:
            value = spec.lambd if p.name == "lambda" else getattr(spec, p.name)
            ed = ParamEditor(p, value)
            ed.changed.connect(lambda val, key=p.name, e=ed: self._edit(lambda r: r.__setitem__(key, val), e))
            self.editors[p.name] = ed
            v.addWidget(ed)
        presets = QtWidgets.QHBoxLayout()
        presets.addWidget(QtWidgets.QLabel("batch presets"))
        m = len(self.model.trainer.y)
        for size, text in ((1, "1"), (32, "32"), (64, "64"), (128, "128"), (m, f"m={m}")):
            b = QtWidgets.QToolButton()
            b.setText(text)
            b.setToolTip("every configuration uses this mini-batch size")
            b.clicked.connect(lambda _=False, s=size: self._preset(s))
            presets.addWidget(b)
        v.addLayout(presets)
        self.layout_.addWidget(box)
        for i, cfg in enumerate(spec.configs):
            self.layout_.addWidget(self._config_panel(i, cfg))
        add = QtWidgets.QPushButton("Add configuration")
        add.clicked.connect(self._add)
        self.layout_.addWidget(add)
        self.layout_.addStretch(1)

    def _preset(self, size: int) -> None:
        def change(raw):
            raw["batch_size"] = min(size, len(self.model.trainer.y))
            for c in raw["configs"]:
                c.pop("batch_size", None)
        self._edit(change, self.editors["batch_size"])

    def _dataset_chosen(self, name: str) -> None:
        if name != self.model.spec.dataset:
            n = self.model.spec.data.get("n", 300)
            takes_n = any(p.name == "n" for p in DATASETS[name].params)

            def change(raw):
                raw["dataset"] = name
                raw["data"] = {"n": n} if takes_n else {}

            def apply():
                try:
                    self.model.edit(change)
                except SceneError as exc:  # e.g. csv: no points.csv next to the scene
                    with signals_blocked(self.dataset):
                        self.dataset.setCurrentText(self.model.spec.dataset)
                    self.dataset.setToolTip(str(exc))
            QtCore.QTimer.singleShot(0, apply)

    def _config_panel(self, i: int, cfg: NetworkConfig) -> QtWidgets.QWidget:
        frame = QtWidgets.QFrame()
        frame.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        v = QtWidgets.QVBoxLayout(frame)
        v.setContentsMargins(6, 4, 6, 4)
        head = QtWidgets.QHBoxLayout()
        on = QtWidgets.QCheckBox()
        on.setChecked(cfg.enabled)
        on.toggled.connect(lambda val: self._edit(lambda r: r["configs"][i].__setitem__("enabled", val)))
        head.addWidget(on)
        swatch = QtWidgets.QLabel()
        swatch.setFixedSize(14, 14)
        swatch.setStyleSheet(f"background: {config_color(self.model.spec, i)}; border-radius: 3px;")
        head.addWidget(swatch)
        name = QtWidgets.QLineEdit(cfg.label)
        name.setMinimumWidth(60)
        name.editingFinished.connect(lambda: name.text().strip() and name.text() != cfg.label and QtCore.QTimer.singleShot(
            0, lambda: self._edit(lambda r: r["configs"][i].__setitem__("label", name.text().strip()))))
        head.addWidget(name, 1)
        kind = QtWidgets.QComboBox()
        kind.addItems(list(OPTIMIZERS))
        kind.setCurrentText(cfg.kind)
        kind.currentTextChanged.connect(lambda k: QtCore.QTimer.singleShot(0, lambda: self._set_kind(i, k)))
        head.addWidget(kind)
        remove = QtWidgets.QToolButton()
        remove.setText("✕")
        remove.setEnabled(len(self.model.spec.configs) > 1)
        remove.clicked.connect(lambda: QtCore.QTimer.singleShot(0, lambda: self._edit(lambda r: r["configs"].pop(i))))
        head.addWidget(remove)
        v.addLayout(head)
        for p in OPTIMIZERS[cfg.kind].params:
            ed = ParamEditor(p, cfg.params[p.name])
            ed.changed.connect(lambda val, key=p.name, e=ed: self._edit(lambda r: r["configs"][i].__setitem__(key, val), e))
            v.addWidget(ed)
        return frame

    def _set_kind(self, i: int, kind: str) -> None:
        def change(raw):
            old = raw["configs"][i]
            names = {p.name for p in OPTIMIZERS[kind].params}
            new = {k: v for k, v in old.items() if k in names or k in ("label", "schedule", "batch_size", "seed", "color", "enabled")}
            new["kind"] = kind
            raw["configs"][i] = new
        self._edit(change)

    def _add(self) -> None:
        def change(raw):
            raw["configs"].append({"kind": "adam", "label": f"Adam {len(raw['configs']) + 1}", "lr": 0.01,
                                   "color": PALETTE[len(raw["configs"]) % len(PALETTE)]})
        self._edit(change)


class NetworkTab(QtWidgets.QWidget):
    """Controls, decision boundaries side by side, cost curves with their EWA, the loss
    landscape, accuracy readouts, and start / pause / reset."""

    def __init__(self, scene_model, parent=None):
        super().__init__(parent)
        self.model = NetworkModel(scene_model, self)
        outer = QtWidgets.QHBoxLayout(self)
        self.scroll = scroll = QtWidgets.QScrollArea()
        self.controls = NetworkControls(self.model)
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_controls()
        outer.addWidget(scroll)
        right = QtWidgets.QVBoxLayout()
        bar = QtWidgets.QHBoxLayout()
        self.start_button = QtWidgets.QPushButton("Train")
        self.start_button.setToolTip("start or pause training")
        self.start_button.clicked.connect(self.toggle)
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.clicked.connect(self.model.reset)
        self.export_button = QtWidgets.QPushButton("Export weights...")
        self.export_button.setToolTip("save every configuration's W[l] and b[l] as JSON")
        self.export_button.clicked.connect(self.export_dialog)
        self.status = QtWidgets.QLabel()
        bar.addWidget(self.start_button)
        bar.addWidget(self.reset_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.status, 1)
        right.addLayout(bar)
        self.boundaries = pg.GraphicsLayoutWidget()
        self.curves = pg.GraphicsLayoutWidget()
        self.it_plot = self.curves.addPlot(row=0, col=0, title="mini-batch cost J{t} and its EWA", axisItems=log_axes())
        self.ep_plot = self.curves.addPlot(row=1, col=0, title="cost per epoch", axisItems=log_axes())
        for p, xl in ((self.it_plot, "epoch (one point per mini-batch)"), (self.ep_plot, "epoch")):
            p.setLogMode(y=True)
            p.setDownsampling(auto=True, mode="peak")
            p.getAxis("left").enableAutoSIPrefix(False)
            p.setClipToView(True)
            p.showGrid(x=True, y=True, alpha=0.25)
            p.setLabel("bottom", xl)
        self.ep_plot.addLegend(offset=(-10, 10), brush=(255, 255, 255, 200))
        ewa_row = self.ewa_row = QtWidgets.QHBoxLayout()
        self.beta = ParamEditor(EWA_BETA, EWA_BETA.default)
        self.beta.changed.connect(lambda _: self.draw_curves())
        self.bias = QtWidgets.QCheckBox("bias correction")
        self.bias.setChecked(True)
        self.bias.toggled.connect(lambda _: self.draw_curves())
        ewa_row.addWidget(self.beta, 1)
        ewa_row.addWidget(self.bias)
        land_row = self.land_row = QtWidgets.QHBoxLayout()
        land_row.addWidget(QtWidgets.QLabel("loss landscape:"))
        self.method = QtWidgets.QComboBox()
        self.method.addItem("PCA of the paths", "pca")
        self.method.addItem("filter-normalised random", "random")
        self.method.currentIndexChanged.connect(lambda _: self.draw_landscape())
        land_row.addWidget(self.method)
        land_row.addWidget(QtWidgets.QLabel("around"))
        self.center = QtWidgets.QComboBox()
        self.center.currentIndexChanged.connect(lambda _: self.draw_landscape())
        land_row.addWidget(self.center, 1)
        self.landscape = pg.PlotWidget(title="loss landscape (updates when training pauses or ends)")
        self.landscape.setLabel("bottom", "direction 1")
        self.landscape.setLabel("left", "direction 2")
        for plot in (self.it_plot, self.ep_plot, self.landscape.getPlotItem()):
            no_si_prefix(plot)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.boundaries)
        low = QtWidgets.QWidget()
        lv = QtWidgets.QHBoxLayout(low)
        lv.setContentsMargins(0, 0, 0, 0)
        left_low = QtWidgets.QWidget()
        llv = QtWidgets.QVBoxLayout(left_low)
        llv.setContentsMargins(0, 0, 0, 0)
        llv.addWidget(self.curves, 1)
        llv.addLayout(ewa_row)
        right_low = QtWidgets.QWidget()
        rlv = QtWidgets.QVBoxLayout(right_low)
        rlv.setContentsMargins(0, 0, 0, 0)
        rlv.addLayout(land_row)
        rlv.addWidget(self.landscape, 1)
        lv.addWidget(left_low, 1)
        lv.addWidget(right_low, 1)
        split.addWidget(low)
        right.addWidget(split, 1)
        outer.addLayout(right, 1)
        self.xs = self.ys = None
        self._redraw = QtCore.QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self.draw_progress)
        self.model.progress.connect(self.on_progress)
        self.model.running_changed.connect(self.on_running)
        self.model.spec_changed.connect(self.on_spec)
        # the decision boundaries' kernel is prepared in a thread (app/warm.py) before first use
        WARMER.ready.connect(lambda name: name == "network" and self.draw_progress())
        WARMER.request("network")
        self.on_spec()

    def _fit_controls(self) -> None:
        """The controls' column is as wide as its content (at any font size): nothing,
        the x buttons included, is cut off."""
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        self.scroll.setMinimumWidth(self.controls.sizeHint().width() + bar + 4)

    def changeEvent(self, event) -> None:
        if event.type() == QtCore.QEvent.Type.FontChange:
            QtCore.QTimer.singleShot(0, self._fit_controls)
        super().changeEvent(event)

    def set_controls_visible(self, on: bool) -> None:
        """Presentation mode shows the training, not the knobs (F6 brings them back)."""
        self.scroll.setVisible(on)
        self.export_button.setVisible(on)
        for row in (self.ewa_row, self.land_row):
            for i in range(row.count()):
                if row.itemAt(i).widget() is not None:
                    row.itemAt(i).widget().setVisible(on)

    def export_weights(self, path) -> str | None:
        """Write the weights as they are now; returns an error message, or None."""
        from ravine.core.scene import write_text_atomic
        from ravine.core.training import weights_json

        try:
            write_text_atomic(Path(path), weights_json(self.model.runs, self.model.spec))
        except OSError as exc:
            return f"{path}: cannot write ({exc.strerror or exc})"
        return None

    def export_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export weights", "weights.json", "JSON (*.json)")
        if path:
            error = self.export_weights(path)
            self.status.setText(error or f"weights written to {path}")

    def toggle(self) -> None:
        if self.model.running:
            self.model.stop()
        else:
            self.model.start()

    def on_running(self, running: bool) -> None:
        self.start_button.setText("Pause" if running else ("Train again" if self.model.done else "Train"))
        if not running:
            self._redraw.stop()
            self.draw_progress()
            self.draw_landscape()

    def on_spec(self) -> None:
        t = self.model.trainer
        self.xs, self.ys = boundary_grid(t)
        self.boundaries.clear()
        self.panels = []
        enabled = [i for i, c in enumerate(self.model.spec.configs) if c.enabled]
        cols = min(4, max(1, len(enabled)))
        for k, i in enumerate(enabled):
            plot, img = add_boundary_panel(self.boundaries, k // cols, k % cols, t)
            if len(t.y_test):
                test = pg.ScatterPlotItem(size=7, symbol="t", pen=pg.mkPen("#333333", width=0.8))
                test.setData(t.X_test[:, 0], t.X_test[:, 1], brush=[CLASS_BRUSH[int(v)] for v in t.y_test])
                plot.addItem(test)
            self.panels.append((plot, img, config_color(self.model.spec, i)))
        with signals_blocked(self.center):
            self.center.clear()
            self.center.addItems([self.model.spec.configs[i].label for i in enabled])
            self.center.setCurrentIndex(len(enabled) - 1)
        self.draw_progress()

    def on_progress(self) -> None:
        """New results: draw them now if idle, else at the next REDRAW_MS tick while training."""
        if not self.model.running:
            self.draw_progress()
        elif not self._redraw.isActive():
            self._redraw.start()

    def draw_progress(self) -> None:
        runs = self.model.runs
        spec = self.model.spec
        parts = [f"epoch {self.model.epoch} / {spec.epochs}"]
        ready = WARMER.is_ready("network")
        for (plot, img, color), run in zip(getattr(self, "panels", []), runs):
            if ready:
                draw_boundary(img, run.theta, self.model.trainer, self.xs, self.ys)
            if run.epochs_done:
                acc = f"train {run.train_accuracy[-1]:.1%}"
                if len(self.model.trainer.y_test):
                    acc += f", test {run.test_accuracy[-1]:.1%}"
            else:
                acc = "not trained yet"
            if run.diverged_at is not None:
                acc = f"diverged at epoch {run.diverged_at}"
            plot.setTitle(f"<span style='color:{color}'>■</span> {run.label} (batch {run.batch_size})<br>{acc}", size="10pt")
            if run.diverged_at is not None:
                parts.append(f"{run.label} diverged at epoch {run.diverged_at}: lr too large?")
        self.status.setText("   ".join(parts))
        self.draw_curves()
        restyle(self)

    def draw_curves(self) -> None:
        self.it_plot.clear()
        self.ep_plot.clear()
        if self.ep_plot.legend is not None:
            self.ep_plot.legend.clear()
        beta = self.beta.value
        for i, run in enumerate(self.model.runs):
            color = config_color(self.model.spec, [k for k, c in enumerate(self.model.spec.configs) if c.enabled][i])
            if len(run.iteration_cost):
                it = np.maximum(run.iteration_cost, FLOOR)
                nb = -(-len(self.model.trainer.y) // run.batch_size)  # mini-batches per epoch
                x = np.arange(1, len(it) + 1) / nb  # so that every batch size shares the epoch axis
                faint = pg.mkColor(color)
                faint.setAlpha(45)
                smooth = np.maximum(ewa(run.iteration_cost, beta, self.bias.isChecked()), FLOOR)
                every = max(1, len(it) // MAX_POINTS)  # what a plot can show; the EWA saw all
                self.it_plot.plot(x[::every], it[::every], pen=pg.mkPen(faint, width=1), antialias=False)
                self.it_plot.plot(x[::every], smooth[::every], pen=pg.mkPen(color, width=2.5))
            if run.epochs_done:
                every = max(1, run.epochs_done // MAX_POINTS)
                epochs = np.arange(1, run.epochs_done + 1)
                self.ep_plot.plot(epochs[::every], np.maximum(run.epoch_cost[::every], 1e-12),
                                  pen=pg.mkPen(color, width=2.5), name=run.label)

    def draw_landscape(self) -> None:
        self.landscape.clear()
        runs = self.model.runs
        if self.model.running or not runs or not any(r.epochs_done for r in runs):
            return
        center = max(0, self.center.currentIndex())
        sl = self.model.landscape(self.method.currentData(), center)
        shown = np.log10(sl.cost - sl.cost.min() + 1e-3 * (np.ptp(sl.cost) or 1.0))
        img = pg.ImageItem(shown.T)
        img.setColorMap(pg.colormap.get("CET-L17"))
        img.setRect(QtCore.QRectF(sl.alphas[0], sl.betas[0], sl.alphas[-1] - sl.alphas[0], sl.betas[-1] - sl.betas[0]))
        self.landscape.addItem(img)
        enabled = [k for k, c in enumerate(self.model.spec.configs) if c.enabled]
        for i, run in enumerate(runs):
            path = sl.paths[run.label]
            color = config_color(self.model.spec, enabled[i])
            self.landscape.plot(path[:, 0], path[:, 1], pen=pg.mkPen(color, width=2.5))
            self.landscape.plot(path[-1:, 0], path[-1:, 1], pen=None, symbol="o", symbolBrush=color, symbolSize=9)
        if sl.explained is not None:
            self.landscape.setTitle(f"PCA plane ({sl.explained[0]:.0%} + {sl.explained[1]:.0%} of the "
                                    "paths' variance)", size="10pt")
        else:
            self.landscape.setTitle("filter-normalised random plane (Li et al. 2018)", size="10pt")
        self.last_slice = sl
        restyle(self)

