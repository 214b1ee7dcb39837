"""The control panels: the scene (surface, start, steps) and one panel per optimizer.

Every control edits the model at once (no Apply button); the panels' editors are generated
from the parameter declarations of the surfaces, optimizers and schedules.
"""

from __future__ import annotations

from PyQt6 import QtCore, QtWidgets

from ravine.app.model import SceneModel, color_of
from ravine.app.params_editor import ParamEditor, panel_head, schedule_combo
from ravine.app.style import MUTED, clear_layout, error_line, signals_blocked, text_color
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import Param, SceneError
from ravine.core.scene import CUSTOM, check_recorded, is_custom
from ravine.core.schedules import SCHEDULES, check_schedule
from ravine.landscapes import SURFACES, get_surface

STEPS = Param("steps", 200, kind="int", lo=1, hi=1_000_000, scale="log", ui_range=(10, 5000),
              doc="number of updates")


class ScenePanel(QtWidgets.QGroupBox):
    """Surface, its parameters, the start point and the number of steps."""

    def __init__(self, model: SceneModel, parent=None):
        super().__init__("Scene", parent)
        self.model = model
        layout = QtWidgets.QVBoxLayout(self)
        self.surface = QtWidgets.QComboBox()
        for name, surf in SURFACES.items():
            if is_custom(name):
                continue
            self.surface.addItem(name, name)
            self.surface.setItemData(self.surface.count() - 1, surf.description,
                                     QtCore.Qt.ItemDataRole.ToolTipRole)
        self.surface.addItem("your own formula", CUSTOM)
        self.surface.setItemData(self.surface.count() - 1, "type f(x, y), e.g. x**2 + 10*sin(y)**2",
                                 QtCore.Qt.ItemDataRole.ToolTipRole)
        self.surface.setToolTip("the surface the optimizers run on")
        self.surface.currentIndexChanged.connect(self._surface_chosen)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("surface"))
        row.addWidget(self.surface, 1)
        layout.addLayout(row)
        self.formula = QtWidgets.QLineEdit()
        self.formula.setPlaceholderText("f(x, y) = x**2 + 10*sin(y)**2")
        self.formula.setToolTip("your own surface over [-5, 5] x [-5, 5]: numbers, x, y, + - * / **, and "
                                "sin cos tan exp log sqrt abs tanh sinh cosh atan; Enter applies it")
        self.formula.returnPressed.connect(self._formula_entered)
        self.formula_error = error_line()
        layout.addWidget(self.formula)
        layout.addWidget(self.formula_error)
        self.params_box = QtWidgets.QVBoxLayout()
        layout.addLayout(self.params_box)
        self.start_box = QtWidgets.QVBoxLayout()
        layout.addLayout(self.start_box)
        self.steps = ParamEditor(STEPS, model.scene.steps,
                                 validate=lambda v: check_recorded(v, len(model.scene.optimizers)))
        self.steps.changed.connect(model.set_steps)
        layout.addWidget(self.steps)
        self.hint = QtWidgets.QLabel("Click the map to move the start; drag the × to slide it.")
        self.hint.setWordWrap(True)
        text_color(self.hint, MUTED)
        layout.addWidget(self.hint)
        model.scene_replaced.connect(self.refresh)
        model.surface_changed.connect(self._refresh_params)
        model.simulation_changed.connect(self._refresh_start)
        self.refresh()

    def refresh(self) -> None:
        name = self.model.scene.surface
        custom = is_custom(name)
        with signals_blocked(self.surface):
            self.surface.setCurrentIndex(self.surface.findData(CUSTOM if custom else name))
        if custom:
            self.formula.setText(get_surface(name).formula)
        self.formula.setVisible(custom)
        self.formula_error.setText("")
        self.formula_error.setVisible(False)
        self.steps.set_value(self.model.scene.steps)
        self._refresh_params()

    def _surface_chosen(self, _index: int) -> None:
        name = self.surface.currentData()
        if name == CUSTOM:
            self.formula.setVisible(True)
            self.formula.setFocus()
            if self.formula.text().strip():
                self._formula_entered()
        elif name and name != self.model.scene.surface:
            self.formula.setVisible(False)
            self.formula_error.setVisible(False)
            self.model.set_surface(name)

    def _formula_entered(self) -> None:
        """Parse and register the typed formula (milliseconds: its kernels compile in the
        model's background job, the window stays live), or say in one line what is wrong."""
        from ravine.core.custom import custom_surface

        try:
            surf = custom_surface(self.formula.text())
        except SceneError as exc:
            self.formula_error.setText(str(exc))
            self.formula_error.setVisible(True)
            return
        self.formula_error.setVisible(False)
        if surf.name != self.model.scene.surface:
            self.model.set_surface(surf.name)

    def _refresh_params(self) -> None:
        clear_layout(self.params_box)
        surf = get_surface(self.model.scene.surface)
        self.surface.setToolTip(surf.description)
        for p in surf.params:
            ed = ParamEditor(p, self.model.scene.surface_params[p.name])
            ed.changed.connect(lambda v, key=p.name: self.model.set_surface_param(key, v))
            self.params_box.addWidget(ed)
        clear_layout(self.start_box)
        (x0, x1), (y0, y1) = surf.domain
        self.start_x = ParamEditor(Param("start x", 0.0, lo=-1e6, hi=1e6, ui_range=(x0, x1),
                                         doc="where every optimizer starts (x)"),
                                   self.model.scene.start[0])
        self.start_y = ParamEditor(Param("start y", 0.0, lo=-1e6, hi=1e6, ui_range=(y0, y1),
                                         doc="where every optimizer starts (y)"),
                                   self.model.scene.start[1])
        self.start_x.changed.connect(lambda v: self.model.set_start(v, self.model.scene.start[1]))
        self.start_y.changed.connect(lambda v: self.model.set_start(self.model.scene.start[0], v))
        self.start_box.addWidget(self.start_x)
        self.start_box.addWidget(self.start_y)

    def _refresh_start(self) -> None:
        x, y = self.model.scene.start
        if self.start_x.value != x:
            self.start_x.set_value(x)
        if self.start_y.value != y:
            self.start_y.set_value(y)
        if self.steps.value != self.model.scene.steps:
            self.steps.set_value(self.model.scene.steps)


class OptimizerPanel(QtWidgets.QFrame):
    """One optimizer: enable, colour, name, kind, remove; its hyperparameters and schedule."""

    def __init__(self, model: SceneModel, index: int, parent=None):
        super().__init__(parent)
        self.model = model
        self.index = index
        cfg = model.scene.optimizers[index]
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        head = panel_head(cfg.label, "show this optimizer", "the name shown in the legend", "remove this optimizer")
        self.enabled = head.enabled
        self.enabled.setChecked(cfg.enabled)
        self.enabled.toggled.connect(lambda on: model.set_enabled(index, on))
        head.swatch.setStyleSheet(f"background: {color_of(model.scene, index)}; border-radius: 3px;")
        self.name = head.name
        self.name.editingFinished.connect(self._renamed)
        self.kind = head.kind
        self.kind.setCurrentText(cfg.kind)
        self.kind.setToolTip(OPTIMIZERS[cfg.kind].formula)
        self.kind.currentTextChanged.connect(self._kind_chosen)
        self.remove = head.remove
        self.remove.setEnabled(len(model.scene.optimizers) > 1)
        self.remove.clicked.connect(self._remove)
        layout.addLayout(head.row)
        self.editors: dict[str, ParamEditor] = {}
        for p in OPTIMIZERS[cfg.kind].params:
            ed = ParamEditor(p, cfg.params[p.name])
            ed.changed.connect(lambda v, key=p.name: model.set_param(index, key, v))
            self.editors[p.name] = ed
            layout.addWidget(ed)
        self.note = None
        if OPTIMIZERS[cfg.kind].doc:  # what to know where the values are set (weight decay...)
            self.note = QtWidgets.QLabel(OPTIMIZERS[cfg.kind].doc)
            self.note.setWordWrap(True)
            text_color(self.note, MUTED)
            layout.addWidget(self.note)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("schedule"))
        self.schedule = schedule_combo()
        self.schedule.setCurrentText(cfg.schedule["kind"])
        self.schedule.currentTextChanged.connect(self._schedule_chosen)
        row.addWidget(self.schedule, 1)
        layout.addLayout(row)
        self.schedule_box = QtWidgets.QVBoxLayout()
        layout.addLayout(self.schedule_box)
        self._schedule_editors()

    def _schedule_editors(self) -> None:
        clear_layout(self.schedule_box)
        table = self.model.scene.optimizers[self.index].schedule
        sched = SCHEDULES[table["kind"]]
        self.schedule.setToolTip(sched.formula)
        for p in sched.all_params() if table["kind"] != "constant" else ():
            ed = ParamEditor(p, table[p.name], validate=lambda v, key=p.name: self._check_schedule(key, v))
            ed.changed.connect(lambda v, key=p.name: self._schedule_param(key, v))
            self.schedule_box.addWidget(ed)

    def _check_schedule(self, key, value) -> None:
        table = dict(self.model.scene.optimizers[self.index].schedule)
        table[key] = value
        check_schedule(table, "schedule")

    def _schedule_param(self, key, value) -> None:
        table = dict(self.model.scene.optimizers[self.index].schedule)
        table[key] = value
        self.model.set_schedule(self.index, table)

    def _schedule_chosen(self, kind: str) -> None:
        old = self.model.scene.optimizers[self.index].schedule
        self.model.set_schedule(self.index, {"kind": kind, "steps_per_epoch": old.get("steps_per_epoch", 1)})
        self._schedule_editors()

    def _renamed(self) -> None:
        text = self.name.text().strip()
        cfg = self.model.scene.optimizers[self.index]
        others = {c.label for i, c in enumerate(self.model.scene.optimizers) if i != self.index}
        if not text or text in others:  # labels must differ: they name legend entries and CSV rows
            self.name.setText(cfg.label)
            self.name.setToolTip(f"{text!r} is taken; labels must differ" if text else "a label cannot be empty")
            return
        if text != cfg.label:
            QtCore.QTimer.singleShot(0, lambda: self.model.set_label(self.index, text))

    def _kind_chosen(self, kind: str) -> None:
        if kind and kind != self.model.scene.optimizers[self.index].kind:
            QtCore.QTimer.singleShot(0, lambda: self.model.set_kind(self.index, kind))

    def _remove(self) -> None:
        QtCore.QTimer.singleShot(0, lambda: self.model.remove_optimizer(self.index))


class OptimizersPanel(QtWidgets.QWidget):
    """All optimizer panels and an Add button; rebuilt when optimizers come and go."""

    def __init__(self, model: SceneModel, parent=None):
        super().__init__(parent)
        self.model = model
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QtWidgets.QVBoxLayout()
        layout.addLayout(self.list)
        self.add = QtWidgets.QToolButton()
        self.add.setText("Add optimizer")
        self.add.setToolTip("add an optimizer to the race")
        self.add.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(self.add)
        for name, opt in OPTIMIZERS.items():
            action = menu.addAction(f"{name}: {opt.description}")
            action.triggered.connect(lambda _=False, k=name: self._add(k))
        self.add.setMenu(menu)
        layout.addWidget(self.add)
        self.error = error_line()
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.panels: list[OptimizerPanel] = []
        model.optimizers_changed.connect(self.rebuild)
        self.rebuild()

    def _add(self, kind: str) -> None:
        try:
            self.model.add_optimizer(kind)
            self.error.hide()
        except SceneError as exc:  # e.g. too many recorded steps
            self.error.setText(str(exc))
            self.error.show()

    def rebuild(self) -> None:
        clear_layout(self.list)
        self.panels = [OptimizerPanel(self.model, i) for i in range(len(self.model.scene.optimizers))]
        for p in self.panels:
            self.list.addWidget(p)


class ControlsPanel(QtWidgets.QScrollArea):
    """The left column: scene and optimizers, scrollable."""

    def __init__(self, model: SceneModel, parent=None):
        super().__init__(parent)
        inner = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(inner)
        self.scene_panel = ScenePanel(model)
        self.optimizers = OptimizersPanel(model)
        layout.addWidget(self.scene_panel)
        layout.addWidget(self.optimizers, 1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setMinimumWidth(340)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

