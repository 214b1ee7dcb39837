"""The Network tab: mini-batch training of the small network, several configurations side
by side, live, and replayed.

The tab is a host: its model (app/network_model.py) trains and computes what to draw in
worker threads; its views (app/network_widgets.py: decision boundaries, cost and
learning-rate curves, the loss landscape, shared with `ravine render`) draw the frames the
model hands them; its controls (app/network_controls.py) edit the scene's [network]. Here:
the transport (train / pause, reset, a snapshot back or forward, epochs per second, the
epoch to pause at, the scrubber), the EWA and landscape settings, and the layout.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.app.network_controls import NetworkControls
from ravine.app.network_model import DEFAULT, RATES, NetworkModel  # noqa: F401  (DEFAULT: for callers)
from ravine.app.network_widgets import BoundaryPanels, LandscapeView, NetworkCurves, fit_titles, series_of
from ravine.app.params_editor import ParamEditor
from ravine.app.style import signals_blocked
from ravine.app.warm import WARMER
from ravine.core.params import Param

EWA_BETA = Param("EWA beta", 0.98, lo=0.0, hi=1.0, hi_open=True, ui_range=(0.0, 0.999), scale="log1m",
                 doc="beta of the EWA drawn over the noisy mini-batch cost")


STAGGER_MS = 12
"""A frame's views are drawn this far apart (see NetworkTab.on_frame)."""


def rate_text(rate) -> str:
    return "full speed" if rate is None else f"{rate:g} epoch{'s' if rate != 1 else ''}/s"


class Transport(QtWidgets.QWidget):
    """Train / pause, reset, one snapshot back or forward, the pace in epochs per second,
    the epoch to pause at, a scrubber over the epochs and the epoch shown."""

    def __init__(self, model: NetworkModel, parent=None):
        super().__init__(parent)
        self.model = model
        rows = QtWidgets.QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        self.buttons = layout = QtWidgets.QHBoxLayout()  # (the tab adds its export button at the end)
        rows.addLayout(layout)
        scrub = QtWidgets.QHBoxLayout()
        rows.addLayout(scrub)
        style = self.style()
        self.play_button = QtWidgets.QPushButton("Train")
        self.play_button.setToolTip("train, or replay what is trained, at the pace chosen (Space)")
        self.play_button.clicked.connect(model.toggle)
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.setToolTip("forget the training: start again from epoch 0")
        self.reset_button.clicked.connect(model.reset)
        self.back_button = QtWidgets.QToolButton()
        self.back_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.back_button.setToolTip("one snapshot of the weights back (Left)")
        self.back_button.clicked.connect(lambda: model.step_by(-1))
        self.forward_button = QtWidgets.QToolButton()
        self.forward_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekForward))
        self.forward_button.setToolTip("one snapshot forward, training it if it is not yet (Right)")
        self.forward_button.clicked.connect(lambda: model.step_by(1))
        self.rate = QtWidgets.QComboBox()
        for r in RATES:
            self.rate.addItem(rate_text(r), r)
        self.rate.setCurrentIndex(RATES.index(model.rate))
        self.rate.setToolTip("how fast training (or a replay) moves: epochs per second, or as fast as "
                             "this machine trains")
        self.rate.currentIndexChanged.connect(lambda _: model.set_rate(self.rate.currentData()))
        self.stop_label = QtWidgets.QLabel("pause at")
        self.stop_at = QtWidgets.QSpinBox()
        self.stop_at.setSpecialValueText("the end")
        self.stop_at.setToolTip("pause when training reaches this epoch (then Train goes on to the end)")
        self.stop_at.setKeyboardTracking(False)
        self.stop_at.valueChanged.connect(lambda v: model.set_stop_at(v or None))
        self.scrubber = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("replay: the boundaries, curves and paths at any epoch trained (past epochs "
                                 "at the granularity of the weight snapshots kept)")
        self.scrubber.valueChanged.connect(model.set_cursor)
        self.label = QtWidgets.QLabel()
        for w in (self.play_button, self.reset_button, self.back_button, self.forward_button, self.rate,
                  self.stop_label, self.stop_at):
            layout.addWidget(w)
        layout.addStretch(1)
        scrub.addWidget(self.scrubber, 1)
        scrub.addWidget(self.label)
        model.cursor_changed.connect(lambda _: self.refresh())
        model.progress.connect(self.refresh)
        model.running_changed.connect(lambda _: self.refresh())
        model.reset_done.connect(self.refresh)
        model.spec_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        m = self.model
        epochs = m.spec.epochs
        with signals_blocked(self.scrubber, self.stop_at):
            self.scrubber.setRange(0, epochs)
            self.scrubber.setSingleStep(m.snap_every)
            self.scrubber.setPageStep(max(m.snap_every, epochs // 20))
            self.scrubber.setValue(m.cursor)
            self.stop_at.setRange(0, epochs)
            self.stop_at.setValue(m.stop_at or 0)
        if m.playing:
            text = "Pause"
        elif m.epoch and m.cursor >= m.end:
            text = "Replay"
        elif m.cursor < m.epoch:
            text = "Play"
        elif m.epoch:
            text = "Resume"
        else:
            text = "Train"
        self.play_button.setText(text)
        trained = f" (trained {m.epoch:,})" if m.epoch != m.cursor else ""
        self.label.setText(f"epoch {m.cursor:,} / {epochs:,}{trained}")
        every = m.snap_every
        self.scrubber.setToolTip(
            "replay the boundaries, curves and paths at any epoch trained"
            + (f": past epochs every {every} epochs (the weight snapshots kept)" if every > 1 else ""))


class NetworkTab(QtWidgets.QWidget):
    """Controls, the transport, decision boundaries side by side, cost and learning-rate
    curves with the EWA's settings, and the loss landscape with its settings."""

    def __init__(self, scene_model, parent=None):
        super().__init__(parent)
        self.model = model = NetworkModel(scene_model, self)
        outer = QtWidgets.QHBoxLayout(self)
        self.scroll = scroll = QtWidgets.QScrollArea()
        self.controls = NetworkControls(model)
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll)
        right = QtWidgets.QVBoxLayout()
        self.transport = Transport(model)
        self.start_button = self.transport.play_button  # (the names tests and lessons know)
        self.reset_button = self.transport.reset_button
        self.export_button = QtWidgets.QPushButton("Export weights...")
        self.export_button.setToolTip("save every configuration's W[l] and b[l] as JSON")
        self.export_button.clicked.connect(self.export_dialog)
        self.transport.buttons.addWidget(self.export_button)
        right.addWidget(self.transport)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        right.addWidget(self.status)
        self.boundaries = BoundaryPanels()
        self.curves = NetworkCurves()
        self.curves.scrubbed.connect(model.set_cursor)
        self.curves.describe = model.describe
        self.landscape = LandscapeView()
        ewa_row = self.ewa_row = QtWidgets.QHBoxLayout()
        self.beta = ParamEditor(EWA_BETA, model.view.beta)
        self.beta.changed.connect(lambda v: model.set_view(beta=v))
        self.beta.slider.setMinimumWidth(60)  # (a narrow column squeezes the label, not the slider away)
        self.bias = QtWidgets.QCheckBox("bias correction")
        self.bias.setChecked(model.view.bias_correction)
        self.bias.toggled.connect(lambda on: model.set_view(bias_correction=on))
        ewa_row.addWidget(self.beta, 1)
        ewa_row.addWidget(self.bias)
        land_row = self.land_row = QtWidgets.QHBoxLayout()
        land_row.addWidget(QtWidgets.QLabel("plane"))
        self.method = QtWidgets.QComboBox()
        self.method.setToolTip("the loss landscape's plane: the two main directions of the paths, or two "
                               "filter-normalised random directions (Li et al. 2018)")
        self.method.addItem("PCA of the paths", "pca")
        self.method.addItem("random directions", "random")
        self.method.currentIndexChanged.connect(lambda _: model.set_view(method=self.method.currentData()))
        land_row.addWidget(self.method)
        land_row.addWidget(QtWidgets.QLabel("around"))
        self.center = QtWidgets.QComboBox()
        self.center.setToolTip("the configuration whose weights the slice is centred on")
        self.center.currentIndexChanged.connect(lambda i: model.set_view(center=i) if i >= 0 else None)
        land_row.addWidget(self.center, 1)
        # the plane's two names are short and shown whole; a long configuration name is elided
        # in a narrow column rather than cutting the view
        self.method.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.center.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.center.setMinimumContentsLength(6)
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
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        right.addWidget(split, 1)
        outer.addLayout(right, 1)
        # what the model says it waits for (a first compile), over the boundaries too
        self.busy = QtWidgets.QLabel(self)  # (over the boundaries; a child of theirs keeps a fixed font)
        self.busy.setFrameShape(QtWidgets.QFrame.Shape.Box)
        self.busy.setMargin(8)
        palette = self.busy.palette()  # (a palette, not a style sheet: its text grows on a projector)
        palette.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(255, 248, 231))
        palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor("#222222"))
        self.busy.setPalette(palette)
        self.busy.setAutoFillBackground(True)
        self.busy.hide()
        self._frame = None
        self._pending: list = []
        self._stagger = QtCore.QTimer(self, singleShot=True, interval=STAGGER_MS, timeout=self._draw_next)
        model.reset_done.connect(self.on_reset)
        model.frame_ready.connect(self.on_frame)
        model.landscape_ready.connect(self.landscape.show_slice)
        model.progress.connect(self.on_progress)
        model.busy_changed.connect(self.on_busy)
        WARMER.request("network")  # the boundaries' kernel, prepared in a thread before first use
        self.on_reset()
        self._fit_controls()

    # ------------------------------------------------------------------ layout
    def _fit_controls(self) -> None:
        """The controls' column is as wide as its content (at any font size): nothing,
        the x buttons included, is cut off."""
        self.controls.layout().invalidate()
        self.controls.layout().activate()
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        frame = 2 * self.scroll.frameWidth()
        self.scroll.setMinimumWidth(self.controls.minimumSizeHint().width() + bar + frame + 4)

    def changeEvent(self, event) -> None:
        if event.type() == QtCore.QEvent.Type.FontChange:  # (presentation mode: sizes follow)
            QtCore.QTimer.singleShot(0, self._fit_controls)
            QtCore.QTimer.singleShot(0, lambda: [fit_titles(v) for v in (self.boundaries, self.curves, self.landscape)])
        super().changeEvent(event)

    def set_controls_visible(self, on: bool) -> None:
        """Presentation mode shows the training, not the knobs (F6 brings them back)."""
        self.scroll.setVisible(on)
        self.export_button.setVisible(on)
        for row in (self.ewa_row, self.land_row):
            for i in range(row.count()):
                if row.itemAt(i).widget() is not None:
                    row.itemAt(i).widget().setVisible(on)
        if on:
            QtCore.QTimer.singleShot(0, self._fit_controls)

    # ------------------------------------------------------------------ the model's news
    def on_reset(self) -> None:
        """A new training: every view set up afresh (nothing of the last one stays)."""
        m = self.model
        self._frame, self._pending = None, []  # (nothing of the last training's frames is drawn)
        if m.trainer is None:
            return
        series = series_of(m.spec, m.trainer)
        self.boundaries.setup(m.trainer, series, m.xs, m.ys)
        self.curves.setup(series, m.spec.epochs)
        self.landscape.setup(series)
        with signals_blocked(self.center):
            self.center.clear()
            self.center.addItems([s.label for s in series])
            self.center.setCurrentIndex(m.view.center % len(series))
        self.on_progress()

    def on_frame(self, frame) -> None:
        """A new frame: the boundaries now, the curves and the landscape's paths STAGGER_MS
        apart, so that each view is painted in an event-loop turn of its own (one paint of
        all three would keep the event loop waiting for their sum)."""
        self._frame = frame
        self.boundaries.show_frame(frame)
        self._pending = [self.curves.show_frame]
        if frame.paths is not None:
            self._pending.append(lambda f: self.landscape.show_paths(f.paths))
        self._stagger.start()

    def _draw_next(self) -> None:
        if self._pending and self._frame is not None:
            self._pending.pop(0)(self._frame)
        if self._pending:
            self._stagger.start()

    def flush(self) -> None:
        """Draw what is left of the last frame now."""
        self._stagger.stop()
        while self._pending and self._frame is not None:
            self._pending.pop(0)(self._frame)
        self._pending = []

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the model is done (training, frames, landscape) and the views show it
        (tests, scripts)."""
        done = self.model.wait(timeout)
        self.flush()
        return done

    def on_progress(self) -> None:
        parts = [f"{r.label} diverged at epoch {r.diverged_at}: lr too large?"
                 for r in self.model.runs if r.diverged_at is not None]
        if self.model.busy:
            parts.insert(0, self.model.busy)
        self.status.setText("   ".join(parts))
        self.status.setVisible(bool(parts))

    def on_busy(self, text: str) -> None:
        self.on_progress()
        if text:
            self.busy.setText(text)
            self.busy.adjustSize()
            top = self.boundaries.mapTo(self, QtCore.QPoint(0, 0))
            self.busy.move(top.x() + max(0, (self.boundaries.width() - self.busy.width()) // 2), top.y() + 40)
            self.busy.show()
            self.busy.raise_()
        else:
            self.busy.hide()

    # ------------------------------------------------------------------ files
    def export_weights(self, path) -> str | None:
        """Write the weights as trained so far; returns an error message, or None."""
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
            self.status.show()

    def training_csv(self) -> str:
        """The network's curves as CSV (config, epoch, cost, accuracies, lr), as trained so far."""
        from ravine.core.training import training_csv

        return training_csv(self.model.runs)

    def toggle(self) -> None:
        self.model.toggle()
