"""Loading KUKSA-format mappings: what loads as is, and every kind of bad input refused at the
door with its file, line, VSS path and field named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vehicle_network.dbc import CanInputError, load_dbc
from vehicle_network.mapping import load_mappings

from .conftest import EXAMPLE_MAPPING, write


def test_kuksa_overlay_for_the_tesla_loads_as_is(tesla, tesla_dbc) -> None:
    mapping = load_mappings([tesla / "kuksa_dbc_overlay_vss4.0.vspec"], tesla_dbc)
    paths = {m.path for m in mapping.dbc2vss}
    assert len(mapping.dbc2vss) == 32
    assert {"Vehicle.Speed", "Vehicle.Powertrain.Transmission.CurrentGear",
            "Vehicle.Powertrain.ElectricMotor.Torque"} <= paths
    assert {t.path for t in mapping.vss2dbc} == {
        "Vehicle.Body.Mirrors.DriverSide.Tilt", "Vehicle.Body.Mirrors.DriverSide.Pan",
        "Vehicle.Body.Trunk.Rear.IsOpen"}
    speed = next(m for m in mapping.dbc2vss if m.path == "Vehicle.Speed")
    assert (speed.signal, speed.interval_s, speed.on_change) == ("DI_uiSpeed", 0.1, False)


def test_our_example_overlays_kuksas(tesla, tesla_dbc) -> None:
    mapping = load_mappings([tesla / "kuksa_dbc_overlay_vss4.0.vspec", EXAMPLE_MAPPING],
                            tesla_dbc)
    signals = {m.path: m.signal for m in mapping.dbc2vss}
    assert signals["Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"] == "SOCUI292"
    assert signals["Vehicle.TraveledDistance"] == "Odometer3B6"
    assert len(signals) == 32 + 8


def test_defaults_follow_kuksa(tmp_path, test_dbc) -> None:
    path = write(tmp_path, "m.vspec", """
Vehicle.Speed:
  type: sensor
  datatype: float
  dbc2vss:
    signal: Speed
Vehicle.Powertrain.TractionBattery.StateOfCharge.Current:
  type: sensor
  datatype: float
  dbc:
    signal: Soc
    on_change: true
Vehicle.Chassis.SteeringWheel.Angle:
  type: sensor
  datatype: int16
  dbc2vss:
    signal: Ratio
    on_change: false
""")
    got = {m.path: (m.interval_s, m.on_change) for m in load_mappings([path], test_dbc).dbc2vss}
    assert got == {"Vehicle.Speed": (1.0, False),
                   "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": (0.0, True),
                   "Vehicle.Chassis.SteeringWheel.Angle": (1.0, False)}


def test_a_vss_json_tree_loads(tmp_path, test_dbc) -> None:
    tree = {"Vehicle": {"type": "branch", "children": {
        "Speed": {"type": "sensor", "datatype": "float",
                  "dbc2vss": {"signal": "Speed", "interval_ms": 100}},
        "Body": {"type": "branch", "children": {"Trunk": {"type": "branch", "children": {
            "Rear": {"type": "branch", "children": {"IsOpen": {
                "type": "actuator", "datatype": "boolean",
                "vss2dbc": {"signal": "Latch", "transform": {"mapping": [
                    {"from": True, "to": "OPENED"}, {"from": False, "to": "CLOSED"}]}}}}}}}}}}}}
    path = write(tmp_path, "vss_dbc.json", json.dumps(tree))
    mapping = load_mappings([path], test_dbc)
    assert [m.path for m in mapping.dbc2vss] == ["Vehicle.Speed"]
    assert [(t.path, t.message) for t in mapping.vss2dbc] == [
        ("Vehicle.Body.Trunk.Rear.IsOpen", "Cabin")]


BAD_MAPPINGS = [
    ("Vehicle.Warp.Factor:\n  datatype: float\n  dbc2vss:\n    signal: Speed\n",
     "m.vspec:1: Vehicle.Warp.Factor: unknown VSS path"),
    ("Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    signal: NoSuchSignal\n",
     "Vehicle.Speed: dbc2vss.signal: DBC signal 'NoSuchSignal' not in test.dbc"),
    ("Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    signal: Speed\n    interval_ms: fast\n",
     "Vehicle.Speed: dbc2vss.interval_ms: Expected `int | null`, got `str`"),
    ("Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    signal: Speed\n    interval_ms: -5\n",
     "Vehicle.Speed: dbc2vss.interval_ms: Expected `int` >= 0"),
    ("Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    signal: Speed\n    every: 5\n",
     "Vehicle.Speed: dbc2vss: Object contains unknown field `every`"),
    ("Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    interval_ms: 5\n",
     "Vehicle.Speed: dbc2vss: Object missing required field `signal`"),
    ("Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    signal: Speed\n    transform:\n"
     "      math: \"__import__('os').system('rm -rf /')\"\n",
     "Vehicle.Speed: dbc2vss.transform.math: \"__import__('os').system('rm -rf /')\" refused: "
     "calling \"__import__('os').system\" is not allowed"),
    ("Vehicle.Powertrain.Transmission.SelectedGear:\n  datatype: int8\n  dbc2vss:\n"
     "    signal: Gear\n    transform:\n      mapping:\n        - from: DRIVEE\n"
     "          to: 127\n",
     "SelectedGear: dbc2vss.transform.mapping[0].from: 'DRIVEE' is not in the signal's value "
     "table"),
    ("Vehicle.Speed:\n  datatype: boolean\n  dbc2vss:\n    signal: Speed\n",
     "Vehicle.Speed: datatype 'boolean' does not fit Volant's VssFloat"),
    ("Vehicle.OBD.EngineLoad:\n  datatype: float\n  dbc2vss:\n    signal: PressureFront\n"
     "    multiplexer:\n      - signal: Speed\n        value: 0\n",
     "dbc2vss.multiplexer[0].signal: 'Speed' is not in the frame of 'PressureFront'"),
    ("Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    signal: Speed\n    transform:\n"
     "      math: x\n      mapping: []\n", "math and mapping both given"),
    ("Vehicle.Speed: 5\n", "Vehicle.Speed: expected a VSS node"),
    ("Vehicle.Speed:\n  datatype: float\n  dbc2vss: [\n", "m.vspec:4: not a VSS overlay (YAML"),
    ("- just\n- a list\n", "not a VSS overlay or VSS JSON tree"),
    ("Vehicle.Speed:\n  datatype: float\n", "no signal with dbc2vss, dbc or vss2dbc"),
    ("Vehicle.Body.Trunk.Rear.IsOpen:\n  datatype: boolean\n  vss2dbc:\n    signal: Latch\n"
     "    transform:\n      mapping:\n        - from: true\n          to: AJAR\n",
     "vss2dbc.transform.mapping[0].to: 'AJAR' is not in the signal's value table"),
]


@pytest.mark.parametrize(("text", "message"), BAD_MAPPINGS)
def test_bad_mapping_is_refused_naming_file_path_and_field(tmp_path, test_dbc, text,
                                                           message) -> None:
    path = write(tmp_path, "m.vspec", text)
    with pytest.raises(CanInputError) as err:
        load_mappings([path], test_dbc)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_and_binary_mapping_files(tmp_path, test_dbc) -> None:
    with pytest.raises(CanInputError, match="no such mapping file"):
        load_mappings([tmp_path / "none.vspec"], test_dbc)
    binary = tmp_path / "m.vspec"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(CanInputError, match="not a text file"):
        load_mappings([binary], test_dbc)
    bad_json = write(tmp_path, "m.json", '{"Vehicle": ')
    with pytest.raises(CanInputError, match=r"m\.json:1: not JSON"):
        load_mappings([bad_json], test_dbc)


def test_not_a_dbc_is_refused(tmp_path: Path, tesla: Path) -> None:
    with pytest.raises(CanInputError, match=r"drive\.log: not a DBC file"):
        load_dbc(tesla / "drive.log")
    with pytest.raises(CanInputError, match=r"empty\.dbc: not a DBC file"):
        load_dbc(write(tmp_path, "empty.dbc", 'VERSION ""\n'))
    with pytest.raises(CanInputError, match="no such DBC file"):
        load_dbc(tmp_path / "none.dbc")
