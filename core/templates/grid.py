"""Template of a surface's value-grid kernel (the map's heatmap and contours).

Valid Python, substituted by ravine.core.kernels as trajectory.py is: SURFACE inside names
is the surface's name, and the DEPENDENCIES line imports value__SURFACE from its module.
"""

from ravine.core.jit import jit

value__SURFACE = None  # DEPENDENCIES


@jit
def grid__SURFACE(p, xs, ys, out):
    """out[i, j] = f(xs[j], ys[i]) on SURFACE; threads share out the rows (ys and out)."""
    for i in range(ys.shape[0]):
        y = ys[i]
        for j in range(xs.shape[0]):
            out[i, j] = value__SURFACE(xs[j], y, p)
