"""The map screen, real QML offscreen: roads, the route, the vehicle, the next maneuver."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from kernel import topics
from kernel.event_bus import EventBus
from kernel.settings import SettingsStore
from kernel.topics import RouteRequest
from navigation.service import NavigationService
from ui.shell import Shell
from vehicle.preset import load_preset
from vehicle.simulation import VehicleSimulation


@pytest.fixture
def screen(qapp, tmp_path: Path, map_cache: Path, helsinki):
    bus = EventBus()
    store = SettingsStore(tmp_path / "settings.toml")
    shell = Shell(bus, store.load(), store, screen="map", size=(1280, 720))
    sim = VehicleSimulation(load_preset("city_car"), start=(60.1650, 24.9400))
    sim.start(bus, run_thread=False)
    nav = NavigationService(None, map_cache)
    nav.start(bus)
    assert nav.ready.wait(60)
    sim.run_ticks(1)
    yield shell, bus, sim
    nav.stop()
    shell.close()
    bus.close()


def route_pixels(shell: Shell, find) -> int:
    """Pixels in the route's colour on the map, clear of the cards (left), the map buttons
    (right) and the bottom strip."""
    image = shell.grab()
    accent = QColor(find(shell, "mapCanvas").property("routeColour")).rgb()
    return sum(1 for x in range(420, image.width() - 100, 3)
               for y in range(0, image.height() - 100, 3) if image.pixel(x, y) == accent)


def test_map_route_vehicle_and_next_maneuver(find, screen, qtbot) -> None:
    shell, bus, sim = screen
    view = shell.view_models["mapView"]
    qtbot.waitUntil(lambda: view.property("hasMap"), timeout=20000)
    roads_only = route_pixels(shell, find)  # lit buttons share the colour; the route adds to it
    bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    qtbot.waitUntil(lambda: view.property("hasRoute"), timeout=20000)
    sim.run_ticks(5)
    qtbot.waitUntil(lambda: view.property("nextArrow") != "")
    assert find(shell, "maneuverPanel").isVisible()
    route = bus.retained(topics.NAV_ROUTE)
    turn = next(m for m in route.maneuvers if m.kind not in ("depart", "uturn"))
    assert turn.street and view.property("nextStreet") == turn.street
    assert view.property("nextDistance").endswith(" m")
    qtbot.waitUntil(lambda: route_pixels(shell, find) > roads_only + 100)


def test_street_names_are_written_where_they_fit(find, screen, qtbot) -> None:
    shell, _, _ = screen
    view = shell.view_models["mapView"]
    qtbot.waitUntil(lambda: view.property("hasMap"), timeout=20000)
    canvas = find(shell, "mapCanvas")
    shell.grab()
    assert "Bulevardi" in canvas.drawn_labels  # the street the car starts near
    assert len(canvas.drawn_labels) >= 3
    written = len(canvas.drawn_labels)
    for _ in range(2):
        view.zoomOut()
    shell.grab()
    assert len(canvas.drawn_labels) < written  # zoomed out, fewer names fit their streets


def test_zoom_follow_and_pan(screen, qtbot) -> None:
    shell, _, sim = screen
    view = shell.view_models["mapView"]
    qtbot.waitUntil(lambda: view.property("hasMap"), timeout=20000)
    sim.run_ticks(1)
    qtbot.waitUntil(lambda: view.vehicle is not None)
    before = view.pixels_per_metre
    view.zoomIn()
    assert view.pixels_per_metre > before
    assert view.property("follow")
    view.pan(40.0, 0.0)
    assert not view.property("follow")
    view.toggleFollow()
    assert view.property("follow") and view.centre == view.vehicle


def test_route_error_is_shown_on_the_map(find, screen, qtbot) -> None:
    shell, bus, _ = screen
    view = shell.view_models["mapView"]
    bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("95,200"))
    qtbot.waitUntil(lambda: "95,200" in view.property("banner"), timeout=20000)
    assert find(shell, "mapBanner").isVisible()


def test_a_guessed_destination_waits_for_the_driver_to_pick(find, screen, qtbot) -> None:
    """"Kaivokadu 1" is not on the map: the screen asks, nothing is routed until the driver
    picks a candidate, and the pick routes to that one."""
    shell, bus, _ = screen
    view = shell.view_models["mapView"]
    bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokadu 1"))
    qtbot.waitUntil(lambda: view.property("guessQuery") == "Kaivokadu 1", timeout=20000)
    assert find(shell, "destinationGuess").isVisible()
    assert view.property("guessChoices")[0].startswith("Kaivokatu 1 (")
    assert not view.property("hasRoute") and bus.retained(topics.NAV_ROUTE) is None
    assert find(shell, "guess_0").isVisible()
    view.chooseGuess(0)  # what the first candidate's button does when tapped
    qtbot.waitUntil(lambda: view.property("hasRoute"), timeout=20000)
    assert bus.retained(topics.NAV_ROUTE).destination == "Kaivokatu 1"
    assert not find(shell, "destinationGuess").isVisible()


def test_none_of_the_guesses_routes_nowhere(find, screen, qtbot) -> None:
    shell, bus, _ = screen
    view = shell.view_models["mapView"]
    bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Atlantis Street 999"))
    qtbot.waitUntil(lambda: view.property("guessQuery") != "", timeout=20000)
    view.chooseGuess(-1)
    qtbot.waitUntil(lambda: not bus.retained(topics.NAV_DESTINATION_CANDIDATES).candidates)
    assert not find(shell, "destinationGuess").isVisible()
    assert bus.retained(topics.NAV_ROUTE) is None



def test_charging_stations_and_bus_stops_are_marked(find, screen, qtbot) -> None:
    """The real extract's places on the map: bus stops once zoomed in, charging stations at
    every zoom."""
    shell, _, _ = screen
    view = shell.view_models["mapView"]
    qtbot.waitUntil(lambda: view.property("hasMap"), timeout=20000)
    assert {kind for kind, _ in view.places} == {"charging_station", "bus_stop"}
    canvas = find(shell, "mapCanvas")
    view.zoomIn()  # 4 px/m around the car on Annankatu: the stops nearby
    image = shell.grab()
    assert "bus_stop" in canvas.drawn_places
    stop = QColor(canvas.property("stopColour")).rgb()
    assert sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if image.pixel(x, y) == stop) > 50  # the marks are drawn, in their colour
    for _ in range(4):
        view.zoomOut()
    shell.grab()  # 0.5 px/m: the whole centre, its charging stations, no stops
    assert "charging_station" in canvas.drawn_places
    assert "bus_stop" not in canvas.drawn_places


def test_the_posted_limit_is_a_sign_on_the_map(find, screen, qtbot) -> None:
    """The car starts on Annankatu (maxspeed=30): the sign says 30; off the roads, none."""
    shell, bus, _ = screen
    view = shell.view_models["mapView"]
    qtbot.waitUntil(lambda: view.property("speedLimit") == "30", timeout=20000)
    sign = find(shell, "speedLimitSign")
    assert sign.isVisible()
    assert find(shell, "speedLimitValue").property("text") == "30"
    bus.publish(topics.DISTANCE_UNIT, topics.VssString("MILES"))
    qtbot.waitUntil(lambda: view.property("speedLimit") == "19")  # 30 km/h in mph
    bus.publish(topics.NAV_ROAD, topics.RoadState())
    qtbot.waitUntil(lambda: not sign.isVisible())
    assert view.property("speedLimit") == ""


def test_the_cluster_shows_the_posted_limit(qapp, tmp_path: Path, find, qtbot) -> None:
    bus = EventBus()
    store = SettingsStore(tmp_path / "settings.toml")
    shell = Shell(bus, store.load(), store, screen="cluster", size=(1280, 480))
    try:
        sign = find(shell, "clusterSpeedLimit")
        assert not sign.isVisible()  # nothing said yet: no sign, never a guess
        bus.publish(topics.NAV_ROAD, topics.RoadState("Mannerheimintie", 40.0))
        qtbot.waitUntil(sign.isVisible)
        assert find(shell, "speedLimitValue").property("text") == "40"
    finally:
        shell.close()
        bus.close()
