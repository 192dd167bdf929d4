"""Offline geocoding from the Helsinki extract itself."""

from __future__ import annotations

import pytest

from navigation.geocode import distance_m


def test_a_known_street_address_geocodes(helsinki_planner) -> None:
    # Kaivokatu 1 is Helsinki Central Station's address (60.1713 N, 24.9414 E).
    place = helsinki_planner.locate("Kaivokatu 1", None)
    assert place.kind == "address"
    assert distance_m(place.lat, place.lon, 60.1713, 24.9414) < 150


@pytest.mark.parametrize("query", ["kaivokatu 1", "KAIVOKATU 1", "1 Kaivokatu",
                                   "Kaívokatu 1"])
def test_case_accent_and_order_are_still_exact(helsinki_planner, query: str) -> None:
    place = helsinki_planner.locate(query, None)
    assert (place.name, place.confidence) == ("Kaivokatu 1", 1.0)


def test_a_typo_is_a_guess_with_the_intended_place_first(helsinki_planner) -> None:
    from navigation.planner import PlanError

    with pytest.raises(PlanError, match=r"did you mean Kaivokatu 1 \(\d+%\)") as info:
        helsinki_planner.locate("Kaivokadu 1", None)
    best = info.value.candidates[0]
    assert best.name == "Kaivokatu 1" and 0.8 < best.confidence < 1.0
    taken = helsinki_planner.locate("Kaivokadu 1", None, accept_guess=True)
    assert taken == best


@pytest.mark.parametrize("query, wrong", [("Foobar 12", "Unioninkatu 12"),
                                          ("Atlantis Street 999", "Siltasaarenkatu 4")])
def test_a_place_the_map_lacks_never_silently_becomes_another(helsinki_planner, query: str,
                                                               wrong: str) -> None:
    """Both were routed, exit 0, to the place named (the issue's cases)."""
    from navigation.planner import PlanError

    with pytest.raises(PlanError, match="did you mean") as info:
        helsinki_planner.locate(query, None)
    candidates = info.value.candidates
    assert 1 <= len(candidates) <= 3
    assert all(c.confidence < 0.7 for c in candidates)  # shown as the poor matches they are
    assert [c.confidence for c in candidates] == sorted((c.confidence for c in candidates),
                                                        reverse=True)
    assert helsinki_planner.locate(query, None, accept_guess=True).confidence < 0.7
    assert wrong not in [c.name for c in candidates if c.confidence >= 0.7]


def test_a_favourite_that_is_not_a_place_is_refused(helsinki) -> None:
    from navigation.geocode import Geocoder
    from navigation.planner import PlanError, Planner

    planner = Planner(helsinki, Geocoder(helsinki.places, {"gym": "not a place at all"},
                                         helsinki.bounds()))
    for accept in (False, True):
        with pytest.raises(PlanError, match="favourite 'gym' is set to 'not a place at all', "
                                            "which is not a place on this map"):
            planner.locate("gym", None, accept_guess=accept)


def test_street_names_in_every_language_of_the_map(helsinki_planner) -> None:
    finnish = helsinki_planner.locate("Mannerheimintie", None)
    swedish = helsinki_planner.locate("Mannerheimvägen", None)
    assert swedish.name == finnish.name == "Mannerheimintie"


def test_nearest_category_picks_the_closest(helsinki_planner, helsinki) -> None:
    here = (60.1650, 24.9400)
    found = helsinki_planner.locate("nearest charging station", here)
    chargers = [p for p in helsinki.places if p.category == "charging_station"]
    closest = min(distance_m(*here, p.lat, p.lon) for p in chargers)
    assert found.kind == "charging_station"
    assert distance_m(*here, found.lat, found.lon) == pytest.approx(closest)
    assert helsinki_planner.locate("nearest charging_station", here) == found  # voice's form


def test_pois_coordinates_and_favourites(helsinki_planner) -> None:
    assert helsinki_planner.locate("Rautatientori", None).kind in ("bus_stop", "station",
                                                                   "street", "place")
    assert helsinki_planner.locate("60.17, 24.94", None).kind == "coordinates"
    home = helsinki_planner.locate("Home", None)
    assert (home.kind, home.lat, home.lon) == ("favourite", 60.165, 24.94)


@pytest.mark.parametrize("query, complaint", [
    ("Atlantis", "no place named 'Atlantis' on this map"),
    ("48.8566,2.3522", "is off this map"),
    ("95,200", "are not coordinates"),
    ("nearest unicorn", "no category 'unicorn'"),
    ("   ", "empty place"),
])
def test_places_that_are_not_there(helsinki_planner, query: str, complaint: str) -> None:
    from navigation.planner import PlanError

    with pytest.raises(PlanError, match=complaint):
        helsinki_planner.locate(query, None)
