"""The driver's units: conversions, rounding for a glance and words for the ear."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kernel import topics, units
from kernel.event_bus import EventBus
from kernel.settings import SettingsStore
from kernel.topics import GuidanceProgress, VssFloat
from kernel.units import Units

METRIC, IMPERIAL = Units.of("metric"), Units.of("imperial")


@pytest.mark.parametrize(("metres", "metric", "imperial"), [
    (24, "20 m", "80 ft"),
    (187, "190 m", "0.1 mi"),  # 614 ft: past 0.1 mi, where feet give way to miles
    (340, "350 m", "0.2 mi"),
    (995, "1 km", "0.6 mi"),  # 1000 m rounded is no longer metres
    (1234, "1.2 km", "0.8 mi"),
    (15_678, "15.7 km", "9.7 mi"),
])
def test_route_distances_are_rounded_for_a_glance(metres, metric, imperial) -> None:
    assert METRIC.approach(metres) == metric
    assert IMPERIAL.approach(metres) == imperial


@pytest.mark.parametrize(("units_", "metres", "language", "spoken"), [
    (METRIC, 300, "en", "300 metres"),
    (METRIC, 1000, "en", "1 kilometre"),
    (METRIC, 1500, "fr", "1,5 kilomètre"),  # French keeps the singular below 2
    (METRIC, 2500, "fr", "2,5 kilomètres"),
    (METRIC, 300, "ko", "300 미터"),
    (IMPERIAL, 120, "en", "400 feet"),
    (IMPERIAL, 1609.344, "en", "1 mile"),
    (IMPERIAL, 3000, "en", "1.9 miles"),
])
def test_spoken_distances_say_the_unit_as_a_word(units_, metres, language, spoken) -> None:
    assert units_.approach(metres, language, spoken=True) == spoken


def test_speeds_lengths_and_temperatures() -> None:
    assert IMPERIAL.speed(100.0) == pytest.approx(62.137, abs=1e-3)
    assert (METRIC.speed_unit, IMPERIAL.speed_unit) == ("km/h", "mph")
    assert (METRIC.length(150_000), IMPERIAL.length(150_000)) == ("150 km", "93 mi")
    assert METRIC.length(12_345_678, 1, "fr") == "12\u202f345,7 km"
    assert METRIC.length(12_300, 1, "en", spoken=True) == "12.3 kilometres"
    assert METRIC.length(3_000, 1, "en", spoken=True) == "3 kilometres"
    assert (METRIC.temperature(-7.2), IMPERIAL.temperature(21.0)) == ("-7 °C", "70 °F")


def test_the_settings_system_travels_as_the_hmi_signals() -> None:
    bus = EventBus()
    assert Units.on(bus) == METRIC  # nothing published yet
    units.publish(bus, "imperial")
    assert bus.retained(topics.DISTANCE_UNIT).value == "MILES"
    assert bus.retained(topics.TEMPERATURE_UNIT).value == "F"
    assert Units.on(bus) == IMPERIAL
    units.publish(bus, "metric")
    assert Units.on(bus) == METRIC
    bus.close()


def test_imperial_in_settings_turns_the_screens_to_miles_and_fahrenheit(
        find, make_shell, qtbot, tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    shell, bus = make_shell("settings", store=store)
    vehicle, status, route = (shell.view_models[n] for n in ("vehicle", "statusInfo", "mapView"))
    for topic, value in ((topics.SPEED, 100.0), (topics.RANGE, 150_000.0),
                         (topics.AIR_TEMPERATURE, 21.0), (topics.TRAVELED_DISTANCE, 16_093.44)):
        bus.publish(topic, VssFloat(value))
    bus.publish(topics.NAV_PROGRESS, GuidanceProgress(3000.0, 300.0, "turn", "left",
                                                      "Kaivokatu", 120.0))
    qtbot.waitUntil(lambda: route.property("remaining") == "3 km · 5 min")
    assert (vehicle.property("speedText"), status.range, status.outside) == \
        ("100", "150 km", "21 °C")

    qtbot.waitExposed(shell.window)
    option = find(shell, "option_Units_imperial")
    qtbot.mouseClick(shell.window, Qt.MouseButton.LeftButton,
                     pos=option.mapToScene(option.boundingRect().center()).toPoint())
    qtbot.waitUntil(lambda: vehicle.property("speedText") == "62")
    assert SettingsStore(store.path).load().units == "imperial"
    shown = [vehicle.property(p) for p in ("speedUnit", "rangeText", "outsideText",
                                           "odometerText")]
    assert shown == ["mph", "93 mi", "70 °F", "10,000.0 mi"]
    assert (status.range, status.outside) == ("93 mi", "70 °F")
    assert (route.property("nextDistance"), route.property("remaining")) == \
        ("400 ft", "1.9 mi · 5 min")

    shell.navigator.go("dashboard")
    loader = find(shell, "screenLoader")
    qtbot.waitUntil(lambda: loader.property("ready") and find(shell, "speedUnit") is not None)
    assert find(shell, "speedUnit").property("text") == "mph"
    assert find(shell, "speedValue").property("text") == "62"


def test_numbers_are_written_the_way_the_screen_language_writes_them(make_shell, qtbot) -> None:
    shell, bus = make_shell("dashboard", language="fr")
    vehicle, route = shell.view_models["vehicle"], shell.view_models["mapView"]
    bus.publish(topics.TRAVELED_DISTANCE, VssFloat(12_345.67))
    bus.publish(topics.NAV_PROGRESS, GuidanceProgress(1500.0, 300.0, "turn", "left", "", 1200.0))
    qtbot.waitUntil(lambda: vehicle.property("odometerText") == "12\u202f345,7 km")
    assert (route.property("nextDistance"), route.property("remaining")) == \
        ("1,2 km", "1,5 km · 5 min")
    bus.publish(topics.UI_LANGUAGE, topics.Language("en"))
    qtbot.waitUntil(lambda: vehicle.property("odometerText") == "12,345.7 km")
