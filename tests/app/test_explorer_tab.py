"""The Explorers tab on the scene model: computed in a worker, redrawn as the scene changes,
a clicked cell sets the optimizer, the tuned lrs race; mistakes are one red line."""

import numpy as np
import pytest

from ravine.app.explorer_tab import ExplorerTab
from ravine.app.model import SceneModel
from ravine.core import load_example


@pytest.fixture
def tab(qtbot):
    model = SceneModel(load_example("momentum-ravine"), background=True)
    assert model.wait()
    t = ExplorerTab(model)
    qtbot.addWidget(t)
    t.resize(1400, 800)
    t.show()
    qtbot.waitExposed(t)
    return t


def choose(combo, data):
    combo.setCurrentIndex(combo.findData(data))


def test_a_map_is_computed_in_the_background_and_a_click_sets_the_optimizer(tab, qtbot):
    choose(tab.optimizer, 1)  # Momentum
    tab.x_axis.setText("lr:0.01:0.5:log:12")
    tab.y_axis.setText("beta:0:0.95:log1m:8")
    tab.steps.setValue(400)
    tab.request()
    assert tab.wait()
    mode, m = tab.result
    assert mode == "map" and m.final_loss.shape == (8, 12) and m.label == "Momentum"
    i, j = np.argwhere(m.steps_to_tol >= 0)[0]
    tab.use_cell(i, j)
    cfg = tab.model.scene.optimizers[1]
    assert cfg.params["lr"] == m.xs[j] and cfg.params["beta"] == m.ys[i]
    assert "steps to tolerance" in tab.map_view.describe(i, j)


def test_moving_the_start_recomputes(tab, qtbot):
    tab.steps.setValue(100)
    assert tab.wait()
    before = tab.result[1].final_loss.copy()
    tab.model.set_start(0.5, -1.0)
    qtbot.waitUntil(lambda: tab.busy or tab._timer.isActive(), timeout=5000)
    assert tab.wait()
    assert not np.array_equal(tab.result[1].final_loss, before)


def test_basins_and_the_fair_race(tab, qtbot):
    choose(tab.mode, "basins")
    tab.grid.setValue(16)
    assert tab.wait() and tab.result[0] == "basins" and tab.result[1].minimum.shape == (16, 16)
    choose(tab.mode, "tune")
    assert tab.wait() and tab.result[0] == "tune"
    tab.race_with_tuned()
    assert [c.params["lr"] for c in tab.model.scene.optimizers] == [r.best_lr for r in tab.result[1]]


def test_a_bad_axis_is_one_red_line(tab, qtbot):
    assert tab.wait()
    tab.x_axis.setText("lr:0:1:log:8")
    tab.compute()
    assert tab.error.isVisible() and tab.error.text().startswith("x axis: lr: must be a number > 0")


def test_the_window_has_the_tab_and_computes_only_when_it_is_shown(window, qtbot):
    tab = window.explorers
    assert window.tabs.indexOf(tab) >= 0 and tab.result is None and not tab.busy
    window.tabs.setCurrentWidget(tab)
    assert window.controls.isVisible()  # the start and the settings stay at hand
    assert tab.wait() and tab.result[0] == "map"
    window.set_presentation(True)
    assert not tab.controls.isVisible()  # F6 brings them back, as on the other tabs
    window.toggle_controls()
    assert tab.controls.isVisible()
    window.set_presentation(False)


def test_gd_sweeps_lr_alone_as_a_curve(tab, qtbot):
    choose(tab.optimizer, 0)  # GD: lr alone
    assert not tab.y_axis.isEnabled() and tab.y_axis.text() == ""
    tab.steps.setValue(600)
    assert tab.wait()
    m = tab.result[1]
    assert m.y is None and not tab.map_view.image.isVisible()
    xs, ys = tab.map_view.curve.getData()
    assert len(xs) == (m.steps_to_tol[0] >= 0).sum() > 0
    j = int(np.argmax(m.steps_to_tol[0] >= 0))
    cell = tab.map_view.cell_at(float(np.log10(m.xs[j])), 0.0)
    assert cell == (0, j)
    tab.use_cell(*cell)
    assert tab.model.scene.optimizers[0].params["lr"] == m.xs[j]
