"""Posted speed limits and marked places from the real Helsinki extract: OSM maxspeed read only
when it states a number (hostile and implicit values give no sign), per direction, kept in the
verified cache, and said on the bus for the road under the vehicle."""

from __future__ import annotations

import threading

import numpy as np
import osmium
import pytest

from kernel import codec, topics
from kernel.codec import FieldValueError
from kernel.event_bus import EventBus
from navigation import map_cache
from navigation.map_cache import CacheError
from navigation.osm_extract import position_key
from navigation.road_position import RoadIndex
from navigation.roadmap import RoadMap, default_map_file
from navigation.service import NavigationService
from navigation.speed_limits import parse_maxspeed, way_limits


@pytest.mark.parametrize(("value", "kmh"), [
    ("50", 50.0), (" 40 ", 40.0), ("50.5", 50.5), ("40 km/h", 40.0), ("40kmh", 40.0),
    ("30 mph", 48.3), ("50mph", 80.5), ("20 knots", 37.0), ("300", 300.0),
    ("DE:zone30", 30.0), ("DE:zone:20", 20.0),
])
def test_stated_limits_are_read_in_kmh(value: str, kmh: float) -> None:
    assert parse_maxspeed(value) == kmh


@pytest.mark.parametrize("value", [
    "RU:urban", "FR:rural", "DE:motorway", "none", "walk", "signals", "variable", "", "  ",
    "garbage", "50;30", "50|30", "0", "-50", "301", "999", "1e3", "NaN", "inf", "50 m/s",
    "fifty", "50 km/h extra", "RU:zone", "9" * 40, "５０", "DE:zone300x",
])
def test_implicit_and_hostile_values_give_no_sign(value: str) -> None:
    assert parse_maxspeed(value) is None


def test_direction_tags_override_the_general_value_and_never_fall_back_to_it() -> None:
    assert way_limits({"maxspeed": "30", "maxspeed:backward": "40"}) == (30.0, 40.0)
    assert way_limits({"maxspeed:forward": "50"}) == (50.0, None)
    assert way_limits({"maxspeed": "30", "maxspeed:forward": "garbage"}) == (None, 30.0)
    assert way_limits({"highway": "primary"}) == (None, None)


def segment_limit(roadmap: RoadMap, a: tuple[float, float], b: tuple[float, float]) -> float:
    """The limit the map keeps for the geometry segment from a to b."""
    keys = [position_key(lat, lon) for lat, lon in
            zip(roadmap.geom_lat.tolist(), roadmap.geom_lon.tolist(), strict=True)]
    for i in range(len(keys) - 1):
        if keys[i] == position_key(*a) and keys[i + 1] == position_key(*b):
            return float(roadmap.geom_limit[i])
    raise AssertionError(f"no segment {a} -> {b} in the map")


def test_helsinki_keeps_each_directions_posted_limit(helsinki: RoadMap) -> None:
    """Uudenmaankatu (way 18385008) is tagged maxspeed=30, maxspeed:backward=40."""
    nodes = next([(n.lat, n.lon) for n in way.nodes]
                 for way in osmium.FileProcessor(str(default_map_file())).with_locations()
                 if way.is_way() and way.id == 18385008)
    assert segment_limit(helsinki, nodes[0], nodes[1]) == 30.0
    assert segment_limit(helsinki, nodes[1], nodes[0]) == 40.0
    limits = set(helsinki.geom_limit.tolist())
    assert {0.0, 30.0, 40.0} <= limits and limits <= {0.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0}


def test_the_road_under_a_fix_has_its_limit(helsinki: RoadMap) -> None:
    roads = RoadIndex(helsinki)
    at = roads.locate(60.1700, 24.9380)
    assert helsinki.edge_street(at.edge) == "Mannerheimintie"
    assert at.speed_limit_kmh(helsinki) == 30.0


@pytest.mark.parametrize("bad", [np.nan, -1.0, 301.0, np.inf])
def test_a_cache_with_impossible_limits_is_refused(helsinki: RoadMap, tmp_path, bad) -> None:
    arrays = {name: getattr(helsinki, name).copy() for name in map_cache.ARRAYS}
    arrays["geom_limit"][5] = bad
    meta = {"names": helsinki.names, "source": "", "invalid_nodes": [],
            "left_hand_traffic": False, "places": []}
    map_cache.write(tmp_path / "map.npz", arrays, meta, "x")
    with pytest.raises(CacheError, match="speed limits"):
        RoadMap.load(tmp_path / "map.npz", "x")


def test_map_payload_carries_the_charging_stations_and_bus_stops(map_cache) -> None:
    bus = EventBus()
    nav = NavigationService(None, map_cache)
    nav.start(bus)
    try:
        assert nav.ready.wait(120)
        data = bus.retained(topics.NAV_MAP)
    finally:
        nav.stop()
        bus.close()
    kinds = [p.kind for p in data.places]
    assert kinds.count("charging_station") == 4  # the extract's 4 amenity=charging_station
    assert kinds.count("bus_stop") >= 80  # of its 92 highway=bus_stop nodes, each stop once
    stops = {p.name for p in data.places if p.kind == "bus_stop"}
    assert "Erottaja" in stops
    south, west, north, east = data.south, data.west, data.north, data.east
    inside = [p for p in data.places if south <= p.lat <= north and west <= p.lon <= east]
    assert len(inside) >= 60


def test_the_road_and_its_limit_are_said_as_the_vehicle_moves(map_cache) -> None:
    bus = EventBus()
    roads: list[topics.RoadState] = []
    said = threading.Event()
    bus.subscribe(topics.NAV_ROAD, lambda m: (roads.append(m.payload), said.set()))
    nav = NavigationService(None, map_cache)
    nav.start(bus)
    try:
        assert nav.ready.wait(120)

        def fix(lat: float, lon: float) -> topics.RoadState:
            said.clear()
            bus.publish(topics.LATITUDE, topics.VssFloat(lat))
            bus.publish(topics.LONGITUDE, topics.VssFloat(lon))
            assert said.wait(10)
            return roads[-1]

        assert fix(60.1700, 24.9380) == topics.RoadState("Mannerheimintie", 30.0)
        assert fix(60.16882, 24.94239) == topics.RoadState("Aleksanterinkatu", 20.0)
        assert fix(60.1660, 24.9560) == topics.RoadState()  # in the harbour: no road, no sign
        assert fix(60.1700, 24.9380).street == "Mannerheimintie"
        bus.publish(topics.GNSS_FIX, topics.VssString("NONE"))
        assert fix(60.1700, 24.9380) == topics.RoadState()  # no fix: no sign
    finally:
        nav.stop()
        bus.close()


def test_map_topics_refuse_impossible_payloads() -> None:
    bus = EventBus()
    try:
        with pytest.raises(FieldValueError, match="speed_limit_kmh"):
            bus.publish(topics.NAV_ROAD, topics.RoadState("x", 1000.0))
        with pytest.raises(FieldValueError, match="kind"):
            bus.publish(topics.NAV_MAP, topics.MapData("m", 0, 0, 1, 1, (), (), (
                topics.MapPlace("x", "../../etc", 0.0, 0.0),)))
        with pytest.raises(FieldValueError, match="lat"):
            bus.publish(topics.NAV_MAP, topics.MapData("m", 0, 0, 1, 1, (), (), (
                topics.MapPlace("x", "bus_stop", 91.0, 0.0),)))
    finally:
        bus.close()


@pytest.mark.parametrize(("data", "field"), [
    ({"street": "Bulevardi", "speed_limit_kmh": 1e9}, "speed_limit_kmh"),
    ({"street": "Bulevardi", "speed_limit_kmh": -30}, "speed_limit_kmh"),
    ({"street": "Bulevardi", "speed_limit_kmh": "50 mph"}, "speed_limit_kmh"),
    ({"street": 5, "speed_limit_kmh": 50}, "street"),
])
def test_a_recorded_road_state_is_checked_at_the_door(data: dict, field: str) -> None:
    """A replayed recording's nav.road goes through the same checks as a publish."""
    with pytest.raises(codec.PayloadError, match=field):
        codec.from_json(topics.RoadState, data)
    assert codec.from_json(topics.RoadState, {"street": "Bulevardi", "speed_limit_kmh": 50}) \
        == topics.RoadState("Bulevardi", 50.0)
