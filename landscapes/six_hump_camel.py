"""The six-hump camel: two global minima among six local ones."""

from ravine.core.jit import jit

from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    x2 = x * x
    y2 = y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2


@jit
def grad(x, y, p):
    x2 = x * x
    gx = 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y
    gy = x - 8.0 * y + 16.0 * y * y * y
    return gx, gy


SURFACE = Surface(
    name="six_hump_camel",
    description="Six-hump camel: six minima, two global (value -1.0316)",
    formula="(4-2.1x^2+x^4/3)x^2 + xy + (-4+4y^2)y^2",
    value=value,
    grad=grad,
    domain=((-3.0, 3.0), (-2.0, 2.0)),
    start=(-1.5, 1.0),
    minima=((0.08984201, -0.71265640), (-0.08984201, 0.71265640)),
)
