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


MINIMA = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126))

SURFACE = Surface(
    name="himmelblau",
    description="Himmelblau's function: four minima of value 0",
    formula="(x^2+y-11)^2 + (x+y^2-7)^2",
    value=value,
    grad=grad,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    start=(0.0, 0.0),
    minima=MINIMA,
    # the local maximum (-0.270845, -0.923039), f = 181.617, is in the literature (Wikipedia,
    # "Himmelblau's function"); the four saddles were computed by Newton from a dense grid of
    # starts (tests/landscapes repeats that search). grad = 0 is two cubics, so by Bezout there
    # are at most 9 critical points in the whole plane: these are all of them (and, f growing at
    # infinity, 4 - 4 + 1 = 1 as Morse theory requires: minima - saddles + maxima).
    critical=tuple((x, y, "min") for x, y in MINIMA) + (
        (-0.2708445907, -0.9230385565, "max"),
        (-3.0730257508, -0.0813530443, "saddle"),
        (-0.1279613467, -1.9537149802, "saddle"),
        (0.0866775046, 2.8842547012, "saddle"),
        (3.3851541836, 0.0738518798, "saddle"),
    ),
)
