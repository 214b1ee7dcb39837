"""The saddle x^2 - y^2: downhill forever along y, once you leave the ridge."""

from ravine.core.jit import jit

from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    return x * x - y * y


@jit
def grad(x, y, p):
    return 2.0 * x, -2.0 * y


SURFACE = Surface(
    name="saddle",
    description="Saddle x^2 - y^2: a start near the ridge shows who escapes it fastest",
    formula="x^2 - y^2",
    value=value,
    grad=grad,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    start=(1.5, 0.01),
    critical=((0.0, 0.0, "saddle"),),  # Hessian diag(2, -2)
)
