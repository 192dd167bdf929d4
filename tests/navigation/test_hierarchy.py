"""The hierarchy engine on its own: both ways of climbing, several ends, several threads."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from navigation.hierarchy import Hierarchy, Search, Terminals
from navigation.map_build import compile_graph
from navigation.roadmap import RoadMap
from navigation.router import Router, node_positions, ticks, ticks_per_m


@dataclass(frozen=True)
class TurnGraph:
    roadmap: RoadMap
    tails: np.ndarray
    heads: np.ndarray
    weight: np.ndarray  # ticks
    hierarchy: Hierarchy

    def matrix(self) -> csr_matrix:
        n = self.roadmap.edge_count
        return csr_matrix((self.weight.astype(float), (self.tails, self.heads)), shape=(n, n))


def turn_graph(roadmap: RoadMap) -> TurnGraph:
    turns = Router(roadmap).turn_graph.tocoo()
    weight = np.maximum(ticks(turns.data), 1)
    hierarchy = Hierarchy.build(roadmap.turn_order, turns.row, turns.col, weight,
                                node_positions(roadmap)[roadmap.edge_u], ticks_per_m(roadmap))
    return TurnGraph(roadmap, turns.row, turns.col, weight, hierarchy)


@pytest.fixture(scope="module")
def andorra(extract) -> TurnGraph:
    return turn_graph(extract("andorra.osm.pbf"))


@pytest.fixture(scope="module")
def grid() -> TurnGraph:
    """40 x 40 streets of about 100 m between junctions moved a little (no two routes cost
    the same), all at 50 km/h: the straight line at the top speed is nearly the cost, so a
    bound a little too strong drops real routes."""
    rng = np.random.default_rng(3)
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    side = 40
    lat = 60.0 + np.arange(side)[:, None] * 0.0009 + rng.uniform(-2e-4, 2e-4, (side, side))
    lon = 24.0 + np.arange(side)[None, :] * 0.0018 + rng.uniform(-4e-4, 4e-4, (side, side))
    for i in range(side):
        for j in range(side):
            graph.add_node(i * side + j, y=float(lat[i, j]), x=float(lon[i, j]))
    for i in range(side):
        for j in range(side):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < side and j + dj < side:
                    a, b = i * side + j, (i + di) * side + j + dj
                    metres = float(ox.distance.great_circle(lat[i, j], lon[i, j],
                                                            lat[i + di, j + dj],
                                                            lon[i + di, j + dj]))
                    for u, v in ((a, b), (b, a)):
                        graph.add_edge(u, v, length=metres, speed_kph=50.0,
                                       travel_time=metres / (50 / 3.6))
    return turn_graph(compile_graph(graph, [], "grid"))


def random_ends(roadmap: RoadMap, rng: random.Random) -> tuple[Terminals, Terminals]:
    """Each side: the edges at a random node, each with its own start (or end) ticks."""
    positions = node_positions(roadmap)
    sides = []
    for _ in range(2):
        node = rng.randrange(roadmap.node_count)
        edges = np.unique(np.concatenate([roadmap.edges_from(node), roadmap.edges_into(node)]))
        spent = np.array([rng.randrange(0, 3_000_000) for _ in edges], dtype=np.int64)
        sides.append(Terminals(edges, spent, positions[node]))
    return sides[0], sides[1]


def scipy_best(matrix: csr_matrix, sources: Terminals, targets: Terminals) -> float:
    dist = dijkstra(matrix, indices=sources.vertices)
    return float(np.min(sources.ticks[:, None] + dist[:, targets.vertices] + targets.ticks))


def assert_path_adds_up(graph: TurnGraph, sources: Terminals, targets: Terminals,
                        found: tuple[int, int, np.ndarray]) -> None:
    total, source, arcs = found
    path = [source, *graph.heads[arcs].tolist()]
    assert (graph.tails[arcs] == path[:-1]).all()  # the arcs chain from the source on
    start = sources.ticks[sources.vertices == source].min()
    end = targets.ticks[targets.vertices == path[-1]].min()
    assert start + graph.weight[arcs].sum() + end == total


@pytest.mark.parametrize("parallel_from", [0, 10**9], ids=["two threads", "one thread"])
@pytest.mark.parametrize("name", ["andorra", "grid"])
def test_both_ways_of_climbing_find_what_scipy_finds(name, parallel_from, request) -> None:
    graph: TurnGraph = request.getfixturevalue(name)
    search = Search(graph.hierarchy, parallel_from)
    matrix = graph.matrix()
    rng = random.Random(5)
    for _ in range(600):
        sources, targets = random_ends(graph.roadmap, rng)
        found = search.run(sources, targets)
        expected = scipy_best(matrix, sources, targets)
        if not np.isfinite(expected):
            assert found is None
            continue
        assert found is not None and found[0] == expected
        assert_path_adds_up(graph, sources, targets, found)


def test_searches_from_several_threads_at_once_agree(andorra) -> None:
    """Each thread has its own Search; the two-thread climb inside is shared by all."""
    rng = random.Random(9)
    queries = [random_ends(andorra.roadmap, rng) for _ in range(60)]
    alone = Search(andorra.hierarchy, 0)
    expected = [alone.run(*query) for query in queries]
    answers: dict[int, list] = {}

    def work(worker: int) -> None:
        search = Search(andorra.hierarchy, 0)
        answers[worker] = [search.run(*query) for query in queries]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in range(4):
        for got, want in zip(answers[worker], expected, strict=True):
            assert (got is None) == (want is None)
            if got is not None:
                assert got[:2] == want[:2] and (got[2] == want[2]).all()
