"""Critical points of every registered surface.

The declared points (`Surface.critical`) and the ones `Surface.critical_points` follows to other
parameter values are checked here independently of the module: the gradient at each point, the
Hessian from central differences of `value` (not of `grad`), and a dense Newton search from a
grid of starts that must find exactly the same set.
"""

import math
from collections import Counter

import numpy as np
import pytest

from ravine.landscapes import SURFACES, get_surface
from ravine.landscapes._surface import KINDS, CriticalPoint

NAMES = list(SURFACES)
WITH_PARAMS = [n for n in NAMES if SURFACES[n].params]


def size_of(surf):
    (x0, x1), (y0, y1) = surf.domain
    return max(x1 - x0, y1 - y0)


def inside(surf, x, y):
    (x0, x1), (y0, y1) = surf.domain
    return x0 <= x <= x1 and y0 <= y <= y1


def grad_scale(surf, p):
    """The largest |grad f| on a 21 x 21 grid over the domain."""
    (x0, x1), (y0, y1) = surf.domain
    return max(math.hypot(*surf.grad(x, y, p))
               for x in np.linspace(x0, x1, 21) for y in np.linspace(y0, y1, 21))


def value_hessian(surf, x, y, p):
    """The Hessian of f from central differences of f itself."""
    h = 1e-4 * size_of(surf)
    f = lambda dx, dy: surf.value(x + dx, y + dy, p)  # noqa: E731
    fxx = (f(h, 0) - 2 * f(0, 0) + f(-h, 0)) / h**2
    fyy = (f(0, h) - 2 * f(0, 0) + f(0, -h)) / h**2
    fxy = (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h**2)
    return np.array([[fxx, fxy], [fxy, fyy]])


def shape_at(surf, x, y, p):
    """'minimum', 'max' or 'saddle' from the value Hessian's eigenvalues; where one is about
    zero, from the signs of f - f(x, y) on a small circle (three sign changes: monkey saddle)."""
    eig = np.linalg.eigvalsh(value_hessian(surf, x, y, p))
    if np.abs(eig).min() > 1e-5 * grad_scale(surf, p) / size_of(surf):
        return "minimum" if eig[0] > 0 else "max" if eig[1] < 0 else "saddle"
    r = 1e-2 * size_of(surf)
    d = [surf.value(x + r * math.cos(t), y + r * math.sin(t), p) - surf.value(x, y, p)
         for t in np.linspace(0, 2 * math.pi, 36, endpoint=False)]
    return "minimum" if min(d) > 0 else "max" if max(d) < 0 else "saddle"


def newton_search(surf, p, n):
    """Every critical point that Newton (Hessian from differences of grad, step capped at a tenth
    of the domain) reaches from an n x n grid of starts: converged, inside the domain, merged."""
    (x0, x1), (y0, y1) = surf.domain
    size = size_of(surf)
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    z = np.column_stack([gx.ravel(), gy.ravel()])
    h = 1e-6 * size

    def grads(pts):
        return np.array([surf.grad(x, y, p) for x, y in pts.tolist()]).reshape(-1, 2)

    converged = np.zeros(len(z), dtype=bool)
    active = np.ones(len(z), dtype=bool)
    for _ in range(120):
        i = np.flatnonzero(active)
        if len(i) == 0:
            break
        g = grads(z[i])
        hx = (grads(z[i] + [h, 0]) - grads(z[i] - [h, 0])) / (2 * h)
        hy = (grads(z[i] + [0, h]) - grads(z[i] - [0, h])) / (2 * h)
        H = np.stack([hx, hy], axis=2)
        step = -np.einsum("nij,nj->ni", np.linalg.pinv(H), g)
        norm = np.hypot(step[:, 0], step[:, 1])
        step *= np.minimum(1.0, 0.1 * size / np.maximum(norm, 1e-300))[:, None]
        z[i] += step
        gone = ~np.isfinite(z[i]).all(axis=1) | (np.abs(z[i] - [(x0 + x1) / 2, (y0 + y1) / 2])
                                                 > size).any(axis=1)
        done = np.hypot(step[:, 0], step[:, 1]) <= 1e-13 * size
        converged[i[done & ~gone]] = True
        active[i[done | gone]] = False
    gscale = grad_scale(surf, p)
    found = []
    for x, y in z[converged].tolist():
        if inside(surf, x, y) and math.hypot(*surf.grad(x, y, p)) <= 1e-8 * gscale:
            if all(math.hypot(x - u, y - v) > 1e-5 * size for u, v in found):
                found.append((x, y))
    return found


def same_points(surf, a, b):
    """Whether the point lists a and b match one to one within 1e-5 of the domain size."""
    tol = 1e-5 * size_of(surf)
    if len(a) != len(b):
        return False
    return all(any(math.hypot(x - u, y - v) <= tol for u, v in b) for x, y in a)


def variants(surf):
    """Two values per parameter: 0.3x and 3x the default (or a third of the range from each end
    where the default is 0), clipped to the bounds."""
    out = []
    for prm in surf.params:
        if prm.default:
            values = [0.3 * prm.default, 3 * prm.default]
        else:
            values = [prm.lo + (prm.hi - prm.lo) / 3, prm.lo + 2 * (prm.hi - prm.lo) / 3]
        out += [{prm.name: float(np.clip(v, prm.lo, prm.hi))} for v in values]
    return out


def check_points(surf, points, p):
    """Each point is critical, inside the domain, classified by its value Hessian, no two alike,
    and "min" marks the lowest minima."""
    assert points, surf.name
    gscale = grad_scale(surf, p)
    for cp in points:
        assert isinstance(cp, CriticalPoint) and cp.kind in KINDS
        assert inside(surf, cp.x, cp.y), (surf.name, cp)
        assert math.hypot(*surf.grad(cp.x, cp.y, p)) <= 1e-6 * gscale, (surf.name, cp)
        shape = shape_at(surf, cp.x, cp.y, p)
        assert shape == ("minimum" if cp.kind in ("min", "local_min") else cp.kind), (
            surf.name, cp, shape)
    xy = [(cp.x, cp.y) for cp in points]
    for i, (x, y) in enumerate(xy):
        assert all(math.hypot(x - u, y - v) > 1e-6 * size_of(surf) for u, v in xy[:i])
    lows = [surf.value(cp.x, cp.y, p) for cp in points if cp.kind == "min"]
    locals_ = [surf.value(cp.x, cp.y, p) for cp in points if cp.kind == "local_min"]
    if locals_:
        assert lows and max(lows) < min(locals_), surf.name
    if lows:
        assert max(lows) - min(lows) <= 1e-9 * max(1.0, abs(min(lows))), surf.name


@pytest.mark.parametrize("name", NAMES)
def test_declared_points_are_critical_and_classified(name):
    surf = SURFACES[name]
    p = surf.packed()
    assert surf.critical, f"{name} declares no critical points"
    points = [CriticalPoint(x, y, kind) for x, y, kind in surf.critical]
    check_points(surf, points, p)


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_the_declared_global_minima(name):
    surf = SURFACES[name]
    declared = [(x, y) for x, y, kind in surf.critical if kind == "min"]
    assert same_points(surf, list(surf.minima), declared), name


@pytest.mark.parametrize("name", NAMES)
def test_defaults_give_the_declared_points_refined(name):
    surf = SURFACES[name]
    found = surf.critical_points()
    assert Counter(cp.kind for cp in found) == Counter(k for *_, k in surf.critical)
    for x, y, kind in surf.critical:
        assert any(cp.kind == kind and math.hypot(cp.x - x, cp.y - y) <= 1e-5 * size_of(surf)
                   for cp in found), (name, x, y, kind)
    check_points(surf, found, surf.packed())
    for cp in found:  # refined: closer to grad = 0 than the tolerance above
        assert math.hypot(*surf.grad(cp.x, cp.y, surf.packed())) <= 1e-8 * grad_scale(
            surf, surf.packed())


@pytest.mark.parametrize("name", NAMES)
def test_a_dense_newton_search_finds_exactly_the_declared_points(name):
    surf = SURFACES[name]
    found = newton_search(surf, surf.packed(), 91 if name == "rastrigin" else 61)
    assert same_points(surf, found, [(x, y) for x, y, _ in surf.critical]), (
        name, len(found), len(surf.critical))


def test_surfaces_with_several_minima_declare_the_expected_counts():
    def counts(name):
        return Counter(k for *_, k in get_surface(name).critical)

    assert counts("himmelblau") == {"min": 4, "max": 1, "saddle": 4}
    assert counts("six_hump_camel") == {"min": 2, "local_min": 4, "saddle": 7, "max": 2}
    assert counts("rastrigin") == {"min": 1, "local_min": 80, "saddle": 144, "max": 64}
    assert counts("beale") == {"min": 1, "saddle": 2}
    # himmelblau's local maximum from the literature
    assert any(kind == "max" and abs(x + 0.270845) < 1e-6 and abs(y + 0.923039) < 1e-6
               for x, y, kind in get_surface("himmelblau").critical)


def test_beale_critical_points_from_its_polynomial_system():
    """df/dy = 2x (a + 2by + 3cy^2) = 0: either x = 0 (then df/dx = 0 at y = 1 only), or x solves
    the linear equation a + 2by + 3cy^2 = 0 and df/dx = 0 is a polynomial in y."""
    P = np.polynomial.Polynomial
    y = P([0.0, 1.0])
    n0 = 1.5 + 4.5 * y + 7.875 * y**2  # a + 2by + 3cy^2 = n0 + x n1
    n1 = (y - 1) + 2 * y * (y**2 - 1) + 3 * y**2 * (y**3 - 1)
    m0 = 1.5 * (y - 1) + 2.25 * (y**2 - 1) + 2.625 * (y**3 - 1)  # df/dx / 2 = m0 + x m1
    m1 = (y - 1) ** 2 + (y**2 - 1) ** 2 + (y**3 - 1) ** 2
    expected = [(0.0, 1.0)]
    for r in (m0 * n1 - n0 * m1).roots():
        if abs(r.imag) < 1e-9 and n1(r.real) != 0:
            x = -n0(r.real) / n1(r.real)
            if inside(get_surface("beale"), x, r.real):
                expected.append((x, r.real))
    beale = get_surface("beale")
    assert same_points(beale, expected, [(x, y) for x, y, _ in beale.critical])


def rastrigin_reference(amplitude):
    """Rastrigin's critical points from its 1-D derivative's roots (f is separable): bisection on
    the sign changes of df/dx(t, 0) over a fine grid; a - to + change is a 1-D minimum."""
    surf = get_surface("rastrigin")
    p = surf.packed({"amplitude": amplitude})
    d = lambda t: surf.grad(t, 0.0, p)[0]  # noqa: E731
    (lo, hi), _ = surf.domain
    t = np.linspace(lo, hi, 9000)  # no grid point at 0 or at a half-integer
    g = np.array([d(v) for v in t])
    roots = []
    for i in np.flatnonzero(np.sign(g[:-1]) != np.sign(g[1:])):
        a, b = t[i], t[i + 1]
        for _ in range(60):
            m = 0.5 * (a + b)
            a, b = (m, b) if np.sign(d(m)) == np.sign(g[i]) else (a, m)
        roots.append((0.5 * (a + b), g[i] < 0))
    out = []
    for x, x_min in roots:
        for y, y_min in roots:
            kind = ("local_min" if x_min and y_min else "max" if not (x_min or y_min)
                    else "saddle")
            out.append((x, y, kind))
    return out


@pytest.mark.parametrize("amplitude", [0.0, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0])
def test_rastrigin_follows_its_amplitude(amplitude):
    surf = get_surface("rastrigin")
    p = surf.packed({"amplitude": amplitude})
    found = surf.critical_points({"amplitude": amplitude})
    check_points(surf, found, p)
    expected = rastrigin_reference(amplitude)
    assert same_points(surf, [(c.x, c.y) for c in found], [(x, y) for x, y, _ in expected])
    for x, y, kind in expected:
        match = next(c for c in found if math.hypot(c.x - x, c.y - y) <= 1e-4)
        assert match.kind == ("min" if abs(x) < 1e-9 and abs(y) < 1e-9 else kind)
    if amplitude in (3.0, 30.0):  # as many ripples as at the default: all 289 points remain
        assert Counter(c.kind for c in found) == {"min": 1, "local_min": 80, "saddle": 144,
                                                  "max": 64}


@pytest.mark.parametrize(
    "name, values",
    [(n, v) for n in WITH_PARAMS for v in variants(SURFACES[n])],
    ids=lambda v: str(v),
)
def test_points_follow_a_parameter_change(name, values):
    surf = SURFACES[name]
    p = surf.packed(values)
    found = surf.critical_points(values)
    check_points(surf, found, p)
    if name != "rastrigin":  # rastrigin: its exact reference above is cheaper
        searched = newton_search(surf, p, 41)
        assert same_points(surf, [(c.x, c.y) for c in found], searched), (name, values)


def test_rotated_bowl_keeps_its_one_minimum():
    bowl = get_surface("elongated_bowl")
    for values in ({"kappa": 500.0, "angle": 30.0}, {"kappa": 1.0, "angle": -90.0}):
        [cp] = bowl.critical_points(values)
        assert cp.kind == "min" and math.hypot(cp.x, cp.y) < 1e-12


def test_results_are_cached_and_not_shared():
    surf = get_surface("six_hump_camel")
    first = surf.critical_points()
    first.clear()
    assert len(surf.critical_points()) == 15
    assert surf.critical_points() == surf.critical_points({})


def test_unknown_kinds_are_refused():
    surf = get_surface("booth")
    with pytest.raises(ValueError, match="allowed"):
        type(surf)(name="x", description="x", value=surf.value, grad=surf.grad,
                   domain=surf.domain, start=surf.start, critical=((1.0, 3.0, "minimum"),))
