"""Every registered surface: analytic gradient vs finite differences, minima, metadata."""

import math

import numpy as np
import pytest

from ravine.landscapes import SURFACES, get_surface

NAMES = list(SURFACES)


def test_registry_has_the_required_surfaces():
    required = {"elongated_bowl", "saddle", "monkey_saddle", "plateau", "rosenbrock", "beale",
                "himmelblau", "booth", "six_hump_camel", "rastrigin"}
    assert required <= set(SURFACES)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    surf = SURFACES[name]
    rng = np.random.default_rng(1)
    (x0, x1), (y0, y1) = surf.domain
    variants = [{}] + [{p.name: (p.lo + p.hi) / 3 if p.hi else p.default * 2} for p in surf.params]
    for values in variants:
        p = surf.packed(values)
        for _ in range(25):
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            gx, gy = surf.grad(x, y, p)
            h = 1e-6
            fx = (surf.value(x + h, y, p) - surf.value(x - h, y, p)) / (2 * h)
            fy = (surf.value(x, y + h, p) - surf.value(x, y - h, p)) / (2 * h)
            scale = max(1.0, abs(surf.value(x, y, p))) * 1e-6
            assert gx == pytest.approx(fx, rel=1e-5, abs=scale), (name, values, x, y)
            assert gy == pytest.approx(fy, rel=1e-5, abs=scale), (name, values, x, y)


@pytest.mark.parametrize("name", [n for n in NAMES if SURFACES[n].minima])
def test_minima_are_stationary_points(name):
    surf = SURFACES[name]
    p = surf.packed()
    for x, y in surf.minima:
        gx, gy = surf.grad(x, y, p)
        assert math.hypot(gx, gy) < 1e-4, (name, x, y, gx, gy)


@pytest.mark.parametrize("name", NAMES)
def test_metadata_is_sensible(name):
    surf = SURFACES[name]
    (x0, x1), (y0, y1) = surf.domain
    assert x0 < x1 and y0 < y1
    assert x0 <= surf.start[0] <= x1 and y0 <= surf.start[1] <= y1
    assert surf.description and "\n" not in surf.description
    for x, y in surf.minima:
        assert x0 <= x <= x1 and y0 <= y <= y1


def test_known_values_from_the_literature():
    assert get_surface("rosenbrock").value(1.0, 1.0, np.empty(0)) == 0.0
    assert get_surface("beale").value(3.0, 0.5, np.empty(0)) == 0.0
    assert get_surface("booth").value(1.0, 3.0, np.empty(0)) == 0.0
    assert get_surface("himmelblau").value(3.0, 2.0, np.empty(0)) == 0.0
    camel = get_surface("six_hump_camel")
    assert camel.min_value() == pytest.approx(-1.0316, abs=1e-4)
    rastrigin = get_surface("rastrigin")
    assert rastrigin.value(0.0, 0.0, rastrigin.packed()) == 0.0
    # the elongated bowl's condition number: curvature 1 along x, kappa across
    bowl = get_surface("elongated_bowl")
    p = bowl.packed({"kappa": 25.0})
    assert bowl.value(1.0, 0.0, p) == pytest.approx(0.5)
    assert bowl.value(0.0, 1.0, p) == pytest.approx(12.5)
    # rotated by 90 degrees, the steep axis becomes x
    p90 = bowl.packed({"kappa": 25.0, "angle": 90.0})
    assert bowl.value(1.0, 0.0, p90) == pytest.approx(12.5)


def test_plateau_is_flat_far_from_the_well():
    plateau = get_surface("plateau")
    p = plateau.packed()
    gx, gy = plateau.grad(1.5, 1.2, p)
    assert 0 < math.hypot(gx, gy) < 1e-2
    assert plateau.value(1.5, 1.2, p) > 0.99


def test_unknown_surface_names_the_choices():
    with pytest.raises(KeyError, match="rosenbrock"):
        get_surface("nope")
