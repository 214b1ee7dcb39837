"""Your own surface in the window: pick "your own formula", type it, Enter; the paths are
computed in the background and the map shows it; a bad formula is one red line."""

from ravine.landscapes import get_surface


def test_typing_a_formula_makes_it_the_surface(window, qtbot):
    panel = window.controls.scene_panel
    panel.surface.setCurrentIndex(panel.surface.findData("custom"))
    assert panel.formula.isVisible()
    panel.formula.setText("x**2 + 10*sin(y)**2")
    panel.formula.returnPressed.emit()
    name = window.model.scene.surface
    assert get_surface(name).formula == "x**2 + 10*sin(y)**2"
    qtbot.waitUntil(lambda: not window.model.busy, timeout=120_000)
    assert window.model.scene.start == (-3.0, 3.0)
    runs = window.model.runs
    assert len(runs) == 4 and all(r.traj.loss[-1] < r.traj.loss[0] for r in runs)
    assert "your own:  f = x**2 + 10*sin(y)**2" in window.map.plot.titleLabel.text
    assert window.model.dirty


def test_a_bad_formula_is_one_red_line_and_changes_nothing(window, qtbot):
    panel = window.controls.scene_panel
    before = window.model.scene.surface
    panel.surface.setCurrentIndex(panel.surface.findData("custom"))
    panel.formula.setText("x.__class__")
    panel.formula.returnPressed.emit()
    assert window.model.scene.surface == before
    assert panel.formula_error.isVisible() and "attribute access is not allowed" in panel.formula_error.text()
    panel.surface.setCurrentIndex(panel.surface.findData("booth"))
    assert window.model.scene.surface == "booth" and not panel.formula_error.isVisible()
