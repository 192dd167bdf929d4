"""Read an OpenStreetMap file (.osm.pbf, .osm, .osm.gz, .osm.bz2) once with pyosmium.

One pass keeps what routing and geocoding need: the drivable ways (written as a small OSM XML
file for osmnx to build the graph from), the turn restrictions between them (osmnx drops
relations, so a route would otherwise turn left where the sign says no), the traffic signals on
them, the posted speed limits along them (navigation.speed_limits) and the named places —
POIs, bus stops, charging stations and addresses — with their positions.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import osmium

from navigation.speed_limits import way_limits

log = logging.getLogger(__name__)

# Drivable highway types (as osmnx's "drive" network); buses may also use busways.
DRIVE_HIGHWAYS = {
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
    "residential", "living_street", "service", "road",
}
BUS_ONLY_HIGHWAYS = {"busway", "bus_guideway"}
NO_SERVICE = {"parking", "parking_aisle", "driveway", "private", "emergency_access"}
NO_ACCESS = {"no", "private"}

# OSM tags -> Volant POI categories (what a driver asks for: "nearest charging station").
POI_TAGS = {
    ("amenity", "charging_station"): "charging_station",
    ("amenity", "parking"): "parking",
    ("amenity", "fuel"): "fuel",
    ("highway", "bus_stop"): "bus_stop",
    ("public_transport", "station"): "station",
    ("railway", "station"): "station",
    ("amenity", "bus_station"): "station",
    ("amenity", "hospital"): "hospital",
    ("amenity", "cafe"): "cafe",
    ("amenity", "restaurant"): "restaurant",
    ("tourism", "hotel"): "hotel",
    ("tourism", "museum"): "museum",
    ("shop", "supermarket"): "supermarket",
}


RESTRICTION_VEHICLE = {"car": "motorcar", "bus": "bus"}
EXEMPT = {"car": {"motorcar", "motor_vehicle"}, "bus": {"bus", "psv"}}


class MapFileError(ValueError):
    """A map file that cannot be read; the message names the file and the reason."""


@dataclass(frozen=True)
class Place:
    name: str
    category: str  # a POI category, "street", "address" or "place"
    lat: float
    lon: float
    names: tuple[str, ...] = ()  # every name tag (name, name:sv, name:fr, ...)


@dataclass(frozen=True)
class TurnRestriction:
    """A turn restriction at a junction (OSM relation type=restriction, via a node). `only`:
    from the from-ways, every turn but onto the to-ways is banned; else those turns are."""

    from_ways: tuple[int, ...]
    via_node: int
    to_ways: tuple[int, ...]
    only: bool


Approach = tuple[float, float, float, float]  # signal lat, lon; the node before it: lat, lon
Segment = tuple[float, float, float, float]  # from lat, lon; to lat, lon (position_key)


@dataclass
class MapExtract:
    places: list[Place]
    restrictions: list[TurnRestriction]
    signal_approaches: set[Approach]  # where a vehicle meets a traffic signal facing it
    left_hand_traffic: bool  # a boundary in the file is tagged driving_side=left
    invalid_nodes: list[int] = field(default_factory=list)  # left out: invalid coordinates
    speed_limits: dict[Segment, float] = field(default_factory=dict)  # km/h, posted only


def position_key(lat: float, lon: float) -> tuple[float, float]:
    """OSM's own precision, so positions read back from osmnx's graph compare equal."""
    return round(lat, 7), round(lon, 7)


def drivable(tags: osmium.osm.TagList, profile: str) -> bool:
    highway = tags.get("highway")
    if highway is None:
        return False
    bus_ok = profile == "bus" and (tags.get("bus") in ("yes", "designated")
                                   or tags.get("psv") in ("yes", "designated"))
    if highway in BUS_ONLY_HIGHWAYS:
        return profile == "bus"
    if highway not in DRIVE_HIGHWAYS:
        return False
    if highway == "service" and tags.get("service") in NO_SERVICE:
        return False
    if tags.get("area") == "yes":
        return False
    blocked = tags.get("access") in NO_ACCESS or tags.get("motor_vehicle") in NO_ACCESS \
        or tags.get("motorcar") in NO_ACCESS
    return not blocked or bus_ok


def all_names(tags: osmium.osm.TagList) -> tuple[str, ...]:
    names = [tag.v for tag in tags if tag.k == "name" or tag.k.startswith("name:")
             or tag.k in ("alt_name", "official_name", "short_name")]
    return tuple(dict.fromkeys(n for n in names if n.strip()))


def _category(tags: osmium.osm.TagList) -> str | None:
    for (key, value), category in POI_TAGS.items():
        if tags.get(key) == value:
            return category
    if tags.get("public_transport") == "platform" and tags.get("bus") == "yes":
        return "bus_stop"  # PTv2 tagging without highway=bus_stop
    if "place" in tags:
        return "place"
    return None


def extract(source: Path, drive_xml: Path, profile: str = "car",
            progress: Callable[[float], None] | None = None) -> MapExtract:
    """Write the drivable network of `source` to `drive_xml`; return its named places, the
    turn restrictions between its drivable ways and where they meet traffic signals."""
    source = Path(source)
    if not source.is_file():
        raise MapFileError(f"{source}: no such map file")
    if source.stat().st_size == 0:
        raise MapFileError(f"{source}: the map file is empty")
    try:
        read = _read(source, source, profile, progress)
    except osmium.InvalidLocationError as exc:
        if not source.name.endswith(XML_SUFFIXES):
            raise MapFileError(f"{source}: not a readable OSM file ({exc})") from None
        # libosmium stops at a coordinate it cannot parse (lat="1000"); such a node is marked
        # out of range instead, so that it is left out and named like any invalid one.
        marked = drive_xml.with_name("coordinates-checked.osm")
        _mark_unreadable_coordinates(source, marked)
        try:
            read = _read(marked, source, profile, progress)
        except osmium.InvalidLocationError as again:
            raise MapFileError(f"{source}: not a readable OSM file ({again})") from None
    places, restrictions, signals, left_hand, ways, nodes, invalid = read
    if not ways:
        raise MapFileError(f"{source}: no drivable roads for the {profile} profile")
    with osmium.SimpleWriter(str(drive_xml), overwrite=True) as writer:
        for node_id, (lon, lat) in nodes.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat), tags={}))
        for way_id, refs, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))
    if invalid:
        log.warning("%s: %d nodes with invalid coordinates left out: %s", source, len(invalid),
                    ", ".join(map(str, invalid[:20])))
    return MapExtract(places,
                      at_way_ends(restrictions, {way_id: refs for way_id, refs, _ in ways}),
                      _approaches(signals, ways, nodes), left_hand, invalid,
                      segment_limits(ways, nodes))


def segment_limits(ways: list, nodes: dict) -> dict[Segment, float]:
    """The posted limit of each directed segment between two nodes of a drivable way. A
    segment two ways give different limits (or one none) has no known limit."""
    limits: dict[Segment, float | None] = {}
    for _, refs, tags in ways:
        forward, backward = way_limits(tags)
        for a, b in itertools.pairwise(refs):
            (alon, alat), (blon, blat) = nodes[a], nodes[b]
            pa, pb = position_key(alat, alon), position_key(blat, blon)
            for key, limit in (((*pa, *pb), forward), ((*pb, *pa), backward)):
                limits[key] = limit if limits.get(key, limit) == limit else None
    return {key: limit for key, limit in limits.items() if limit is not None}


def _read(path: Path, source: Path, profile: str,
          progress: Callable[[float], None] | None) -> tuple:
    """One pass over the file: places, restrictions, signals, driving side, drivable ways,
    their nodes and the ids of nodes whose coordinates are not a position on Earth."""
    places: list[Place] = []
    restrictions: list[TurnRestriction] = []
    signals: dict[int, str] = {}  # node -> "forward", "backward", else both ways
    left_hand = False
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    nodes: dict[int, tuple[float, float]] = {}
    invalid: list[int] = []
    size = path.stat().st_size
    try:
        processor = osmium.FileProcessor(str(path)).with_locations()
        for count, obj in enumerate(processor):
            if progress and count % 200_000 == 0:
                progress(min(0.9, count / max(1, size / 12)))
            if obj.is_node():
                if not obj.location.valid():
                    invalid.append(obj.id)
                    continue
                _node_place(obj, places)
                if obj.tags.get("highway") == "traffic_signals":
                    tags = obj.tags
                    signals[obj.id] = tags.get("traffic_signals:direction") \
                        or tags.get("direction") or ""
            elif obj.is_way():
                _way(obj, profile, ways, nodes, places)
            elif obj.is_relation() and obj.tags.get("type") == "restriction":
                restriction = _restriction(obj, profile)
                if restriction is not None:
                    restrictions.append(restriction)
            elif obj.is_relation() and obj.tags.get("driving_side") == "left":
                left_hand = True  # a country's boundary says so (GB, JP, AU, ...)
    except RuntimeError as exc:  # libosmium's parse errors
        raise MapFileError(f"{source}: not a readable OSM file ({exc})") from None
    return places, restrictions, signals, left_hand, ways, nodes, invalid


XML_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".xml", ".xml.gz", ".xml.bz2")
_NODE_TAG = re.compile(r"<node\b[^>]*>")
_COORDINATE = re.compile(r"\b(lat|lon)=([\"'])(.*?)\2")
_DECIMAL = re.compile(r"-?\d{1,3}(?:\.\d+)?")
OUT_OF_RANGE = "200"  # parses, and is no latitude or longitude: the node is left out


def _mark_unreadable_coordinates(source: Path, target: Path) -> None:
    """A copy of an OSM XML file where each node coordinate that is not a plain decimal in
    range reads OUT_OF_RANGE."""
    def coordinate(found: re.Match[str]) -> str:
        value = found.group(3).strip()
        limit = 90.0 if found.group(1) == "lat" else 180.0
        if _DECIMAL.fullmatch(value) and abs(float(value)) <= limit:
            return found.group(0)
        return f'{found.group(1)}="{OUT_OF_RANGE}"'

    opener = gzip.open if source.name.endswith(".gz") else \
        bz2.open if source.name.endswith(".bz2") else open
    try:
        with opener(source, "rt", encoding="utf-8", errors="replace") as lines, \
                open(target, "w", encoding="utf-8") as out:
            for line in lines:
                out.write(_NODE_TAG.sub(lambda tag: _COORDINATE.sub(coordinate, tag.group(0)),
                                        line))
    except (OSError, EOFError) as exc:
        raise MapFileError(f"{source}: not a readable OSM file ({exc})") from None


def _approaches(signals: dict[int, str], ways: list, nodes: dict) -> set[Approach]:
    """A signal faces traffic from both neighbours along its way, or, tagged forward or
    backward, only traffic going with or against the way's direction."""
    out: set[Approach] = set()
    for _, refs, _ in ways:
        for i, ref in enumerate(refs):
            facing = signals.get(ref)
            if facing is None:
                continue
            before = [refs[i - 1]] if i > 0 and facing != "backward" else []
            if i + 1 < len(refs) and facing != "forward":
                before.append(refs[i + 1])
            lon, lat = nodes[ref]
            for other in before:
                olon, olat = nodes[other]
                out.add((*position_key(lat, lon), *position_key(olat, olon)))
    return out


def _restriction(relation: osmium.osm.Relation, profile: str) -> TurnRestriction | None:
    """The restriction that binds this profile's vehicles, if it is one a router can apply:
    via a node, a plain no_* or only_* value (conditional ones are left out)."""
    tags = relation.tags
    value = tags.get(f"restriction:{RESTRICTION_VEHICLE[profile]}") or tags.get("restriction")
    exempt = {v.strip() for v in tags.get("except", "").split(";")}
    if not value or not value.startswith(("no_", "only_")) or exempt & EXEMPT[profile]:
        return None
    members = {"from": [], "via": [], "to": []}
    for member in relation.members:
        if member.role in members:
            members[member.role].append((member.type, member.ref))
    vias = members["via"]
    froms = tuple(ref for kind, ref in members["from"] if kind == "w")
    tos = tuple(ref for kind, ref in members["to"] if kind == "w")
    if len(vias) != 1 or vias[0][0] != "n" or not froms or not tos:
        return None  # via a way, or members missing: skipped
    return TurnRestriction(froms, vias[0][1], tos, value.startswith("only_"))


def at_way_ends(restrictions: list[TurnRestriction],
                refs: dict[int, list[int]]) -> list[TurnRestriction]:
    """Those whose ways are drivable and end at the via node, as OSM requires; a way that runs
    through it would not say which way is meant."""
    def ends(way: int, node: int) -> bool:
        nodes = refs.get(way)
        return nodes is not None and node in (nodes[0], nodes[-1])

    return [r for r in restrictions
            if all(ends(w, r.via_node) for w in (*r.from_ways, *r.to_ways))]


def _node_place(node: osmium.osm.Node, places: list[Place]) -> None:
    tags = node.tags
    if not node.location.valid():
        return
    lat, lon = node.location.lat, node.location.lon
    names = all_names(tags)
    category = _category(tags)
    if names and category:
        places.append(Place(names[0], category, lat, lon, names))
    elif category == "charging_station":  # often unnamed; still a place to go
        label = tags.get("operator") or tags.get("brand") or "Charging station"
        places.append(Place(label, category, lat, lon, (label,)))
    elif category == "bus_stop":  # unnamed, still a stop on the map
        label = tags.get("ref") or "Bus stop"
        places.append(Place(label, category, lat, lon, (label,)))
    _address(tags, lat, lon, places)


def _address(tags: osmium.osm.TagList, lat: float, lon: float, places: list[Place]) -> None:
    street, number = tags.get("addr:street"), tags.get("addr:housenumber")
    if street and number:
        places.append(Place(f"{street} {number}", "address", lat, lon, (f"{street} {number}",)))


def _way(way: osmium.osm.Way, profile: str, ways: list, nodes: dict, places: list) -> None:
    tags = way.tags
    coords = [(n.ref, n.location.lon, n.location.lat) for n in way.nodes if n.location.valid()]
    if len(coords) < 2:
        return
    if drivable(tags, profile):
        for ref, lon, lat in coords:
            nodes[ref] = (lon, lat)
        ways.append((way.id, [c[0] for c in coords], {t.k: t.v for t in tags}))
        names = all_names(tags)
        if names:
            mid = coords[len(coords) // 2]
            places.append(Place(names[0], "street", mid[2], mid[1], names))
        return
    lat = sum(c[2] for c in coords) / len(coords)
    lon = sum(c[1] for c in coords) / len(coords)
    names = all_names(tags)
    category = _category(tags)
    if names and category:
        places.append(Place(names[0], category, lat, lon, names))
    _address(tags, lat, lon, places)
