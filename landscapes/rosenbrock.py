"""Rosenbrock's banana: a curved, flat-bottomed valley."""

from ravine.core.jit import jit

from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


@jit
def grad(x, y, p):
    r = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r


SURFACE = Surface(
    name="rosenbrock",
    description="Rosenbrock's curved banana valley; minimum at (1, 1)",
    formula="(1-x)^2 + 100(y-x^2)^2",
    value=value,
    grad=grad,
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    start=(-1.5, 1.5),
    minima=((1.0, 1.0),),
    # grad = 0 forces y = x^2, then x = 1: the only critical point
    critical=((1.0, 1.0, "min"),),
)
