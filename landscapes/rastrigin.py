"""Rastrigin's function: a bowl covered in a grid of local minima."""

import math

from ravine.core.jit import jit

from ravine.core.params import Param
from ravine.landscapes._surface import Surface

TWO_PI = 2.0 * math.pi


@jit
def value(x, y, p):
    a = p[0]
    return 2.0 * a + x * x - a * math.cos(TWO_PI * x) + y * y - a * math.cos(TWO_PI * y)


@jit
def grad(x, y, p):
    a = p[0]
    return 2.0 * x + a * TWO_PI * math.sin(TWO_PI * x), 2.0 * y + a * TWO_PI * math.sin(TWO_PI * y)


AMPLITUDE = 10.0
DOMAIN = ((-4.5, 4.5), (-4.5, 4.5))


def _roots_1d(a: float, bound: float) -> list[tuple[float, bool]]:
    """The roots in [-bound, bound] of g(t) = 2t + 2 pi a sin(2 pi t), the derivative of
    t^2 - a cos(2 pi t), as (t, is_minimum): Newton from each multiple of 1/2 (for a = 10 there is
    one root near each integer, a minimum, and near each half-integer, a maximum)."""
    roots = []
    for k in range(-2 * math.ceil(bound), 2 * math.ceil(bound) + 1):
        t = k / 2.0
        for _ in range(30):
            t -= (2.0 * t + a * TWO_PI * math.sin(TWO_PI * t)) / (
                2.0 + a * TWO_PI * TWO_PI * math.cos(TWO_PI * t))
        if abs(t) <= bound:
            roots.append((t, k % 2 == 0))
    return roots


def _critical(a: float) -> tuple[tuple[float, float, str], ...]:
    """f is separable, so its critical points are the pairs of 1-D roots: two 1-D minima make a
    minimum ((0, 0) the global one), two maxima a maximum, one of each a saddle."""
    roots = _roots_1d(a, DOMAIN[0][1])
    points = []
    for x, x_min in roots:
        for y, y_min in roots:
            if x_min and y_min:
                kind = "min" if x == 0.0 and y == 0.0 else "local_min"
            else:
                kind = "saddle" if x_min or y_min else "max"
            points.append((x, y, kind))
    return tuple(points)


SURFACE = Surface(
    name="rastrigin",
    description="Rastrigin's function: a bowl under a grid of local minima; minimum at (0, 0)",
    formula="2A + sum(x_i^2 - A cos(2 pi x_i))",
    value=value,
    grad=grad,
    domain=DOMAIN,
    start=(-2.0, 3.5),
    minima=((0.0, 0.0),),
    # 9 x 9 minima (near the integer pairs), 8 x 8 maxima (near the half-integer pairs) and
    # 2 x 9 x 8 saddles; the maxima near +-4.5 lie just outside the domain
    critical=_critical(AMPLITUDE),
    params=(Param("amplitude", AMPLITUDE, lo=0.0, hi=100.0, doc="A, the height of the ripples"),),
)
