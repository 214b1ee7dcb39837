"""The elongated bowl: a quadratic ravine, steep across and shallow along."""

import math
from typing import Any

import numpy as np
from ravine.core.jit import jit

from ravine.core.params import Param
from ravine.landscapes._surface import Surface


@jit
def value(x, y, p):
    kappa, c, s = p[0], p[1], p[2]
    u = c * x + s * y
    w = -s * x + c * y
    return 0.5 * (u * u + kappa * w * w)


@jit
def grad(x, y, p):
    kappa, c, s = p[0], p[1], p[2]
    u = c * x + s * y
    w = -s * x + c * y
    return c * u - s * kappa * w, s * u + c * kappa * w


def _pack(values: dict[str, Any]) -> np.ndarray:
    angle = math.radians(values["angle"])
    return np.array([values["kappa"], math.cos(angle), math.sin(angle)], dtype=np.float64)


SURFACE = Surface(
    name="elongated_bowl",
    description="Elongated bowl 1/2 w^T A w with eigenvalues 1 and kappa: the ravine momentum crosses",
    formula="1/2 (u^2 + kappa v^2), (u, v) = (x, y) rotated by angle",
    value=value,
    grad=grad,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    start=(-1.5, 1.0),
    minima=((0.0, 0.0),),
    critical=((0.0, 0.0, "min"),),  # a positive definite quadratic, for every kappa and angle
    params=(
        Param("kappa", 10.0, lo=1.0, hi=1000.0, doc="condition number: steepness across / along",
              scale="log"),
        Param("angle", 0.0, lo=-90.0, hi=90.0, doc="rotation of the ravine in degrees"),
    ),
    pack=_pack,
)
