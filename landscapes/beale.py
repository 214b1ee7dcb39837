"""Beale's function: flat plateaus and steep walls around a narrow minimum."""

from ravine.core.jit import jit

from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y * y
    c = 2.625 - x + x * y * y * y
    return a * a + b * b + c * c


@jit
def grad(x, y, p):
    y2 = y * y
    y3 = y2 * y
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y2
    c = 2.625 - x + x * y3
    gx = 2.0 * (a * (y - 1.0) + b * (y2 - 1.0) + c * (y3 - 1.0))
    gy = 2.0 * x * (a + 2.0 * b * y + 3.0 * c * y2)
    return gx, gy


SURFACE = Surface(
    name="beale",
    description="Beale's function: plateaus and steep walls; minimum at (3, 0.5)",
    formula="(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
    value=value,
    grad=grad,
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    start=(1.0, 1.4),
    minima=((3.0, 0.5),),
    # df/dy = 2x (a + 2by + 3cy^2): on x = 0, df/dx = 0 only at y = 1 (Hessian [[0, 27.75],
    # [27.75, 0]]); off it, a + 2by + 3cy^2 = 0 gives x(y), and df/dx = 0 becomes a degree-7
    # polynomial in y whose real roots give two points in the domain: the minimum and the saddle
    # below (numpy's polynomial roots; tests/landscapes repeats the computation).
    critical=((3.0, 0.5, "min"), (0.0, 1.0, "saddle"), (0.1005379373, -2.6445135850, "saddle")),
)
