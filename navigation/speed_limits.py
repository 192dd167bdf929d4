"""Posted speed limits from OSM `maxspeed` tags, for the sign on the screens.

A sign shows a number the map states, never one inferred: "50", "30 mph", "20 knots" and a
zone's own number ("DE:zone30") are read; country defaults ("RU:urban", "FR:rural"), "none",
"walk", "signals", several values ("50;30") and anything else give no sign. Routing speeds are
osmnx's business (map_build); this is only what the driver is shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

KMH_PER_MPH = 1.609344
KMH_PER_KNOT = 1.852
MAX_KMH = 300.0  # no posted limit is higher; beyond it the tag is garbage
_UNITS = {"": 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": KMH_PER_MPH,
          "knots": KMH_PER_KNOT}
_VALUE = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,2})?)\s*(km/h|kmh|kph|mph|knots)?", re.IGNORECASE)
_ZONE = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?:zone:?([0-9]{1,3})")


def parse_maxspeed(value: str) -> float | None:
    """The limit in km/h (rounded to 0.1) a maxspeed value states, None if it states none."""
    text = value.strip()
    if (zone := _ZONE.fullmatch(text)) is not None:
        text = zone.group(1)
    found = _VALUE.fullmatch(text)
    if found is None:
        return None
    kmh = float(found.group(1)) * _UNITS[(found.group(2) or "").lower()]
    return round(kmh, 1) if 0.0 < kmh <= MAX_KMH else None


def way_limits(tags: Mapping[str, str]) -> tuple[float | None, float | None]:
    """(along the way's nodes, against them): `maxspeed:forward`/`:backward` where given,
    else `maxspeed`. A direction-specific tag that is present but unreadable gives no sign for
    that direction rather than the general value, which it was meant to override."""
    general = parse_maxspeed(tags.get("maxspeed", ""))

    def direction(key: str) -> float | None:
        return parse_maxspeed(tags[key]) if key in tags else general

    return direction("maxspeed:forward"), direction("maxspeed:backward")
