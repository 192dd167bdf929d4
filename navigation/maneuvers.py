"""Turn-by-turn maneuvers from a route's edges: turn class from the bearing change, street
names, roundabout exits, distances, and instruction text in each language of
assets/speech/ (kernel/speech.py).

Turn classes use OSRM-like angle thresholds on the heading change at each junction:
straight < 20°, slight < 60°, turn < 120°, sharp < 170°, U-turn beyond. A junction where the
route goes straight on along the same street is not a maneuver.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kernel.speech import speech
from navigation.road_position import points_from
from navigation.roadmap import RoadMap
from navigation.router import Route, turn_angles

ARRIVAL_SIDE_M = 3.0
CLASSES = ((20.0, "straight"), (60.0, "slight"), (120.0, "turn"), (170.0, "sharp"))

@dataclass(frozen=True)
class Maneuver:
    kind: str  # depart, straight, slight, turn, sharp, uturn, roundabout, arrive
    side: str  # left, right or ""
    street: str  # the street the maneuver leads onto
    at_m: float  # distance from the route start to the maneuver point
    lat: float
    lon: float
    angle: float = 0.0
    exit: int = 0

    def instruction(self, language: str = "en", destination: str = "", ahead: bool = False) -> str:
        """The spoken and shown text; an unnamed street is left out ("Turn left"). `ahead`:
        said before the maneuver point, where an arrival is still to come."""
        words = speech(language)
        text = words.maneuvers
        if self.kind == "arrive":
            place = destination or self.street
            if not place:
                arrival = text["arriving_unnamed" if ahead else "arrived"]
            else:
                arrival = text["arriving" if ahead else "arrive"].format(destination=place)
            if not self.side:
                return arrival
            return text["on_side"].format(arrival=arrival, side=text["side_" + self.side])
        if self.kind == "depart":
            heading = words.headings[int(((self.angle + 45) % 360) // 90)]
            action, joined = text["depart"].format(heading=heading), text["on"]
        else:
            action = text[self.kind].format(side=text.get(self.side, ""), exit=self.exit)
            joined = text["onto"]
        return joined.format(action=action, street=self.street) if self.street else action


def classify(angle: float) -> str:
    magnitude = abs(angle)
    for limit, name in CLASSES:
        if magnitude < limit:
            return name
    return "uturn"


def build_maneuvers(roadmap: RoadMap, route: Route,
                    destination: tuple[float, float] | None = None) -> list[Maneuver]:
    """The driver-relevant maneuvers of a route, from departure to arrival; the arrival says
    on which side of the road the `destination` (lat, lon) lies."""
    edges = list(route.edges)
    if not edges:
        return []
    m = roadmap
    at = np.concatenate([[0.0], np.cumsum(m.edge_length[edges]) - route.skip_m])
    first = edges[0]
    lat, lon = points_from(m, first, route.skip_m)[0]
    out = [Maneuver("depart", "", m.edge_street(first), 0.0, lat, lon,
                    float(m.edge_bearing_in[first]))]
    if route.turned_round:
        out.append(Maneuver("uturn", "", m.edge_street(first), 0.0, lat, lon, 180.0))
    roundabout_exits = 0
    for i in range(1, len(edges)):
        prev, edge = edges[i - 1], edges[i]
        node = int(m.edge_u[edge])
        if m.edge_roundabout[edge]:
            if not m.edge_roundabout[prev]:
                roundabout_exits = 0
            roundabout_exits += max(0, len(m.edges_from(node)) - 1)
            continue
        angle = float(turn_angles(m, np.array([prev]), np.array([edge]))[0])
        if m.edge_roundabout[prev]:
            roundabout_exits += 1
            out.append(Maneuver("roundabout", "", m.edge_street(edge), float(at[i]),
                                float(m.node_lat[node]), float(m.node_lon[node]), angle,
                                exit=max(1, roundabout_exits)))
            continue
        kind = classify(angle)
        same_street = m.edge_name[edge] == m.edge_name[prev] and m.edge_name[edge] >= 0
        branches = len(m.edges_from(node))
        if kind == "straight" and (same_street or branches <= 2):
            continue
        if kind == "slight" and same_street and branches <= 2:
            continue  # the road bends; there is nothing to decide
        side = "" if kind in ("straight", "uturn") else ("right" if angle > 0 else "left")
        out.append(Maneuver(kind, side, m.edge_street(edge), float(at[i]),
                            float(m.node_lat[node]), float(m.node_lon[node]), angle))
    last = edges[-1]
    length = float(m.edge_length[last])
    before, (lat, lon) = points_from(m, last, 0.0, length - route.cut_m)[-2:]
    out.append(Maneuver("arrive", arrival_side(m, before, (lat, lon), destination),
                        m.edge_street(last), float(at[-1] - route.cut_m), lat, lon))
    return out


def arrival_side(roadmap: RoadMap, before: tuple[float, float], end: tuple[float, float],
                 destination: tuple[float, float] | None) -> str:
    """"left" or "right" of the way the route arrives, or "" for a destination on the road
    itself (closer than ARRIVAL_SIDE_M) or unknown."""
    if destination is None:
        return ""
    (ax, ay), (bx, by), (px, py) = roadmap.project(*np.array([before, end, destination]).T)
    if math.hypot(px - bx, py - by) < ARRIVAL_SIDE_M or (ax, ay) == (bx, by):
        return ""
    cross = (bx - ax) * (py - by) - (by - ay) * (px - bx)
    return "left" if cross > 0 else "right"
