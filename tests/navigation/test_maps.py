"""Maps from real OSM extracts: build, cache, formats, profiles, broken files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from kernel import topics
from kernel.event_bus import EventBus
from navigation.osm_extract import MapFileError
from navigation.roadmap import RoadMap, cache_key, default_map_file, load_map


def test_default_map_is_the_helsinki_extract(helsinki) -> None:
    assert Path(helsinki.source).name == "Helsinki.osm.pbf"
    assert helsinki.node_count > 100 and helsinki.edge_count > 200
    south, west, north, east = helsinki.bounds()
    assert 60.15 < south < north < 60.19 and 24.92 < west < east < 24.97
    assert "Mannerheimintie" in helsinki.names
    assert any(p.category == "charging_station" for p in helsinki.places)


def test_cached_map_loads_the_same_arrays(helsinki, map_cache: Path) -> None:
    again = load_map(default_map_file(), map_cache)
    assert np.array_equal(again.edge_time, helsinki.edge_time)
    assert again.names == helsinki.names and len(again.places) == len(helsinki.places)
    assert np.array_equal(again.turn_order, helsinki.turn_order)
    assert np.array_equal(again.turn_bans, helsinki.turn_bans) and len(again.turn_bans)


@pytest.mark.parametrize("damage", ["garbage", "missing array"])
def test_damaged_cache_is_rebuilt_from_the_source(helsinki, tmp_path: Path, damage: str) -> None:
    load_map(default_map_file(), tmp_path)
    npz = next((tmp_path / "maps").glob("*.npz"))
    if damage == "garbage":
        npz.write_bytes(b"not a map cache")
    else:
        np.savez(npz, node_lat=helsinki.node_lat)
    again = load_map(default_map_file(), tmp_path)
    assert np.array_equal(again.edge_time, helsinki.edge_time)
    assert np.array_equal(again.turn_order, helsinki.turn_order)
    assert np.array_equal(RoadMap.load(npz).turn_order, helsinki.turn_order)  # cache repaired


def test_map_carries_the_hierarchy_order_of_its_turns(helsinki) -> None:
    """The router's slow step is computed once, with the map: every edge exactly once."""
    assert np.array_equal(np.sort(helsinki.turn_order), np.arange(helsinki.edge_count))


def test_map_is_ready_only_once_routes_can_be_planned(map_cache: Path) -> None:
    from navigation.service import NavigationService

    bus = EventBus()
    steps: list[tuple[float, str, bool]] = []
    nav = NavigationService(default_map_file(), map_cache)
    bus.subscribe(topics.APP_PROGRESS, lambda m: steps.append(
        (m.payload.fraction, m.payload.text, nav.planner is not None)))
    nav.start(bus)
    assert nav.ready.wait(60)
    nav.stop()
    bus.close()
    assert [s for s in steps if s[0] == 1.0] == [(1.0, "Map Helsinki.osm.pbf ready", True)]
    assert all(not planned for fraction, _, planned in steps if fraction < 1.0)


def test_service_routes_for_the_driving_side_it_is_given(map_cache: Path) -> None:
    from navigation.service import NavigationService

    bus = EventBus()
    nav = NavigationService(default_map_file(), map_cache, driving_side="left")
    nav.start(bus)
    assert nav.ready.wait(60)
    nav.stop()
    bus.close()
    assert nav.planner.router.map.left_hand_traffic  # Helsinki's file says right-hand


def test_cache_is_keyed_by_content_and_profile(tmp_path: Path) -> None:
    copy = tmp_path / "helsinki.osm.pbf"
    shutil.copy(default_map_file(), copy)
    key = cache_key(copy, "car")
    assert cache_key(copy, "bus") != key
    with copy.open("ab") as handle:
        handle.write(b"\0")
    assert cache_key(copy, "car") != key


def test_every_format_builds(extract) -> None:
    for name in ("monaco.osm.gz", "paris_bss.osm.pbf", "liechtenstein-latest.osm.pbf"):
        roadmap = extract(name)
        assert roadmap.edge_count > 100, name
        assert (roadmap.edge_time > 0).all() and (roadmap.edge_length > 0).all()


def test_bus_profile_adds_busways(shared_maps: Path, map_cache: Path) -> None:
    car = load_map(shared_maps / "bus.osm.pbf", map_cache, "car")
    bus = load_map(shared_maps / "bus.osm.pbf", map_cache, "bus")
    assert bus.edge_count >= car.edge_count


def test_progress_is_reported_while_building(tmp_path: Path) -> None:
    seen: list[float] = []
    load_map(default_map_file(), tmp_path, progress=lambda f, _t, *_v: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


@pytest.mark.parametrize("content, complaint", [
    (b"", "the map file is empty"),
    (b"this is not a map at all", "not a readable OSM file"),
    (gzip.compress(b"<osm version='0.6'></osm>"), "no drivable roads"),
])
def test_broken_map_files_name_the_file(tmp_path: Path, content: bytes, complaint: str) -> None:
    gz = content.startswith(b"\x1f\x8b")
    path = tmp_path / ("broken.osm.gz" if gz else "broken.osm.pbf")
    path.write_bytes(content)
    with pytest.raises(MapFileError) as info:
        load_map(path, tmp_path)
    assert complaint in str(info.value) and path.name in str(info.value)


def test_missing_map_file(tmp_path: Path) -> None:
    with pytest.raises(MapFileError, match="no such map file"):
        load_map(tmp_path / "nowhere.osm.pbf", tmp_path)


def test_service_reports_a_broken_map_and_keeps_running(tmp_path: Path) -> None:
    from navigation.service import NavigationService

    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"garbage")
    bus = EventBus()
    errors, notices = [], []
    bus.subscribe(topics.BUS_ERROR, errors.append)
    bus.subscribe(topics.UI_NOTICE, notices.append)
    nav = NavigationService(broken, tmp_path)
    nav.start(bus)
    nav.stop()  # drains the load job
    bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest("Kaivokatu 1"))
    bus.close()
    assert "broken.osm.pbf" in errors[0].payload.message
    assert notices[0].payload.level == "error"
