"""Frames in, VSS updates out: cantools decoding plus KUKSA's evaluation order per mapping.

For each received frame, every mapping of its DBC message is evaluated as KUKSA's mapping
README says: the interval first (the stored time is updated when it has passed), then the
transform (a failure ignores the value), then the change condition (an equal value is ignored).
Multiplexer filters are checked before the interval, so a frame of another variant does not use
up the mapping's interval.

Because the interval comes first, a frame none of whose mappings is due is skipped undecoded;
and a frame with the same bytes as its id's previous one reuses that decode.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cantools.database.can import Message

from vehicle_network.dbc import Dbc
from vehicle_network.mapping import NO_VALUE, Dbc2Vss, Mapping

STALE_CHECK_S = 0.1
TIME_EPS_S = 1e-6  # timestamps are floats: 0.3 - 0.2 < 0.1


@dataclass
class _Route:
    """A frame id's DBC message and its mappings. `next_due` is the earliest source time at
    which one of them may take a value: a frame before it is skipped undecoded."""

    message: Message
    mappings: list[Dbc2Vss]
    next_due: float
    last_seen: float | None = None
    last_data: bytes | None = None
    last_decoded: dict[str, Any] = field(default_factory=dict)


@dataclass
class DecodeStats:
    frames: int = 0
    decoded: int = 0
    unknown_ids: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # message name -> frames it refused
    first_error: str = ""


NOTHING: tuple = ()
NEVER, ALWAYS = float("inf"), float("-inf")


class FrameDecoder:
    """Not thread-safe: one reader thread feeds it."""

    def __init__(self, dbc: Dbc, mapping: Mapping) -> None:
        self.dbc = dbc
        self.mapping = mapping
        self.stats = DecodeStats()
        self._routes: dict[int, _Route | None] = {}  # standard ids
        self._ext_routes: dict[int, _Route | None] = {}  # extended ids
        self._by_message: dict[str, list[Dbc2Vss]] = {}
        self._routes_of: dict[int, list[_Route]] = {}  # id(mapping) -> its frames' routes
        for m in mapping.dbc2vss:
            for message in dbc.signal_messages[m.signal]:
                self._by_message.setdefault(message.name, []).append(m)
        self.next_stale_check = 0.0

    def _route(self, frame_id: int, extended: bool) -> _Route | None:
        routes = self._ext_routes if extended else self._routes
        if frame_id not in routes:
            message = self.dbc.message_for(frame_id, extended)
            route = None
            if message is not None:
                maps = self._by_message.get(message.name, [])
                route = _Route(message, maps, ALWAYS if maps else NEVER)
                for m in maps:
                    self._routes_of.setdefault(id(m), []).append(route)
            routes[frame_id] = route
        return routes[frame_id]

    def feed(self, t: float, frame_id: int, extended: bool, data: bytes,
             where: str = "") -> list[tuple[Dbc2Vss, Any]] | tuple:
        """(mapping, payload) for each VSS update this frame lets through, in mapping order."""
        self.stats.frames += 1
        route = (self._ext_routes if extended else self._routes).get(frame_id, False)
        if route is False:
            route = self._route(frame_id, extended)
        if route is None:
            self.stats.unknown_ids[frame_id] += 1
            return NOTHING
        route.last_seen = t
        if t < route.next_due:
            return NOTHING
        decoded = self._decode(route, data, frame_id, where)
        if decoded is None:
            return NOTHING
        out = []
        next_due = NEVER
        for m in route.mappings:
            if m.multiplexer:
                next_due = ALWAYS  # every frame must be looked at for its variant
                if any(decoded.get(s) != v for s, v in m.multiplexer):
                    continue
                m.last_seen = t
            if not _due(m, t):
                next_due = min(next_due, m.last_time + m.interval_s - TIME_EPS_S)
                continue
            raw = decoded.get(m.signal)
            if raw is None:
                next_due = ALWAYS
                continue
            m.last_time = t
            next_due = min(next_due, t + m.interval_s - TIME_EPS_S)
            payload = m.convert(raw)
            if payload is NO_VALUE:
                continue
            if m.on_change and not m.stale and payload == m.last_value:
                continue
            m.last_value = payload
            m.published = payload
            m.stale = False
            out.append((m, payload))
        route.next_due = next_due
        return out

    def _decode(self, route: _Route, data: bytes, frame_id: int, where: str) -> dict | None:
        if data == route.last_data:
            return route.last_decoded
        message = route.message
        if len(data) < message.length:
            self._error(message.name, f"{where}id 0x{frame_id:X} has {len(data)} data bytes, "
                                      f"{message.name} needs {message.length}")
            return None
        try:
            decoded = message.decode(data, decode_choices=True)
        except Exception as exc:  # cantools' DecodeError and codec errors on odd bytes
            self._error(message.name, f"{where}{message.name}: {exc}")
            return None
        self.stats.decoded += 1
        route.last_data, route.last_decoded = data, decoded
        return decoded

    def _error(self, name: str, text: str) -> None:
        self.stats.errors[name] += 1
        if not self.stats.first_error:
            self.stats.first_error = text

    def newly_stale(self, now: float) -> list[Dbc2Vss]:
        """Mappings whose signal has not arrived for their timeout, once each (checked at most
        every STALE_CHECK_S of source time)."""
        if now < self.next_stale_check:
            return []
        self.next_stale_check = now + STALE_CHECK_S
        out = []
        for m in self.mapping.dbc2vss:
            if m.published is None or m.stale:
                continue
            routes = self._routes_of.get(id(m), ())
            seen = m.last_seen if m.multiplexer else max(
                (r.last_seen for r in routes if r.last_seen is not None), default=None)
            if seen is not None and now - seen > m.timeout_s:
                m.stale = True
                for route in routes:
                    route.next_due = ALWAYS  # its next frame refreshes the value at once
                out.append(m)
        return out

def _due(m: Dbc2Vss, t: float) -> bool:
    """The interval condition: the first value, one after the interval, or a stale signal's."""
    return m.last_time is None or t - m.last_time > m.interval_s - TIME_EPS_S or m.stale
