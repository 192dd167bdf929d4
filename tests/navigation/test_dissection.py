"""The router's contraction order: every edge once, separators made of cut roads."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from navigation.dissection import turn_graph_order

SIDE = 24  # a 24 x 24 street grid: 576 intersections, 2,208 directed edges


def street_grid(side: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Two-way streets between neighbouring intersections of a square grid."""
    u, v = [], []
    for i in range(side):
        for j in range(side):
            here = i * side + j
            for there in ((i + 1) * side + j if i + 1 < side else -1,
                          here + 1 if j + 1 < side else -1):
                if there >= 0:
                    u += [here, there]
                    v += [there, here]
    return side * side, np.array(u), np.array(v)


def turn_graph_parts(u: np.ndarray, v: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """Sizes of the turn graph's connected parts once the `removed` edges are taken out."""
    keep = np.ones(len(u), bool)
    keep[removed] = False
    tails, heads = [], []
    for e in np.flatnonzero(keep):
        for f in np.flatnonzero(keep & (u == v[e])):
            tails.append(e)
            heads.append(f)
    graph = csr_matrix((np.ones(len(tails)), (tails, heads)), shape=(len(u), len(u)))
    _, label = connected_components(graph, directed=True, connection="weak")
    return np.bincount(label[keep])


def test_every_edge_is_ordered_once() -> None:
    nodes, u, v = street_grid(SIDE)
    order = turn_graph_order(nodes, u, v)
    assert np.array_equal(np.sort(order), np.arange(len(u)))


def test_top_separator_is_the_roads_crossing_one_cut() -> None:
    """A straight cut of the grid crosses SIDE streets, both ways: 48 edges. Separating the
    turn graph itself (RoutingKit's inertial flow did that) took about twice as many."""
    nodes, u, v = street_grid(SIDE)
    order = turn_graph_order(nodes, u, v)
    parts = turn_graph_parts(u, v, order[-int(2 * SIDE * 1.25):])
    assert len(parts) >= 2
    assert parts.max() <= 0.6 * len(u)


def test_the_same_map_gets_the_same_order() -> None:
    nodes, u, v = street_grid(SIDE)
    assert np.array_equal(turn_graph_order(nodes, u, v), turn_graph_order(nodes, u, v))


@pytest.mark.parametrize("shape", ["no roads", "one road", "loop road", "two towns", "star"])
def test_degenerate_maps_still_get_a_full_order(shape: str) -> None:
    if shape == "no roads":
        nodes, u, v = 3, np.zeros(0, int), np.zeros(0, int)
    elif shape == "one road":
        nodes, u, v = 2, np.array([0, 1]), np.array([1, 0])
    elif shape == "loop road":  # a turning circle drawn as an edge back to its own node
        nodes, u, v = 40, np.array([5] * 30), np.array([5] * 30)
    elif shape == "two towns":  # two grids with no road between them
        n, gu, gv = street_grid(8)
        nodes, u, v = 2 * n, np.concatenate([gu, gu + n]), np.concatenate([gv, gv + n])
    else:
        nodes = 60
        u = np.concatenate([np.zeros(59, int), np.arange(1, 60)])
        v = np.concatenate([np.arange(1, 60), np.zeros(59, int)])
    order = turn_graph_order(nodes, u, v)
    assert np.array_equal(np.sort(order), np.arange(len(u)))
