"""Marching squares against shapes known in closed form."""

import math

import numpy as np
import pytest

from ravine.core.contours import contour_segments, log_levels


def test_circles_of_a_paraboloid():
    xs = np.linspace(-2, 2, 201)
    ys = np.linspace(-2, 2, 181)
    z = xs[None, :] ** 2 + ys[:, None] ** 2
    levels = [0.25, 1.0, 2.0]
    seg, level_of = contour_segments(z, xs, ys, levels)
    assert seg.shape[1:] == (2, 2) and len(seg) == len(level_of) > 0
    for li, level in enumerate(levels):
        mine = seg[level_of == li]
        r = np.hypot(mine[..., 0], mine[..., 1])
        # linear interpolation of a quadratic along an edge of length h errs by <= h^2 / 4
        np.testing.assert_allclose(r, math.sqrt(level), atol=0.02 ** 2)
        length = np.hypot(*(mine[:, 1] - mine[:, 0]).T).sum()
        assert length == pytest.approx(2 * math.pi * math.sqrt(level), rel=1e-3)


def test_a_level_outside_the_range_has_no_segments():
    xs = ys = np.linspace(0, 1, 5)
    z = np.zeros((5, 5))
    seg, level_of = contour_segments(z, xs, ys, [1.0])
    assert seg.shape == (0, 2, 2)


def test_saddle_cell_is_split_by_its_centre():
    xs = ys = np.array([0.0, 1.0])
    # corners 00 and 11 above 0.5, 01 and 10 below: a saddle. Centre 0.75 > 0.5 joins 00-11.
    z = np.array([[1.0, 0.0], [0.0, 2.0]])
    seg, _ = contour_segments(z, xs, ys, [0.5])
    assert len(seg) == 2
    ends = {tuple(sorted(map(tuple, s.round(6)))) for s in seg}
    # the cut-off corners are (1, 0) (bottom-right) and (0, 1) (top-left)
    assert ends == {((0.5, 0.0), (1.0, 0.25)), ((0.0, 0.5), (0.25, 1.0))}


def test_log_levels():
    z = np.array([[1.0, 2.0], [11.0, 1001.0]])
    shown, levels, floor = log_levels(z, 3)
    assert floor == pytest.approx(1.0)
    np.testing.assert_allclose(shown, np.log10(z - 1.0 + 1.0))
    assert len(levels) == 3 and shown.min() < levels[0] < levels[-1] < shown.max()


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="shape"):
        contour_segments(np.zeros((3, 4)), np.zeros(3), np.zeros(4), [0.0])
