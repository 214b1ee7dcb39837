"""The monkey saddle x^3 - 3xy^2: a flat saddle point with three valleys."""

from ravine.core.jit import jit

from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    return x * x * x - 3.0 * x * y * y


@jit
def grad(x, y, p):
    return 3.0 * x * x - 3.0 * y * y, -6.0 * x * y


SURFACE = Surface(
    name="monkey_saddle",
    description="Monkey saddle x^3 - 3xy^2: gradient and curvature both vanish at the origin",
    formula="x^3 - 3xy^2",
    value=value,
    grad=grad,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    start=(1.0, 0.2),
    # degenerate: the Hessian [[6x, -6y], [-6y, -6x]] vanishes at 0; f = r^3 cos(3 theta) changes
    # sign three times around it
    critical=((0.0, 0.0, "saddle"),),
)
