"""The routing engine against networkx and scipy, the references, on real extracts."""

from __future__ import annotations

import collections
import itertools
import random

import networkx as nx
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from navigation.map_build import compile_graph
from navigation.router import NoRoute, Router, turn_penalty

PAIRS = 1000


def networkx_reference(roadmap) -> nx.DiGraph:
    """Node graph with the cheapest parallel edge, as networkx's Dijkstra would see it."""
    graph = nx.DiGraph()
    for u, v, t in zip(roadmap.edge_u.tolist(), roadmap.edge_v.tolist(),
                       roadmap.edge_time.tolist(), strict=True):
        if not graph.has_edge(u, v) or graph[u][v]["t"] > t:
            graph.add_edge(u, v, t=t)
    return graph


@pytest.mark.parametrize("name", ["helsinki", "paris_bss.osm.pbf", "andorra.osm.pbf",
                                  "liechtenstein-latest.osm.pbf"])
def test_same_cost_as_networkx_on_random_pairs(name, helsinki, extract) -> None:
    roadmap = helsinki if name == "helsinki" else extract(name)
    router = Router(roadmap, turn_costs=False)
    graph = networkx_reference(roadmap)
    rng = random.Random(42)
    for _ in range(PAIRS):
        a, b = rng.randrange(roadmap.node_count), rng.randrange(roadmap.node_count)
        route = router.route(a, b)
        expected = nx.bidirectional_dijkstra(graph, a, b, weight="t")[0]
        assert route.duration_s == pytest.approx(expected, abs=1e-6)
        if route.edges:  # the path is connected and goes from a to b
            edges = np.array(route.edges)
            assert roadmap.edge_u[edges[0]] == a and roadmap.edge_v[edges[-1]] == b
            assert (roadmap.edge_v[edges[:-1]] == roadmap.edge_u[edges[1:]]).all()


def test_turn_costs_match_networkx_on_the_turn_graph(helsinki) -> None:
    router = Router(helsinki, turn_costs=True)
    turns = router.turn_graph.tocoo()
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(zip(turns.row.tolist(), turns.col.tolist(),
                                      turns.data.tolist(), strict=True))
    rng = random.Random(7)
    plain = Router(helsinki, turn_costs=False)
    for _ in range(50):
        a, b = rng.randrange(helsinki.node_count), rng.randrange(helsinki.node_count)
        if a == b:
            continue
        route = router.route(a, b)
        starts = helsinki.edges_from(a).tolist()
        best = min(nx.multi_source_dijkstra_path_length(graph, starts, weight="weight").get(
            int(e), np.inf) + helsinki.edge_time[e] for e in helsinki.edges_into(b))
        assert route.duration_s == pytest.approx(best, abs=1e-6)
        assert route.duration_s >= plain.route(a, b).duration_s - 1e-9


def test_turn_penalty_shape() -> None:
    straight, right, left, reverse = turn_penalty(np.array([0.0, 90.0, -90.0, 180.0]))
    assert straight < 0.02 and reverse > 7.4
    assert 2.0 < right < 2.2 and 5.3 < left < 5.5  # OSRM's car profile, right-hand traffic


def test_only_junctions_cost_a_turn(helsinki) -> None:
    """A bend where one road meets the next is free; a turn where three meet is not."""
    router = Router(helsinki)
    turns = router.turn_graph.tocoo()
    src, dst, cost = turns.row, turns.col, turns.data
    extra = cost - helsinki.edge_time[src]
    via = helsinki.edge_v[src]
    roads = {frozenset((int(u), int(v))) for u, v in zip(helsinki.edge_u, helsinki.edge_v,
                                                         strict=True)}
    ends = collections.Counter(n for road in roads for n in road)  # a loop's two ends at one
    ends.update(next(iter(road)) for road in roads if len(road) == 1)  # node count twice
    at_junction = np.array([ends[int(n)] > 2 for n in via])
    back = helsinki.edge_v[dst] == helsinki.edge_u[src]
    bends = ~at_junction & ~back
    assert bends.sum() > 0 and at_junction.sum() > 0
    assert np.all(extra[bends] == 0)
    angles = (helsinki.edge_bearing_in[dst] - helsinki.edge_bearing_out[src] + 180) % 360 - 180
    sharp = at_junction & ~back & (np.abs(angles) > 80)
    assert sharp.sum() > 0 and np.all(extra[sharp] > 0.5)


@pytest.mark.parametrize("name", ["andorra.osm.pbf", "liechtenstein-latest.osm.pbf"])
def test_turn_costs_match_scipy_on_random_pairs(name, extract) -> None:
    roadmap = extract(name)
    router = Router(roadmap, turn_costs=True)
    turns = router.turn_graph
    rng = random.Random(3)
    for _ in range(PAIRS):
        a, b = rng.randrange(roadmap.node_count), rng.randrange(roadmap.node_count)
        if a == b:
            continue
        route = router.route(a, b)
        dist = dijkstra(turns, indices=roadmap.edges_from(a), min_only=True)
        into = roadmap.edges_into(b)
        assert route.duration_s == pytest.approx((dist[into] + roadmap.edge_time[into]).min(),
                                                 abs=1e-6)
        taken = [turns[e, f] for e, f in itertools.pairwise(route.edges)]
        assert all(taken)  # every step is a turn of the graph, and they add up to the duration
        assert route.duration_s == pytest.approx(sum(taken) + roadmap.edge_time[route.edges[-1]])
        assert roadmap.edge_u[route.edges[0]] == a and roadmap.edge_v[route.edges[-1]] == b


def three_nodes(seconds: float) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    for node, (x, y) in {1: (24.94, 60.17), 2: (24.941, 60.17), 3: (24.942, 60.17)}.items():
        graph.add_node(node, x=x, y=y)
    graph.add_edge(1, 2, length=55.0, travel_time=seconds, speed_kph=50.0)
    graph.add_edge(2, 3, length=55.0, travel_time=seconds, speed_kph=50.0)  # one way only
    return graph


def test_a_route_of_many_hours_is_found() -> None:
    router = Router(compile_graph(three_nodes(20_000.0), []))  # 4e9 ticks: past 32 bits
    route = router.route(0, 2)
    assert route.duration_s == pytest.approx(40_000.0, abs=0.1)
    assert len(route.edges) == 2


def test_unreachable_destination_raises() -> None:
    router = Router(compile_graph(three_nodes(4.0), []))
    assert router.route(0, 2).length_m == pytest.approx(110.0)
    with pytest.raises(NoRoute):
        router.route(2, 0)
