"""Building a road map from an OSM file: osmnx simplifies and cleans the graph, computes speeds
and travel times; Volant compiles it into the arrays of a RoadMap.

This is the only module that imports osmnx (and with it geopandas, pandas and shapely), and
only the build imports it: a map loaded from its cache never pays for them.

A build is deterministic: osmnx merges the attributes of a simplified road's segments into
`list(set(values))`, whose order follows Python's string hash seed, and then takes the first
element (a road's highway type, hence its imputed speed, and its name). The merge here keeps
the segments' own order instead, so the same file gives the same arrays in every process.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from navigation.dissection import turn_graph_order
from navigation.osm_extract import MapFileError, Place, TurnRestriction, extract, position_key
from navigation.roadmap import Progress, RoadMap, bearing, source_digest

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)
SIGNAL_PENALTY_S = 2.0  # OSRM's car profile: the average wait at a traffic signal
# Speeds (km/h) for a map whose roads carry no maxspeed tag at all, where osmnx has nothing to
# impute from: OSRM's car profile defaults, by highway type.
HIGHWAY_KMH = {
    "motorway": 90.0, "motorway_link": 45.0, "trunk": 85.0, "trunk_link": 40.0,
    "primary": 65.0, "primary_link": 30.0, "secondary": 55.0, "secondary_link": 25.0,
    "tertiary": 40.0, "tertiary_link": 20.0, "unclassified": 25.0, "residential": 25.0,
    "living_street": 10.0, "service": 15.0, "road": 25.0, "busway": 30.0,
    "bus_guideway": 30.0,
}
FALLBACK_KMH = 25.0
# Segment attributes whose merged value is read later; kept in the segments' order.
MERGED_ATTRIBUTES = ("highway", "name", "maxspeed", "junction", "osmid", "oneway", "ref",
                     "lanes", "access", "service", "bridge", "tunnel", "width", "reversed")


def _in_road_order(values: list[Any]) -> Any:
    """One value if the segments agree, else each distinct value in the order met."""
    distinct = list(dict.fromkeys(values))
    return distinct[0] if len(distinct) == 1 else distinct


def build_graph(source: Path, profile: str = "car",
                progress: Progress | None = None) -> tuple[nx.MultiDiGraph, list[Place]]:
    """osmnx graph of the drivable roads: simplified, strongly connected, with travel times."""
    import networkx as nx
    import osmnx as ox

    def report(fraction: float, template: str, *values: str) -> None:
        if progress:
            progress(fraction, template, *values)

    report(0.0, "Reading %1", source.name)
    with tempfile.TemporaryDirectory() as tmp:
        drive_xml = Path(tmp) / "drive.osm"
        found = extract(source, drive_xml, profile,
                        lambda f: report(0.4 * f, "Reading %1", source.name))
        report(0.45, "Building the road graph")
        try:
            graph = ox.graph_from_xml(drive_xml, simplify=False, retain_all=True)
            graph = ox.simplify_graph(graph, edge_attr_aggs={
                "length": sum, **dict.fromkeys(MERGED_ATTRIBUTES, _in_road_order)})
        except (ValueError, nx.NetworkXException) as exc:
            raise MapFileError(f"{source}: no road graph could be built ({exc})") from None
    report(0.7, "Cleaning the road graph")
    graph = ox.truncate.largest_component(graph, strongly=True)
    if graph.number_of_edges() == 0:
        raise MapFileError(f"{source}: no connected drivable roads")
    if any("maxspeed" in data for _, _, data in graph.edges(data=True)):
        graph = ox.routing.add_edge_speeds(graph)
    else:  # osmnx would have no speed to impute from
        log.info("%s: no road carries a maxspeed tag; speeds by highway type", source)
        graph = ox.routing.add_edge_speeds(graph, hwy_speeds=HIGHWAY_KMH,
                                           fallback=FALLBACK_KMH)
    graph = ox.routing.add_edge_travel_times(graph)
    # osmnx keeps neither relations nor node tags; compile_graph applies them.
    graph.graph["turn_restrictions"] = found.restrictions
    graph.graph["signal_approaches"] = found.signal_approaches
    graph.graph["left_hand_traffic"] = found.left_hand_traffic
    graph.graph["invalid_nodes"] = found.invalid_nodes
    graph.graph["speed_limits"] = found.speed_limits
    return graph, found.places


def build_map(source: Path, profile: str = "car", progress: Progress | None = None) -> RoadMap:
    source = Path(source)
    graph, places = build_graph(source, profile, progress)
    if progress:
        progress(0.85, "Compiling the road graph")
    roadmap = compile_graph(graph, places, str(source))
    roadmap.source_digest = source_digest(source)
    return roadmap


def compile_graph(graph: nx.MultiDiGraph, places: list[Place], source: str = "") -> RoadMap:
    """Arrays for fast routing and drawing from an osmnx graph; an edge's time includes the
    wait at each traffic signal it meets, as in OSRM's car profile. The posted limit is kept
    per geometry segment (a simplified edge may pass a change of limit), 0 where unknown."""
    index = {node: i for i, node in enumerate(graph.nodes)}
    node_lat = np.array([graph.nodes[n]["y"] for n in graph.nodes], dtype=np.float64)
    node_lon = np.array([graph.nodes[n]["x"] for n in graph.nodes], dtype=np.float64)
    names: dict[str, int] = {}
    cols: dict[str, list] = {k: [] for k in ("u", "v", "length", "time", "speed", "name",
                                             "roundabout", "b_in", "b_out")}
    offsets = [0]
    glat: list[float] = []
    glon: list[float] = []
    glimit: list[float] = []
    signals = graph.graph.get("signal_approaches", set())
    limits = graph.graph.get("speed_limits", {})
    for u, v, data in graph.edges(data=True):
        if "geometry" in data:
            xs, ys = data["geometry"].xy
            pts = list(zip(ys, xs, strict=True))
        else:
            pts = [(node_lat[index[u]], node_lon[index[u]]),
                   (node_lat[index[v]], node_lon[index[v]])]
        name = data.get("name", "")
        if isinstance(name, list):
            name = name[0]
        junction = data.get("junction")
        junctions = junction if isinstance(junction, list) else [junction]
        cols["u"].append(index[u])
        cols["v"].append(index[v])
        cols["length"].append(float(data["length"]))
        waits = sum(1 for a, b in itertools.pairwise(pts)
                    if (*position_key(*b), *position_key(*a)) in signals) if signals else 0
        cols["time"].append(max(0.01, float(data["travel_time"])) + SIGNAL_PENALTY_S * waits)
        cols["speed"].append(float(data["speed_kph"]))
        cols["name"].append(names.setdefault(name, len(names)) if name else -1)
        cols["roundabout"].append(any(j in ("roundabout", "circular") for j in junctions))
        cols["b_in"].append(bearing(*pts[0], *pts[1]))
        cols["b_out"].append(bearing(*pts[-2], *pts[-1]))
        glat.extend(p[0] for p in pts)
        glon.extend(p[1] for p in pts)
        glimit.extend(limits.get((*position_key(*a), *position_key(*b)), 0.0)
                      for a, b in itertools.pairwise(pts))
        glimit.append(0.0)  # the last point starts no segment
        offsets.append(len(glat))
    roadmap = RoadMap(
        node_lat=node_lat, node_lon=node_lon,
        edge_u=np.array(cols["u"], dtype=np.int32), edge_v=np.array(cols["v"], dtype=np.int32),
        edge_length=np.array(cols["length"]), edge_time=np.array(cols["time"]),
        edge_speed=np.array(cols["speed"]), edge_name=np.array(cols["name"], dtype=np.int32),
        edge_roundabout=np.array(cols["roundabout"], dtype=bool),
        edge_bearing_in=np.array(cols["b_in"]), edge_bearing_out=np.array(cols["b_out"]),
        geom_offsets=np.array(offsets, dtype=np.int64), geom_lat=np.array(glat),
        geom_lon=np.array(glon), geom_limit=np.array(glimit, dtype=np.float32),
        turn_order=np.zeros(0, dtype=np.int32),
        turn_bans=np.zeros((0, 2), dtype=np.int32), names=list(names), places=places,
        source=source, left_hand_traffic=graph.graph.get("left_hand_traffic", False),
        invalid_nodes=list(graph.graph.get("invalid_nodes", [])))
    roadmap.turn_order = turn_order(roadmap)
    roadmap.turn_bans = turn_bans(roadmap, graph, index)
    return roadmap


def turn_bans(roadmap: RoadMap, graph: nx.MultiDiGraph, index: dict) -> np.ndarray:
    """The graph's turn restrictions as banned (from edge, to edge) pairs. osmnx merges ways
    into edges and keeps their ids in `osmid`; a restriction whose via node was merged away or
    left out with the roads around it bans nothing."""
    restrictions: list[TurnRestriction] = graph.graph.get("turn_restrictions", [])
    on_way: dict[int, list[int]] = {}
    for edge, (_, _, ways) in enumerate(graph.edges(data="osmid", default=[])):
        for way in ways if isinstance(ways, list) else [ways]:
            on_way.setdefault(int(way), []).append(edge)
    bans: set[tuple[int, int]] = set()
    applied = 0
    for r in restrictions:
        via = index.get(r.via_node, -1)
        into = [e for w in r.from_ways for e in on_way.get(w, []) if roadmap.edge_v[e] == via]
        onto = {f for w in r.to_ways for f in on_way.get(w, []) if roadmap.edge_u[f] == via}
        if not into or not onto:
            continue
        applied += 1
        out = roadmap.edges_from(via).tolist()
        bans.update((e, f) for e in into for f in out if (f not in onto) == r.only)
    log.info("%d turn restrictions, %d at junctions of the graph, %d turns banned",
             len(restrictions), applied, len(bans))
    return np.array(sorted(bans), dtype=np.int32).reshape(-1, 2)


def turn_order(roadmap: RoadMap) -> np.ndarray:
    """The router's contraction order; it depends only on the map and takes seconds on a large
    one, so it is computed once with the map and cached with it."""
    return turn_graph_order(roadmap.node_count, roadmap.edge_u, roadmap.edge_v)
