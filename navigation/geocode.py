"""Offline geocoding from the map itself: coordinates, favourites, "nearest <category>",
street addresses, POIs and street names in every language the map carries.

A place is exact (accent- and case-insensitive: "mannerheimintie", "Mannerheimvägen", "1
Kaivokatu") or it is a guess: the closest names the map has (rapidfuzz), each with a
confidence, raised as GuessedPlace so that the driver sees "did you mean …?" and picks one. A
query the map does not have never silently becomes another place.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from navigation.osm_extract import Place

GUESSES = 3  # offered when a name is not on the map; each with its similarity as confidence
CATEGORY_WORDS = {
    "charging_station": ("charging station", "charger", "charging point", "borne de recharge",
                         "station de recharge", "recharge", "충전소"),
    "bus_stop": ("bus stop", "arrêt de bus", "arrêt", "정류장"),
    "parking": ("parking", "car park", "parking lot", "주차장"),
    "fuel": ("fuel", "petrol station", "gas station", "station-service"),
    "station": ("station", "train station", "gare"),
    "hospital": ("hospital", "hôpital", "병원"),
    "cafe": ("cafe", "café", "coffee"),
    "restaurant": ("restaurant",),
    "hotel": ("hotel", "hôtel"),
    "supermarket": ("supermarket", "supermarché"),
}
NEAREST = re.compile(r"^(?:the\s+)?(?:nearest|closest|le plus proche|la plus proche|"
                     r"가장 가까운)\s+(.+)$")
COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


class GeocodeError(ValueError):
    """A query that cannot be placed on this map; the message says why, in one line."""


@dataclass(frozen=True)
class Location:
    name: str
    lat: float
    lon: float
    kind: str  # coordinates, favourite, address, street, or a POI category
    street: str = ""  # the street an address or a street destination lies on
    confidence: float = 1.0  # 1: exactly what was asked for; below: a guess (0..1)


class GuessedPlace(GeocodeError):
    """No exact match: the closest places the map has, best first, each with its confidence."""

    def __init__(self, query: str, candidates: tuple[Location, ...]) -> None:
        listed = ", ".join(f"{c.name} ({c.confidence:.0%})" for c in candidates)
        super().__init__(f"no place named {query!r} on this map; did you mean {listed}?")
        self.query = query
        self.candidates = candidates


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", plain)).strip()


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000.0 * math.hypot(dlat, dlon)


class Geocoder:
    def __init__(self, places: list[Place], favourites: dict[str, str] | None = None,
                 bounds: tuple[float, float, float, float] | None = None) -> None:
        self.places = places
        self.favourites = {normalize(k): v for k, v in (favourites or {}).items()}
        self.bounds = bounds
        self._keys: list[str] = []
        self._targets: list[Place] = []
        for place in places:
            for name in place.names or (place.name,):
                self._keys.append(normalize(name))
                self._targets.append(place)
        self._exact: dict[str, Place] = {}
        for key, place in zip(self._keys, self._targets, strict=True):
            self._exact.setdefault(key, place)

    def names(self, categories: tuple[str, ...] = ("street",)) -> list[str]:
        """Distinct names of places of these categories (for the voice grammar)."""
        return sorted({p.name for p in self.places if p.category in categories})

    def locate(self, query: str, near: tuple[float, float] | None = None,
               accept_guess: bool = False) -> Location:
        """The place `query` names exactly; else, with `accept_guess`, the closest guess
        (confidence below 1); else GuessedPlace with the closest names, or GeocodeError."""
        text = query.strip()
        if not text:
            raise GeocodeError("empty place: say or type where to go")
        coords = COORDS.match(text)
        if coords:
            return self._coordinates(float(coords.group(1)), float(coords.group(2)))
        key = normalize(text)
        if key in self.favourites:
            return self._favourite(text, self.favourites[key], near)
        nearest = NEAREST.match(key)
        if nearest:
            return self._nearest(nearest.group(1), near)
        category = self._category(key)
        if category:
            return self._nearest(key, near)
        place = self._named(text, key)
        if place.confidence < 1.0 and not accept_guess:
            raise GuessedPlace(text, self._guesses(key))
        return place

    def _coordinates(self, lat: float, lon: float) -> Location:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GeocodeError(f"{lat},{lon} are not coordinates (lat -90..90, lon -180..180)")
        if self.bounds:
            south, west, north, east = self.bounds
            margin = 0.01
            if not (south - margin <= lat <= north + margin
                    and west - margin <= lon <= east + margin):
                raise GeocodeError(f"{lat},{lon} is off this map (it covers {south:.4f},"
                                   f"{west:.4f} to {north:.4f},{east:.4f})")
        return Location(f"{lat:.5f},{lon:.5f}", lat, lon, "coordinates")

    def _favourite(self, name: str, value: str, near: tuple[float, float] | None) -> Location:
        if normalize(value) in self.favourites:
            raise GeocodeError(f"favourite {name!r} refers to another favourite")
        try:
            place = self.locate(value, near)
        except GuessedPlace as exc:  # a favourite is the driver's own: exact, or fixed
            raise GeocodeError(f"favourite {name!r} is set to {value!r}, which is not a place "
                               f"on this map (did you mean {exc.candidates[0].name}?)") from None
        except GeocodeError as exc:
            raise GeocodeError(f"favourite {name!r} is set to {value!r}: {exc}") from None
        return Location(name, place.lat, place.lon, "favourite")

    @staticmethod
    def _category(text: str) -> str | None:
        for category, words in CATEGORY_WORDS.items():
            if text in (category, category.replace("_", " ")) or text in (
                    normalize(w) for w in words):
                return category
            if text.rstrip("s") in (normalize(w) for w in words):
                return category
        return None

    def _nearest(self, words: str, near: tuple[float, float] | None) -> Location:
        category = self._category(words)
        if category is None:
            known = ", ".join(w[0] for w in CATEGORY_WORDS.values())
            raise GeocodeError(f"no category {words!r}; known: {known}")
        candidates = [p for p in self.places if p.category == category]
        if not candidates:
            raise GeocodeError(f"no {category.replace('_', ' ')} on this map")
        if near is None:
            near = candidates[0].lat, candidates[0].lon
        best = min(candidates, key=lambda p: distance_m(near[0], near[1], p.lat, p.lon))
        return Location(best.name, best.lat, best.lon, category)

    def _named(self, text: str, key: str) -> Location:
        """The exact place, else the best guess (confidence below 1)."""
        place = self._exact.get(key) or self._address(key)
        if place is not None:
            return self._location(place)
        guesses = self._guesses(key)
        if not guesses:
            raise GeocodeError(f"no place named {text!r} on this map")
        return guesses[0]

    @staticmethod
    def _location(place: Place, confidence: float = 1.0) -> Location:
        street = {"street": place.name,
                  "address": place.name.rsplit(" ", 1)[0]}.get(place.category, "")
        return Location(place.name, place.lat, place.lon, place.category, street, confidence)

    def _guesses(self, key: str) -> tuple[Location, ...]:
        """The closest distinct places, best first; an address keeps its house number."""
        number = _house_number(key)
        found: dict[str, Location] = {}
        # token_sort_ratio: word order aside, the share of characters that agree; WRatio's
        # partial matching scored "Foobar 12" 86 % like "Unioninkatu 12".
        for _, score, index in process.extract(key, self._keys, scorer=fuzz.token_sort_ratio,
                                               limit=50):
            place = self._targets[index]
            if place.category == "address" and place.name.split()[-1] != number:
                continue
            if place.name not in found:
                found[place.name] = self._location(place, min(score, 99.0) / 100.0)
            if len(found) == GUESSES:
                break
        return tuple(found.values())

    def _address(self, key: str) -> Place | None:
        """"street 5" or "5 street" as written on the map (accents and case aside)."""
        number = _house_number(key)
        if number is None:
            return None
        street = key.removeprefix(number).removesuffix(number).strip()
        place = self._exact.get(f"{street} {number}")
        return place if place is not None and place.category == "address" else None


def _house_number(key: str) -> str | None:
    found = re.match(r"^(\d+\w?)\s+.+$", key) or re.match(r"^.+?\s+(\d+\w?)$", key)
    return found.group(1) if found else None
