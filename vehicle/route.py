"""Driving along a route: position and heading from distance travelled, and the speed a careful
driver would aim for — the speed limit, slower before turns, stopping at the destination."""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000.0
DEFAULT_LIMIT_KMH = 50.0


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def bearing_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return math.degrees(math.atan2(y, x)) % 360.0


def turn_speed_kmh(turn_deg: float, limit_kmh: float) -> float:
    """Comfortable speed through a bend of `turn_deg` degrees of heading change."""
    if turn_deg < 20:
        return limit_kmh
    if turn_deg < 45:
        return min(limit_kmh, 40.0)
    if turn_deg < 100:
        return min(limit_kmh, 25.0)
    return min(limit_kmh, 15.0)


@dataclass(frozen=True)
class Waypoint:
    point: tuple[float, float]
    at_m: float  # distance from the start
    heading: float  # of the segment leaving this point
    limit_kmh: float  # on the segment leaving this point
    turn_kmh: float  # speed to pass this point


class RouteFollower:
    def __init__(self, points: tuple[tuple[float, float], ...],
                 limits_kmh: tuple[float, ...] = (), comfort_decel_ms2: float = 1.5) -> None:
        if len(points) < 2:
            raise ValueError(f"a route needs at least 2 points, got {len(points)}")
        limits = [lim if lim and lim > 0 else DEFAULT_LIMIT_KMH for lim in limits_kmh]
        limits += [limits[-1] if limits else DEFAULT_LIMIT_KMH] * (len(points) - len(limits))
        self.decel = comfort_decel_ms2
        waypoints: list[Waypoint] = []
        at = 0.0
        headings = [bearing_deg(points[i], points[i + 1]) for i in range(len(points) - 1)]
        headings.append(headings[-1])
        for i, point in enumerate(points):
            if i:
                at += distance_m(points[i - 1], point)
            change = abs((headings[i] - headings[i - 1] + 180) % 360 - 180) if i else 0.0
            turn = 0.0 if i == len(points) - 1 else turn_speed_kmh(change, limits[i])
            waypoints.append(Waypoint(point, at, headings[i], limits[i], turn))
        self.waypoints = waypoints
        self.length_m = at
        self._starts = [w.at_m for w in waypoints]

    def _index(self, at_m: float) -> int:
        return max(0, min(len(self.waypoints) - 2, bisect_right(self._starts, at_m) - 1))

    def position(self, at_m: float) -> tuple[float, float, float]:
        """(lat, lon, heading) at `at_m` metres along the route."""
        at_m = min(max(at_m, 0.0), self.length_m)
        i = self._index(at_m)
        a, b = self.waypoints[i], self.waypoints[i + 1]
        span = b.at_m - a.at_m
        f = (at_m - a.at_m) / span if span > 0 else 0.0
        lat = a.point[0] + (b.point[0] - a.point[0]) * f
        lon = a.point[1] + (b.point[1] - a.point[1]) * f
        return lat, lon, a.heading

    def limit_kmh(self, at_m: float) -> float:
        return self.waypoints[self._index(at_m)].limit_kmh

    def target_speed_ms(self, at_m: float, lookahead_m: float = 300.0) -> float:
        """Highest speed from which every bend ahead and the final stop can be made at the
        comfortable deceleration."""
        target = self.limit_kmh(at_m) / 3.6
        i = self._index(at_m) + 1
        while i < len(self.waypoints) and self.waypoints[i].at_m - at_m <= lookahead_m:
            w = self.waypoints[i]
            gap = max(0.0, w.at_m - at_m)
            target = min(target, math.sqrt((w.turn_kmh / 3.6) ** 2 + 2 * self.decel * gap))
            i += 1
        to_end = max(0.0, self.length_m - at_m)
        return min(target, math.sqrt(2 * self.decel * to_end))

    def locate(self, point: tuple[float, float], *, within_m: float,
               search_m: float = 300.0) -> float | None:
        """Distance along the route of `point`'s projection onto its first `search_m` metres,
        if the point lies within `within_m` of the route there (a reroute begins where the
        car already is); None otherwise."""
        best: tuple[float, float] | None = None  # (off-route distance, at_m)
        scale = math.cos(math.radians(point[0]))
        for a, b in itertools.pairwise(self.waypoints):
            if a.at_m > search_m:
                break
            # Metres east/north of a, locally flat: fine over one street segment.
            bx = (b.point[1] - a.point[1]) * scale
            by = b.point[0] - a.point[0]
            px = (point[1] - a.point[1]) * scale
            py = point[0] - a.point[0]
            span2 = bx * bx + by * by
            f = (px * bx + py * by) / span2 if span2 > 0 else 0.0
            if f < 0 and a.at_m == 0:
                continue  # before the start: not on the route yet
            f = min(1.0, max(0.0, f))
            off = distance_m(point, (a.point[0] + by * f, a.point[1] + bx * f / scale))
            if best is None or off < best[0]:
                best = (off, a.at_m + f * (b.at_m - a.at_m))
        return best[1] if best is not None and best[0] <= within_m else None

