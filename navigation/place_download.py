"""A map of a named place, downloaded with osmnx (needs internet) and saved as an OSM file.

Keeping only osmnx's graph gave a map nothing could point at (`--map` and the `map_file`
setting take OSM files) and with no places to look up. Written out as OSM XML, the roads and
the places beside them go through the same import as any extract: the profile's roads, every
name, signals, points of interest and addresses, the cache. osmnx fetches no relations, so
such a map has no turn restrictions and no driving side of its own (see the `driving_side`
setting).
"""

from __future__ import annotations

import gzip
import math
import shutil
import warnings
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import osmnx as ox

from navigation.osm_extract import BUS_ONLY_HIGHWAYS, DRIVE_HIGHWAYS, POI_TAGS
from navigation.roadmap import Progress

# What the import reads from a road and from a junction node. osmnx keeps only the tags it is
# told; of the names, those a driver of the app's languages would say.
ROAD_TAGS = ["highway", "name", "name:en", "name:fr", "name:ko", "alt_name", "official_name",
             "short_name", "oneway", "junction", "maxspeed", "access", "motor_vehicle",
             "motorcar", "bus", "psv", "service", "area", "lanes", "ref"]
NODE_TAGS = ["highway", "traffic_signals:direction", "direction"]
REVERSED_ONEWAY = {"-1", "reverse", "T"}  # osmnx's: one-way against the way's node order


def download_place(place: str, target: Path, progress: Progress | None = None) -> Path:
    """Download the drivable roads (both profiles') and the places of `place` into `target`,
    a gzipped OSM XML file (.osm.gz) that appears only once whole; osmnx's errors (no such
    place, no network) propagate. A city's download takes minutes, so each step is
    reported."""
    def report(fraction: float, template: str) -> None:
        if progress:
            progress(fraction, template, place)

    highways = "|".join(sorted(DRIVE_HIGHWAYS | BUS_ONLY_HIGHWAYS))
    wanted: dict[str, bool | list[str]] = {"place": True, "addr:housenumber": True}
    for key, value in POI_TAGS:
        listed = wanted.setdefault(key, [])
        if isinstance(listed, list):
            listed.append(value)
    saved = ox.settings.all_oneway, ox.settings.useful_tags_way, ox.settings.useful_tags_node
    # save_graph_xml needs an unsimplified graph built one way per OSM way.
    ox.settings.all_oneway = True
    ox.settings.useful_tags_way, ox.settings.useful_tags_node = ROAD_TAGS, NODE_TAGS
    try:
        report(0.0, "Downloading the roads of %1")
        graph = ox.graph_from_place(place, custom_filter=f'["highway"~"^({highways})$"]',
                                    simplify=False, retain_all=True)
        report(0.5, "Downloading the places of %1")
        places = ox.features_from_place(place, wanted)
        for _, _, road in graph.edges(data=True):
            if road.get("oneway") in REVERSED_ONEWAY:  # osmnx put its nodes in driving order
                road["oneway"] = "yes"
        target.parent.mkdir(parents=True, exist_ok=True)
        xml = target.with_name(f"{target.name}.part.osm")
        with warnings.catch_warnings():  # osmnx 2.1 fills missing oneway tags with a bool
            warnings.filterwarnings("ignore", "'bool' is not supported as a fill value")
            ox.io.save_graph_xml(graph, xml)
    finally:
        ox.settings.all_oneway, ox.settings.useful_tags_way, ox.settings.useful_tags_node = saved
    try:
        _add_places(xml, places)
        packed = target.with_name(f"{target.name}.part")
        with xml.open("rb") as plain, gzip.open(packed, "wb") as out:
            shutil.copyfileobj(plain, out)
        packed.replace(target)
    finally:
        xml.unlink(missing_ok=True)
    report(1.0, "Downloaded %1")
    return target


def _add_places(target: Path, places: gpd.GeoDataFrame) -> None:
    """Each place as a tagged node at a point inside it (new ids, negative as OSM's editors
    number objects of their own), before the file's closing tag."""
    keys = [c for c in places.columns if c != "geometry" and not c.startswith("nodes")]
    lines = []
    for i, (geometry, row) in enumerate(zip(places.geometry, places[keys].itertuples(
            index=False), strict=True)):
        if geometry is None or geometry.is_empty:
            continue
        point = geometry.representative_point()
        tags = "".join(f"<tag k={quoteattr(k)} v={quoteattr(str(v))}/>"
                       for k, v in zip(keys, row, strict=True) if _present(v))
        lines.append(f'<node id="{-(i + 1)}" version="1" lat="{point.y:.7f}" '
                     f'lon="{point.x:.7f}">{tags}</node>\n')
    text = target.read_text(encoding="utf-8")
    end = text.rindex("</osm>")
    target.write_text(text[:end] + "".join(lines) + text[end:], encoding="utf-8")


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) \
        and str(value) != ""
