"""The CAN source as the app runs it: VSS values on the event bus from a log or a live
python-can bus, staleness, vss2dbc frames sent on a `virtual` bus, and recordings."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import can
import pytest

from kernel import topics
from kernel.codec import from_json
from kernel.recording import Recorder
from kernel.topics import VssBool, VssFloat, VssInt
from vehicle_network.source import CanSource

from .conftest import write

MAPPING = """
Vehicle.Speed:
  datatype: float
  dbc2vss:
    signal: Speed
    interval_ms: 0
    timeout_ms: 500
Vehicle.Powertrain.TractionBattery.StateOfCharge.Current:
  datatype: float
  dbc2vss:
    signal: Soc
    on_change: true
    timeout_ms: 2000
Vehicle.Body.Mirrors.DriverSide.Tilt:
  datatype: int8
  type: actuator
  vss2dbc:
    signal: TargetTemp
    transform:
      math: "(x + 100) / 10"
Vehicle.Body.Trunk.Rear.IsOpen:
  datatype: boolean
  type: actuator
  dbc2vss:
    signal: Latch
    on_change: true
    transform:
      mapping:
        - from: OPENED
          to: true
        - from: CLOSED
          to: false
  vss2dbc:
    signal: Latch
    transform:
      mapping:
        - from: true
          to: OPENED
        - from: false
          to: CLOSED
"""


def log_of(tmp_path: Path, rows: list[tuple[float, int, str]]) -> Path:
    return write(tmp_path, "drive.log",
                 "".join(f"({t:.3f}) can0 {i:03X}#{data}\n" for t, i, data in rows))


def collect(bus, pattern: str) -> list:
    got: list = []
    bus.subscribe(pattern, got.append)
    return got


def test_stale_signals_are_marked_then_fresh_again(bus, tmp_path, test_dbc_path) -> None:
    log = log_of(tmp_path, [(0.0, 0x100, "E80300C800000000"),  # 100 km/h, SoC 100 %
                            (0.1, 0x100, "D00700C800000000")])  # 200 km/h
    source = CanSource(test_dbc_path, [write(tmp_path, "m.vspec", MAPPING)], log_file=log)
    warnings = collect(bus, topics.VEHICLE_WARNINGS)
    source.start(bus, run_thread=False)
    source.run_to_end()
    assert bus.retained(topics.SPEED) == VssFloat(200.0)
    assert not source.check_stale(0.55)  # 0.45 s without the frame: fresh (timeout 0.5 s)
    assert source.check_stale(0.7)
    assert bus.retained(topics.SPEED) == VssFloat(200.0, stale=True)
    assert bus.retained(topics.SOC) == VssFloat(100.0)  # its own timeout is 2 s
    assert warnings[-1].payload.items[0].values == ("1",)  # one signal lost
    assert source.check_stale(2.2)
    assert bus.retained(topics.SOC).stale
    assert not source.check_stale(5.0)  # marked once
    # The frame comes back: fresh values, even unchanged ones (SoC is on_change).
    source._publish(source.decoder.feed(6.0, 0x100, False, bytes.fromhex("D00700C800000000")))
    assert bus.retained(topics.SPEED) == VssFloat(200.0)
    assert bus.retained(topics.SOC) == VssFloat(100.0)


def test_voice_and_driving_state_ignore_a_stale_value(bus, tmp_path, test_dbc_path) -> None:
    from vehicle.driving_state import UxRestrictionsService
    from voice.service import VoiceService

    log = log_of(tmp_path, [(0.0, 0x100, "0000006E00000000")])  # stopped, SoC 55 %
    source = CanSource(test_dbc_path, [write(tmp_path, "m.vspec", MAPPING)], log_file=log)
    ux = UxRestrictionsService()
    voice = VoiceService("en", data_dir=tmp_path, microphone=False)
    replies: list[str] = []
    got = threading.Event()
    bus.subscribe(topics.TTS_SAY, lambda m: (replies.append(m.payload.text), got.set()))
    for module in (ux, voice, source):
        module.start(bus, **({"run_thread": False} if module is source else {}))
    try:
        source.run_to_end()
        assert bus.retained(topics.UX_RESTRICTIONS).driving_state == "idling"
        bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("battery level"))
        assert got.wait(10)
        assert replies[-1] == "The battery is at 55 percent."
        source.check_stale(10.0)
        got.clear()
        bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("battery level"))
        assert got.wait(10)
        assert "55" not in replies[-1]
        assert bus.retained(topics.UX_RESTRICTIONS).driving_state == "moving"  # the safer rules
    finally:
        voice.stop()
        ux.stop()


def test_live_virtual_bus_in_and_vss2dbc_out(bus, tmp_path, test_dbc_path) -> None:
    """A frame from the "vehicle" becomes a VSS value on our bus; a VSS target published on
    our bus goes out as an encoded frame; our own actual values are not echoed back."""
    channel = f"volant-{id(tmp_path)}"
    vehicle = can.Bus(interface="virtual", channel=channel)
    head_unit = can.Bus(interface="virtual", channel=channel)
    source = CanSource(test_dbc_path, [write(tmp_path, "m.vspec", MAPPING)], can_bus=head_unit)
    arrived = threading.Event()
    trunk: list = []
    bus.subscribe("Vehicle.Body.Trunk.Rear.IsOpen",
                  lambda m: (trunk.append(m.payload), arrived.set()))
    source.start(bus)
    try:
        vehicle.send(can.Message(arbitration_id=0x300, data=bytes([0, 2]), is_extended_id=False))
        assert arrived.wait(10)
        assert trunk == [VssBool(False)]
        bus.publish("Vehicle.Body.Mirrors.DriverSide.Tilt", VssInt(-20))
        sent = vehicle.recv(10)
        assert sent is not None and sent.arbitration_id == 0x300
        cabin = source.dbc.db.get_message_by_name("Cabin").decode(sent.data)
        assert cabin["TargetTemp"] == 8.0  # (-20 + 100) / 10
        bus.publish("Vehicle.Body.Trunk.Rear.IsOpen", VssBool(True))
        sent = vehicle.recv(10)
        decoded = source.dbc.db.get_message_by_name("Cabin").decode(sent.data)
        assert (decoded["TargetTemp"], decoded["Latch"]) == (8.0, "OPENED")
        assert vehicle.recv(0.2) is None  # the trunk value we published was not sent back
    finally:
        source.stop()
        head_unit.shutdown()
        vehicle.shutdown()
    assert source.describe().kind == "can-interface"


def test_a_can_drive_is_recorded_as_a_bus_recording(bus, tmp_path, test_dbc_path) -> None:
    log = log_of(tmp_path, [(0.0, 0x100, "E80300C800000000")])
    recording = tmp_path / "drive.jsonl"
    recorder = Recorder(recording)
    recorder.start(bus)
    source = CanSource(test_dbc_path, [write(tmp_path, "m.vspec", MAPPING)], log_file=log)
    source.start(bus, run_thread=False)
    source.run_to_end()
    source.check_stale(10.0)
    bus.close()
    recorder.stop()
    rows = [json.loads(line) for line in recording.read_text().splitlines()]
    speeds = [from_json(VssFloat, r["payload"]) for r in rows if r.get("topic") == topics.SPEED]
    assert speeds == [VssFloat(100.0), VssFloat(100.0, stale=True)]
    sources = [r["payload"] for r in rows if r.get("topic") == topics.VEHICLE_SOURCE]
    assert sources[0]["kind"] == "can-log"


def test_threaded_replay_reaches_the_end_and_goes_stale(bus, tmp_path, test_dbc_path) -> None:
    log = log_of(tmp_path, [(i * 0.01, 0x100, "E80300C800000000") for i in range(50)])
    source = CanSource(test_dbc_path, [write(tmp_path, "m.vspec", MAPPING)], log_file=log,
                       speed=0)
    source.start(bus)
    try:
        assert source.finished.wait(30)
    finally:
        source.stop()
    assert bus.retained(topics.SPEED) == VssFloat(100.0, stale=True)


def test_interface_named_on_the_command_line(bus, tmp_path, test_dbc_path) -> None:
    channel = f"volant-cli-{id(tmp_path)}"
    source = CanSource(test_dbc_path, [write(tmp_path, "m.vspec", MAPPING)],
                       interface=f"virtual:{channel}")
    got = threading.Event()
    bus.subscribe(topics.SPEED, lambda _m: got.set())
    vehicle = can.Bus(interface="virtual", channel=channel)
    source.start(bus)
    try:
        vehicle.send(can.Message(arbitration_id=0x100, is_extended_id=False,
                                 data=bytes.fromhex("E80300C800000000")))
        assert got.wait(10)
    finally:
        source.stop()
        vehicle.shutdown()
    assert bus.retained(topics.SPEED) == VssFloat(100.0)
    assert source.describe() == topics.VehicleSource("can-interface", f"virtual:{channel}",
                                                     "test.dbc + m.vspec")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "either a CAN log or a CAN interface"),
    ({"interface": "warp:0"}, "unknown python-can interface 'warp'"),
    ({"log_file": "x.log", "speed": -1}, "--speed"),
    ({"log_file": "x.txt"}, "not a CAN log python-can reads"),
    ({"log_file": "missing.log"}, "no such CAN log"),
])
def test_bad_source_options(tmp_path, test_dbc_path, kwargs, message) -> None:
    from vehicle_network.dbc import CanInputError

    with pytest.raises(CanInputError, match=message):
        CanSource(test_dbc_path, [write(tmp_path, "m.vspec", MAPPING)], **kwargs)
