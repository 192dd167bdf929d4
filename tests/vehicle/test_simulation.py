"""The simulation on a real bus: signals, determinism, auto-drive, controls, faults."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from kernel import topics, units
from kernel.codec import to_json
from kernel.event_bus import EventBus, Message
from kernel.topics import DriverControl, RoutePath, SimFault, SimSetting
from vehicle.preset import load_preset
from vehicle.route import distance_m
from vehicle.simulation import SPEED_SENSOR_FAULT_KMH, VehicleSimulation

# A real street corner in central Helsinki: along Mannerheimintie, then right onto Kaivokatu.
ROUTE = RoutePath(points=((60.1686, 24.9380), (60.1700, 24.9385), (60.1712, 24.9393),
                          (60.1710, 24.9420), (60.1707, 24.9445)),
                  speed_limits_kmh=(40.0, 40.0, 30.0, 30.0, 30.0))


def make(bus: EventBus, preset: str = "city_car", **kw) -> VehicleSimulation:
    sim = VehicleSimulation(load_preset(preset), **kw)
    sim.start(bus, run_thread=False)
    return sim


def values(bus: EventBus, topic: str) -> list:
    got: list = []
    bus.subscribe(topic, lambda m: got.append(m.payload))
    return got


def test_every_tick_publishes_the_vss_signals(bus: EventBus) -> None:
    seen: list[str] = []
    bus.subscribe("Vehicle.#", lambda m: seen.append(m.topic))
    make(bus).run_ticks(3)
    for topic in (topics.SPEED, topics.SOC, topics.RANGE, topics.PACK_TEMPERATURE,
                  topics.MOTOR_POWER, topics.LATITUDE, topics.LONGITUDE, topics.HEADING,
                  topics.SELECTED_GEAR, topics.TRAVELED_DISTANCE, topics.AIR_TEMPERATURE):
        assert seen.count(topic) >= 3, topic
    assert bus.retained(topics.VEHICLE_INFO).kind == "car"


def recording(seed: int) -> list[str]:
    bus = EventBus()
    lines: list[str] = []
    bus.subscribe("#", lambda m: lines.append(json.dumps([m.topic, to_json(m.payload)])))
    sim = make(bus, seed=seed)
    bus.publish(topics.NAV_ROUTE, ROUTE)
    sim.run_ticks(300)
    bus.close()
    return lines


def test_same_seed_gives_the_same_recording() -> None:
    first, second = recording(7), recording(7)
    assert len(first) > 3000
    assert first == second
    assert recording(8) != first  # the seed matters (GPS noise)


def test_auto_drive_follows_the_route_to_its_end(bus: EventBus) -> None:
    sim = make(bus, time_factor=10)
    speeds = values(bus, topics.SPEED)
    bus.publish(topics.NAV_ROUTE, ROUTE)
    sim.run_ticks(200)  # 200 s simulated
    end = ROUTE.points[-1]
    lat, lon = bus.retained(topics.LATITUDE).value, bus.retained(topics.LONGITUDE).value
    assert distance_m((lat, lon), end) < 10
    assert speeds[-1].value == 0.0
    assert max(s.value for s in speeds) <= 40.5  # the speed limit held
    assert sim.route_at_m == pytest.approx(sim.follower.length_m)


def test_cruise_and_manual_controls(bus: EventBus) -> None:
    sim = make(bus)
    bus.publish(topics.VEHICLE_CONTROL, DriverControl(mode="cruise", target_speed_kmh=50))
    sim.run_ticks(300)
    assert bus.retained(topics.SPEED).value == pytest.approx(50, abs=1)
    assert bus.retained(topics.SELECTED_GEAR).value == 127
    bus.publish(topics.VEHICLE_CONTROL, DriverControl(mode="manual", brake=1.0))
    sim.run_ticks(100)
    assert bus.retained(topics.SPEED).value == 0.0


def test_time_factor_speeds_up_simulated_time(bus: EventBus) -> None:
    sim = make(bus)
    bus.publish(topics.SIM_SETTING, SimSetting("time_factor", 20))
    sim.run_ticks(10)
    assert sim.sim_time_s == pytest.approx(20.0)


def test_faults_become_warnings_and_are_cleared(bus: EventBus) -> None:
    sim = make(bus)
    bus.publish(topics.SIM_FAULT, SimFault("gps_lost", True))
    bus.publish(topics.SIM_FAULT, SimFault("battery_cold", True))
    bus.publish(topics.SIM_FAULT, SimFault("low_battery", True))
    sim.run_ticks(1)
    codes = {w.code: w for w in bus.retained(topics.VEHICLE_WARNINGS).items}
    assert {"gps_lost", "battery_cold", "low_battery"} <= set(codes)
    assert codes["low_battery"].level == "critical"
    assert "power limited" in codes["battery_cold"].text
    assert re.match(r"Battery cold \(-?\d+ °C\)", codes["battery_cold"].text)
    units.publish(bus, "imperial")  # the warning follows the driver's units at the next tick
    sim.run_ticks(1)
    cold = {w.code: w for w in bus.retained(topics.VEHICLE_WARNINGS).items}["battery_cold"]
    assert re.match(r"Battery cold \(-?\d+ °F\)", cold.text), cold
    assert bus.retained(topics.GNSS_FIX).value == "NONE"
    bus.publish(topics.SIM_FAULT, SimFault("gps_lost", False))
    sim.run_ticks(1)
    assert "gps_lost" not in {w.code for w in bus.retained(topics.VEHICLE_WARNINGS).items}


def test_out_of_range_sensor_is_published_and_flagged(bus: EventBus) -> None:
    sim = make(bus)
    bus.publish(topics.SIM_FAULT, SimFault("sensor_out_of_range", True))
    sim.run_ticks(1)
    assert bus.retained(topics.SPEED).value == SPEED_SENSOR_FAULT_KMH
    assert any(w.code == "speed_sensor" for w in bus.retained(topics.VEHICLE_WARNINGS).items)


@pytest.mark.parametrize("topic, payload, complaint", [
    (topics.SIM_SETTING, SimSetting("warp", 9.0), "unknown setting 'warp'"),
    (topics.SIM_FAULT, SimFault("flat_tyre", True), "unknown fault 'flat_tyre'"),
    (topics.NAV_ROUTE, RoutePath(points=((60.17, 24.94),)), "at least 2 points"),
])
def test_bad_input_is_reported_and_the_simulation_goes_on(bus: EventBus, topic, payload,
                                                          complaint) -> None:
    errors: list[Message] = []
    bus.subscribe(topics.BUS_ERROR, errors.append)
    sim = make(bus)
    bus.publish(topic, payload)
    sim.run_ticks(2)
    assert complaint in errors[0].payload.message
    assert errors[0].payload.source == "vehicle simulation"
    assert bus.retained(topics.SPEED) is not None


def test_settings_change_state_and_range_reacts(bus: EventBus) -> None:
    sim = make(bus)
    sim.run_ticks(1)
    full_range = bus.retained(topics.RANGE).value
    bus.publish(topics.SIM_SETTING, SimSetting("soc", 40))
    bus.publish(topics.SIM_SETTING, SimSetting("outside_temperature", -10))
    sim.run_ticks(1)
    assert bus.retained(topics.SOC).value == pytest.approx(40, abs=0.1)
    assert bus.retained(topics.AIR_TEMPERATURE).value == -10
    assert bus.retained(topics.RANGE).value < full_range / 1.5


def test_bus_preset_runs_in_its_own_thread(bus: EventBus) -> None:
    import threading

    sim = VehicleSimulation(load_preset("bus_12m"))
    ticked = threading.Event()
    bus.subscribe(topics.SPEED, lambda m: ticked.set())
    sim.start(bus)
    try:
        assert ticked.wait(5)
    finally:
        sim.stop()
    assert bus.retained(topics.VEHICLE_INFO).kind == "bus"


def test_a_new_route_is_driven_on_from_where_the_car_is(bus: EventBus) -> None:
    """A reroute starts at the map node nearest the car, which can be behind it or off to the
    side: the car carries on from where it is instead of jumping there."""
    sim = make(bus, start=ROUTE.points[0])
    lats, lons = values(bus, topics.LATITUDE), values(bus, topics.LONGITUDE)
    bus.publish(topics.NAV_ROUTE, ROUTE)
    sim.run_ticks(250)  # past the first corner
    here = (sim.lat, sim.lon)
    behind = RoutePath(points=ROUTE.points[1:], speed_limits_kmh=ROUTE.speed_limits_kmh[1:])
    bus.publish(topics.NAV_ROUTE, behind)  # starts at a corner the car has just passed
    sim.run_ticks(1)
    assert distance_m(here, (sim.lat, sim.lon)) < 3.0  # one tick's travel, no jump
    nearby = RoutePath(points=((60.1712, 24.9393), (60.1707, 24.9445)))
    bus.publish(topics.NAV_ROUTE, nearby)  # its start is ~100 m off: a connector leads there
    here = (sim.lat, sim.lon)
    sim.run_ticks(1)
    assert distance_m(here, (sim.lat, sim.lon)) < 3.0
    sim.run_ticks(2000)
    assert distance_m((sim.lat, sim.lon), nearby.points[-1]) < 10
    fixes = [(a.value, b.value) for a, b in zip(lats, lons, strict=True)]
    hops = [distance_m(a, b) for a, b in itertools.pairwise(fixes)]
    assert max(hops) < 15  # GPS noise included; a jump would be ~100 m
