"""Pre-conditioning for a departure: the pack is warmed to the middle of its window, from the
grid when plugged in, from the pack otherwise; the request ends at the departure time."""

from __future__ import annotations

import time

from kernel import topics
from kernel.event_bus import EventBus
from kernel.topics import Precondition, SimSetting
from vehicle.preset import load_preset
from vehicle.simulation import VehicleSimulation

TICKS = 600  # ten simulated minutes at time factor 10


def run(plugged: bool, precondition: bool) -> tuple[VehicleSimulation, list]:
    bus = EventBus()
    sim = VehicleSimulation(load_preset("city_car"), soc_percent=50.0, pack_c=62.0,
                            time_factor=10)
    states: list = []
    bus.subscribe(topics.VEHICLE_PRECONDITION_STATE, lambda m: states.append(m.payload))
    sim.start(bus, run_thread=False)
    if plugged:
        bus.publish(topics.SIM_SETTING, SimSetting("charging", 1.0))
    if precondition:
        bus.publish(topics.VEHICLE_PRECONDITION,
                    Precondition(time.time() + 3600, 20.0, "cmd-1"))
    sim.run_ticks(TICKS)
    bus.close()
    return sim, states


def test_unplugged_the_pack_heats_itself() -> None:
    plain, _ = run(plugged=False, precondition=False)
    warmed, states = run(plugged=False, precondition=True)
    assert states[-1].active and states[-1].source == "pack"
    assert states[-1].request_id == "cmd-1" and states[-1].cabin_c == 20.0
    assert warmed.model.battery.pack_c > plain.model.battery.pack_c + 0.5
    assert warmed.model.battery.ledger.heater_kwh > 0.0
    assert warmed.model.battery.stored_kwh < plain.model.battery.stored_kwh


def test_plugged_in_the_grid_feeds_the_heater() -> None:
    plain, _ = run(plugged=True, precondition=False)
    warmed, states = run(plugged=True, precondition=True)
    assert states[-1].active and states[-1].source == "grid"
    assert warmed.model.battery.pack_c > plain.model.battery.pack_c + 0.5
    assert warmed.model.battery.ledger.heater_kwh > 0.0
    # The pack gains exactly what it gains without heating: the heater ran on grid power.
    assert abs(warmed.model.battery.stored_kwh - plain.model.battery.stored_kwh) < 1e-9


def test_preconditioning_ends_at_departure(bus: EventBus) -> None:
    sim = VehicleSimulation(load_preset("city_car"), pack_c=62.0)
    states: list = []
    bus.subscribe(topics.VEHICLE_PRECONDITION_STATE, lambda m: states.append(m.payload))
    sim.start(bus, run_thread=False)
    bus.publish(topics.VEHICLE_PRECONDITION, Precondition(time.time() - 1.0, 21.0, "late"))
    sim.run_ticks(2)
    assert [s.active for s in states] == [True, False]
    assert sim.model.battery.heat_to_c is None
