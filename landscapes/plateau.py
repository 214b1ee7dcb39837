"""A plateau: a well in a nearly flat plain, where plain gradient descent crawls."""

import math

from ravine.core.jit import jit

from ravine.core.params import Param
from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    width = p[0]
    return 1.0 - math.exp(-(x * x + y * y) / (2.0 * width * width))


@jit
def grad(x, y, p):
    width = p[0]
    w2 = width * width
    e = math.exp(-(x * x + y * y) / (2.0 * w2)) / w2
    return x * e, y * e


SURFACE = Surface(
    name="plateau",
    description="Plateau: a Gaussian well in a flat plain; GD crawls, RMSprop and Adam do not",
    formula="1 - exp(-(x^2+y^2) / (2 width^2))",
    value=value,
    grad=grad,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    start=(1.5, 1.2),
    minima=((0.0, 0.0),),
    # f depends on r^2 only and grows with it: grad = (x, y) exp(..)/width^2 vanishes only at 0
    critical=((0.0, 0.0, "min"),),
    params=(Param("width", 0.5, lo=0.05, hi=5.0, doc="width of the well", scale="log"),),
)
