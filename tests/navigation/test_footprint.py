"""The app never imports osmnx and its stack (geopandas, pandas, shapely) unless it builds a
map: from a cached map, loading and routing leave them out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from navigation.roadmap import RoadMap

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("osmnx", "geopandas", "pandas", "shapely")
LOAD_AND_ROUTE = """
import json, sys
from pathlib import Path
from navigation.service import NavigationService
from navigation.geocode import Geocoder
from navigation.planner import Planner
from navigation.roadmap import load_map
source, cache, origin, destination, *heavy = sys.argv[1:]
steps = []
roadmap = load_map(Path(source) if source else None, Path(cache),
                   progress=lambda f, t, *v: steps.append(t))
planner = Planner(roadmap, Geocoder(roadmap.places, {}, roadmap.bounds()))
plan = planner.plan(planner.locate(origin, None), planner.locate(destination, None), 0.16)
print(json.dumps({"steps": steps, "metres": plan.route.length_m,
                  "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(heavy))}))
"""


def load_and_route(source: str, cache: Path, origin: str, destination: str) -> dict:
    done = subprocess.run([sys.executable, "-c", LOAD_AND_ROUTE, source, str(cache), origin,
                           destination, *HEAVY], capture_output=True, text=True, timeout=300,
                          cwd=REPO, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(done.stdout)


def test_loading_a_cached_map_and_routing_imports_no_osmnx(helsinki: RoadMap,
                                                            map_cache: Path) -> None:
    result = load_and_route("", map_cache, "Bulevardi", "Kaivokatu 1")
    assert result["steps"] == ["Map %1 loaded"] and result["metres"] > 300
    assert result["heavy"] == []


def test_building_a_map_does_import_them(shared_maps: Path, tmp_path: Path) -> None:
    """The check above can fail: the same script building the map imports them all."""
    result = load_and_route(str(shared_maps / "monaco.osm.gz"), tmp_path, "43.7384,7.4246",
                            "43.7311,7.4197")
    assert result["steps"][-1] == "Map %1 ready" and result["heavy"] == sorted(HEAVY)
