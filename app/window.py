"""The playground window: controls on the left, the map with its curves and step inspector,
the network and EWA views in other tabs, the timeline below. Keyboard-driven for the
classroom: every key is in `KEYS` (shortcuts and Help > Keyboard are made from it)."""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.app.ewa_view import EwaView
from ravine.app.explorer_tab import ExplorerTab
from ravine.app.lesson_view import LessonController, LessonStrip
from ravine.app.model import SceneModel
from ravine.app.network_view import NetworkTab
from ravine.app.panels import ControlsPanel
from ravine.app.registry import VIEWS, build
from ravine.app.style import PRESENT_ICON_PX, PRESENT_PT, PRESENTER
from ravine.app.views import Timeline
from ravine.core import SceneError, dumps_scene, example_names, load_example, load_scene, save_scene
from ravine.core.export import trajectories_csv
from ravine.core.scene import write_text_atomic


class PlaygroundView(QtWidgets.QSplitter):
    """The Optimizers tab: every registered view of that tab (app/registry.py), the main
    ones (the map) on the left, the others stacked on the right."""

    def __init__(self, model: SceneModel, parent=None):
        super().__init__(QtCore.Qt.Orientation.Horizontal, parent)
        self.model = model
        right = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.right = right

        def main(widget, stretch):
            self.addWidget(widget)
            self.setStretchFactor(self.count() - 1, 3)

        def side(widget, stretch):
            right.addWidget(widget)
            right.setStretchFactor(right.count() - 1, stretch)

        names = [n for n, spec in VIEWS.items() if spec.tab == "optimizers"]
        build(self, names, main, side)
        self.addWidget(right)
        self.setStretchFactor(self.count() - 1, 2)

    def show_views(self, names=None) -> None:
        """Show only the named views (map, cost, lr, inspector, narration); None: all."""
        names = set(names) if names else {n for n, spec in VIEWS.items() if spec.tab == "optimizers"}
        self.map.setVisible("map" in names)
        self.curves.show_plots(cost="cost" in names, lr="lr" in names)
        self.curves.setVisible(bool(names & {"cost", "lr"}))
        self.inspector.setVisible(bool(names & {"inspector", "narration"}))
        self.right.setVisible(self.curves.isVisibleTo(self) or self.inspector.isVisibleTo(self))
        self.model.set_view(arrows=bool(names & {"inspector", "narration"}))


# Every key of the window, in the order Help > Keyboard lists them (a test checks that each
# shortcut and menu key of the window is here).
KEYS = [
    ("Space", "play / pause (on the Network tab: train or replay / pause)"),
    ("Left / Right", "one step back / forward (Network tab: one snapshot of the weights; at a lesson's "
                     "first or last slide: the slide)"),
    ("Home / End", "first / last step (Network tab: epoch 0 / the last epoch trained)"),
    ("[ / ]", "slower / faster playback"),
    ("PageUp / PageDown", "previous / next slide of a lesson"),
    ("N", "narrated step mode on / off"),
    ("H", "hide the future: paths only up to their heads"),
    ("C", "mark the surface's minima, saddle points and maxima, or not"),
    ("F5", "presentation mode (large text and lines, controls hidden)"),
    ("F6", "show / hide the controls (also in presentation mode)"),
    ("F11", "full screen"),
    ("Esc", "leave a text field; cancel a long computation; leave full screen and presentation mode"),
    ("Ctrl+O / Ctrl+S / Ctrl+Shift+S", "open / save / save the scene as"),
    ("Ctrl+E", "export the view as PNG"),
    ("Ctrl+Shift+E", "export the curves as CSV"),
    ("Ctrl+Shift+C", "copy the scene as TOML"),
    ("Ctrl+Q", "quit"),
]


def keys_html() -> str:
    """Help > Keyboard: every key and what it does, one row each."""
    rows = "".join(f"<tr><td style='padding-right:16px'><b>{k}</b></td><td>{what}</td></tr>" for k, what in KEYS)
    return f"<table>{rows}</table>"


def roomy_pixmap_cache() -> None:
    """Qt caches the drawings of static items (heatmap, contours, axes, routes) in 10 MB by
    default: too little for a full-HD window, where they would all be redrawn every frame
    (measured: 55-66 ms a frame at 1920x1080 against 13-14 ms with room)."""
    QtGui.QPixmapCache.setCacheLimit(max(QtGui.QPixmapCache.cacheLimit(), 256 * 1024))


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, scene, path: Path | None = None):
        super().__init__()
        roomy_pixmap_cache()
        self.model = SceneModel(scene, path, background=True)
        self.controls = ControlsPanel(self.model)
        self.playground = PlaygroundView(self.model)
        self.map = self.playground.map
        self.curves = self.playground.curves
        self.inspector = self.playground.inspector
        self.ewa = EwaView(background=True)
        self.network = NetworkTab(self.model)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(self.playground, "Optimizers")
        self.tabs.addTab(self.network, "Network")
        self.tabs.addTab(self.ewa, "Averages (EWA)")
        self.explorers = ExplorerTab(self.model)
        self.tabs.addTab(self.explorers, "Explorers")
        self.timeline = Timeline(self.model)
        self.presenting = False
        self.controls_shown = True  # F6; presentation mode hides them until F6
        self.ask_before_discarding = QtGui.QGuiApplication.platformName() != "offscreen"
        self.tabs.currentChanged.connect(self._tab_changed)
        if not scene.optimizers and scene.network is not None:
            self.tabs.setCurrentWidget(self.network)
        self.banner = QtWidgets.QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #FDEDEC; color: #922B21; padding: 6px; border: 1px solid #E6B0AA;")
        self.banner.hide()
        self.banner.mousePressEvent = lambda ev: self.banner.hide()
        self.strip = LessonStrip()
        self.strip.hide()
        self.lesson: LessonController | None = None

        centre = QtWidgets.QWidget()
        v = QtWidgets.QVBoxLayout(centre)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.banner)
        v.addWidget(self.strip)
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
        # long computations (a first start, a million steps) say so after half a second
        self.busy = QtWidgets.QLabel(self.map)
        self.busy.setStyleSheet("background: rgba(255, 248, 231, 235); border: 1px solid #E0C98F; padding: 8px;")
        self.busy.hide()
        self._busy_timer = QtCore.QTimer(self, singleShot=True, interval=500, timeout=self._show_busy)
        self.model.busy_changed.connect(self._busy_changed)
        self.model.simulation_changed.connect(self._report_divergence)
        self.model.simulation_changed.connect(self._title)
        self.model.scene_replaced.connect(self._title)
        self.model.network_changed.connect(self._title)
        self._title()
        self._report_divergence()
        self._tab_changed()
        self.resize(1500, 900)
        self._base_font = None
        PRESENTER.add_root(self)

    def _tab_changed(self, _=None) -> None:
        """The scene controls belong to the Optimizers and Explorers tabs (an explorer follows
        the start, surface and settings as they are edited), the timeline to the Optimizers
        tab; each tab's own controls hide in presentation mode (F6 brings them back)."""
        on_surface = self.tabs.currentWidget() is self.playground
        shown = self._controls_visible()
        self.controls.setVisible((on_surface or self.tabs.currentWidget() is self.explorers) and shown)
        self.timeline.setVisible(on_surface)
        self.network.set_controls_visible(shown)
        self.ewa.set_controls_visible(shown)
        self.explorers.controls.setVisible(shown)
        for w in (self.inspector.caption, self.inspector.which, self.inspector.show_arrows, self.inspector.narrate):
            w.setVisible(shown)

    def _controls_visible(self) -> bool:
        return self.controls_shown if not self.presenting else self.controls_in_presentation

    def toggle_controls(self) -> None:
        if self.presenting:
            self.controls_in_presentation = not self.controls_in_presentation
        else:
            self.controls_shown = not self.controls_shown
        self._tab_changed()

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
        self.set_presentation(False)  # the application's font is shared: give it back
        self.network.model.close()  # no training thread outlives the window
        self.model.close()
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
        view.addAction("Show/hide &controls", QtGui.QKeySequence("F6"), self.toggle_controls)
        view.addAction("&Full screen", QtGui.QKeySequence("F11"), self.toggle_fullscreen)
        view.addSeparator()
        view.addAction("&Narrated step mode", QtGui.QKeySequence("N"), self.toggle_narration)
        view.addAction("&Hide the future", QtGui.QKeySequence("H"), self.toggle_hide_future)
        view.addAction("Mark &critical points", QtGui.QKeySequence("C"),
                       lambda: self.model.set_view(critical=not self.model.view.critical))
        help_ = bar.addMenu("&Help")
        help_.addAction("&Keyboard", self.show_keys)

    def show_keys(self) -> QtWidgets.QMessageBox:
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.NoIcon, "Ravine keys", keys_html(),
                                    QtWidgets.QMessageBox.StandardButton.Close, self)
        box.setTextFormat(QtCore.Qt.TextFormat.RichText)
        box.open()
        return box

    def _shortcuts(self) -> None:
        keys = {
            "Space": lambda: self.network.model.toggle() if self._on_network() else self.timeline.toggle(),
            "Left": lambda: self.step_or_slide(-1),
            "Right": lambda: self.step_or_slide(1),
            "Home": lambda: self.network.model.set_cursor(0) if self._on_network() else self.timeline.reset(),
            "End": lambda: (self.network.model.set_cursor(self.network.model.epoch) if self._on_network()
                            else self.model.set_step(self.model.steps)),
            "]": lambda: self.timeline.faster(True),
            "[": lambda: self.timeline.faster(False),
            "PgDown": lambda: self.slide_by(1),
            "PgUp": lambda: self.slide_by(-1),
            "Esc": self.key_escape,
        }
        for key, slot in keys.items():
            sc = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            sc.setContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            if key == "Esc":  # in a text field, Esc leaves it (the keys come back)
                sc.activated.connect(lambda s=slot: self._give_keys_back() if self._typing() else s())
            else:
                sc.activated.connect(lambda s=slot: None if self._typing() else s())
        # a text field gives the keys back when its edit is done (Enter) or left (Esc)
        QtWidgets.QApplication.instance().focusChanged.connect(self._focus_changed)

    def _focus_changed(self, old, new) -> None:
        if isinstance(new, QtWidgets.QLineEdit) and self.isAncestorOf(new) and not getattr(new, "_ravine_hooked", False):
            new._ravine_hooked = True
            new.returnPressed.connect(self._give_keys_back)

    def _give_keys_back(self) -> None:
        """After Enter in a text field, Space and the arrows drive the timeline again at
        once, with no click on the map (which would move the start) to get them back."""
        widget = QtWidgets.QApplication.focusWidget()
        if widget is not None:
            widget.clearFocus()
        self.setFocus()

    def _typing(self) -> bool:
        """True while a text field has the focus: keys belong to it then."""
        return isinstance(QtWidgets.QApplication.focusWidget(), (QtWidgets.QLineEdit, QtWidgets.QAbstractSpinBox))

    def _busy_changed(self, text: str) -> None:
        if not text:
            self._busy_timer.stop()
            self.busy.hide()
            self.statusBar().clearMessage()
        elif self.busy.isVisible():
            self._show_busy()
        elif not self._busy_timer.isActive():
            self._busy_timer.start()

    def _show_busy(self) -> None:
        text = self.model.busy
        if not text:
            return
        self.busy.setText(f"{text}  (Esc cancels)")
        self.busy.adjustSize()
        self.busy.move(max(0, (self.map.width() - self.busy.width()) // 2), 40)
        self.busy.show()
        self.busy.raise_()
        self.statusBar().showMessage(text)

    def key_escape(self) -> None:
        if self.model.cancel():  # first, a long computation
            return
        if self.isFullScreen():
            self.toggle_fullscreen()
        if self.presenting:
            self.toggle_presentation()

    def _on_network(self) -> bool:
        return self.tabs.currentWidget() is self.network

    def step_or_slide(self, n: int) -> None:
        """Left/Right: one step (on the Network tab, one snapshot of the weights); at a
        lesson's last (first) step, or on a slide without a timeline, the next (previous)
        slide."""
        at_end = self.model.step >= self.model.steps if n > 0 else self.model.step <= 0
        if self.lesson is not None and (at_end or self.tabs.currentWidget() is not self.playground):
            self.slide_by(n)
        elif self._on_network():
            self.network.model.step_by(n)
        else:
            self.timeline.step_by(n)

    def slide_by(self, n: int) -> None:
        if self.lesson is not None:
            self.lesson.go(self.lesson.index + n)

    def open_lesson(self, lesson) -> LessonController:
        """Show a lesson from its first slide (edits made during it are kept per slide
        until the lesson is opened again)."""
        self.lesson = LessonController(self, lesson)
        self.lesson.go(0)
        return self.lesson

    def toggle_narration(self) -> None:
        self.model.set_view(narrate=not self.model.view.narrate)

    def toggle_hide_future(self) -> None:
        self.model.set_view(hide_future=not self.model.view.hide_future)

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
        self.show_scene(scene, Path(path))
        return True

    def open_example(self, name: str) -> None:
        self.show_scene(load_example(name))

    def show_scene(self, scene, path: Path | None = None) -> None:
        """Show a newly opened scene on the tab that shows it: a surface scene on the
        Optimizers tab (from whichever tab it was opened), a network-only one on Network.
        Opening a scene ends a lesson."""
        self.banner.hide()
        if self.lesson is not None:
            self.lesson = None
            self.strip.hide()
            self.playground.show_views(None)
        self.model.replace(scene, path)
        self.tabs.setCurrentWidget(self.playground if scene.optimizers else self.network)

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
        """The current tab as a PNG, written as every export is (ravine.core.files.Output: whole
        or not at all; a new file gets the umask's mode, an overwritten one keeps its own)."""
        from ravine.core.files import Output

        image = self.tabs.currentWidget().grab()
        try:
            out = Output(Path(path), suffix=".tmp.png")
            try:
                if not image.save(str(out.path()), "PNG"):
                    self.show_error(f"{path}: cannot write the PNG here")
                    return False
                out.commit()
            finally:
                out.discard()
        except OSError as exc:
            self.show_error(f"{path}: cannot write ({exc.strerror or exc})")
            return False
        self.statusBar().showMessage(f"exported {path}", 4000)
        return True

    def export_png_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export view", "ravine.png", "PNG images (*.png)")
        if path:
            self.export_png(Path(path))

    def export_csv(self, path: Path) -> bool:
        """The curves of the tab shown as CSV: the optimizers' paths on the Optimizers tab,
        the network's training (per configuration and epoch) on the Network tab."""
        if self.tabs.currentWidget() is self.network:
            text = self.network.training_csv()
        else:
            text = trajectories_csv([r.traj for r in self.model.runs])
        try:
            write_text_atomic(Path(path), text)
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
        """For a projector: text of at least 20 px everywhere, thicker lines, every tab's
        controls hidden (F6 shows them), paths only up to their heads. F5 again restores
        every size exactly."""
        self.set_presentation(not self.presenting)

    def set_presentation(self, on: bool) -> None:
        if on == self.presenting:
            return
        self.presenting = on
        app = QtWidgets.QApplication.instance()
        if on:
            self._base_font = QtGui.QFont(app.font())
            self._hide_future_before = self.model.view.hide_future
            self.controls_in_presentation = False
            font = QtGui.QFont(app.font())
            font.setPointSizeF(max(PRESENT_PT, font.pointSizeF() * 1.5))
            app.setFont(font)
        else:
            app.setFont(self._base_font)
        PRESENTER.set(on)
        self._size_icons(on)
        self.model.set_view(hide_future=True if on else self._hide_future_before)
        self.map.place_legend()
        self.inspector.fix_height()
        self.map.draw_arrows()
        self._tab_changed()
        self.statusBar().showMessage("presentation mode: F5 to leave, F6 for the controls" if on else "", 4000)

    def _size_icons(self, on: bool) -> None:
        """The transport buttons' icons at a projector's size while presenting (they kept
        16 px while their labels grew), and back to each one's own size after."""
        for button in self.findChildren(QtWidgets.QToolButton):
            if button.icon().isNull():
                continue
            if on:
                base = button.property("ravine_icon_size") or button.iconSize()
                button.setProperty("ravine_icon_size", base)
                button.setIconSize(QtCore.QSize(PRESENT_ICON_PX, PRESENT_ICON_PX))
            elif button.property("ravine_icon_size") is not None:
                button.setIconSize(button.property("ravine_icon_size"))

    def toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()


def run_app(scene, path: Path | None = None, present: bool = False, lesson=None) -> int:
    """Open the window on `scene` (in presentation mode, full screen, with `present`), or
    on a lesson's first slide, and run until it closes."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Ravine")
    if lesson is not None:
        first = next((s.scene for s in lesson.slides if s.scene is not None), scene)
        window = MainWindow(first if first is not None else load_example("momentum-ravine"))
        window.open_lesson(lesson)
        present = True
    else:
        window = MainWindow(scene, path)

    def excepthook(kind, value, tb):
        """A bug must not take the user's work down with it (PyQt aborts by default)."""
        import traceback

        traceback.print_exception(kind, value, tb)
        window.show_error(f"internal error: {kind.__name__}: {value} (details on the terminal)")

    sys.excepthook = excepthook
    if present:
        window.set_presentation(True)
        # the whole screen even where no window manager honours "full screen" (a bare X server)
        window.setGeometry(window.screen().geometry())
        window.showFullScreen()
    else:
        window.show()
    return app.exec()


def run_lesson(lesson) -> int:
    """`ravine lesson`: the lesson full screen, in presentation mode."""
    return run_app(None, lesson=lesson)
