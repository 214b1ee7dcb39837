"""The Network tab's controls: the data and the network (dataset, layers, lambda, epochs,
batch size with presets, seed, random draws) and one panel per configuration (enable,
colour, name, kind, remove; its hyperparameters, learning-rate schedule, and its own batch
size and seed or the network's).

Every editor edits the model at once (no Apply button), through `NetworkModel.edit`, after
checking the change with the core's own validation (a refused value is said under its
field and changes nothing). When the settings change, from here or elsewhere, the editors
show the new values in place: only a new dataset (its parameters), a new number of
configurations, or a configuration's new kind or schedule rebuild the editors that depend
on them, so a slider being dragged is never replaced under the mouse.
"""

from __future__ import annotations

from PyQt6 import QtCore, QtWidgets

from ravine.app.model import kind_label, names_kind
from ravine.app.params_editor import ParamEditor, panel_head, schedule_combo
from ravine.app.style import MUTED, clear_layout, error_line, series_colors, signals_blocked, text_color
from ravine.core.datasets import DATASETS
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import SceneError
from ravine.core.schedules import SCHEDULES
from ravine.core.training import NETWORK_PARAMS, network_from_dict

NETWORK = {p.name: p for p in NETWORK_PARAMS}
OWN_KEYS = ("batch_size", "seed")
"""Network settings a configuration may have its own value of (None: the network's)."""
KEPT_ON_KIND_CHANGE = ("label", "schedule", "batch_size", "seed", "color", "enabled")


def spec_value(spec, name: str):
    """A network setting's value by its scene key (`lambda` is `lambd` on the spec)."""
    return spec.lambd if name == "lambda" else getattr(spec, name)


class Editing:
    """What every editor here shares: check a change as the core would (SceneError) and
    make it (model.edit)."""

    def __init__(self, model):
        self.model = model

    def check(self, change) -> None:
        raw = self.model.spec.to_dict()
        change(raw)
        network_from_dict(raw, "network", self.model.spec.base_dir)

    def apply(self, change, editor: ParamEditor | None = None, error: QtWidgets.QLabel | None = None) -> bool:
        try:
            self.model.edit(change)
        except SceneError as exc:
            if editor is not None:
                editor.show_error(str(exc))
            elif error is not None:
                error.setText(str(exc))
                error.show()
            return False
        if error is not None:
            error.hide()
        return True

    def editor(self, param, value, change_for) -> ParamEditor:
        """A ParamEditor whose value v becomes the edit change_for(v), checked first."""
        ed = ParamEditor(param, value, validate=lambda v: self.check(change_for(v)))
        ed.changed.connect(lambda v: self.apply(change_for(v), ed))
        return ed


def _set(*path):
    """change(raw) setting raw[path...] = value: _set("configs", 0, "lr")(0.1)."""

    def with_value(value):
        def change(raw):
            target = raw
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return change

    return with_value


def _setting(param):
    """change(raw) for a network setting; a word setting left empty ("" by default, such as
    a file of initial weights) is taken out of the table."""
    if param.kind == "str" and param.default == "":
        def with_value(value):
            def change(raw):
                if value == "":
                    raw.pop(param.name, None)
                else:
                    raw[param.name] = value
            return change
        return with_value
    return _set(param.name)


class DataPanel(QtWidgets.QGroupBox):
    """The dataset and its parameters, the network's settings and the batch-size presets."""

    def __init__(self, model, editing: Editing, parent=None):
        super().__init__("Data and network", parent)
        self.model = model
        self.editing = editing
        layout = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("dataset"))
        self.dataset = QtWidgets.QComboBox()
        for name, ds in DATASETS.items():
            self.dataset.addItem(name)
            self.dataset.setItemData(self.dataset.count() - 1, getattr(ds, "description", name),
                                     QtCore.Qt.ItemDataRole.ToolTipRole)
        self.dataset.currentTextChanged.connect(self._dataset_chosen)
        row.addWidget(self.dataset, 1)
        layout.addLayout(row)
        self.data_box = QtWidgets.QVBoxLayout()
        layout.addLayout(self.data_box)
        self.data_editors: dict[str, ParamEditor] = {}
        self._shown_dataset = None
        self.editors: dict[str, ParamEditor] = {}
        for p in NETWORK_PARAMS:
            ed = editing.editor(p, spec_value(model.spec, p.name), _setting(p))
            self.editors[p.name] = ed
            layout.addWidget(ed)
        self.presets = QtWidgets.QHBoxLayout()
        self.presets.addWidget(QtWidgets.QLabel("batch presets"))
        self.preset_buttons: list[QtWidgets.QToolButton] = []
        for size in (1, 32, 64, 128, None):
            b = QtWidgets.QToolButton()
            b.setToolTip("every configuration uses this mini-batch size (batch size 1 is stochastic GD, "
                         "m the whole training set: batch GD)")
            b.clicked.connect(lambda _=False, s=size: self._preset(s))
            self.presets.addWidget(b)
            self.preset_buttons.append(b)
        self.presets.addStretch(1)
        layout.addLayout(self.presets)
        self.refresh()

    def refresh(self) -> None:
        spec = self.model.spec
        with signals_blocked(self.dataset):
            self.dataset.setCurrentText(spec.dataset)
        if spec.dataset != self._shown_dataset:  # another dataset: its own parameters
            clear_layout(self.data_box)
            self.data_editors = {}
            for p in DATASETS[spec.dataset].params:
                ed = self.editing.editor(p, spec.data[p.name], _set("data", p.name))
                self.data_editors[p.name] = ed
                self.data_box.addWidget(ed)
            self._shown_dataset = spec.dataset
        else:
            for name, ed in self.data_editors.items():
                if ed.value != spec.data.get(name):
                    ed.set_value(spec.data.get(name))
        for name, ed in self.editors.items():
            value = spec_value(spec, name)
            if ed.value != value:
                ed.set_value(value)
        if "shuffle_seed" in self.editors:  # a seed of the course's shuffles only
            self.editors["shuffle_seed"].setEnabled(getattr(spec, "random", "") == "legacy")
        self.preset_buttons[-1].setText(f"m={self.model.examples}")
        for b, size in zip(self.preset_buttons[:-1], (1, 32, 64, 128)):
            b.setText(str(size))

    def _preset(self, size: int | None) -> None:
        m = self.model.examples

        def change(raw):
            raw["batch_size"] = min(size or m, m)
            for c in raw["configs"]:
                c.pop("batch_size", None)

        self.editing.apply(change, self.editors["batch_size"])

    def _dataset_chosen(self, name: str) -> None:
        if not name or name == self.model.spec.dataset:
            return
        n = self.model.spec.data.get("n", 300)
        takes_n = any(p.name == "n" for p in DATASETS[name].params)

        def change(raw):
            raw["dataset"] = name
            raw["data"] = {"n": n} if takes_n else {}

        def apply():
            try:
                self.model.edit(change)
                self.dataset.setToolTip("")
            except SceneError as exc:  # e.g. csv: no points.csv next to the scene
                with signals_blocked(self.dataset):
                    self.dataset.setCurrentText(self.model.spec.dataset)
                self.dataset.setToolTip(str(exc))
        QtCore.QTimer.singleShot(0, apply)


class OwnValue(QtWidgets.QWidget):
    """A configuration's own value of a network setting (batch size, seed), or the
    network's: the editor shows the network's value, greyed, until "own" is ticked.
    changed(value or None)."""

    changed = QtCore.pyqtSignal(object)

    def __init__(self, param, own, inherited, validate, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor = ParamEditor(param, own if own is not None else inherited, validate=validate)
        self.own = QtWidgets.QCheckBox("own")
        self.own.setToolTip(f"this configuration's own {param.name}; unticked: the network's")
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.own)
        self.set_values(own, inherited)
        self.own.toggled.connect(self._toggled)
        self.editor.changed.connect(self.changed.emit)

    def set_values(self, own, inherited) -> None:
        value = own if own is not None else inherited
        with signals_blocked(self.own):
            self.own.setChecked(own is not None)
        self.editor.setEnabled(own is not None)
        if self.editor.value != value:
            self.editor.set_value(value)

    def _toggled(self, on: bool) -> None:
        self.editor.setEnabled(on)
        self.changed.emit(self.editor.value if on else None)


class ConfigPanel(QtWidgets.QFrame):
    """Configuration `index`: enable, colour, name, kind, remove; its hyperparameters, its
    learning-rate schedule (per epoch) and its own batch size and seed."""

    def __init__(self, model, editing: Editing, index: int, parent=None):
        super().__init__(parent)
        self.model = model
        self.editing = editing
        self.index = index
        cfg = model.spec.configs[index]
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        head = panel_head(cfg.label, "train this configuration", "the name shown in titles and legends",
                          "remove this configuration")
        self.enabled = head.enabled
        self.enabled.toggled.connect(lambda on: self.editing.apply(_set("configs", self.index, "enabled")(on),
                                                                   error=self.error))
        self.swatch = head.swatch
        self.name = head.name
        self.name.setMinimumWidth(60)
        self.name.editingFinished.connect(self._renamed)
        self.kind = head.kind
        self.kind.currentTextChanged.connect(self._kind_chosen)
        self.remove = head.remove
        self.remove.clicked.connect(self._remove)
        layout.addLayout(head.row)
        self.error = error_line()
        layout.addWidget(self.error)
        self.hyper_box = QtWidgets.QVBoxLayout()
        layout.addLayout(self.hyper_box)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        text_color(self.note, MUTED)
        layout.addWidget(self.note)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("schedule"))
        self.schedule = schedule_combo()
        self.schedule.currentTextChanged.connect(self._schedule_chosen)
        row.addWidget(self.schedule, 1)
        layout.addLayout(row)
        self.schedule_box = QtWidgets.QVBoxLayout()
        layout.addLayout(self.schedule_box)
        self.own: dict[str, OwnValue] = {}
        for key in OWN_KEYS:
            own = OwnValue(NETWORK[key], getattr(cfg, key), spec_value(model.spec, key),
                           validate=lambda v, k=key: self.editing.check(_set("configs", self.index, k)(v)))
            own.changed.connect(lambda v, k=key, w=own: self._own_changed(k, v, w))
            self.own[key] = own
            layout.addWidget(own)
        self.hyper: dict[str, ParamEditor] = {}
        self.schedule_editors: dict[str, ParamEditor] = {}
        self._shown_kind = None
        self._shown_schedule = None
        self.refresh()

    @property
    def config(self):
        return self.model.spec.configs[self.index]

    def refresh(self) -> None:
        """Show the configuration's values, in place where the editors fit them."""
        spec, cfg = self.model.spec, self.config
        color = series_colors(spec.configs)[self.index]
        self.swatch.setStyleSheet(f"background: {color}; border-radius: 3px;")
        self.swatch.setToolTip(color)
        with signals_blocked(self.enabled, self.kind, self.schedule):
            self.enabled.setChecked(cfg.enabled)
            self.kind.setCurrentText(cfg.kind)
            self.schedule.setCurrentText(cfg.schedule["kind"])
        if self.name.text() != cfg.label and not self.name.hasFocus():
            self.name.setText(cfg.label)
        self.kind.setToolTip(OPTIMIZERS[cfg.kind].formula)
        self.remove.setEnabled(len(spec.configs) > 1)
        if cfg.kind != self._shown_kind:
            clear_layout(self.hyper_box)
            self.hyper = {}
            for p in OPTIMIZERS[cfg.kind].params:
                ed = self.editing.editor(p, cfg.params[p.name], _set("configs", self.index, p.name))
                self.hyper[p.name] = ed
                self.hyper_box.addWidget(ed)
            doc = OPTIMIZERS[cfg.kind].doc
            self.note.setText(doc or "")
            self.note.setVisible(bool(doc))
            self._shown_kind = cfg.kind
        else:
            for name, ed in self.hyper.items():
                if ed.value != cfg.params[name]:
                    ed.set_value(cfg.params[name])
        sched = SCHEDULES[cfg.schedule["kind"]]
        self.schedule.setToolTip(sched.formula)
        if cfg.schedule["kind"] != self._shown_schedule:
            clear_layout(self.schedule_box)
            self.schedule_editors = {}
            for p in sched.params:  # (a network's schedule counts epochs: no steps_per_epoch)
                ed = self.editing.editor(p, cfg.schedule[p.name], _set("configs", self.index, "schedule", p.name))
                self.schedule_editors[p.name] = ed
                self.schedule_box.addWidget(ed)
            self._shown_schedule = cfg.schedule["kind"]
        else:
            for name, ed in self.schedule_editors.items():
                if ed.value != cfg.schedule[name]:
                    ed.set_value(cfg.schedule[name])
        for key, own in self.own.items():
            own.set_values(getattr(cfg, key), spec_value(spec, key))

    # ------------------------------------------------------------------ edits
    def _own_changed(self, key: str, value, widget: OwnValue) -> None:
        def change(raw):
            if value is None:
                raw["configs"][self.index].pop(key, None)
            else:
                raw["configs"][self.index][key] = value
        if not self.editing.apply(change, widget.editor):
            self.refresh()

    def _renamed(self) -> None:
        text = self.name.text().strip()
        if not text or text == self.config.label:
            self.name.setText(self.config.label)
            return
        QtCore.QTimer.singleShot(0, lambda: self.editing.apply(_set("configs", self.index, "label")(text),
                                                               error=self.error) or self.name.setText(self.config.label))

    def _kind_chosen(self, kind: str) -> None:
        if not kind or kind == self.config.kind:
            return

        def change(raw):
            old = raw["configs"][self.index]
            names = {p.name for p in OPTIMIZERS[kind].params}
            new = {k: v for k, v in old.items() if k in names or k in KEPT_ON_KIND_CHANGE}
            new["kind"] = kind
            if names_kind(old["label"], old["kind"]):  # "GD" becomes "Adam", a name of one's own stays
                taken = {c["label"] for i, c in enumerate(raw["configs"]) if i != self.index}
                label, n = kind_label(kind), 2
                while label in taken:
                    label, n = f"{kind_label(kind)} {n}", n + 1
                new["label"] = label
            raw["configs"][self.index] = new

        def apply():
            if not self.editing.apply(change, error=self.error):
                with signals_blocked(self.kind):
                    self.kind.setCurrentText(self.config.kind)
        QtCore.QTimer.singleShot(0, apply)

    def _schedule_chosen(self, kind: str) -> None:
        if not kind or kind == self.config.schedule["kind"]:
            return

        def apply():
            if not self.editing.apply(_set("configs", self.index, "schedule")({"kind": kind}), error=self.error):
                with signals_blocked(self.schedule):
                    self.schedule.setCurrentText(self.config.schedule["kind"])
        QtCore.QTimer.singleShot(0, apply)

    def _remove(self) -> None:
        def change(raw):
            freeze_colors(raw, self.model.spec)  # the others keep the colours they have
            raw["configs"].pop(self.index)
        QtCore.QTimer.singleShot(0, lambda: self.editing.apply(change, error=self.error))


class NetworkControls(QtWidgets.QWidget):
    """The data and network panel, a panel per configuration and an Add button."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.editing = Editing(model)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.data = DataPanel(model, self.editing)
        layout.addWidget(self.data)
        self.list = QtWidgets.QVBoxLayout()
        layout.addLayout(self.list)
        self.add = QtWidgets.QPushButton("Add configuration")
        self.add.setToolTip("another optimizer to train side by side (Adam, lr 0.01)")
        self.add.clicked.connect(self._add)
        layout.addWidget(self.add)
        self.error = error_line()
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.panels: list[ConfigPanel] = []
        model.spec_changed.connect(self.refresh)
        model.reset_done.connect(self.data.refresh)  # (m, the batch preset, is the trainer's)
        self.refresh()

    def refresh(self) -> None:
        self.data.refresh()
        if len(self.panels) != len(self.model.spec.configs):
            clear_layout(self.list)
            self.panels = [ConfigPanel(self.model, self.editing, i) for i in range(len(self.model.spec.configs))]
            for p in self.panels:
                self.list.addWidget(p)
        else:
            for p in self.panels:
                p.refresh()

    def _add(self) -> None:
        def change(raw):
            taken = {c["label"] for c in raw["configs"]}
            label, n = "Adam", 2
            while label in taken:
                label, n = f"Adam {n}", n + 1
            freeze_colors(raw, self.model.spec)
            raw["configs"].append({"kind": "adam", "label": label, "lr": 0.01})
        self.editing.apply(change, error=self.error)


def freeze_colors(raw, spec) -> None:
    """Give every configuration of raw (the [network] table of `spec`) the colour it has now,
    so that adding or removing one moves no other's colour."""
    for c, color in zip(raw["configs"], series_colors(spec.configs)):
        c["color"] = color
