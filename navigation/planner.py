"""Route planning: place queries to nodes, the fastest route, its maneuvers, its energy, and —
when the battery will not make it with the reserve kept — the best charging stop on the way."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from navigation.geocode import GeocodeError, Geocoder, GuessedPlace, Location, distance_m
from navigation.maneuvers import Maneuver, build_maneuvers
from navigation.road_position import RoadIndex, RoadPosition, points_from
from navigation.roadmap import RoadMap
from navigation.router import NoRoute, Route, Router

MAX_SNAP_M = 1500.0  # a point farther than this from any road is off the map
ENERGY_MARGIN = 1.1  # plan with 10 % more energy than the estimate
CHARGER_CANDIDATES = 5


class PlanError(ValueError):
    """A route that cannot be planned; one line for the driver or the CLI. `candidates`: a
    place the map has no exact match for, the closest it has (best first) to offer."""

    def __init__(self, message: str, candidates: tuple[Location, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True)
class Plan:
    origin: Location
    destination: Location
    route: Route
    points: list[tuple[float, float]]
    speed_limits_kmh: list[float]
    maneuvers: list[Maneuver]
    energy_kwh: float
    via: Location | None = None


@dataclass(frozen=True)
class ChargerProposal:
    charger: Location
    plan: Plan  # origin -> charger -> destination
    extra_s: float


class Planner:
    def __init__(self, roadmap: RoadMap, geocoder: Geocoder, *, turn_costs: bool = True) -> None:
        self.map = roadmap
        self.geocoder = geocoder
        self.router = Router(roadmap, turn_costs)
        self.roads = RoadIndex(roadmap)

    def snap(self, location: Location, role: str) -> int:
        node, away = self.map.nearest_node(location.lat, location.lon)
        if away > MAX_SNAP_M:
            raise PlanError(f"{role} {location.name!r} is off the map ({away / 1000:.1f} km "
                            f"from the nearest road)")
        return node

    def locate(self, query: str, near: tuple[float, float] | None,
               accept_guess: bool = False) -> Location:
        try:
            return self.geocoder.locate(query, near, accept_guess)
        except GuessedPlace as exc:
            raise PlanError(str(exc), exc.candidates) from None
        except GeocodeError as exc:
            raise PlanError(str(exc)) from None

    def plan(self, origin: Location, destination: Location, kwh_per_km: float,
             via: Location | None = None, heading: float | None = None) -> Plan:
        """The route ends on the road beside the destination. With a `heading` (the
        vehicle's, degrees from north) it starts on the road under the origin, the way the
        vehicle faces; without, at the nearest junction (a typed origin)."""
        stops = [(origin, "from"), *([(via, "via")] if via else []), (destination, "to")]
        nodes = [self.snap(stop, role) for stop, role in stops]
        ends: list[int | RoadPosition] = list(nodes)
        if heading is not None:
            ends[0] = self.roads.locate(origin.lat, origin.lon, heading)
        ends[-1] = self.roads.locate(destination.lat, destination.lon, street=destination.street)
        legs: list[Route] = []
        try:
            for (a, b), (na, nb) in zip(itertools.pairwise(ends), itertools.pairwise(nodes),
                                        strict=True):
                try:
                    legs.append(self.router.route(a, b, facing=True))
                except NoRoute:  # a road a clipped map's turn restrictions leave no way onto
                    legs.append(self.router.route(na, nb))
        except NoRoute:
            raise PlanError(f"{destination.name!r} cannot be reached by road from "
                            f"{origin.name!r}") from None
        route = Route(tuple(e for leg in legs for e in leg.edges),
                      sum(leg.duration_s for leg in legs), sum(leg.length_m for leg in legs),
                      legs[0].skip_m, legs[0].turned_round, legs[-1].cut_m)
        points, limits = self._geometry(route, origin)
        energy = route.length_m / 1000.0 * kwh_per_km
        return Plan(origin, destination, route, points, limits,
                    build_maneuvers(self.map, route, (destination.lat, destination.lon)),
                    energy, via)

    def _geometry(self, route: Route, origin: Location) -> tuple[list[tuple[float, float]],
                                                                    list[float]]:
        points: list[tuple[float, float]] = []
        limits: list[float] = []
        last = len(route.edges) - 1
        for i, edge in enumerate(route.edges):
            cut = route.cut_m if i == last else 0.0
            pts = points_from(self.map, edge, route.skip_m if i == 0 else 0.0,
                              float(self.map.edge_length[edge]) - cut)
            speed = float(self.map.edge_speed[edge])
            if points and points[-1] == pts[0]:
                pts = pts[1:]
            points.extend(pts)
            limits.extend([speed] * len(pts))
        if not points:
            points = [(origin.lat, origin.lon), (origin.lat, origin.lon)]
            limits = [0.0, 0.0]
        return points, limits

    def propose_charger(self, plan: Plan, available_kwh: float,
                        kwh_per_km: float) -> ChargerProposal | None:
        """The charging station whose detour is quickest among those the battery reaches."""
        chargers = [p for p in self.map.places if p.category == "charging_station"]
        if not chargers:
            return None
        o = plan.origin
        chargers.sort(key=lambda p: distance_m(o.lat, o.lon, p.lat, p.lon))
        best: ChargerProposal | None = None
        for place in chargers[:CHARGER_CANDIDATES]:
            charger = Location(place.name, place.lat, place.lon, "charging_station")
            try:
                to_charger = self.plan(o, charger, kwh_per_km)
                via = self.plan(o, plan.destination, kwh_per_km, via=charger)
            except PlanError:
                continue
            if to_charger.energy_kwh * ENERGY_MARGIN > available_kwh:
                continue
            extra = via.route.duration_s - plan.route.duration_s
            if best is None or extra < best.extra_s:
                best = ChargerProposal(charger, via, extra)
        return best


def route_summary(plan: Plan) -> dict:
    """The CLI's --json object."""
    return {
        "distance_m": round(plan.route.length_m, 1),
        "duration_s": round(plan.route.duration_s, 1),
        "energy_kwh": round(plan.energy_kwh, 3),
        "from": {"name": plan.origin.name, "lat": plan.origin.lat, "lon": plan.origin.lon,
                 "confidence": plan.origin.confidence},
        "to": {"name": plan.destination.name, "lat": plan.destination.lat,
               "lon": plan.destination.lon, "confidence": plan.destination.confidence},
        "maneuvers": [
            {"kind": m.kind, "side": m.side, "street": m.street, "at_m": round(m.at_m, 1),
             "lat": m.lat, "lon": m.lon,
             "instruction": m.instruction("en", plan.destination.name)}
            for m in plan.maneuvers
        ],
    }


def flat_roads(roadmap: RoadMap) -> tuple[tuple[float, ...], ...]:
    """Each undirected road once, as flat (lat, lon, ...) tuples, fastest roads first."""
    seen: set[tuple[int, int]] = set()
    order = np.argsort(-roadmap.edge_speed, kind="stable")
    roads = []
    for edge in order.tolist():
        u, v = int(roadmap.edge_u[edge]), int(roadmap.edge_v[edge])
        if (v, u) in seen or (u, v) in seen:
            continue
        seen.add((u, v))
        pts = roadmap.edge_points(edge)
        roads.append(tuple(round(c, 6) for p in pts for c in p))
    return tuple(roads)
