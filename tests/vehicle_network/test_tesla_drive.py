"""The real Tesla Model 3 drive through KUKSA's own overlay and our example mapping: what the
dashboard, the range estimate and the voice answers get from it."""

from __future__ import annotations

import threading

import pytest

from kernel import topics
from kernel.event_bus import EventBus
from vehicle_network.source import CanSource

from .conftest import EXAMPLE_MAPPING

MOTOR_POWER = "Vehicle.Powertrain.ElectricMotor.Power"


@pytest.fixture(scope="module")
def drive(tesla):
    """Every message the whole drive put on the bus, in order."""
    bus = EventBus()
    seen: list = []
    bus.subscribe("Vehicle.#", seen.append)
    source = CanSource(tesla / "Model3CAN.dbc",
                       [tesla / "kuksa_dbc_overlay_vss4.0.vspec", EXAMPLE_MAPPING],
                       log_file=tesla / "drive.log")
    source.start(bus, run_thread=False)
    source.run_to_end()
    yield bus, seen, source
    bus.close()


def values(seen, path: str) -> list:
    return [m.payload.value for m in seen if m.topic == path and not m.payload.stale]


def test_speed_gear_and_power_from_kuksas_overlay_and_ours(drive) -> None:
    _bus, seen, _source = drive
    speed = values(seen, topics.SPEED)
    assert min(speed) == 2.0 and max(speed) == 71.0
    assert set(values(seen, topics.CURRENT_GEAR)) == {1}  # KUKSA: DI_GEAR_D -> 1
    assert set(values(seen, topics.SELECTED_GEAR)) == {127}  # ours: VSS "drive"
    power = values(seen, MOTOR_POWER)
    assert min(power) < -40 and max(power) > 20  # regenerating and driving
    torque = values(seen, topics.MOTOR_TORQUE)
    assert min(torque) < 0 < max(torque)


def test_battery_odometer_and_range_from_our_mapping(drive) -> None:
    _bus, seen, _source = drive
    soc = values(seen, topics.SOC)
    assert 56.3 < min(soc) <= max(soc) < 56.7
    volts = values(seen, topics.PACK_VOLTAGE)
    assert min(volts) > 365 and max(volts) < 385
    amps = values(seen, topics.PACK_CURRENT)
    assert min(amps) < -50 and max(amps) > 100  # VSS sign: regenerating is positive
    odometer = values(seen, topics.TRAVELED_DISTANCE)
    assert odometer == sorted(odometer) and 1.0 < odometer[-1] - odometer[0] < 1.5
    range_m = values(seen, topics.RANGE)
    assert min(range_m) > 280_000 and max(range_m) < 290_000  # 178-179 miles
    assert 5.0 <= min(values(seen, topics.AIR_TEMPERATURE)) <= 6.0


def test_the_logs_truncated_frames_are_counted_not_fatal(drive) -> None:
    _bus, _seen, source = drive
    assert 0 < sum(source.decoder.stats.errors.values()) < 200
    assert "data bytes" in source.decoder.stats.first_error


def test_voice_answers_the_battery_level_from_the_log(drive, tmp_path) -> None:
    """Voice reads the state of charge the log put on the bus (it knows nothing of CAN)."""
    from voice.service import VoiceService

    bus, _seen, _source = drive
    soc = bus.retained(topics.SOC)
    assert soc is not None and not soc.stale
    voice = VoiceService("en", data_dir=tmp_path, microphone=False)
    replies: list[str] = []
    said = threading.Event()
    sub = bus.subscribe(topics.TTS_SAY, lambda m: (replies.append(m.payload.text), said.set()))
    voice.start(bus)
    try:
        bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("what is the battery level"))
        assert said.wait(10)
    finally:
        voice.stop()
        sub.unsubscribe()
    assert replies == [f"The battery is at {round(soc.value)} percent."]
    assert round(soc.value) in (56, 57)
