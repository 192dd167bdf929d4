"""The navigation module on the bus: loads the map off the UI thread, serves route requests,
guides along the route (prompts, progress, reroute, arrival), warns when the battery will not
reach the destination, and announces the next stop in bus mode.

All of its work runs on one worker thread of its own, in message order.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from kernel import topics
from kernel.event_bus import EventBus, Message, Subscription, WorkerThread
from kernel.speech import languages, speech
from kernel.topics import (
    Announcement,
    EnergyWarning,
    GuidanceEvent,
    GuidanceProgress,
    MapData,
    MapPlace,
    NextStop,
    Progress,
    RoadState,
    RouteManeuver,
    RoutePath,
    Say,
    Vocabulary,
)
from kernel.units import Units
from navigation.geocode import Geocoder, Location, distance_m
from navigation.guidance import Guidance
from navigation.labels import street_labels
from navigation.osm_extract import MapFileError, Place
from navigation.planner import ENERGY_MARGIN, Plan, PlanError, Planner, flat_roads
from navigation.roadmap import RoadMap, invalid_node_list, load_map
from navigation.router import Route

log = logging.getLogger(__name__)
DEFAULT_KWH_PER_KM = 0.16
PROGRESS_EVERY_S = 1.0
STOP_REACHED_M = 30.0
ON_ROAD_M = 25.0  # a fix farther from every road (a car park, a GPS jump) is on no road
MARKED = ("charging_station", "bus_stop")
SAME_STOP_M = 30.0  # a stop mapped twice (its pole and its platform) is marked once

class BusLine:
    """A bus line: a name and ordered stops (place queries), from a small TOML file."""

    def __init__(self, name: str, stops: list[str]) -> None:
        if len(stops) < 2:
            raise ValueError(f"line {name!r} needs at least 2 stops, got {len(stops)}")
        self.name = name
        self.stops = stops

    @classmethod
    def load(cls, path: Path) -> BusLine:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: cannot read bus line ({exc})") from None
        stops = data.get("stops")
        if not isinstance(data.get("name"), str) or not isinstance(stops, list) or not all(
                isinstance(s, str) for s in stops):
            raise ValueError(f"{path}: expected name = \"...\" and stops = [\"...\", ...]")
        return cls(data["name"], stops)


def marked_places(places: list[Place]) -> tuple[MapPlace, ...]:
    """The charging stations and bus stops the map marks, each once: a stop mapped as its pole
    and its platform within SAME_STOP_M of each other under one name is one stop."""
    marked: list[MapPlace] = []
    for place in places:
        if place.category not in MARKED:
            continue
        if any(m.kind == place.category and m.name == place.name
               and distance_m(m.lat, m.lon, place.lat, place.lon) < SAME_STOP_M
               for m in marked):
            continue
        marked.append(MapPlace(place.name, place.category, round(place.lat, 6),
                               round(place.lon, 6)))
    return tuple(marked)


class NavigationService:
    name = "navigation"  # the supervisor's name for it; its threads are named after it
    tasks: tuple[str, ...] = ("map",)  # its app.progress tasks

    def __init__(self, map_file: Path | None, cache_dir: Path, *, profile: str = "car",
                 favourites: dict[str, str] | None = None, language: str = "en",
                 line: BusLine | None = None, driving_side: str = "auto") -> None:
        self.map_file = map_file
        self.cache_dir = cache_dir
        self.profile = profile
        self.driving_side = driving_side
        self.favourites = favourites or {}
        self.language = language if language in languages() else "en"
        self.line = line
        self.map: RoadMap | None = None
        self.planner: Planner | None = None
        self.guidance: Guidance | None = None
        self.plan_: Plan | None = None
        self._bus: EventBus | None = None
        self._worker: WorkerThread | None = None
        self._subs: list[Subscription] = []
        self._last_progress = 0.0
        self._stop_index = 0
        self._stop_points: list[tuple[str, float]] = []
        self._stop_requested = False
        self.ready = threading.Event()
        self._road = RoadState()
        self._energy_warned = False
        # a guessed destination waiting for the driver: query, candidates, origin, via
        self._guess: tuple[str, tuple[Location, ...], str, str] | None = None

    # -- module ----------------------------------------------------------------------------
    def start(self, bus: EventBus) -> None:
        self._bus = bus
        self._worker = WorkerThread("navigation")
        worker = self._worker
        worker.dispatch(self._load)
        for pattern, handler in ((topics.NAV_ROUTE_REQUEST, self._on_request),
                                 (topics.NAV_DESTINATION_CONFIRM, self._on_choice),
                                 (topics.LONGITUDE, self._on_fix),
                                 (topics.UI_LANGUAGE, self._on_language),
                                 (topics.DISTANCE_UNIT, self._on_units),
                                 (topics.VEHICLE_STOP_BUTTON, self._on_stop_button)):
            self._subs.append(bus.subscribe(pattern, handler, on=worker, name="navigation"))

    def stop(self) -> None:
        for sub in self._subs:
            sub.unsubscribe()
        self._subs = []
        if self._worker is not None:
            self._worker.stop(timeout=5.0)
            self._worker = None

    def _on_language(self, msg: Message) -> None:
        """Prompts from now on in the driver's new language (English if there is no text)."""
        self.language = msg.payload.code if msg.payload.code in languages() else "en"
        if self.guidance is not None:
            self.guidance.language = self.language

    def _on_units(self, _msg: Message) -> None:
        """Prompt distances from now on in the driver's new units."""
        if self.guidance is not None and self._bus is not None:
            self.guidance.units = Units.on(self._bus)

    def _publish(self, topic: str, payload: object) -> None:
        if self._bus is not None and not self._bus.closed:
            self._bus.publish(topic, payload)

    def _say(self, text: str, kind: str = "prompt") -> None:
        self._publish(topics.TTS_SAY, Say(text, self.language, kind))

    def _text(self, key: str, **values: object) -> str:
        return speech(self.language).prompts[key].format(**values)

    # -- map -------------------------------------------------------------------------------
    def _load(self) -> None:
        def progress(fraction: float, template: str, *values: str) -> None:
            # 1.0 only once routes can be planned: the router's hierarchy comes after the map.
            self._publish(topics.APP_PROGRESS,
                          Progress.of("map", min(fraction, 0.95), template, *values))

        try:
            self._prepare(load_map(self.map_file, self.cache_dir, self.profile, progress,
                                   self.driving_side), progress)
        except Exception as exc:  # whatever it is, the driver must see it, not "Loading…"
            self._map_failed(exc)
            return
        if self.line is not None:
            self._start_line(self.line)

    def _prepare(self, roadmap: RoadMap, progress: Callable[..., None]) -> None:
        """The router, the screen's map, the voice's place names; then ready."""
        name = Path(roadmap.source).name
        progress(0.95, "Preparing routes")
        planner = Planner(roadmap, Geocoder(roadmap.places, self.favourites, roadmap.bounds()))
        south, west, north, east = roadmap.bounds()
        map_data = MapData(name, south, west, north, east, flat_roads(roadmap),
                           street_labels(roadmap), marked_places(roadmap.places))
        names = planner.geocoder.names(("street", "charging_station", "station", "bus_stop",
                                        "place"))
        self.map, self.planner = roadmap, planner
        self._publish(topics.APP_PROGRESS, Progress.of("map", 1.0, "Map %1 ready", name))
        if roadmap.invalid_nodes:
            self._publish(topics.UI_NOTICE, topics.Notice.of(
                "warning", "Map %1: %2 nodes with invalid coordinates left out (%3)", name,
                str(len(roadmap.invalid_nodes)), invalid_node_list(roadmap.invalid_nodes)))
        self._publish(topics.NAV_MAP, map_data)
        self._publish(topics.VOICE_VOCABULARY, Vocabulary("place", tuple(names)))
        self.ready.set()
        log.info("map %s: %d nodes, %d edges, %d places", name, roadmap.node_count,
                 roadmap.edge_count, len(roadmap.places))

    def _map_failed(self, exc: Exception) -> None:
        """Loading ends visibly: the progress stops at "Map failed" and a notice says why."""
        reason = str(exc) if isinstance(exc, (MapFileError, OSError, ValueError)) \
            else f"{type(exc).__name__}: {exc}"
        log.error("map not loaded: %s", reason, exc_info=not isinstance(exc, MapFileError))
        self._publish(topics.APP_PROGRESS, Progress.of("map", 1.0, "Map failed"))
        self._publish(topics.UI_NOTICE, topics.Notice.of("error", "Map not loaded: %1", reason))
        if self._bus is not None and not self._bus.closed:
            self._bus.report("navigation", f"map not loaded: {reason}")

    # -- routes ----------------------------------------------------------------------------
    def _position(self) -> tuple[float, float] | None:
        bus = self._bus
        lat = bus.retained(topics.LATITUDE) if bus else None
        lon = bus.retained(topics.LONGITUDE) if bus else None
        return (lat.value, lon.value) if lat and lon else None

    def _heading(self) -> float | None:
        """The vehicle's heading, so a route from here starts the way it faces; a value
        outside 0..360 (a sensor fault) counts as unknown."""
        heading = self._bus.retained(topics.HEADING) if self._bus else None
        return float(heading.value) if heading and 0.0 <= heading.value <= 360.0 else None

    def _kwh_per_km(self) -> float:
        """Recent consumption from the vehicle's own range estimate, else its nominal."""
        bus = self._bus
        info = bus.retained(topics.VEHICLE_INFO) if bus else None
        nominal = info.nominal_kwh_per_km if info else DEFAULT_KWH_PER_KM
        available, range_m = self._available_kwh(), bus.retained(topics.RANGE) if bus else None
        if available and range_m and not range_m.stale and range_m.value > 1000:
            return available / (range_m.value / 1000.0)
        return nominal

    def _available_kwh(self) -> float | None:
        bus = self._bus
        soc = bus.retained(topics.SOC) if bus else None
        info = bus.retained(topics.VEHICLE_INFO) if bus else None
        if soc is None or soc.stale or info is None:
            return None
        reserve = 0.1 if info.kind == "bus" else 0.05
        return max(0.0, (soc.value / 100.0 - reserve) * info.capacity_kwh)

    def _on_request(self, msg: Message) -> None:
        request = msg.payload
        self._drop_guess()
        if not request.destination:
            self._cancel()
            return
        if self.planner is None:
            self._error(request.destination, "the map is still loading")
            return
        self.line = None
        self._route(request.destination, request.origin, request.via)

    def _route(self, destination: str | Location, origin: str = "", via: str = "") -> None:
        planner = self.planner
        assert planner is not None
        here = self._position()
        query = destination if isinstance(destination, str) else destination.name
        try:
            if origin:
                start = planner.locate(origin, here)
            elif here is not None:
                start = Location("current position", here[0], here[1], "coordinates")
            else:
                raise PlanError("the vehicle's position is unknown (no GPS fix yet)")
            near = (start.lat, start.lon)
            try:
                goal = planner.locate(destination, near) if isinstance(destination, str) \
                    else destination
            except PlanError as exc:
                if not exc.candidates:
                    raise
                self._offer(query, exc.candidates, origin, via)
                return
            stop = planner.locate(via, near) if via else None
            plan = planner.plan(start, goal, self._kwh_per_km(), stop,
                                None if origin else self._heading())
        except PlanError as exc:
            self._error(query, str(exc))
            return
        self._activate(plan)
        self._check_energy(plan)

    def _offer(self, query: str, candidates: tuple[Location, ...], origin: str,
               via: str) -> None:
        """A destination the map does not have exactly is never routed as another one: the
        closest places go to the screen and the voice, and the driver picks one."""
        self._guess = (query, candidates, origin, via)
        self._publish(topics.NAV_DESTINATION_CANDIDATES, topics.DestinationCandidates(
            query, tuple(topics.PlaceCandidate(c.name, c.kind, round(c.confidence, 2), c.lat,
                                               c.lon) for c in candidates)))
        self._say(self._text("did_you_mean", place=candidates[0].name), "reply")

    def _drop_guess(self) -> None:
        if self._guess is not None:
            self._guess = None
            self._publish(topics.NAV_DESTINATION_CANDIDATES, topics.DestinationCandidates(""))

    def _on_choice(self, msg: Message) -> None:
        choice, guess = msg.payload, self._guess
        if guess is None or choice.query != guess[0]:
            return  # an answer to a question no longer asked
        self._drop_guess()
        _, candidates, origin, via = guess
        if 0 <= choice.index < len(candidates) and self.planner is not None:
            self.line = None
            self._route(candidates[choice.index], origin, via)

    def _error(self, query: str, reason: str) -> None:
        self._publish(topics.NAV_ROUTE_ERROR, topics.RouteError(query, reason))
        self._publish(topics.UI_NOTICE, topics.Notice.of("warning", "No route to %1: %2",
                                                         query, reason))

    def _activate(self, plan: Plan) -> None:
        self.plan_ = plan
        name = plan.destination.name
        self.guidance = Guidance(plan.points, plan.maneuvers, plan.route.duration_s, name,
                                 self.language, Units.on(self._bus) if self._bus else Units())
        maneuvers = tuple(
            RouteManeuver(m.kind, m.side, m.street, round(m.at_m, 1), m.lat, m.lon,
                          m.instruction(self.language, name)) for m in plan.maneuvers)
        self._publish(topics.NAV_ROUTE, RoutePath(
            points=tuple(plan.points), speed_limits_kmh=tuple(plan.speed_limits_kmh),
            distance_m=round(plan.route.length_m, 1), duration_s=round(plan.route.duration_s, 1),
            destination=name, energy_kwh=round(plan.energy_kwh, 3), maneuvers=maneuvers))
        self._last_progress = 0.0
        self._energy_warned = False

    def _cancel(self) -> None:
        if self.guidance is None and self.line is None:
            return
        self.guidance = self.plan_ = None
        self.line = None
        self._publish(topics.NAV_ROUTE, RoutePath(points=()))
        self._stop_requested = False
        self._publish(topics.NAV_BUS_NEXT_STOP, NextStop("", ""))
        text = self._text("cancelled")
        self._publish(topics.NAV_EVENT, GuidanceEvent("cancelled", text))

    def _check_energy(self, plan: Plan) -> None:
        """Warn once per route when the pack will not make it with the reserve kept."""
        available = self._available_kwh()
        if available is None or self.planner is None or self._energy_warned:
            return
        needed = plan.energy_kwh * ENERGY_MARGIN
        if needed <= available:
            return
        self._energy_warned = True
        proposal = self.planner.propose_charger(plan, available, self._kwh_per_km())
        text = self._text("ev", place=plan.destination.name, need=needed, have=available)
        if proposal is None:
            text += self._text("ev_none")
            charger, lat, lon, extra = "", 0.0, 0.0, 0.0
        else:
            extra = proposal.extra_s / 60.0
            charger, lat, lon = proposal.charger.name, proposal.charger.lat, proposal.charger.lon
            text += self._text("ev_via", charger=charger, extra=extra)
        self._publish(topics.NAV_ENERGY_WARNING, EnergyWarning(
            plan.destination.name, round(needed, 2), round(available, 2), charger, lat, lon,
            round(extra, 1), text))
        self._say(text)

    # -- guidance --------------------------------------------------------------------------
    def _on_fix(self, msg: Message) -> None:
        bus = self._bus
        if bus is None:
            return
        fix = bus.retained(topics.GNSS_FIX)
        lat = bus.retained(topics.LATITUDE)
        lost = lat is None or (fix is not None and fix.value == "NONE")
        self._road_under(None if lost else (lat.value, msg.payload.value))
        guidance = self.guidance
        if guidance is None or lost:
            return
        speed = bus.retained(topics.SPEED)
        speed_ms = speed.value / 3.6 if speed and 0 <= speed.value <= 250 else 0.0
        result = guidance.fix(lat.value, msg.payload.value, speed_ms)
        if result.reroute:
            self._reroute()
            return
        for prompt in result.prompts:
            m = prompt.maneuver
            self._publish(topics.NAV_ANNOUNCEMENT, Announcement(
                prompt.stage, prompt.text, round(prompt.distance_m, 1), m.kind, m.side,
                m.street, round(m.at_m, 1)))
            self._say(prompt.text)
        if self.line is not None:
            self._line_progress(guidance.along_m)
        if result.arrived:
            self._arrive()
            return
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_S:
            self._last_progress = now
            self._progress(guidance, result.off_m)

    def _road_under(self, here: tuple[float, float] | None) -> None:
        """The street and posted limit where the vehicle is, said when they change; no fix
        or no road near it says neither (the screens then show no sign)."""
        road = RoadState()
        if here is not None and self.planner is not None and self.map is not None:
            at = self.planner.roads.locate(*here, self._heading())
            if at.off_m <= ON_ROAD_M:
                road = RoadState(self.map.edge_street(at.edge),
                                 round(at.speed_limit_kmh(self.map), 1))
        if road != self._road:
            self._road = road
            self._publish(topics.NAV_ROAD, road)

    def _recheck_energy(self, guidance: Guidance) -> None:
        """Mid-route: the battery drained faster than planned (cold, a fault, a detour)."""
        available, here, plan = self._available_kwh(), self._position(), self.plan_
        if available is None or here is None or plan is None or self.planner is None:
            return
        left_m, _ = guidance.remaining()
        if left_m / 1000.0 * self._kwh_per_km() * ENERGY_MARGIN <= available:
            return
        start = Location("current position", here[0], here[1], "coordinates")
        try:
            rest = self.planner.plan(start, plan.destination, self._kwh_per_km())
        except PlanError:
            return
        self._check_energy(rest)

    def _progress(self, guidance: Guidance, off_m: float) -> None:
        if not self._energy_warned:
            self._recheck_energy(guidance)
        left_m, left_s = guidance.remaining()
        nxt = guidance.next_maneuver()
        self._publish(topics.NAV_PROGRESS, GuidanceProgress(
            round(left_m, 1), round(left_s, 1),
            nxt.kind if nxt else "", nxt.side if nxt else "", nxt.street if nxt else "",
            round(nxt.at_m - guidance.along_m, 1) if nxt else 0.0,
            nxt.instruction(self.language, guidance.destination, ahead=True) if nxt else "",
            off_m > 40))
        if self.line is not None and self._stop_index < len(self._stop_points):
            name, at = self._stop_points[self._stop_index]
            self._publish(topics.NAV_BUS_NEXT_STOP,
                          NextStop(self.line.name, name, round(max(0.0, at - guidance.along_m)),
                                   self._stop_requested))
    def _reroute(self) -> None:
        plan = self.plan_
        if plan is None:
            return
        text = self._text("reroute")
        self._publish(topics.NAV_EVENT, GuidanceEvent("reroute", text))
        self._say(text)
        self.guidance = None
        self._route(plan.destination)

    def _arrive(self) -> None:
        plan = self.plan_
        name = plan.destination.name if plan else ""
        text = self._text("arrived", place=name)
        self.guidance = self.plan_ = None
        self._publish(topics.NAV_EVENT, GuidanceEvent("arrived", text))
        self._publish(topics.NAV_PROGRESS, GuidanceProgress(0.0, 0.0))
        self._publish(topics.NAV_ROUTE, RoutePath(points=(), destination=name))
        self._say(text)

    # -- bus mode --------------------------------------------------------------------------
    def _start_line(self, line: BusLine) -> None:
        """Route through every stop in order; announce each next stop."""
        planner = self.planner
        assert planner is not None
        try:
            stops = [planner.locate(stop, None) for stop in line.stops]
            legs = [planner.plan(a, b, self._kwh_per_km()) for a, b in
                    itertools.pairwise(stops)]
        except PlanError as exc:
            self._error(f"line {line.name}", str(exc))
            return
        at, points, limits = 0.0, [], []
        maneuvers = legs[0].maneuvers[:1]  # depart once, arrive once
        self._stop_points = [(stops[0].name, 0.0)]
        for leg, stop in zip(legs, stops[1:], strict=True):
            points.extend(leg.points)
            limits.extend(leg.speed_limits_kmh)
            maneuvers.extend(replace(m, at_m=m.at_m + at) for m in leg.maneuvers
                             if m.kind not in ("depart", "arrive"))
            at += leg.route.length_m
            self._stop_points.append((stop.name, at))
        last = legs[-1].maneuvers[-1]
        maneuvers.append(replace(last, at_m=at))
        duration = sum(leg.route.duration_s for leg in legs)
        edges = tuple(e for leg in legs for e in leg.route.edges)
        whole = Plan(stops[0], stops[-1], Route(edges, duration, at), points, limits,
                     maneuvers, sum(leg.energy_kwh for leg in legs))
        self._stop_index = 1
        self.line = line
        self._activate(whole)
        self._announce_stop()

    def _announce_stop(self) -> None:
        if self.line is None or self._stop_index >= len(self._stop_points):
            return
        name, _ = self._stop_points[self._stop_index]
        self._stop_requested = False  # a request is for the stop reached before this one
        self._publish(topics.NAV_BUS_NEXT_STOP, NextStop(self.line.name, name))
        self._say(self._text("next_stop", stop=name))

    def _on_stop_button(self, _msg: Message) -> None:
        """A passenger asks for the next stop: shown (and chimed) once until it is reached;
        with no line active there is no stop to ask for."""
        if (self.line is None or self._stop_requested
                or self._stop_index >= len(self._stop_points)):
            return
        self._stop_requested = True
        name, at = self._stop_points[self._stop_index]
        along = self.guidance.along_m if self.guidance is not None else at
        self._publish(topics.NAV_BUS_NEXT_STOP,
                      NextStop(self.line.name, name, round(max(0.0, at - along)), True))

    def _line_progress(self, along_m: float) -> None:
        if self._stop_index >= len(self._stop_points):
            return
        _, at = self._stop_points[self._stop_index]
        if along_m >= at - STOP_REACHED_M:
            self._stop_index += 1
            self._announce_stop()

