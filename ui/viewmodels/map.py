"""Map screen view model: the road network, the marked places, the route, the vehicle, the
next maneuver and the speed limit posted where the vehicle is.

Geometry is projected once to local metres (equirectangular around the map centre), so the
canvas only applies a pan/zoom transform when the vehicle moves.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Property, QObject, QPointF, Signal, Slot
from PySide6.QtGui import QPainterPath

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.units import Units
from ui.i18n import screen_language, tr

M_PER_DEG = 111_195.0
ARROWS = {("turn", "left"): "←", ("turn", "right"): "→", ("slight", "left"): "↖",
          ("slight", "right"): "↗", ("sharp", "left"): "↙", ("sharp", "right"): "↘",
          ("uturn", ""): "↶", ("roundabout", ""): "⟳", ("straight", ""): "↑",
          ("arrive", ""): "⚑", ("depart", ""): "↑"}
ICONS = {("turn", "left"): "arrow-left", ("turn", "right"): "arrow-right",
         ("slight", "left"): "arrow-bear-left", ("slight", "right"): "arrow-bear-right",
         ("sharp", "left"): "arrow-sharp-turn-left", ("sharp", "right"): "arrow-sharp-turn-right",
         ("uturn", ""): "arrow-back-up", ("roundabout", ""): "arrow-rotary-right",
         ("straight", ""): "arrow-up", ("arrive", ""): "flag", ("depart", ""): "arrow-up"}
ZOOM_LEVELS = (0.5, 1.0, 2.0, 4.0, 8.0)  # pixels per metre at theme scale 1


class MapViewModel(QObject):
    geometryChanged = Signal()
    vehicleChanged = Signal()
    guidanceChanged = Signal()
    viewChanged = Signal()
    guessChanged = Signal()
    roadChanged = Signal()

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self._bus = bus
        self._origin = (0.0, 0.0)
        self._lon_scale = M_PER_DEG
        self.roads = QPainterPath()
        self.route = QPainterPath()  # the part of the route still ahead
        self._route_points: list[QPointF] = []
        self._route_along: list[float] = []  # metres from the route start, per point
        self._route_length = 0.0
        self.destination: QPointF | None = None
        self.charger: QPointF | None = None
        self._destination_name = ""
        self._arrival = ""
        self.labels: list[tuple[str, QPointF, float, float]] = []  # name, at, angle, metres
        self.places: list[tuple[str, QPointF]] = []  # kind (charging_station, bus_stop), at
        self._limit_kmh = 0.0  # posted where the vehicle is; 0 = none stated
        self._vehicle: QPointF | None = None
        self._lat: float | None = None
        self._heading = 0.0
        self._name = ""
        self._follow = True
        self._zoom = 2
        self._centre = QPointF(0, 0)
        self._next = ("", "", "", 0.0)
        self._remaining: tuple[float, float] | None = None  # metres, seconds to go
        self._units = Units.on(bus)
        self._banner = ("", "info")
        self._no_map: tuple[str, str] | tuple[()] = ()  # why there is no map: kind, detail
        self._guess = topics.DestinationCandidates("")
        self._subs = [
            bus.subscribe(topics.APP_PROGRESS, self._on_loading, on="gui"),
            bus.subscribe(topics.APP_MODULE, self._on_module, on="gui"),
            bus.subscribe(topics.NAV_MAP, self._on_map, on="gui"),
            bus.subscribe(topics.NAV_ROUTE, self._on_route, on="gui"),
            bus.subscribe(topics.LATITUDE, self._on_lat, on="gui"),
            bus.subscribe(topics.LONGITUDE, self._on_lon, on="gui"),
            bus.subscribe(topics.HEADING, self._on_heading, on="gui"),
            bus.subscribe(topics.NAV_PROGRESS, self._on_progress, on="gui"),
            bus.subscribe(topics.NAV_ENERGY_WARNING, self._on_energy, on="gui"),
            bus.subscribe(topics.NAV_ROUTE_ERROR, self._on_error, on="gui"),
            bus.subscribe(topics.NAV_EVENT, self._on_event, on="gui"),
            bus.subscribe(topics.DISTANCE_UNIT, self._on_units, on="gui"),
            bus.subscribe(topics.NAV_DESTINATION_CANDIDATES, self._on_guess, on="gui"),
            bus.subscribe(topics.NAV_ROAD, self._on_road, on="gui"),
        ]

    # -- projection ----------------------------------------------------------------------
    def project(self, lat: float, lon: float) -> QPointF:
        """Local metres: x east, y south (screen orientation)."""
        return QPointF((lon - self._origin[1]) * self._lon_scale,
                       -(lat - self._origin[0]) * M_PER_DEG)

    def _path(self, flat: tuple[float, ...], path: QPainterPath) -> None:
        path.moveTo(self.project(flat[0], flat[1]))
        for i in range(2, len(flat), 2):
            path.lineTo(self.project(flat[i], flat[i + 1]))

    # -- bus -----------------------------------------------------------------------------
    def _on_map(self, msg: Message) -> None:
        data = msg.payload
        self._origin = ((data.south + data.north) / 2, (data.west + data.east) / 2)
        self._lon_scale = M_PER_DEG * math.cos(math.radians(self._origin[0]))
        roads = QPainterPath()
        for flat in data.roads:
            if len(flat) >= 4:
                self._path(flat, roads)
        self.roads = roads
        self.labels = [(label.name, self.project(label.lat, label.lon),
                        _text_angle(label.bearing), label.length_m) for label in data.labels]
        self.places = [(place.kind, self.project(place.lat, place.lon)) for place in data.places]
        self._name = data.name
        self._centre = QPointF(0, 0)
        route = self._bus.retained(topics.NAV_ROUTE)
        if route is not None:
            self._set_route(route)
        self.geometryChanged.emit()
        self.viewChanged.emit()

    def _on_route(self, msg: Message) -> None:
        self._set_route(msg.payload)
        self.geometryChanged.emit()
        self.guidanceChanged.emit()

    def _set_route(self, route: topics.RoutePath) -> None:
        self._route_points = [self.project(lat, lon) for lat, lon in route.points]
        along, total = [0.0], 0.0
        for a, b in zip(self._route_points, self._route_points[1:], strict=False):
            total += math.hypot(b.x() - a.x(), b.y() - a.y())
            along.append(total)
        self._route_along, self._route_length = along, total
        self.destination = self._route_points[-1] if len(route.points) >= 2 else None
        self._destination_name = route.destination if len(route.points) >= 2 else ""
        self.charger = None
        if len(route.points) >= 2:
            self._arrival = _clock_in(route.duration_s)
            first = next((m for m in route.maneuvers if m.kind != "depart"), None)
            if first is not None:
                self._next = (first.kind, first.side, first.street, first.at_m)
            self._remaining = (route.distance_m, route.duration_s)
        else:
            self._next = ("", "", "", 0.0)
            self._remaining = None
            self._arrival = ""
        self._trim_route(self._route_length)

    def _trim_route(self, ahead_m: float) -> None:
        """The route from where the vehicle is (`ahead_m` before its end) to the destination."""
        path = QPainterPath()
        points, along = self._route_points, self._route_along
        if len(points) >= 2:
            done = max(0.0, self._route_length - ahead_m)
            first = next((i for i, a in enumerate(along) if a > done), len(points) - 1)
            path.moveTo(points[max(0, first - 1)])
            for point in points[first:]:
                path.lineTo(point)
        self.route = path

    def _on_lat(self, msg: Message) -> None:
        self._lat = msg.payload.value

    def _on_lon(self, msg: Message) -> None:
        if self._lat is None:
            return
        self._vehicle = self.project(self._lat, msg.payload.value)
        if self._follow:
            self._centre = self._vehicle
        self.vehicleChanged.emit()
        self.viewChanged.emit()

    def _on_heading(self, msg: Message) -> None:
        self._heading = msg.payload.value

    def _on_progress(self, msg: Message) -> None:
        p = msg.payload
        if p.remaining_m <= 0:
            return
        self._next = (p.next_kind, p.next_side, p.next_street, p.next_distance_m)
        self._remaining = (p.remaining_m, p.eta_s)
        self._arrival = _clock_in(p.eta_s)
        if self._route_length > 0:
            self._trim_route(p.remaining_m * self._route_length / max(1.0, self._route_total_m()))
            self.geometryChanged.emit()
        self.guidanceChanged.emit()

    def _route_total_m(self) -> float:
        route = self._bus.retained(topics.NAV_ROUTE)
        return route.distance_m if route is not None and route.distance_m > 0 else \
            self._route_length

    def _on_units(self, _msg: Message) -> None:
        self._units = Units.on(self._bus)
        self.guidanceChanged.emit()
        self.roadChanged.emit()

    def _on_road(self, msg: Message) -> None:
        self._limit_kmh = msg.payload.speed_limit_kmh
        self.roadChanged.emit()

    def _speed_limit(self) -> str:
        """The posted limit in the driver's units, as a sign shows it; "" = no sign."""
        if self._limit_kmh <= 0:
            return ""
        return str(round(self._units.speed(self._limit_kmh)))

    def _remaining_text(self) -> str:
        if self._remaining is None:
            return ""
        metres, seconds = self._remaining
        return f"{self._units.approach(metres, screen_language())} · {_minutes(seconds)}"

    def _on_energy(self, msg: Message) -> None:
        self._banner = (msg.payload.text, "warning")
        if msg.payload.charger:
            self.charger = self.project(msg.payload.charger_lat, msg.payload.charger_lon)
            self.geometryChanged.emit()
        self.guidanceChanged.emit()

    def _on_loading(self, msg: Message) -> None:
        """A map load that ended without a map ends "Loading the map…" with its outcome."""
        p = msg.payload
        if p.task == "map" and p.fraction >= 1.0 and self.roads.isEmpty():
            self._no_map = ("load", tr(p.template, *p.values) if p.template else p.text)
            self.geometryChanged.emit()

    def _on_module(self, msg: Message) -> None:
        state = msg.payload
        if state.name == "navigation" and self.roads.isEmpty():
            self._no_map = (state.state, state.reason) if state.state in (
                "restarting", "failed") else ()
            self.geometryChanged.emit()

    def _map_status(self) -> str:
        kind, detail = self._no_map or ("", "")
        if not self.roads.isEmpty():
            return ""
        if kind == "load":
            return tr("No map: %1. Check the map file in the settings.", detail)
        if kind == "restarting":
            return tr("Navigation failed (%1); starting it again…", detail)
        if kind == "failed":
            return tr("Navigation stopped: %1. Restart Volant.", detail)
        return tr("Loading the map…")

    def _on_error(self, msg: Message) -> None:
        self._banner = (tr("No route to %1: %2", msg.payload.query, msg.payload.reason), "warning")
        self.guidanceChanged.emit()

    def _on_event(self, msg: Message) -> None:
        self._banner = (msg.payload.text, "info")
        if msg.payload.kind in ("arrived", "cancelled"):
            self._next = ("", "", "", 0.0)
            self._remaining = None
            self._arrival = ""
        self.guidanceChanged.emit()

    def _on_guess(self, msg: Message) -> None:
        self._guess = msg.payload
        self.guessChanged.emit()

    @Slot(int)
    def chooseGuess(self, index: int) -> None:
        """The driver's pick among the guessed destinations; -1: none of them."""
        query = self._guess.query
        self._guess = topics.DestinationCandidates("")
        self.guessChanged.emit()
        self._bus.publish(topics.NAV_DESTINATION_CONFIRM, topics.DestinationChoice(query, index))

    def _guess_choices(self) -> list[str]:
        return [f"{c.name} ({c.confidence:.0%})" for c in self._guess.candidates]

    @Slot(str)
    def navigateTo(self, query: str) -> None:
        """The "where to" card: a place query, as a spoken one would be."""
        if query.strip():
            self._bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest(query.strip()))

    # -- view ----------------------------------------------------------------------------
    @Slot()
    def zoomIn(self) -> None:
        self._zoom = min(len(ZOOM_LEVELS) - 1, self._zoom + 1)
        self.viewChanged.emit()

    @Slot()
    def zoomOut(self) -> None:
        self._zoom = max(0, self._zoom - 1)
        self.viewChanged.emit()

    @Slot()
    def toggleFollow(self) -> None:
        self._follow = not self._follow
        if self._follow and self._vehicle is not None:
            self._centre = self._vehicle
        self.viewChanged.emit()

    @Slot(float, float)
    def pan(self, dx_px: float, dy_px: float) -> None:
        """Dragging the map ends follow mode."""
        scale = ZOOM_LEVELS[self._zoom]
        self._centre = QPointF(self._centre.x() - dx_px / scale, self._centre.y() - dy_px / scale)
        self._follow = False
        self.viewChanged.emit()

    @property
    def vehicle(self) -> QPointF | None:
        return self._vehicle

    @property
    def heading(self) -> float:
        return self._heading

    @property
    def centre(self) -> QPointF:
        return self._centre

    @property
    def pixels_per_metre(self) -> float:
        return ZOOM_LEVELS[self._zoom]

    def _arrow(self) -> str:
        kind, side = self._next[0], self._next[1]
        return ARROWS.get((kind, side), ARROWS.get((kind, ""), ""))

    mapName = Property(str, lambda self: self._name, notify=geometryChanged)
    hasMap = Property(bool, lambda self: not self.roads.isEmpty(), notify=geometryChanged)
    mapStatus = Property(str, _map_status, notify=geometryChanged)
    hasRoute = Property(bool, lambda self: not self.route.isEmpty(), notify=geometryChanged)
    follow = Property(bool, lambda self: self._follow, notify=viewChanged)
    nextArrow = Property(str, _arrow, notify=guidanceChanged)
    nextIcon = Property(str, lambda self: ICONS.get((self._next[0], self._next[1]),
                                                    ICONS.get((self._next[0], ""), "")),
                        notify=guidanceChanged)
    arrival = Property(str, lambda self: self._arrival, notify=guidanceChanged)
    destinationName = Property(str, lambda self: self._destination_name, notify=guidanceChanged)
    nextDistance = Property(str, lambda self: self._units.approach(self._next[3], screen_language())
                            if self._next[0] else "",
                            notify=guidanceChanged)
    nextStreet = Property(str, lambda self: self._next[2], notify=guidanceChanged)
    remaining = Property(str, _remaining_text, notify=guidanceChanged)
    banner = Property(str, lambda self: self._banner[0], notify=guidanceChanged)
    bannerLevel = Property(str, lambda self: self._banner[1], notify=guidanceChanged)
    guessQuery = Property(str, lambda self: self._guess.query if self._guess.candidates else "",
                          notify=guessChanged)
    guessChoices = Property(list, _guess_choices, notify=guessChanged)
    speedLimit = Property(str, _speed_limit, notify=roadChanged)


def _text_angle(bearing: float) -> float:
    """Screen rotation (degrees clockwise from east) for text along a compass bearing,
    turned so it never reads upside down."""
    angle = (bearing - 90.0) % 180.0
    return angle - 180.0 if angle > 90.0 else angle


def _clock_in(seconds: float) -> str:
    """The wall-clock time `seconds` from now, as the status strip's clock shows it."""
    return time.strftime("%H:%M", time.localtime(time.time() + max(0.0, seconds)))


def _minutes(seconds: float) -> str:
    return f"{max(1, round(seconds / 60))} min"
