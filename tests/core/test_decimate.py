"""Routes decimated for drawing: exact when short, bounded by the pixels when long, and
nothing a screen could show left out."""

import numpy as np

from ravine.core.decimate import CELLS, EXACT, route_pieces, route_segments, segments

DOMAIN = ((-2.0, 2.0), (-1.0, 3.0))


def test_short_routes_are_exact():
    path = np.random.default_rng(0).normal(size=(EXACT, 2))
    seg = route_segments(path, DOMAIN)
    np.testing.assert_array_equal(seg, np.stack([path[:-1], path[1:]], axis=1))
    assert segments(path[:1]).shape == (0, 2, 2)


def test_a_long_oscillation_costs_what_its_pixels_cost():
    t = np.arange(1_000_000)
    path = np.stack([0.3 * (-1.0) ** t, 1.0 + 0.2 * (-1.0) ** (t // 2)], axis=1)  # four corners, forever
    seg = route_segments(path, DOMAIN)
    assert len(seg) <= 4


def test_every_pair_of_cells_a_long_route_crosses_is_drawn():
    rng = np.random.default_rng(1)
    path = np.cumsum(rng.normal(scale=0.01, size=(50_000, 2)), axis=0)
    seg = route_segments(path, DOMAIN)
    (x0, x1), (y0, y1) = DOMAIN
    cell = np.array([(x1 - x0) / CELLS, (y1 - y0) / CELLS])
    origin = np.array([x0, y0])
    # the plain reference: every step between two different cells, either way round
    q = [tuple(v) for v in np.floor((path - origin) / cell).astype(int)]
    want = {tuple(sorted((a, b))) for a, b in zip(q[:-1], q[1:]) if a != b}
    got = {tuple(sorted((tuple(np.floor((p - origin) / cell).astype(int)) for p in s))) for s in seg}
    assert got == want
    # and the ends are the cells' centres: within half a cell of the route
    assert len(seg) < len(path)


def test_pieces_cover_the_route_in_order():
    path = np.cumsum(np.random.default_rng(2).normal(scale=0.01, size=(10_001, 2)), axis=0)
    size, pieces = route_pieces(path, DOMAIN, 16)
    assert size * len(pieces) >= len(path) - 1 and len(pieces) <= 16
    # a long route's pieces are all decimated (decided on the whole route, not per piece)
    assert len(path) > EXACT and sum(len(p) for p in pieces) < len(path) - 1
    small_size, small = route_pieces(path[:120], DOMAIN, 64)
    assert small_size == 50 and len(small) == 3
    np.testing.assert_array_equal(np.concatenate(small), segments(path[:120]))
