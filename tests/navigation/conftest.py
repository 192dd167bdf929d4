"""Real OSM extracts, each built once per test session into a session cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from navigation.geocode import Geocoder
from navigation.planner import Planner
from navigation.roadmap import RoadMap, default_map_file, load_map


@pytest.fixture(scope="session")
def map_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("map-cache")


@pytest.fixture(scope="session")
def helsinki(map_cache: Path) -> RoadMap:
    return load_map(default_map_file(), map_cache)


@pytest.fixture(scope="session")
def helsinki_planner(helsinki: RoadMap) -> Planner:
    return Planner(helsinki, Geocoder(helsinki.places, {"home": "60.1650,24.9400"},
                                      helsinki.bounds()))


@pytest.fixture(scope="session")
def extract(map_cache: Path, shared_maps: Path):
    built: dict[str, RoadMap] = {}

    def get(name: str) -> RoadMap:
        if name not in built:
            built[name] = load_map(shared_maps / name, map_cache)
        return built[name]

    return get
