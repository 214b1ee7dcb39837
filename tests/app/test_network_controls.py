"""The Network tab's controls: a schedule editor per configuration with the learning rate
per epoch drawn, each configuration's own batch size and seed, the network's random draws,
and adding and removing configurations without moving anyone's colour."""

import numpy as np
import pytest

from ravine.app.style import series_colors
from ravine.core import load_example
from ravine.core.training import NETWORK_PARAMS
from tests.app.conftest import make_window

HAS = {p.name for p in NETWORK_PARAMS}


@pytest.fixture
def win(netwin):
    return netwin


def lr_drawn(tab, i):
    return tab.curves.items[i]["lr"].yData


def test_each_configuration_has_a_schedule_editor_and_its_lr_is_drawn(win, qtbot):
    tab = win.network
    panel = tab.controls.panels[0]
    assert panel.schedule.currentText() == "constant" and not panel.schedule_editors
    np.testing.assert_allclose(lr_drawn(tab, 0), 0.1)  # before any training: the plan
    assert list(tab.curves.items[0]["lr"].xData[[0, -1]]) == [1, 400]  # (a constant: its two ends)
    panel.schedule.setCurrentText("fixed_interval")
    qtbot.waitUntil(lambda: tab.model.spec.configs[0].schedule["kind"] == "fixed_interval")
    assert set(panel.schedule_editors) == {"decay_rate", "interval"}  # a network's counts epochs itself
    assert tab.controls.panels[0] is panel  # updated in place
    interval = panel.schedule_editors["interval"]
    interval.field.setText("100")
    interval.field.editingFinished.emit()
    assert tab.model.spec.configs[0].schedule["interval"] == 100
    assert win.model.scene.network.configs[0].schedule["interval"] == 100 and win.model.dirty
    assert tab.wait()
    lr, x = lr_drawn(tab, 0), tab.curves.items[0]["lr"].xData
    assert lr[0] == pytest.approx(0.1) and lr[-1] == pytest.approx(0.1 / (1 + 4)) and lr[-1] < lr[0]
    np.testing.assert_allclose(lr, tab.model.trainer.lr_table[0][x.astype(int) - 1])  # the rates it trains with
    assert len(np.unique(lr)) == 5  # the staircase's five steps


def test_the_course_decay_is_visible(qtbot):
    w = make_window(qtbot, load_example("course-decay"))
    try:
        tab = w.network
        assert tab.wait()
        for i, panel in enumerate(tab.controls.panels):
            assert panel.schedule.currentText() == "fixed_interval"
            assert panel.schedule_editors["interval"].value == 1000
            lr = lr_drawn(tab, i)
            assert lr.max() / lr.min() == pytest.approx(5.0, rel=0.01)  # 1/(1 + 4) by epoch 5000
        lo, hi = tab.curves.plots["lr"].viewRange()[1]
        assert hi - lo > np.log10(5.0)  # the drops are on the axis, not flattened
    finally:
        w.network.model.close()


def test_schedule_values_are_checked_inline(win, qtbot):
    tab = win.network
    panel = tab.controls.panels[1]
    panel.schedule.setCurrentText("piecewise")
    qtbot.waitUntil(lambda: tab.model.spec.configs[1].schedule["kind"] == "piecewise")
    values = panel.schedule_editors["values"]
    values.field.setText("1, 0.1")
    values.field.editingFinished.emit()
    assert "one more entry than boundaries" in values.error.text()
    assert tab.model.spec.configs[1].schedule["values"] == [1.0, 0.1, 0.01]


def test_own_batch_size_and_seed(win, qtbot):
    tab = win.network
    panel = tab.controls.panels[1]
    batch = panel.own["batch_size"]
    assert not batch.own.isChecked() and not batch.editor.isEnabled() and batch.editor.value == 32
    batch.own.setChecked(True)
    batch.editor.field.setText("8")
    batch.editor.field.editingFinished.emit()
    assert tab.model.spec.configs[1].batch_size == 8
    assert [r.batch_size for r in tab.model.trainer.runs()] == [32, 8]
    assert tab.wait()
    assert "(batch&nbsp;8)" in tab.boundaries.titles()[1]
    batch.editor.field.setText("1000")  # more than the 160 training examples
    batch.editor.field.editingFinished.emit()
    assert "[1, 160]" in batch.editor.error.text() and tab.model.spec.configs[1].batch_size == 8
    batch.own.setChecked(False)
    assert tab.model.spec.configs[1].batch_size is None and batch.editor.value == 32
    seed = panel.own["seed"]
    seed.own.setChecked(True)
    seed.editor.field.setText("7")
    seed.editor.field.editingFinished.emit()
    assert tab.model.spec.configs[1].seed == 7
    from ravine.core.network import he_init

    assert tab.wait()
    np.testing.assert_array_equal(tab.model.runs[1].snapshots[0], he_init([2, 5, 2, 1], 7))
    # the network's seed changes what a configuration without its own uses, not the others
    tab.controls.data.editors["seed"].field.setText("4")
    tab.controls.data.editors["seed"].field.editingFinished.emit()
    assert panel.own["seed"].editor.value == 7 and tab.controls.panels[0].own["seed"].editor.value == 4


@pytest.mark.skipif(not {"random", "shuffle_seed", "decay_after_epoch"} <= HAS, reason="core without them yet")
def test_random_draws_shuffle_seed_and_decay_timing(win, qtbot):
    tab = win.network
    data = tab.controls.data
    random, shuffle, decay = data.editors["random"], data.editors["shuffle_seed"], data.editors["decay_after_epoch"]
    assert random.combo is not None and random.combo.currentText() == "ravine"
    assert [random.combo.itemText(i) for i in range(random.combo.count())] == ["ravine", "legacy"]
    assert not shuffle.isEnabled()  # a seed of the course's shuffles only
    random.combo.setCurrentText("legacy")
    assert tab.model.spec.random == "legacy" and shuffle.isEnabled()
    shuffle.field.setText("3")
    shuffle.field.editingFinished.emit()
    assert tab.model.spec.shuffle_seed == 3
    assert decay.check is not None and not decay.check.isChecked()
    decay.check.setChecked(True)
    assert tab.model.spec.decay_after_epoch
    assert tab.wait()
    assert lr_drawn(tab, 0)[0] == pytest.approx(0.1)
    random.combo.setCurrentText("ravine")
    assert not shuffle.isEnabled()
    assert win.model.scene.network.random == "ravine" and win.model.scene.network.decay_after_epoch


def test_adding_and_removing_keep_everyones_colour(win, qtbot):
    tab = win.network
    before = series_colors(tab.model.spec.configs)
    tab.controls.add.click()
    assert [c.label for c in tab.model.spec.configs] == ["GD", "Adam", "Adam 2"]
    after = series_colors(tab.model.spec.configs)
    assert after[:2] == before and after[2] not in before
    assert len(tab.controls.panels) == 3 and len(tab.boundaries.plots) == 3
    tab.controls.panels[0].remove.click()
    qtbot.waitUntil(lambda: len(tab.model.spec.configs) == 2)
    assert series_colors(tab.model.spec.configs) == after[1:]
    assert [c.label for c in tab.model.spec.configs] == ["Adam", "Adam 2"]


def test_kind_change_renames_a_label_that_named_the_kind(win, qtbot):
    tab = win.network
    panel = tab.controls.panels[0]
    panel.kind.setCurrentText("rmsprop")
    qtbot.waitUntil(lambda: tab.model.spec.configs[0].kind == "rmsprop")
    assert tab.model.spec.configs[0].label == "RMSprop"
    assert set(panel.hyper) == {"lr", "beta2", "eps"} or "lr" in panel.hyper
    assert tab.model.spec.configs[0].params["lr"] == 0.1  # kept across kinds


def test_disabling_a_configuration_trains_the_others(win, qtbot):
    tab = win.network
    colors = series_colors(tab.model.spec.configs)
    tab.controls.panels[0].enabled.setChecked(False)
    assert [r.label for r in tab.model.trainer.runs()] == ["Adam"]
    assert len(tab.boundaries.plots) == 1
    assert f"color:{colors[1]}" in tab.boundaries.titles()[0]  # no colour moved
    tab.controls.panels[1].enabled.setChecked(False)  # not the last one
    assert "at least one enabled" in tab.controls.panels[1].error.text()
    assert tab.model.spec.configs[1].enabled
