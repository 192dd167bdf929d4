"""Frames through the decoder: KUKSA's interval / transform / change order, value tables,
multiplexers, J1939 PGN matching and malformed frames."""

from __future__ import annotations

import pytest

from kernel.topics import VssFloat, VssInt
from vehicle_network.decoder import FrameDecoder
from vehicle_network.frames import LogFrames
from vehicle_network.mapping import load_mappings

from .conftest import write

SPEED_ID, TIRES_ID = 0x100, 0x200


def drive(speed_kmh: float, gear: int = 1, soc: float = 50.0, ratio: int = 0) -> bytes:
    raw = round(speed_kmh * 10)
    return bytes([raw & 0xFF, raw >> 8, gear, round(soc * 2), ratio & 0xFF, 0, 0, 0])


def decoder_for(tmp_path, dbc, text: str) -> FrameDecoder:
    return FrameDecoder(dbc, load_mappings([write(tmp_path, "m.vspec", text)], dbc))


def feed(decoder: FrameDecoder, t: float, frame_id: int, data: bytes) -> list[tuple]:
    return [(m.path, p) for m, p in decoder.feed(t, frame_id, False, data)]


SPEED = "Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    signal: Speed\n"


def test_interval_lets_through_at_most_one_value_per_interval(tmp_path, test_dbc) -> None:
    dec = decoder_for(tmp_path, test_dbc, SPEED + "    interval_ms: 100\n")
    sent = [t / 100 for t in range(100)
            if feed(dec, t / 100, SPEED_ID, drive(t))]  # a frame every 10 ms for 1 s
    assert sent == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])


def test_no_condition_means_one_value_a_second(tmp_path, test_dbc) -> None:
    dec = decoder_for(tmp_path, test_dbc, SPEED)
    sent = [t / 10 for t in range(35) if feed(dec, t / 10, SPEED_ID, drive(t))]
    assert sent == pytest.approx([0.0, 1.0, 2.0, 3.0])


def test_on_change_alone_sends_every_change_and_nothing_else(tmp_path, test_dbc) -> None:
    dec = decoder_for(tmp_path, test_dbc, SPEED + "    on_change: true\n")
    speeds = [10, 10, 10, 12.5, 12.5, 10, 10]
    got = [feed(dec, i * 0.001, SPEED_ID, drive(v)) for i, v in enumerate(speeds)]
    assert [p for updates in got for _path, p in updates] == [
        VssFloat(10.0), VssFloat(12.5), VssFloat(10.0)]


def test_interval_is_checked_before_the_change(tmp_path, test_dbc) -> None:
    """KUKSA's order: a change inside the interval is dropped without updating the stored
    value, so the next due frame carrying it is a change and goes through."""
    dec = decoder_for(tmp_path, test_dbc, SPEED + "    interval_ms: 100\n    on_change: true\n")
    assert feed(dec, 0.00, SPEED_ID, drive(10)) == [("Vehicle.Speed", VssFloat(10.0))]
    assert feed(dec, 0.05, SPEED_ID, drive(20)) == []  # changed, but inside the interval
    assert feed(dec, 0.10, SPEED_ID, drive(20)) == [("Vehicle.Speed", VssFloat(20.0))]
    assert feed(dec, 0.20, SPEED_ID, drive(20)) == []  # due, but unchanged
    assert feed(dec, 0.25, SPEED_ID, drive(30)) == []  # the unchanged frame used the interval
    assert feed(dec, 0.30, SPEED_ID, drive(30)) == [("Vehicle.Speed", VssFloat(30.0))]


def test_math_transform_and_a_failing_one_is_ignored(tmp_path, test_dbc) -> None:
    dec = decoder_for(tmp_path, test_dbc, """
Vehicle.Speed:
  datatype: float
  dbc2vss:
    signal: Speed
    interval_ms: 0
    transform:
      math: "floor(x / 3.6 * 10) / 10"
Vehicle.Chassis.SteeringWheel.Angle:
  datatype: int16
  dbc2vss:
    signal: Ratio
    interval_ms: 0
    transform:
      math: "100 / x"
""")
    assert feed(dec, 0.0, SPEED_ID, drive(36.0, ratio=-8)) == [
        ("Vehicle.Speed", VssFloat(10.0)),
        ("Vehicle.Chassis.SteeringWheel.Angle", VssInt(-12))]  # int16: rounded
    assert feed(dec, 0.1, SPEED_ID, drive(72.0, ratio=0)) == [  # 100 / 0: ignored
        ("Vehicle.Speed", VssFloat(20.0))]


def test_value_table_mapping_and_an_unmapped_value_is_ignored(tmp_path, test_dbc) -> None:
    dec = decoder_for(tmp_path, test_dbc, """
Vehicle.Powertrain.Transmission.SelectedGear:
  datatype: int8
  dbc2vss:
    signal: Gear
    on_change: true
    transform:
      mapping:
        - from: PARK
          to: 126
        - from: DRIVE
          to: 127
        - from: REVERSE
          to: -1
""")
    gears = [0, 1, 3, 2, 6]  # PARK, DRIVE, NEUTRAL (unmapped), REVERSE, a value with no name
    got = [p.value for i, g in enumerate(gears) for _path, p in
           feed(dec, i * 0.01, SPEED_ID, drive(0, gear=g))]
    assert got == [126, 127, -1]


def test_multiplexer_filters_a_variant(tmp_path, test_dbc) -> None:
    dec = decoder_for(tmp_path, test_dbc, """
Vehicle.OBD.EngineLoad:
  datatype: float
  dbc2vss:
    signal: Axle
    interval_ms: 100
    multiplexer:
      - signal: Mux
        value: 1
      - signal: Axle
        value: 2
Vehicle.OBD.ControlModuleVoltage:
  datatype: float
  dbc2vss:
    signal: PressureFront
    interval_ms: 0
""")
    frames = [(0.00, [0, 50, 2]),  # front variant: only PressureFront
              (0.01, [1, 60, 2]),  # rear variant on axle 2: the filtered mapping
              (0.02, [1, 60, 3]),  # rear on axle 3: filtered out
              (0.05, [0, 51, 2]),
              (0.12, [1, 61, 3]),  # filtered out: does not use up the interval
              (0.13, [1, 61, 2])]
    got = [(t, path, p.value) for t, data in frames
           for path, p in feed(dec, t, TIRES_ID, bytes([*data, 0, 0, 0, 0, 0]))]
    assert got == [(0.00, "Vehicle.OBD.ControlModuleVoltage", 200.0),
                   (0.01, "Vehicle.OBD.EngineLoad", 2.0),
                   (0.05, "Vehicle.OBD.ControlModuleVoltage", 204.0),
                   (0.13, "Vehicle.OBD.EngineLoad", 2.0)]


def test_short_frame_is_counted_and_named_and_the_rest_decodes(tmp_path, test_dbc) -> None:
    log = write(tmp_path, "short.log", "(0.000) can0 100#E803010000000000\n"
                                       "(1.000) can0 100#E803\n"
                                       "not a frame at all\n"
                                       "(2.000) can0 100#D007010000000000\n")
    dec = decoder_for(tmp_path, test_dbc, SPEED)
    frames = LogFrames(log)
    got = [p.value for f in frames for _m, p in dec.feed(f.t, f.frame_id, f.extended, f.data,
                                                         f.where)]
    assert got == [100.0, 200.0]
    assert dec.stats.errors == {"Drive": 1}
    assert dec.stats.first_error == "line 2: id 0x100 has 2 data bytes, Drive needs 8"
    assert frames.malformed == 1 and frames.first_malformed.startswith("line 3: ")


def test_j1939_message_matched_by_pgn_whatever_the_source_address(shared_can, tmp_path) -> None:
    from vehicle_network.dbc import load_dbc

    dbc = load_dbc(shared_can / "j1939-demo" / "CSS-Electronics-SAE-J1939-DEMO.dbc")
    # The DBC defines CCVS1 as 0x18FEF1FE (source address 0xFE); the logger saw 0x18FEF100.
    assert dbc.message_for(0x18FEF100, True).name == "CCVS1"
    assert dbc.message_for(0x0CF00400, True).name == "EEC1"  # priority 3, source 0x00
    assert dbc.message_for(0x18FEF100, False) is None  # a standard id is never J1939
    assert dbc.message_for(0x18FEF200, True) is None  # another PGN
    dec = FrameDecoder(dbc, load_mappings([write(tmp_path, "j.vspec", """
Vehicle.Speed:
  datatype: float
  dbc2vss:
    signal: WheelBasedVehicleSpeed
    interval_ms: 1000
""")], dbc))
    frames = LogFrames(shared_can / "j1939-demo" / "00000001.MF4")
    got = [(f.t, p.value) for f in frames
           for _m, p in dec.feed(f.t, f.frame_id, f.extended, f.data, f.where)]
    assert len(got) > 300  # one a second over the 401 s recording
    assert {v for _t, v in got} == {0.0}  # the demo truck stands still
    assert dec.stats.errors == {}
