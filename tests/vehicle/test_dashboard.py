"""The dashboard screen, real QML offscreen, fed by the real simulation over the bus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel import topics
from kernel.event_bus import EventBus
from kernel.settings import SettingsStore
from kernel.topics import DriverControl, NextStop, SimFault, VssFloat
from ui.shell import Shell
from vehicle.preset import load_preset
from vehicle.simulation import VehicleSimulation


@pytest.fixture
def dashboard(qapp, tmp_path: Path):
    made = []

    def make(preset: str = "city_car", size=(1280, 720)):
        bus = EventBus()
        store = SettingsStore(tmp_path / "settings.toml")
        shell = Shell(bus, store.load(), store, screen="dashboard", size=size)
        sim = VehicleSimulation(load_preset(preset), soc_percent=64, pack_c=66, outside_c=3)
        sim.start(bus, run_thread=False)
        made.append((shell, bus))
        return shell, bus, sim

    yield make
    for shell, bus in made:
        shell.close()
        bus.close()


def test_dashboard_shows_the_values_on_the_bus(find, dashboard, qtbot) -> None:
    shell, bus, sim = dashboard()
    bus.publish(topics.VEHICLE_CONTROL, DriverControl(mode="cruise", target_speed_kmh=42))
    sim.run_ticks(250)
    speed = bus.retained(topics.SPEED).value
    qtbot.waitUntil(lambda: find(shell, "speedValue").property("text") == f"{speed:.0f}")
    soc = bus.retained(topics.SOC).value
    assert find(shell, "socValue").property("text") == f"{round(soc)}%"
    range_km = bus.retained(topics.RANGE).value / 1000
    assert find(shell, "rangeValue").property("text") == f"Range {range_km:.0f} km"
    assert find(shell, "packValue").property("text").startswith("Pack 6")
    assert find(shell, "speedBarFill").width() > 0
    power = bus.retained(topics.MOTOR_POWER).value
    assert find(shell, "powerValue").property("text") == f"{power:.0f} kW"


def test_gauges_take_their_range_from_the_preset(dashboard, qtbot) -> None:
    """The city car's top speed (120 km/h) and motor (50 kW) end the gauges, not fixed maxima."""
    shell, bus, sim = dashboard()
    sim.run_ticks(1)
    vm = shell.view_models["vehicle"]
    qtbot.waitUntil(lambda: vm.property("maxSpeedText") == "120")
    bus.publish(topics.SPEED, VssFloat(60.0))
    bus.publish(topics.MOTOR_POWER, VssFloat(25.0))
    qtbot.waitUntil(lambda: vm.property("speedFraction") == 0.5)
    assert vm.property("powerFraction") == 0.5
    bus.publish(topics.MOTOR_POWER, VssFloat(-15.0))  # regen: of the preset's 30 kW
    qtbot.waitUntil(lambda: vm.property("powerFraction") == -0.5)
    bus.publish(topics.SOC, VssFloat(4.0))
    qtbot.waitUntil(lambda: vm.property("socLevel") == "critical")
    assert {"code": "battery", "level": "critical"} in vm.property("tellTales")


def test_out_of_range_sensor_shows_a_warning_and_no_number(dashboard, qtbot) -> None:
    shell, bus, sim = dashboard()
    bus.publish(topics.SIM_FAULT, SimFault("sensor_out_of_range", True))
    sim.run_ticks(2)
    vm = shell.view_models["vehicle"]
    qtbot.waitUntil(lambda: vm.property("speedText") == "--")
    assert vm.property("speedFraction") == 0.0
    qtbot.waitUntil(lambda: any(w["code"] == "speed_sensor" for w in vm.property("warnings")))
    for bad in (float("nan"), float("inf")):  # refused at the publisher (kernel.codec)
        with pytest.raises(ValueError, match="finite"):
            bus.publish(topics.SPEED, VssFloat(bad))
    for bad in (-1e9, 1e9):  # far out of the gauges' range: never crash a gauge
        bus.publish(topics.SPEED, VssFloat(bad))
        bus.publish(topics.MOTOR_POWER, VssFloat(bad))
    qtbot.waitUntil(lambda: vm.property("speedText") == "--")
    assert -1.0 <= vm.property("powerFraction") <= 1.0
    assert shell.grab().width() == 1280


def test_bus_preset_shows_the_next_stop(find, dashboard, qtbot) -> None:
    shell, bus, sim = dashboard("bus_12m", size=(800, 480))
    sim.run_ticks(1)
    panel = find(shell, "busPanel")
    qtbot.waitUntil(lambda: panel.isVisible())
    bus.publish(topics.NAV_BUS_NEXT_STOP, NextStop("55", "Rautatientori", 350.0))
    vm = shell.view_models["vehicle"]
    qtbot.waitUntil(lambda: "Rautatientori" in vm.property("nextStop"))
    assert "stop_request" not in [lamp["code"] for lamp in vm.property("tellTales")]
    bus.publish(topics.NAV_BUS_NEXT_STOP, NextStop("55", "Rautatientori", 300.0, True))
    qtbot.waitUntil(lambda: vm.property("nextStop").endswith("Stop requested"))
    assert {"code": "stop_request", "level": "info"} in vm.property("tellTales")
    # its lamp is drawn among the tell-tales (the home screen's, loaded under this view)
    qtbot.waitUntil(lambda: find(shell, "lamp_stop_request") is not None)


def test_car_preset_hides_the_bus_panel(find, dashboard, qtbot) -> None:
    shell, _, sim = dashboard()
    sim.run_ticks(1)
    qtbot.waitUntil(lambda: shell.view_models["vehicle"].property("label") != "")
    assert not find(shell, "busPanel").isVisible()
