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


MINIMA = ((0.08984201, -0.71265640), (-0.08984201, 0.71265640))

SURFACE = Surface(
    name="six_hump_camel",
    description="Six-hump camel: six minima, two global (value -1.0316)",
    formula="(4-2.1x^2+x^4/3)x^2 + xy + (-4+4y^2)y^2",
    value=value,
    grad=grad,
    domain=((-3.0, 3.0), (-2.0, 2.0)),
    start=(-1.5, 1.0),
    minima=MINIMA,
    # Six minima, two global (Dixon and Szego (eds.), Towards Global Optimization 2,
    # North-Holland 1978); the saddles and maxima were computed by Newton from a dense grid of
    # starts (tests/landscapes repeats that search). grad = 0 is a quintic and a cubic: by Bezout
    # at most 15 critical points in the plane, so these 15 are all (6 - 7 + 2 = 1, as Morse theory
    # requires for a function growing at infinity). f(-x, -y) = f(x, y): they come in pairs.
    critical=tuple((x, y, "min") for x, y in MINIMA) + tuple(
        point
        for x, y, kind in (
            (1.7036067150, -0.7960835687, "local_min"),
            (1.6071047529, 0.5686514549, "local_min"),
            (1.6380679842, 0.2286740690, "saddle"),
            (1.2960702672, 0.6050843880, "saddle"),
            (1.1092053368, -0.7682680925, "saddle"),
            (1.2302298765, 0.1623345845, "max"),
        )
        for point in ((x, y, kind), (-x, -y, kind))
    ) + ((0.0, 0.0, "saddle"),),
)
