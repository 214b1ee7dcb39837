"""Himmelblau's function: four equal minima; where you start decides where you end."""

from ravine.core.jit import jit

from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return a * a + b * b


@jit
def grad(x, y, p):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


SURFACE = Surface(
    name="himmelblau",
    description="Himmelblau's function: four minima of value 0",
    formula="(x^2+y-11)^2 + (x+y^2-7)^2",
    value=value,
    grad=grad,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    start=(0.0, 0.0),
    minima=((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
)
