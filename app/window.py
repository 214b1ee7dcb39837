"""The playground window: controls on the left, the map with its curves and step inspector,
the EWA view in a second tab, the timeline below. Keyboard-driven for the classroom:

    Space play/pause    Left/Right step    Home/End first/last step    [ ] slower/faster
    Ctrl+O open   Ctrl+S save   Ctrl+E export PNG   Ctrl+Shift+C copy scene   F5 presentation
"""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.app.ewa_view import EwaView
from ravine.app.model import SceneModel
from ravine.app.network_view import NetworkTab
from ravine.app.panels import ControlsPanel
from ravine.app.views import CurvesView, InspectorView, MapView, Timeline
from ravine.core import SceneError, dumps_scene, example_names, load_example, load_scene, save_scene
from ravine.core.export import trajectories_csv
from ravine.core.scene import write_text_atomic


class PlaygroundView(QtWidgets.QSplitter):
    """Map on the left; cost and lr curves above the step inspector on the right."""

    def __init__(self, model: SceneModel, parent=None):
        super().__init__(QtCore.Qt.Orientation.Horizontal, parent)
        self.map = MapView(model)
        self.curves = CurvesView(model)
        self.inspector = InspectorView(model, self.map)
        right = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        right.addWidget(self.curves)
        right.addWidget(self.inspector)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        self.addWidget(self.map)
        self.addWidget(right)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, scene, path: Path | None = None):
        super().__init__()
        self.model = SceneModel(scene, path)
        self.controls = ControlsPanel(self.model)
        self.playground = PlaygroundView(self.model)
        self.map = self.playground.map
        self.curves = self.playground.curves
        self.inspector = self.playground.inspector
        self.ewa = EwaView()
        self.network = NetworkTab(self.model)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(self.playground, "Optimizers")
        self.tabs.addTab(self.network, "Network")
        self.tabs.addTab(self.ewa, "Averages (EWA)")
        self.timeline = Timeline(self.model)
        self.presenting = False
        self.ask_before_discarding = QtGui.QGuiApplication.platformName() != "offscreen"
        self.tabs.currentChanged.connect(self._tab_changed)
        if not scene.optimizers and scene.network is not None:
            self.tabs.setCurrentWidget(self.network)
        self.banner = QtWidgets.QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #FDEDEC; color: #922B21; padding: 6px; border: 1px solid #E6B0AA;")
        self.banner.hide()
        self.banner.mousePressEvent = lambda ev: self.banner.hide()

        centre = QtWidgets.QWidget()
        v = QtWidgets.QVBoxLayout(centre)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.banner)
        v.addWidget(self.tabs, 1)
        v.addWidget(self.timeline)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(self.controls)
        split.addWidget(centre)
        split.setStretchFactor(1, 1)
        split.setSizes([360, 1100])
        self.setCentralWidget(split)
        self._menus()
        self._shortcuts()
        self.model.simulation_changed.connect(self._report_divergence)
        self.model.simulation_changed.connect(self._title)
        self.model.scene_replaced.connect(self._title)
        self._title()
        self._report_divergence()
        self._tab_changed()
        self.resize(1500, 900)
        self._base_font = None

    def _tab_changed(self, _=None) -> None:
        """The scene controls and the timeline belong to the Optimizers tab."""
        on_surface = self.tabs.currentWidget() is self.playground
        self.controls.setVisible(on_surface and not self.presenting)
        self.timeline.setVisible(on_surface)

    def may_discard(self) -> bool:
        """Before the scene is replaced or the window closes: ask about unsaved edits (there
        is no one to ask on the offscreen platform, as in tests and renders)."""
        if not self.model.dirty or not self.ask_before_discarding:
            return True
        buttons = QtWidgets.QMessageBox.StandardButton
        answer = QtWidgets.QMessageBox.question(
            self, "Ravine", "This scene has changes that are not saved. Save them first?",
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        if answer == buttons.Save:
            self.save()
            return not self.model.dirty
        return answer == buttons.Discard

    def closeEvent(self, event) -> None:
        if not self.may_discard():
            event.ignore()
            return
        self.network.model.stop()  # no training thread outlives the window
        self.timeline.pause()
        super().closeEvent(event)

    # ----------------------------------------------------------------- menus and keys
    def _menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction("&Open scene...", QtGui.QKeySequence.StandardKey.Open, self.open_dialog)
        examples = file.addMenu("&Examples")
        for name in example_names():
            examples.addAction(f"{name}: {load_example(name).title}",
                               lambda n=name: self.may_discard() and self.open_example(n))
        file.addAction("&Save scene", QtGui.QKeySequence.StandardKey.Save, self.save)
        file.addAction("Save scene &as...", QtGui.QKeySequence.StandardKey.SaveAs, self.save_as)
        file.addSeparator()
        file.addAction("&Export view as PNG...", QtGui.QKeySequence("Ctrl+E"), self.export_png_dialog)
        file.addAction("Export curves as &CSV...", QtGui.QKeySequence("Ctrl+Shift+E"), self.export_csv_dialog)
        file.addAction("&Copy scene as TOML", QtGui.QKeySequence("Ctrl+Shift+C"), self.copy_scene)
        file.addSeparator()
        file.addAction("&Quit", QtGui.QKeySequence.StandardKey.Quit, self.close)
        view = bar.addMenu("&View")
        view.addAction("&Presentation mode", QtGui.QKeySequence("F5"), self.toggle_presentation)
        view.addAction("&Full screen", QtGui.QKeySequence("F11"), self.toggle_fullscreen)
        help_ = bar.addMenu("&Help")
        help_.addAction("&Keyboard", lambda: QtWidgets.QMessageBox.information(self, "Ravine keys", __doc__.split("\n\n", 1)[1]))

    def _shortcuts(self) -> None:
        keys = {
            "Space": self.timeline.toggle,
            "Left": lambda: self.timeline.step_by(-1),
            "Right": lambda: self.timeline.step_by(1),
            "Home": self.timeline.reset,
            "End": lambda: self.model.set_step(self.model.steps),
            "]": lambda: self.timeline.faster(True),
            "[": lambda: self.timeline.faster(False),
        }
        for key, slot in keys.items():
            sc = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            sc.setContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda s=slot: None if self._typing() else s())

    def _typing(self) -> bool:
        """True while a text field has the focus: keys belong to it then."""
        return isinstance(QtWidgets.QApplication.focusWidget(), (QtWidgets.QLineEdit, QtWidgets.QAbstractSpinBox))

    # ----------------------------------------------------------------- status
    def show_error(self, message: str) -> None:
        self.banner.setText(message + "   (click to dismiss)")
        self.banner.show()
        self.statusBar().showMessage(message, 8000)

    def _report_divergence(self) -> None:
        bad = [r for r in self.model.runs if r.traj.diverged_at is not None]
        if bad:
            parts = [f"{r.config.label} diverged at step {r.traj.diverged_at}" for r in bad]
            self.statusBar().showMessage("; ".join(parts) + " (the learning rate is too large for this surface)")
        else:
            self.statusBar().clearMessage()

    def _title(self) -> None:
        scene = self.model.scene
        name = self.model.path.name if self.model.path else (scene.title or scene.surface)
        self.setWindowTitle(f"Ravine: {name}{' *' if self.model.dirty else ''}")

    # ----------------------------------------------------------------- files
    def open_path(self, path) -> bool:
        try:
            scene = load_scene(path)
        except SceneError as exc:
            self.show_error(str(exc))
            return False
        self.banner.hide()
        self.model.replace(scene, Path(path))
        return True

    def open_example(self, name: str) -> None:
        self.banner.hide()
        scene = load_example(name)
        self.model.replace(scene)
        if not scene.optimizers and scene.network is not None:
            self.tabs.setCurrentWidget(self.network)

    def open_dialog(self) -> None:
        if not self.may_discard():
            return
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open scene", "", "Scenes (*.toml);;All files (*)")
        if path:
            self.open_path(path)

    def save(self) -> None:
        if self.model.path is None:
            self.save_as()
        else:
            self.save_to(self.model.path)

    def save_as(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save scene", "scene.toml", "Scenes (*.toml)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:
            save_scene(self.model.scene, path)
        except OSError as exc:
            self.show_error(f"{path}: cannot write ({exc.strerror or exc})")
            return False
        self.model.path = Path(path)
        self.model.dirty = False
        self._title()
        self.statusBar().showMessage(f"saved {path}", 4000)
        return True

    def copy_scene(self) -> None:
        QtWidgets.QApplication.clipboard().setText(dumps_scene(self.model.scene))
        self.statusBar().showMessage("scene copied as TOML", 4000)

    def export_png(self, path: Path) -> bool:
        image = self.tabs.currentWidget().grab()
        folder = Path(path).parent
        tmp = folder / f".{Path(path).name}.tmp.png"
        if not image.save(str(tmp), "PNG"):
            self.show_error(f"{path}: cannot write the PNG here")
            return False
        tmp.replace(path)
        self.statusBar().showMessage(f"exported {path}", 4000)
        return True

    def export_png_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export view", "ravine.png", "PNG images (*.png)")
        if path:
            self.export_png(Path(path))

    def export_csv(self, path: Path) -> bool:
        runs = [r.traj for r in self.model.runs]
        try:
            write_text_atomic(Path(path), trajectories_csv(runs))
        except OSError as exc:
            self.show_error(f"{path}: cannot write ({exc.strerror or exc})")
            return False
        self.statusBar().showMessage(f"exported {path}", 4000)
        return True

    def export_csv_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export curves", "ravine.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    # ----------------------------------------------------------------- classroom
    def toggle_presentation(self) -> None:
        """For a projector: 1.5x text everywhere (plots included), controls hidden so the
        map and curves fill the screen. F5 again restores the normal layout."""
        self.presenting = not self.presenting
        app = QtWidgets.QApplication.instance()
        if self._base_font is None:
            self._base_font = app.font().pointSizeF()
        size = self._base_font * (1.5 if self.presenting else 1.0)
        font = app.font()
        font.setPointSizeF(size)
        app.setFont(font)
        tick = QtGui.QFont(font)
        for plot in (self.map.plot, self.curves.cost, self.curves.lr):
            for axis in plot.axes.values():
                axis["item"].setStyle(tickFont=tick)
                axis["item"].label.setFont(tick)
        self.map.colorbar.axis.setStyle(tickFont=tick)
        self.map.label_size = f"{size:.0f}pt" if self.presenting else None
        self.map.draw_step(self.model.step)
        self._tab_changed()
        self.statusBar().showMessage("presentation mode: F5 to leave" if self.presenting else "", 4000)

    def toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()


def run_app(scene, path: Path | None = None) -> int:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Ravine")
    window = MainWindow(scene, path)

    def excepthook(kind, value, tb):
        """A bug must not take the user's work down with it (PyQt aborts by default)."""
        import traceback

        traceback.print_exception(kind, value, tb)
        window.show_error(f"internal error: {kind.__name__}: {value} (details on the terminal)")

    sys.excepthook = excepthook
    window.show()
    return app.exec()
