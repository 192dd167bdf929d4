"""Guidance along one route: where the vehicle is on it, which prompt is due, whether it has
left the route, and arrival. Pure logic fed with position fixes; the service does the bus.

Prompt distances scale with speed, as OsmAnd and Organic Maps do: "prepare" about 25 s ahead
(at least 300 m), "in" about 10 s ahead (at least 120 m), "now" about 3 s ahead (at least 25 m).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from kernel.speech import languages, speech
from kernel.units import Units
from navigation.maneuvers import Maneuver

OFF_ROUTE_M = 40.0
OFF_ROUTE_FIXES = 3
ARRIVAL_M = 25.0
STAGES = (("prepare", 25.0, 300.0), ("in", 10.0, 120.0), ("now", 3.0, 25.0))
M_PER_DEG = 111_195.0


@dataclass
class Prompt:
    stage: str
    maneuver: Maneuver
    distance_m: float
    text: str


@dataclass
class FixResult:
    along_m: float
    off_m: float
    prompts: list[Prompt] = field(default_factory=list)
    reroute: bool = False
    arrived: bool = False


class Guidance:
    def __init__(self, points: list[tuple[float, float]], maneuvers: list[Maneuver],
                 duration_s: float, destination: str, language: str = "en",
                 units: Units | None = None) -> None:
        self.points = points
        self.maneuvers = maneuvers
        self.duration_s = duration_s
        self.destination = destination
        self.language = language if language in languages() else "en"
        self.units = units or Units()
        self._lat0 = math.radians(points[0][0]) if points else 0.0
        xy = [self._xy(p) for p in points]
        self._xy_points = xy
        self._at = [0.0]
        for a, b in itertools.pairwise(xy):
            self._at.append(self._at[-1] + math.dist(a, b))
        self.length_m = self._at[-1]
        self._segment = 0
        self._announced: set[tuple[int, str]] = set()
        self._off_count = 0
        self.along_m = 0.0

    def _xy(self, point: tuple[float, float]) -> tuple[float, float]:
        return (point[1] * M_PER_DEG * math.cos(self._lat0), point[0] * M_PER_DEG)

    def locate(self, lat: float, lon: float) -> tuple[float, float]:
        """(distance along the route, distance off it) of a fix, searching near the last one
        first so a route that passes the same place twice is followed in order."""
        p = self._xy((lat, lon))
        best = (math.inf, 0.0, self._segment)
        count = len(self._xy_points) - 1
        window = range(max(0, self._segment - 2), min(count, self._segment + 40))
        for scan in (window, range(count)):
            for i in scan:
                off, along = self._project(p, i)
                if off < best[0]:
                    best = (off, along, i)
            if best[0] <= OFF_ROUTE_M:
                break
        return best[1], best[0]

    def _project(self, p: tuple[float, float], i: int) -> tuple[float, float]:
        (ax, ay), (bx, by) = self._xy_points[i], self._xy_points[i + 1]
        dx, dy = bx - ax, by - ay
        span = dx * dx + dy * dy
        t = 0.0 if span == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / span))
        qx, qy = ax + t * dx, ay + t * dy
        return math.hypot(p[0] - qx, p[1] - qy), self._at[i] + t * math.sqrt(span)

    def next_maneuver(self) -> Maneuver | None:
        """A U-turn where the route starts stays next until the vehicle has turned round and
        set off along the route."""
        for maneuver in self.maneuvers:
            if maneuver.kind == "depart":
                continue
            started = maneuver.at_m == 0.0 and self.along_m < 1.0
            if maneuver.at_m > self.along_m + 1.0 or started:
                return maneuver
        return None

    def remaining(self) -> tuple[float, float]:
        """(metres, seconds) left, time scaled from the route's own estimate."""
        left = max(0.0, self.length_m - self.along_m)
        share = left / self.length_m if self.length_m > 0 else 0.0
        return left, self.duration_s * share

    def fix(self, lat: float, lon: float, speed_ms: float) -> FixResult:
        along, off = self.locate(lat, lon)
        result = FixResult(along, off)
        if off > OFF_ROUTE_M:
            self._off_count += 1
            result.reroute = self._off_count >= OFF_ROUTE_FIXES
            return result
        self._off_count = 0
        self.along_m = max(self.along_m, along) if along - self.along_m < 200 else along
        self._segment = self._segment_at(self.along_m)
        if self.length_m - self.along_m <= ARRIVAL_M:
            result.arrived = True
            return result
        maneuver = self.next_maneuver()
        if maneuver is not None:
            result.prompts = self._due(maneuver, maneuver.at_m - self.along_m, speed_ms)
        return result

    def _segment_at(self, along: float) -> int:
        for i in range(self._segment, len(self._at) - 1):
            if self._at[i + 1] >= along:
                return i
        return max(0, len(self._at) - 2)

    def _due(self, maneuver: Maneuver, distance: float, speed_ms: float) -> list[Prompt]:
        """The most urgent stage whose distance has been reached, if not yet announced."""
        index = self.maneuvers.index(maneuver)
        for stage, seconds, minimum in reversed(STAGES):
            if distance <= max(minimum, seconds * speed_ms):
                key = (index, stage)
                if key in self._announced:
                    return []
                self._announced.update((index, s) for s, _, _ in STAGES
                                       if s == stage or self._earlier(s, stage))
                return [Prompt(stage, maneuver, distance, self.prompt_text(stage, maneuver,
                                                                           distance))]
        return []

    @staticmethod
    def _earlier(candidate: str, stage: str) -> bool:
        order = [s for s, _, _ in STAGES]
        return order.index(candidate) < order.index(stage)

    def prompt_text(self, stage: str, maneuver: Maneuver, distance: float) -> str:
        words = speech(self.language)
        text = words.maneuvers
        instruction = maneuver.instruction(self.language, self.destination, stage != "now")
        if words.lower_case_within:
            instruction = instruction[0].lower() + instruction[1:]
        if stage == "now":
            return text["now"].format(instruction=instruction)
        return text["in"].format(distance=self.units.approach(distance, self.language, True),
                                 instruction=instruction)
