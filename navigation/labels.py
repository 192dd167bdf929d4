"""Street labels for the map: a name is readable only along a straight stretch of its street,
so each named road is cut into straight runs, and the longest runs of each street, spread
apart, become label places. The map screen writes a name where it fits at the current zoom."""

from __future__ import annotations

import math

from kernel.topics import StreetLabel
from navigation.roadmap import RoadMap

STRAIGHT_DEG = 12.0  # a run ends where the road turns more than this from its start
MIN_RUN_M = 25.0  # shorter stretches fit no name at any zoom
LABEL_SPACING_M = 300.0  # between two labels of the same street
MAX_PER_STREET = 12
M_PER_DEG = 111_195.0


def street_labels(roadmap: RoadMap) -> tuple[StreetLabel, ...]:
    runs: list[tuple[float, str, float, float, float]] = []  # (length, name, lat, lon, bearing)
    seen: set[tuple[int, int]] = set()
    for edge in range(roadmap.edge_count):
        name = roadmap.edge_street(edge)
        u, v = int(roadmap.edge_u[edge]), int(roadmap.edge_v[edge])
        if not name or (v, u) in seen:
            continue
        seen.add((u, v))
        runs += [(length, name, *middle, bearing)
                 for length, middle, bearing in _straight_runs(roadmap.edge_points(edge))]
    runs.sort(key=lambda r: -r[0])
    placed: dict[str, list[tuple[float, float]]] = {}
    labels = []
    for length, name, lat, lon, bearing in runs:
        others = placed.setdefault(name, [])
        if len(others) >= MAX_PER_STREET or any(
                _flat_m((lat, lon), o) < LABEL_SPACING_M for o in others):
            continue
        others.append((lat, lon))
        labels.append(StreetLabel(name, round(lat, 6), round(lon, 6), round(bearing, 1),
                                  round(length, 1)))
    return tuple(labels)


def _straight_runs(points: list[tuple[float, float]]
                   ) -> list[tuple[float, tuple[float, float], float]]:
    """(length m, middle point, bearing) of each straight run of a polyline."""
    runs = []
    start = 0
    while start < len(points) - 1:
        heading = _bearing(points[start], points[start + 1])
        end = start + 1
        while end < len(points) - 1 and _turn(heading, _bearing(points[end], points[end + 1])) \
                <= STRAIGHT_DEG:
            end += 1
        length = _flat_m(points[start], points[end])
        if length >= MIN_RUN_M:
            a, b = points[start], points[end]
            runs.append((length, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), _bearing(a, b)))
        start = end
    return runs


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    east = (b[1] - a[1]) * math.cos(math.radians(a[0]))
    return math.degrees(math.atan2(east, b[0] - a[0])) % 360.0


def _turn(a: float, b: float) -> float:
    return abs((b - a + 180.0) % 360.0 - 180.0)


def _flat_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    east = (b[1] - a[1]) * math.cos(math.radians(a[0]))
    return math.hypot(east, b[0] - a[0]) * M_PER_DEG
