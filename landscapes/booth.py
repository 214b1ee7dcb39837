"""Booth's function: a tilted quadratic bowl, the easy case."""

from ravine.core.jit import jit

from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return a * a + b * b


@jit
def grad(x, y, p):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return 2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b


SURFACE = Surface(
    name="booth",
    description="Booth's function: a tilted quadratic bowl; minimum at (1, 3)",
    formula="(x+2y-7)^2 + (2x+y-5)^2",
    value=value,
    grad=grad,
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    start=(-5.0, -5.0),
    minima=((1.0, 3.0),),
    critical=((1.0, 3.0, "min"),),  # a convex quadratic: one critical point
)
