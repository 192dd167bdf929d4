"""Vehicle physics and the LMP battery: energy balance, regen ceiling, cold pack, range."""

from __future__ import annotations

import pytest

from vehicle.model import VehicleModel
from vehicle.preset import load_preset
from vehicle.range_estimate import RangeEstimator

DT = 0.1


def urban_drive(model: VehicleModel, cycles: int = 5) -> None:
    """Accelerate to 50 km/h, cruise, brake to a stop, wait — repeated."""
    for _ in range(cycles):
        for _ in range(150):
            model.step(DT, (50 / 3.6 - model.speed_ms) * 1.0)
        for _ in range(200):
            model.step(DT, -2.0)
        for _ in range(100):
            model.step(DT, 0.0)


@pytest.mark.parametrize("preset", ["city_car", "bus_12m"])
def test_energy_out_of_the_pack_equals_its_consumers(preset: str) -> None:
    model = VehicleModel(load_preset(preset), soc_percent=70, pack_c=58, outside_c=-5)
    start = model.battery.stored_kwh
    urban_drive(model)
    out = start - model.battery.stored_kwh
    ledger = model.battery.ledger
    assert ledger.heater_kwh > 0 and ledger.auxiliary_kwh > 0 and ledger.traction_kwh > 0
    assert out == pytest.approx(ledger.consumers_kwh, rel=0.01)


def test_wheel_energy_balances_road_load_brakes_and_kinetic_energy() -> None:
    model = VehicleModel(load_preset("city_car"))
    urban_drive(model, cycles=3)
    assert model.speed_ms == 0.0
    ledger = model.battery.ledger
    # Standstill to standstill on a flat road: every joule at the wheels went into air and
    # rolling resistance, or into the friction brakes, or came back by regen (in traction).
    delivered = ledger.traction_kwh - model.friction_brake_kwh
    assert delivered == pytest.approx(model.road_loss_kwh, rel=0.01)


def test_regen_never_charges_above_100_percent() -> None:
    model = VehicleModel(load_preset("city_car"), soc_percent=99.8)
    model.speed_ms = 30.0
    for _ in range(600):  # long hard braking from 108 km/h
        model.step(DT, -3.0)
        assert model.battery.soc_percent <= 100.0
    assert model.friction_brake_kwh > 0  # the brakes took what the pack could not


def test_regen_recovers_energy_when_the_pack_has_room() -> None:
    model = VehicleModel(load_preset("city_car"), soc_percent=50)
    model.speed_ms = 20.0
    before = model.battery.stored_kwh
    for _ in range(50):
        model.step(DT, -2.0)
    assert model.last.motor_kw < 0
    assert model.battery.ledger.traction_kwh < 0
    assert model.battery.stored_kwh > before - 0.01  # aux draw is smaller than the recovery


def test_cold_pack_limits_power() -> None:
    preset = load_preset("city_car")
    warm = VehicleModel(preset, pack_c=65)
    cold = VehicleModel(preset, pack_c=20)
    for model in (warm, cold):
        for _ in range(100):
            model.step(DT, 3.0)
    assert cold.battery.cold_factor() < 0.2
    assert cold.speed_ms < warm.speed_ms * 0.6
    assert max(0.0, cold.last.motor_kw) <= preset.max_motor_power_kw * 0.2 + 1e-6


def test_heater_warms_a_cold_pack_from_its_own_energy() -> None:
    model = VehicleModel(load_preset("city_car"), pack_c=40, outside_c=0)
    for _ in range(6000):  # ten minutes parked
        model.step(DT, 0.0)
    assert model.battery.pack_c > 40
    assert model.battery.ledger.heater_kwh > 0


def test_an_empty_pack_cannot_drive_and_never_goes_negative() -> None:
    model = VehicleModel(load_preset("city_car"), soc_percent=0.01)
    for _ in range(300):
        model.step(DT, 2.0)
    assert model.battery.stored_kwh >= 0.0
    assert model.speed_ms < 1.0


def test_charging_fills_the_pack_and_holds_the_car() -> None:
    model = VehicleModel(load_preset("city_car"), soc_percent=20)
    model.charging = True
    for _ in range(36000):  # one hour
        model.step(DT, 1.0)
    assert model.speed_ms == 0.0
    assert 35 < model.battery.soc_percent <= 100.0
    assert model.battery.ledger.charged_kwh > 5


def test_range_follows_recent_consumption() -> None:
    estimator = RangeEstimator(nominal_kwh_per_km=0.15)
    assert estimator.range_m(15.0, 0.0, 0.0) == pytest.approx(100_000)
    for km in range(1, 21):  # 20 km at a thirsty 0.30 kWh/km
        estimator.add(float(km), km * 0.30)
    assert estimator.consumption_kwh_per_km(20.0, 6.0) == pytest.approx(0.30, rel=0.01)
    assert estimator.range_m(15.0, 20.0, 6.0) == pytest.approx(50_000, rel=0.01)
    # Parked with the heater on: energy goes out, distance does not — range shrinks.
    assert estimator.range_m(15.0, 20.0, 7.0) < 50_000
