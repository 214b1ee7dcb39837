"""Lessons in the window: a strip with the slide's title and text above the tabs, and the
controller that sets the window up for each slide (scene, tab, views, step, speed, what is
inspected and narrated, the EWA view's settings).

PageDown/PageUp (what presenter clickers send), and Right/Left at the first or last step,
move between slides. Moving never asks about unsaved changes: a slide's edits are kept,
for that slide, until the lesson is opened again.
"""

from __future__ import annotations

import copy
import html

from PyQt6 import QtCore, QtGui, QtWidgets

from ravine.core.lesson import Lesson


class LessonStrip(QtWidgets.QFrame):
    """The slide's number, title and text, above the views."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        # a palette, not a style sheet: a style-sheeted widget would keep its font when
        # presentation mode enlarges the application's
        palette = self.palette()
        palette.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor("#FFF8E7"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.label = QtWidgets.QLabel()
        self.label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        layout.addWidget(self.label)

    def show_slide(self, lesson: Lesson, index: int) -> None:
        slide = lesson.slides[index]
        where = f"{index + 1} / {len(lesson.slides)}"
        keys = "PageDown: next, PageUp: back"
        self.label.setText(
            f"<div><span style='font-size:x-large'><b>{html.escape(slide.title, quote=False)}</b></span>"
            f"&nbsp;&nbsp;<span style='color:#7A6A3A'>{where} · {html.escape(lesson.title, quote=False)} · {keys}</span></div>"
            f"<div>{html.escape(slide.text, quote=False)}</div>")


class LessonController(QtCore.QObject):
    """Shows a lesson's slides in a MainWindow."""

    slide_changed = QtCore.pyqtSignal(int)

    def __init__(self, window, lesson: Lesson):
        super().__init__(window)
        self.window = window
        self.lesson = lesson
        self.index = -1
        self.kept: dict[int, object] = {}  # slide -> its scene as edited during the lesson
        self.kept_ewa: dict[int, tuple[float, bool]] = {}  # slide -> its EWA beta and bias correction

    def go(self, index: int) -> None:
        """Show slide `index` (clipped to the lesson); the current slide's edits are kept."""
        index = max(0, min(index, len(self.lesson.slides) - 1))
        if index == self.index:
            return
        w = self.window
        if self.index >= 0:  # what was changed on this slide stays for when it comes back
            old = self.lesson.slides[self.index]
            if old.scene is not None:
                self.kept[self.index] = copy.deepcopy(w.model.scene)
            if old.ewa is not None:
                self.kept_ewa[self.index] = (w.ewa.beta, w.ewa.bias.isChecked())
        self.index = index
        slide = self.lesson.slides[index]
        w.timeline.pause()
        if slide.scene is not None:
            scene = self.kept.get(index, slide.scene)
            w.model.replace(scene)  # no question about unsaved changes: they are kept above
        tab = {"optimizers": w.playground, "network": w.network, "ewa": w.ewa}[slide.tab]
        w.tabs.setCurrentWidget(tab)
        w.playground.show_views(slide.views)
        inspect = slide.inspect if slide.inspect is not None else w.model.view.inspected
        narrate = slide.narrate or bool(slide.views and "narration" in slide.views)
        w.model.set_view(inspected=inspect, narrate=narrate)
        if slide.ewa is not None:
            beta, bias = self.kept_ewa.get(index, (slide.ewa.beta, slide.ewa.bias_correction))
            w.ewa.set_settings(beta=beta, bias_correction=bias)
        if slide.tab == "optimizers":
            w.model.set_step(min(slide.step, w.model.steps))
            w.timeline.set_speed(slide.speed)
            if slide.autoplay:
                w.timeline.play()
        elif slide.tab == "network" and slide.autoplay:
            w.network.model.start()
        w.strip.show_slide(self.lesson, index)
        w.strip.show()
        w.model.dirty = False
        w._title()
        self.slide_changed.emit(index)
