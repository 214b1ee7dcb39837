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


SURFACE = Surface(
    name="rastrigin",
    description="Rastrigin's function: a bowl under a grid of local minima; minimum at (0, 0)",
    formula="2A + sum(x_i^2 - A cos(2 pi x_i))",
    value=value,
    grad=grad,
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    start=(-2.0, 3.5),
    minima=((0.0, 0.0),),
    params=(Param("amplitude", 10.0, lo=0.0, hi=100.0, doc="A, the height of the ripples"),),
)
