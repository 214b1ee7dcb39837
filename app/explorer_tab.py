"""The Explorers tab: a convergence map, basins of attraction or a fair race, for the scene
the Optimizers tab shows, recomputed in a worker as the scene changes.

The tab reads the scene model and never writes the scene except on purpose: clicking a
cell of the map sets that optimizer's two hyperparameters in the playground, and "Race
with these" gives every optimizer its tuned lr. The computation (ravine.core.explorers)
runs in a background thread, the newest request superseding older ones; the window stays
live, and the view keeps the last result until the new one is ready.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PyQt6 import QtCore, QtWidgets

from ravine.app.explorer_views import BasinsView, MapView, TuneView
from ravine.app.model import SceneModel, color_of
from ravine.app.style import MUTED, error_line, signals_blocked, text_color
from ravine.core.explorers import GRID, basins, convergence_map, default_axes, parse_axis, tune
from ravine.core.params import SceneError

MODES = ("map", "basins", "tune")
TITLES = {"map": "Convergence map", "basins": "Basins of attraction", "tune": "Fair race (tune lr)"}
DEBOUNCE_MS = 150
"""Edits closer together than this start one computation (a dragged start)."""


class ExplorerTab(QtWidgets.QWidget):
    """Controls on the left (what to explore, the optimizer, the axes, the tolerance), the
    view on the right; `result` is the last computed result, `busy` says a newer one is
    on its way."""

    computed = QtCore.pyqtSignal()
    _done = QtCore.pyqtSignal(object)

    def __init__(self, model: SceneModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.result = None
        self.busy = False
        self._stale = True
        self._generation = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ravine-explorer")
        self._timer = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self.compute)
        self._done.connect(self._adopt)

        self.mode = QtWidgets.QComboBox()
        for m in MODES:
            self.mode.addItem(TITLES[m], m)
        self.optimizer = QtWidgets.QComboBox()
        self.x_axis = QtWidgets.QLineEdit()
        self.y_axis = QtWidgets.QLineEdit()
        for field in (self.x_axis, self.y_axis):
            field.setToolTip("NAME:LOW:HIGH:SCALE:COUNT, SCALE lin, log or log1m (log of 1 - value); Enter applies")
            field.editingFinished.connect(self.request)
        self.grid = QtWidgets.QSpinBox()
        self.grid.setRange(int(GRID.lo), int(GRID.hi))
        self.grid.setValue(120)
        self.steps = QtWidgets.QSpinBox()
        self.steps.setRange(0, 100_000)
        self.steps.setSpecialValueText("the scene's")
        self.steps.setToolTip("updates per trajectory (0: as many as the scene's)")
        self.steps.valueChanged.connect(self.request)
        self.tol = QtWidgets.QLineEdit("1e-6")
        self.tol.editingFinished.connect(self.request)
        self.criterion = QtWidgets.QComboBox()
        self.criterion.addItems(["auto", "loss", "grad"])
        self.criterion.setToolTip("loss: f - min f where the minimum is known; grad: the gradient's norm")
        self.show_loss = QtWidgets.QCheckBox("colour by final loss")
        self.show_loss.setToolTip("else by the steps to the tolerance (by the final loss anyway where no cell "
                                  "reaches it)")
        self.race = QtWidgets.QPushButton("Race with these lrs")
        self.race.setToolTip("give every optimizer its tuned lr in the playground")
        self.race.clicked.connect(self.race_with_tuned)
        self.error = error_line()
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        text_color(self.status, MUTED)

        form = QtWidgets.QFormLayout()
        form.addRow("explore", self.mode)
        form.addRow("optimizer", self.optimizer)
        form.addRow("x axis", self.x_axis)
        form.addRow("y axis", self.y_axis)
        form.addRow("starts per side", self.grid)
        form.addRow("steps", self.steps)
        form.addRow("tolerance", self.tol)
        form.addRow("criterion", self.criterion)
        self.controls = QtWidgets.QWidget()
        side = QtWidgets.QVBoxLayout(self.controls)
        side.addLayout(form)
        side.addWidget(self.show_loss)
        side.addWidget(self.race)
        side.addWidget(self.error)
        side.addWidget(self.status)
        side.addStretch(1)
        self._fit_fields()

        self.map_view, self.basins_view, self.tune_view = MapView(), BasinsView(), TuneView()
        self.views = QtWidgets.QStackedWidget()
        for view in (self.map_view, self.basins_view, self.tune_view):
            self.views.addWidget(view)
        self.map_view.plot.scene().sigMouseClicked.connect(self._map_clicked)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(self.controls)
        layout.addWidget(self.views, 1)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)
        self.grid.valueChanged.connect(self.request)
        self.criterion.currentIndexChanged.connect(self.request)
        self.show_loss.toggled.connect(self._redraw)
        model.scene_replaced.connect(self._scene_replaced)
        model.optimizers_changed.connect(self._fill_optimizers)
        model.simulation_changed.connect(self.request)  # start, surface, schedule, any edit
        self._scene_replaced()
        self._mode_changed()

    # ------------------------------------------------------------------ controls
    def _fit_fields(self) -> None:
        """Axis fields wide enough for an axis such as beta:0:0.999:log1m:32 at the current
        font (presentation mode enlarges it), the panel no wider than it needs."""
        width = self.fontMetrics().horizontalAdvance("beta:0.001:0.9999:log1m:128")
        for field in (self.x_axis, self.y_axis):
            field.setMinimumWidth(width)
        self.controls.setMaximumWidth(width + self.fontMetrics().horizontalAdvance("starts per side") + 60)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._fit_fields()

    def _scene_replaced(self) -> None:
        self._fill_optimizers()
        self.request()

    def _fill_optimizers(self) -> None:
        with signals_blocked(self.optimizer):
            current = self.optimizer.currentData()
            self.optimizer.clear()
            for i, cfg in enumerate(self.model.scene.optimizers):
                self.optimizer.addItem(cfg.label, i)
            index = self.optimizer.findData(current)
            self.optimizer.setCurrentIndex(index if index >= 0 else 0)
        self._optimizer_changed()

    def _optimizer_changed(self, _=None) -> None:
        i = self.optimizer.currentData()
        if i is None or i >= len(self.model.scene.optimizers):
            return
        x, y = default_axes(self.model.scene.optimizers[i].kind)
        with signals_blocked(self.x_axis, self.y_axis):
            self.x_axis.setText(str(x))
            self.y_axis.setText(str(y) if y is not None else "")
            self.y_axis.setEnabled(y is not None)
        self.request()

    def _mode_changed(self, _=None) -> None:
        mode = self.mode.currentData()
        self.views.setCurrentIndex(MODES.index(mode))
        self.show_loss.setVisible(mode == "map")
        self._form_row_visible(self.x_axis, mode == "map")
        self._form_row_visible(self.y_axis, mode == "map")
        self._form_row_visible(self.grid, mode == "basins")
        self._form_row_visible(self.optimizer, mode != "tune")
        self.race.setVisible(mode == "tune")
        self.result = None
        self.request()

    def _form_row_visible(self, field: QtWidgets.QWidget, on: bool) -> None:
        form = self.controls.layout().itemAt(0).layout()
        form.setRowVisible(field, on)

    # ------------------------------------------------------------------ computing
    def request(self, *_) -> None:
        """Compute again soon (edits in quick succession start one computation); while the
        tab is hidden, only note that the result is stale (nothing runs for a tab no one sees)."""
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._timer.start()

    def _job(self):
        """What to compute, read from the controls now (the scene copied): a function for the
        worker, or a SceneError saying what is wrong."""
        import copy

        scene = copy.deepcopy(self.model.scene)
        if not scene.optimizers:
            raise SceneError("the scene has no optimizer to explore")
        mode = self.mode.currentData()
        try:
            tol = float(self.tol.text())
        except ValueError:
            raise SceneError(f"tolerance: must be a number > 0 (got {self.tol.text()!r})") from None
        criterion = self.criterion.currentText()
        if self.steps.value():
            scene.steps = self.steps.value()
        i = self.optimizer.currentData() or 0
        if mode == "map":
            kind = scene.optimizers[i].kind
            x = parse_axis(self.x_axis.text(), kind, "x axis")
            y = parse_axis(self.y_axis.text(), kind, "y axis") if self.y_axis.text().strip() else None
            return lambda: convergence_map(scene, i, x, y, tol=tol, criterion=criterion)
        if mode == "basins":
            grid = self.grid.value()
            return lambda: basins(scene, i, grid, tol=tol, criterion=criterion)
        return lambda: tune(scene, tol=tol, criterion=criterion)

    def compute(self) -> None:
        try:
            job = self._job()
        except SceneError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self._stale = False
        self._generation += 1
        gen, mode = self._generation, self.mode.currentData()
        self.busy = True
        self.status.setText("computing...")

        def work():
            try:
                out = job()
            except Exception as exc:  # shown in the tab, never lost in the thread
                out = exc
            self._done.emit((gen, mode, out))

        self._pool.submit(work)

    def _adopt(self, payload) -> None:
        gen, mode, out = payload
        if gen != self._generation:
            return  # a newer request is on its way
        self.busy = False
        if isinstance(out, SceneError):
            self.error.setText(str(out))
            self.error.show()
            self.status.setText("")
            return
        if isinstance(out, Exception):
            raise out
        self.result = (mode, out)
        self._redraw()
        self.computed.emit()

    def _redraw(self, *_) -> None:
        if self.result is None:
            return
        mode, out = self.result
        if mode == "map":
            self.map_view.set_result(out, True if self.show_loss.isChecked() else None)
            reached = (out.steps_to_tol >= 0).sum()
            self.status.setText(f"{reached} of {out.steps_to_tol.size} cells reach {out.criterion} \u2264 {out.tol:g} "
                                f"in {out.steps:,} steps. Click a cell to use its setting.")
        elif mode == "basins":
            self.basins_view.set_result(out)
            self.status.setText(f"{len(out.minima)} minima; {out.minimum.size:,} starts, {out.radius:.3g} from a "
                                "minimum counts as there.")
        else:
            enabled = [i for i, c in enumerate(self.model.scene.optimizers) if c.enabled]
            self.tune_view.set_result(out, [color_of(self.model.scene, i) for i in enabled])
            self.status.setText("Each optimizer's best lr over 64 values from 1e-5 to 10; "
                                "'Race with these' sets them in the playground.")

    # ------------------------------------------------------------------ acting on the playground
    def _map_clicked(self, event) -> None:
        if self.result is None or self.result[0] != "map":
            return
        point = self.map_view.plot.vb.mapSceneToView(event.scenePos())
        cell = self.map_view.cell_at(point.x(), point.y())
        if cell is not None:
            self.use_cell(*cell)

    def use_cell(self, i: int, j: int) -> None:
        """Set the mapped optimizer's two hyperparameters to cell (i, j)'s values."""
        m = self.result[1]
        index = next(k for k, c in enumerate(self.model.scene.optimizers) if c.label == m.label)
        self.model.set_param(index, m.x.name, float(m.xs[j]))
        if m.y is not None:
            self.model.set_param(index, m.y.name, float(m.ys[i]))

    def race_with_tuned(self) -> None:
        if self.result is None or self.result[0] != "tune":
            return
        for r in self.result[1]:
            index = next((k for k, c in enumerate(self.model.scene.optimizers) if c.label == r.label), None)
            if index is not None:
                self.model.set_param(index, "lr", r.best_lr)

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Process events until no computation is pending (tests, renders)."""
        deadline = QtCore.QDeadlineTimer(timeout_ms)
        while (self.busy or self._timer.isActive()) and not deadline.hasExpired():
            QtWidgets.QApplication.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return not self.busy
