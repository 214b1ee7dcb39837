"""A million steps in the window: the work runs in the background, the window keeps
answering (no event-loop gap over 100 ms, measured with a timer; the work itself has no
time limit here), and what is drawn is bounded by the pixels, not by the steps."""

import threading
import time

import numpy as np
from PyQt6 import QtCore

BIG = 1_000_000


class Gaps:
    """The longest wait between two ticks of a 5 ms timer: how long the window was deaf."""

    def __init__(self):
        self.gaps = []
        self.last = time.perf_counter()
        self.timer = QtCore.QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self):
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        return max(self.gaps)


def set_steps(window, qtbot, n):
    editor = window.controls.scene_panel.steps
    editor.field.setText(str(n))
    editor.field.editingFinished.emit()
    qtbot.waitUntil(lambda: not window.model.busy and window.model.runs[0].traj.steps_done == n, timeout=300_000)


def test_a_million_steps_keep_the_window_live(window, qtbot):
    """The window answers within 100 ms throughout: a recompute of one optimizer's million
    steps, playback, a recompute of all four, hiding the future at step 500,000. The
    machine is shared, so a stray descheduling can spoil one attempt: the best of three
    must be under 100 ms."""
    set_steps(window, qtbot, BIG)  # the first time also maps the memory: not timed
    slider = window.controls.optimizers.panels[1].editors["lr"].slider
    worst = []
    for attempt in range(3):
        gaps = Gaps()
        slider.setValue(slider.value() - 200)  # recomputes one optimizer's million steps
        assert window.model.busy  # in the background
        qtbot.waitUntil(lambda: not window.model.busy, timeout=300_000)
        window.timeline.play()
        qtbot.wait(300)
        window.timeline.pause()
        set_steps(window, qtbot, BIG - 1 - attempt)  # all four again
        window.model.set_view(hide_future=attempt % 2 == 0)
        window.model.set_step(BIG // 2)
        qtbot.wait(50)
        worst.append(gaps.stop())
        if worst[-1] < 0.100:
            break
    assert min(worst) < 0.100, worst
    # what is drawn is bounded: the route in segments by the pixels, the curves by the plot
    for run in window.model.runs:
        size, pieces = run.traj.route
        assert sum(len(p) for p in pieces) < 100_000
    assert all(len(c.getData()[0]) <= 5_000 for c in window.curves.cost_curves)
    assert window.model.step == BIG // 2


def test_esc_cancels_a_long_computation(window, qtbot):
    before = window.model.runs[0].traj
    steps = window.model.scene.steps
    editor = window.controls.scene_panel.steps
    editor.field.setText(str(BIG))
    editor.field.editingFinished.emit()
    assert window.model.busy
    window.key_escape()
    assert not window.model.busy
    assert window.model.scene.steps == steps  # back to the scene that is shown
    assert window.model.runs[0].traj is before
    assert window.controls.scene_panel.steps.value == steps
    qtbot.wait(200)
    assert window.model.runs[0].traj.steps_done == steps  # the cancelled result never arrives


def test_progress_is_shown_after_half_a_second(window, qtbot):
    set_steps(window, qtbot, BIG)
    window.model.set_steps(BIG - 7)  # computed in the background
    assert window.model.busy.startswith("computing 999,993 steps")
    qtbot.waitUntil(lambda: window.busy.isVisible() or not window.model.busy, timeout=300_000)
    if window.model.busy:
        assert "Esc cancels" in window.busy.text()
    qtbot.waitUntil(lambda: not window.model.busy, timeout=300_000)
    assert not window.busy.isVisible()
    assert np.isfinite(window.model.runs[0].traj.loss[-1])


def test_paths_appear_as_they_are_ready(window, qtbot, monkeypatch):
    """A background computation shows the surface and each path as soon as it is ready.
    Parts that come faster than the window takes them are merged (so they never queue up
    in the GUI thread); to see each one, the next optimizer here starts only once the
    window has shown the last part."""
    import ravine.app.model as model

    shown = threading.Semaphore(1)
    real = model.simulate

    def simulate(scene):
        assert shown.acquire(timeout=60)
        return real(scene)

    monkeypatch.setattr(model, "simulate", simulate)
    seen = []

    def changed():
        seen.append(sum(r.traj.steps_done == 300_000 for r in window.model.runs))
        shown.release()

    window.model.simulation_changed.connect(changed)
    set_steps(window, qtbot, 300_000)  # four optimizers, computed one after another
    assert seen == [1, 2, 3, 4]  # one new path each time (the others as they were)


def test_a_route_wandering_all_over_the_map_stays_readable(window, qtbot):
    """GD at lr 0.3 on rastrigin wanders the whole map for 100,000 steps: its faint route is
    drawn thinner and fainter, and only its latest steps, so the surface shows through."""
    window.open_example("local-optima-rastrigin")
    window.model.wait()
    set_steps(window, qtbot, 100_000)
    window.model.set_param(0, "lr", 0.3)
    qtbot.waitUntil(lambda: not window.model.busy, timeout=300_000)
    run, items = window.model.runs[0], window.map.items[0]
    assert sum(len(p) for p in run.traj.route[1]) > 50_000  # it really does wander
    assert len(items.ghost.getData()[0]) <= 2 * 5_000
    pen = items.ghost.opts["pen"]
    assert pen.color().alpha() < 100 and pen.widthF() <= 1.0
    calm = window.map.items[1].ghost.opts["pen"]  # a run that settles keeps its usual route
    assert calm.color().alpha() == 170
