"""A surface typed as a formula: compiled like a built-in one, its gradient checked by finite
differences, usable by the engines by name, and without touching the built-in kernels."""

import numpy as np
import pytest

from ravine.core import simulate_batch
from ravine.core import kernels as K
from ravine.core.custom import custom_surface
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import SceneError
from ravine.landscapes import SURFACES


@pytest.mark.parametrize("text", ["x**2 + 10*sin(y)**2", "(1 - x)**2 + 100*(y - x**2)**2",
                                  "log(1 + x**2 + y**2) - exp(-x*y)/3 + tanh(x - y)"])
def test_the_compiled_gradient_agrees_with_finite_differences(text):
    surf = custom_surface(text)
    p = surf.packed()
    h = 1e-6
    for x, y in np.random.default_rng(2).uniform(-2, 2, (25, 2)):
        gx, gy = surf.grad(x, y, p)
        assert gx == pytest.approx((surf.value(x + h, y, p) - surf.value(x - h, y, p)) / (2 * h), rel=1e-6, abs=1e-5)
        assert gy == pytest.approx((surf.value(x, y + h, p) - surf.value(x, y - h, p)) / (2 * h), rel=1e-6, abs=1e-5)


def test_gradient_descent_on_a_typed_bowl_is_the_closed_form():
    """f = a x^2 + b y^2: GD multiplies x by (1 - 2 a lr) and y by (1 - 2 b lr) each step."""
    surf = custom_surface("a*x**2 + b*y**2", {"a": 1.0, "b": 4.0}, domain=((-3, 3), (-3, 3)), start=(2.0, 1.5))
    assert surf.name in SURFACES and surf.start == (2.0, 1.5)
    r = simulate_batch(surf.name, "gd", [surf.start], 20, lr=0.05, record=True)
    t = np.arange(21)
    np.testing.assert_allclose(r.path[0, :, 0], 2.0 * (1 - 2 * 1.0 * 0.05) ** t, rtol=1e-13)
    np.testing.assert_allclose(r.path[0, :, 1], 1.5 * (1 - 2 * 4.0 * 0.05) ** t, rtol=1e-13)
    other = simulate_batch(surf.name, "gd", [surf.start], 20, lr=0.05, surface_params={"b": 2.0}, record=True)
    np.testing.assert_allclose(other.path[0, :, 1], 1.5 * (1 - 2 * 2.0 * 0.05) ** t, rtol=1e-13)


def test_the_same_formula_is_the_same_surface_and_builtins_are_untouched():
    before = K.trajectory_source(SURFACES["rosenbrock"], OPTIMIZERS["adam"])
    deps = K._dependencies_digest(K._registry_modules())
    a = custom_surface("x**4 - x**2 + y**2")
    assert custom_surface("x**4 - x**2 + y**2") is a
    assert custom_surface("x**4 - x**2 + 2*y**2").name != a.name
    assert K._dependencies_digest(K._registry_modules()) == deps  # the built-in kernels' cache keys
    assert K.trajectory_source(SURFACES["rosenbrock"], OPTIMIZERS["adam"]) == before


@pytest.mark.parametrize("args, message", [
    (("x +",), r"expression: not a formula"),
    (("x + k", {"x": 1.0}), r"surface_params: 'x' cannot name a parameter"),
    (("x + k", {"k": "big"}), r"surface_params.k: must be a number"),
    (("x + y", None, ((1, 0), (0, 1))), r"domain: each axis must go from a lower to a higher value"),
    (("x + y", None, 5), r"domain: must be \[\[x0, x1\], \[y0, y1\]\]"),
])
def test_bad_surfaces_are_one_line(args, message):
    with pytest.raises(SceneError, match=message):
        custom_surface(*args)


SCENE = """
title = "mine"
surface = "custom"
expression = "a*x**2 + 10*sin(y)**2"
domain = [[-3, 3], [-3, 3]]
start = [2.5, 2.0]
steps = 100

[surface_params]
a = 1.5

[[optimizers]]
kind = "adam"
lr = 0.05
"""


def test_a_scene_names_its_own_formula_and_saves_it_back():
    from ravine.core import simulate
    from ravine.core.scene import dumps_scene, loads_scene

    scene = loads_scene(SCENE)
    surf = SURFACES[scene.surface]
    assert surf.formula == "a*x**2 + 10*sin(y)**2" and surf.domain == ((-3.0, 3.0), (-3.0, 3.0))
    assert scene.surface_params == {"a": 1.5} and scene.start == (2.5, 2.0)
    text = dumps_scene(scene)
    assert 'surface = "custom"' in text and 'expression = "a*x**2 + 10*sin(y)**2"' in text
    assert loads_scene(text) == scene
    path = simulate(scene)[0].path
    assert np.isfinite(path).all() and len(path) == 101


@pytest.mark.parametrize("change, message", [
    (("a*x**2", "__import__('os')"), r"s.toml: expression: position 1: calling '__import__' is not allowed"),
    (('surface = "custom"', 'surface = "booth"'), r"s.toml: expression: only for surface = \"custom\""),
    (('expression = "a*x**2 + 10*sin(y)**2"\n', ""), r"s.toml: expression: missing"),
    (("[[-3, 3], [-3, 3]]", "[[3, -3], [-3, 3]]"), r"s.toml: domain: each axis must go from a lower"),
    (("a = 1.5", 'a = "big"'), r"s.toml: surface_params.a: must be a number"),
    (("a*x**2", "b*x**2"), r"s.toml: expression: position 1: the name 'b' is not allowed \(allowed: numbers, x, y, a,"),
])
def test_bad_custom_scenes_are_one_line(change, message):
    from ravine.core.scene import loads_scene

    with pytest.raises(SceneError, match=message) as info:
        loads_scene(SCENE.replace(*change), "s.toml")
    assert "\n" not in str(info.value)


def test_declared_minima_give_the_loss_criterion_and_are_saved():
    from ravine.core.scene import dumps_scene, loads_scene

    text = SCENE.replace('domain = [[-3, 3], [-3, 3]]', 'domain = [[-3, 3], [-3, 3]]\nminima = [[0, 0]]')
    scene = loads_scene(text)
    assert SURFACES[scene.surface].min_value(scene.surface_params) == 0.0
    assert "minima = [[0.0, 0.0]]" in dumps_scene(scene) and loads_scene(dumps_scene(scene)) == scene
    r = simulate_batch(scene.surface, "adam", [scene.start], 400, lr=0.05, surface_params=scene.surface_params,
                       tol=1e-8)
    assert r.steps_to_tol[0] > 0
    with pytest.raises(SceneError, match=r"s.toml: minima: must be a list of points"):
        loads_scene(text.replace("minima = [[0, 0]]", "minima = 3"), "s.toml")
