"""Lessons in the window: slides, keys, kept edits, and the built-in lesson."""

import pytest
from PyQt6 import QtCore, QtWidgets

from ravine.app.window import MainWindow
from ravine.core import load_example
from ravine.core.lesson import load_builtin_lesson, loads_lesson

LESSON = """
title = "test lesson"
[[slides]]
title = "Momentum, narrated"
text = "v = beta*v + (1-beta)*dW"
scene = "momentum-ravine"
views = ["map", "cost", "narration"]
inspect = "Momentum"
step = 5
speed = 4

[[slides]]
title = "Averages"
text = "beta 0.98 with bias correction"
tab = "ewa"
[slides.ewa]
beta = 0.98
bias_correction = true

[[slides]]
title = "The camel"
scene = "local-optima-camel"
step = "end"
"""


@pytest.fixture
def lesson_window(qtbot, monkeypatch):
    def never(*a, **k):
        raise AssertionError("a lesson must never ask about unsaved changes")

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", never)
    win = MainWindow(load_example("momentum-ravine"))
    win.ask_before_discarding = True
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.open_lesson(loads_lesson(LESSON, "test"))
    win.model.wait()
    return win


def test_a_slide_sets_up_the_window(lesson_window):
    w = lesson_window
    assert w.strip.isVisible() and "Momentum, narrated" in w.strip.label.text() and "1 / 3" in w.strip.label.text()
    assert w.tabs.currentWidget() is w.playground
    assert w.model.view.inspected == "Momentum" and w.model.view.narrate
    assert w.model.step == 5
    assert w.timeline.speed.currentData() == 4
    assert w.map.isVisible() and w.inspector.isVisible()
    assert w.curves.cost in w.curves.ci.items and w.curves.lr not in w.curves.ci.items


def test_pagedown_pageup_and_arrows_at_the_ends_move_between_slides(lesson_window, qtbot):
    w = lesson_window
    qtbot.keyClick(w, QtCore.Qt.Key.Key_PageDown)
    w.model.wait()
    assert w.lesson.index == 1 and w.tabs.currentWidget() is w.ewa
    assert w.ewa.beta == 0.98 and w.ewa.bias.isChecked()
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Right)  # no timeline on the EWA tab: the next slide
    assert w.lesson.index == 2 and w.model.scene.surface == "six_hump_camel"
    assert w.model.step == w.model.steps  # "end"
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Right)  # at the last step of the last slide: stays
    assert w.lesson.index == 2
    qtbot.keyClick(w, QtCore.Qt.Key.Key_PageUp)
    w.model.wait()
    qtbot.keyClick(w, QtCore.Qt.Key.Key_PageUp)
    w.model.wait()
    assert w.lesson.index == 0 and w.model.scene.surface == "elongated_bowl"
    w.model.set_step(w.model.steps)
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Right)  # last step: next slide
    assert w.lesson.index == 1
    w.model.set_step(3)


def test_edits_on_a_slide_are_kept_until_the_lesson_is_reopened(lesson_window, qtbot):
    w = lesson_window
    w.model.set_param(1, "lr", 0.123)
    assert w.model.dirty
    w.slide_by(2)
    w.model.wait()
    w.slide_by(-2)
    w.model.wait()
    assert w.model.scene.optimizers[1].params["lr"] == 0.123
    w.open_lesson(w.lesson.lesson)  # opened again: as written
    w.model.wait()
    assert w.model.scene.optimizers[1].params["lr"] != 0.123


def test_opening_a_scene_ends_the_lesson(lesson_window):
    w = lesson_window
    w.open_example("rosenbrock-valley")
    w.model.wait()
    assert w.lesson is None and not w.strip.isVisible()
    assert w.curves.lr in w.curves.ci.items


def test_the_built_in_lesson_walks_through(qtbot):
    lesson = load_builtin_lesson("optimization")
    assert len(lesson.slides) >= 10
    win = MainWindow(load_example("momentum-ravine"))
    qtbot.addWidget(win)
    win.open_lesson(lesson)
    win.model.wait()
    seen = set()
    for i in range(len(lesson.slides)):
        win.lesson.go(i)
        win.model.wait()
        seen.add(win.tabs.currentWidget())
        assert lesson.slides[i].title in win.strip.label.text()
        win.network.model.stop()
    assert {win.playground, win.network, win.ewa} <= seen
