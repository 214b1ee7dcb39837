"""The exponentially-weighted-average view: a noisy year of daily temperatures, its average
for a chosen beta beside the notes' three reference betas, and bias correction on demand."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtWidgets

from ravine.app.params_editor import ParamEditor
from ravine.app.style import no_si_prefix, restyle, signals_blocked
from ravine.app.warm import WARMER
from ravine.core.ewa import effective_window, ewa, synthetic_temperatures
from ravine.core.params import Param

REFERENCE = {0.5: "#E69F00", 0.9: "#009E73", 0.98: "#0072B2"}
BETA = Param("beta", 0.9, lo=0.0, hi=1.0, hi_open=True, ui_range=(0.0, 0.999), scale="log1m",
             doc="weight of the past: V = beta*V + (1-beta)*theta")


class EwaView(QtWidgets.QWidget):
    """background=True (the window): the EWA kernel is prepared in a thread first (app/warm.py),
    and the view draws when it is ready; renders draw at once."""

    def __init__(self, parent=None, days: int = 365, seed: int = 0, background: bool = False):
        super().__init__(parent)
        self.background = background
        self.theta = synthetic_temperatures(days, seed)
        self.beta = BETA.default
        layout = QtWidgets.QVBoxLayout(self)
        controls = QtWidgets.QHBoxLayout()
        self.beta_editor = ParamEditor(BETA, self.beta)
        self.beta_editor.changed.connect(self.set_beta)
        controls.addWidget(self.beta_editor, 2)
        self.bias = QtWidgets.QCheckBox("bias correction  V / (1 - beta^t)")
        self.bias.setToolTip("show the corrected average beside the uncorrected one, which starts too low")
        self.bias.toggled.connect(lambda _: self.draw())
        controls.addWidget(self.bias)
        self.references = QtWidgets.QCheckBox("reference betas 0.5, 0.9, 0.98")
        self.references.setChecked(True)
        self.references.toggled.connect(lambda _: self.draw())
        controls.addWidget(self.references)
        layout.addLayout(controls)
        self.readout = QtWidgets.QLabel()
        bold = self.readout.font()
        bold.setBold(True)
        self.readout.setFont(bold)
        self.readout.setWordWrap(True)
        layout.addWidget(self.readout)
        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "day")
        self.plot.setLabel("left", "temperature (deg C)")
        self.plot.addLegend(offset=(10, 10), brush=(255, 255, 255, 215))
        no_si_prefix(self.plot.getPlotItem())
        layout.addWidget(self.plot, 1)
        self.controls = [self.beta_editor, self.bias, self.references]
        if background and not WARMER.request("ewa"):
            self.readout.setText("preparing the averages (first start only)...")
            WARMER.ready.connect(lambda name: name == "ewa" and self.draw())
        else:
            self.draw()

    def set_controls_visible(self, on: bool) -> None:
        for w in self.controls:
            w.setVisible(on)

    def set_settings(self, beta: float | None = None, bias_correction: bool | None = None) -> None:
        """What a lesson's slide sets: beta and the bias-correction switch."""
        if beta is not None:
            self.beta_editor.set_value(float(beta))
            self.beta = float(beta)
        if bias_correction is not None:
            with signals_blocked(self.bias):
                self.bias.setChecked(bool(bias_correction))
        self.draw()

    def set_beta(self, beta: float) -> None:
        self.beta = float(beta)
        self.draw()

    def curves(self) -> dict[str, np.ndarray]:
        """What is drawn, by legend name (the tests read it)."""
        out = {}
        if self.references.isChecked():
            for b in REFERENCE:
                out[f"beta {b:g} (~{effective_window(b):.0f} days)"] = ewa(self.theta, b)
        out[f"beta {self.beta:g}"] = ewa(self.theta, self.beta)
        if self.bias.isChecked():
            out[f"beta {self.beta:g}, bias-corrected"] = ewa(self.theta, self.beta, bias_correction=True)
        return out

    def draw(self) -> None:
        if self.background and not WARMER.is_ready("ewa"):
            return  # drawn when the kernel is ready
        self.plot.clear()
        days = np.arange(1, len(self.theta) + 1)
        self.plot.plot(days, self.theta, pen=None, symbol="o", symbolSize=4,
                       symbolBrush=(120, 120, 120, 140), symbolPen=None, name="daily temperature")
        for name, values in self.curves().items():
            if name.startswith("beta ") and "days" in name:
                b = float(name.split()[1])
                pen = pg.mkPen(REFERENCE[b], width=1.6)
            elif name.endswith("bias-corrected"):
                pen = pg.mkPen("#C0392B", width=3)
            else:
                pen = pg.mkPen("#111111", width=3,
                               style=QtCore.Qt.PenStyle.DashLine if self.bias.isChecked() else QtCore.Qt.PenStyle.SolidLine)
            self.plot.plot(days, values, pen=pen, name=name)
        n = effective_window(self.beta)
        extra = ""
        if self.bias.isChecked():
            raw = ewa(self.theta, self.beta)[0]
            fixed = ewa(self.theta, self.beta, True)[0]
            extra = f";  day 1: uncorrected {raw:.2f}, corrected {fixed:.2f} (the first reading is {self.theta[0]:.2f})"
        self.readout.setText(f"beta = {self.beta:g} averages over about 1/(1-beta) = {n:.3g} days{extra}")
        restyle(self)
