"""Editors for declared parameters (`ravine.core.params.Param`): a typed field, a slider where
the parameter has a range, and an inline message when a typed value is refused.

Typed values are checked by the same `Param.check` that validates scene files, so the app and
the files accept exactly the same values and say the same thing about the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PyQt6 import QtCore, QtWidgets

from ravine.app.style import error_line, signals_blocked
from ravine.core.params import Param, SceneError

TICKS = 10_000  # slider positions: 0.12 % apart on lr's five decades
FINE = 20  # with Shift held, a drag moves the slider this many times slower


def fmt(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def round_sig(x: float, digits: int = 3) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


class FineSlider(QtWidgets.QSlider):
    """A slider that moves FINE times slower while Shift is held during a drag, so that a
    short slider over five decades still sets a value to better than 1 % a pixel."""

    def __init__(self, orientation=QtCore.Qt.Orientation.Horizontal, parent=None):
        super().__init__(orientation, parent)
        self._fine = None  # (x where Shift took over, value there)

    def mouseMoveEvent(self, ev) -> None:
        if ev.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier and ev.buttons() & QtCore.Qt.MouseButton.LeftButton:
            x = ev.position().x()
            if self._fine is None:
                self._fine = (x, self.value())
            x0, v0 = self._fine
            groove = max(self.width() - self.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_SliderLength), 1)
            ticks = (x - x0) / groove * (self.maximum() - self.minimum()) / FINE
            self.setValue(int(round(v0 + ticks)))
            ev.accept()
            return
        if self._fine is not None:  # Shift released mid-drag: carry on normally from here
            self._fine = None
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev) -> None:
        self._fine = None
        super().mouseReleaseEvent(ev)

    def mousePressEvent(self, ev) -> None:
        self._fine = None
        super().mousePressEvent(ev)


class ParamEditor(QtWidgets.QWidget):
    """One parameter: label, field, optional slider, inline error. Emits `changed(value)`."""

    changed = QtCore.pyqtSignal(object)

    def __init__(self, param: Param, value, parent=None, validate=None):
        super().__init__(parent)
        self.param = param
        self.value = value
        self.validate = validate  # optional check against the other parameters (SceneError)
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        self.label = QtWidgets.QLabel(param.name)
        self.label.setToolTip(param.doc)
        self.label.setMinimumWidth(96)
        grid.addWidget(self.label, 0, 0)
        self.slider = None
        self.check = None
        self.field = None
        self.combo = None
        if getattr(param, "choices", None):  # a word from a list: the list
            self.combo = QtWidgets.QComboBox()
            self.combo.addItems(list(param.choices))
            self.combo.setCurrentText(str(value))
            self.combo.setToolTip(param.doc)
            self.combo.currentTextChanged.connect(self._commit)
            grid.addWidget(self.combo, 0, 1, 1, 2)
        elif param.kind == "bool":
            self.check = QtWidgets.QCheckBox()
            self.check.setChecked(bool(value))
            self.check.setToolTip(param.doc)
            self.check.toggled.connect(self._toggled)
            grid.addWidget(self.check, 0, 1)
        else:
            self.field = QtWidgets.QLineEdit(fmt(value))
            self.field.setToolTip(f"{param.doc}: {param.allowed()}")
            self.field.setMaximumWidth(90 if param.kind in ("float", "int") else 160)
            self.field.editingFinished.connect(self._typed)
            grid.addWidget(self.field, 0, 1)
            if param.kind in ("float", "int"):
                self.slider = FineSlider(QtCore.Qt.Orientation.Horizontal)
                self.slider.setRange(0, TICKS)
                self.slider.setSingleStep(TICKS // 500)
                self.slider.setPageStep(TICKS // 20)
                self.slider.setToolTip(f"{param.doc} (hold Shift while dragging for fine steps)")
                self._set_slider(value)
                self.slider.valueChanged.connect(self._slid)
                grid.addWidget(self.slider, 0, 2)
        self.error = error_line()
        grid.addWidget(self.error, 1, 0, 1, 3)
        grid.setColumnStretch(2, 1)

    # slider <-> value: linear, log, or log(1 - value) for decay rates such as beta, where
    # 0.9, 0.99 and 0.999 are as far apart as 0.1, 0.01 and 0.001 are on a log scale
    def _to_tick(self, value: float) -> int:
        lo, hi = self.param.slider_range()
        if self.param.scale == "log":
            lo, hi, value = math.log(lo), math.log(hi), math.log(max(value, 1e-300))
        elif self.param.scale == "log1m":
            lo, hi, value = (-math.log(max(1.0 - v, 1e-300)) for v in (lo, hi, value))
        frac = (value - lo) / (hi - lo) if hi > lo else 0.0
        return int(round(min(max(frac, 0.0), 1.0) * TICKS))

    def _from_tick(self, tick: int):
        lo, hi = self.param.slider_range()
        frac = tick / TICKS
        if self.param.scale == "log":
            value = math.exp(math.log(lo) + frac * (math.log(hi) - math.log(lo)))
        elif self.param.scale == "log1m":
            a, b = -math.log(1.0 - lo), -math.log(1.0 - hi)
            value = 1.0 - math.exp(-(a + frac * (b - a)))
            return round(1.0 - round_sig(1.0 - value, 3), 12)  # 0.99 rather than 0.98999...
        else:
            value = lo + frac * (hi - lo)
        if self.param.kind == "int":
            return int(round(value))
        return round_sig(value, 4) if self.param.scale == "log" else round(value, 4)

    def _set_slider(self, value) -> None:
        if self.slider is not None:
            with signals_blocked(self.slider):
                self.slider.setValue(self._to_tick(value))

    # user actions
    def _slid(self, tick: int) -> None:
        self._commit(self._from_tick(tick), from_slider=True)

    def _typed(self) -> None:
        text = self.field.text().strip()
        if self.param.kind == "str":  # words are taken as typed; none at all is the default ""
            if not text and self.param.default == "":
                self._commit("", checked=True)
            else:
                self._commit(text)
            return
        try:
            if self.param.kind in ("floats", "ints"):
                raw = [_number(t) for t in text.replace(";", ",").split(",") if t.strip()]
            else:
                raw = _number(text)
        except ValueError:
            self.show_error(f"{self.param.name}: must be {self.param.allowed()} (got {text!r})")
            return
        self._commit(raw)

    def _toggled(self, on: bool) -> None:
        self._commit(bool(on))

    def _commit(self, raw, from_slider: bool = False, checked: bool = False) -> None:
        try:
            value = raw if checked else self.param.check(raw, self.param.name)
        except SceneError as exc:
            self.show_error(str(exc))
            return
        if value == self.value:
            self.clear_error()
            if self.field is not None:
                self.field.setText(fmt(value))
            return
        if self.validate is not None:
            try:
                self.validate(value)
            except SceneError as exc:  # e.g. piecewise: values must match boundaries
                self.show_error(str(exc))
                return
        self.value = value
        self.clear_error()
        if self.field is not None:
            self.field.setText(fmt(value))
        if not from_slider:
            self._set_slider(value)
        self.changed.emit(value)

    def set_value(self, value) -> None:
        """Show a value set from outside, without emitting `changed`."""
        self.value = value
        if self.field is not None:
            self.field.setText(fmt(value))
        if self.check is not None:
            with signals_blocked(self.check):
                self.check.setChecked(bool(value))
        if self.combo is not None:
            with signals_blocked(self.combo):
                self.combo.setCurrentText(str(value))
        self._set_slider(value)
        self.clear_error()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        if self.combo is not None:
            with signals_blocked(self.combo):
                self.combo.setCurrentText(str(self.value))
        if self.check is not None:  # a refused switch goes back
            with signals_blocked(self.check):
                self.check.setChecked(bool(self.value))
        if self.field is not None:
            self.field.setStyleSheet("border: 1px solid #C0392B;")
            self.field.setText(fmt(self.value))

    def clear_error(self) -> None:
        self.error.hide()
        if self.field is not None:
            self.field.setStyleSheet("")


def _number(text: str):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)  # ValueError for words; nan/inf are refused by Param.check


def kind_combo() -> QtWidgets.QComboBox:
    """A choice of every registered optimizer, each item's tooltip its formula."""
    from ravine.core.optimizers import OPTIMIZERS

    combo = QtWidgets.QComboBox()
    for name, opt in OPTIMIZERS.items():
        combo.addItem(name)
        combo.setItemData(combo.count() - 1, opt.formula, QtCore.Qt.ItemDataRole.ToolTipRole)
    return combo


def schedule_combo() -> QtWidgets.QComboBox:
    """A choice of every learning-rate schedule, each item's tooltip its formula."""
    from ravine.core.schedules import SCHEDULES

    combo = QtWidgets.QComboBox()
    for name, sch in SCHEDULES.items():
        combo.addItem(name)
        combo.setItemData(combo.count() - 1, sch.formula, QtCore.Qt.ItemDataRole.ToolTipRole)
    return combo


@dataclass
class PanelHead:
    """The first row of an optimizer's panel and of a network configuration's: enable, its
    colour, its name, its kind, remove. The panel sets and connects them."""

    row: QtWidgets.QHBoxLayout
    enabled: QtWidgets.QCheckBox
    swatch: QtWidgets.QLabel
    name: QtWidgets.QLineEdit
    kind: QtWidgets.QComboBox
    remove: QtWidgets.QToolButton


def panel_head(label: str, enable_tip: str, name_tip: str, remove_tip: str) -> PanelHead:
    row = QtWidgets.QHBoxLayout()
    enabled = QtWidgets.QCheckBox()
    enabled.setToolTip(enable_tip)
    swatch = QtWidgets.QLabel()
    swatch.setFixedSize(14, 14)
    name = QtWidgets.QLineEdit(label)
    name.setToolTip(name_tip)
    kind = kind_combo()
    remove = QtWidgets.QToolButton()
    remove.setText("✕")
    remove.setToolTip(remove_tip)
    for widget, stretch in ((enabled, 0), (swatch, 0), (name, 1), (kind, 0), (remove, 0)):
        row.addWidget(widget, stretch)
    return PanelHead(row, enabled, swatch, name, kind, remove)
