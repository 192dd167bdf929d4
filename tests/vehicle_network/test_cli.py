"""`volant can replay` and `volant can info` as an engineer runs them, on the real Tesla drive
and on broken input: one clear line naming the file/line/signal and a non-zero exit."""

from __future__ import annotations

import json

import pytest

from app.cli import build_parser, main

from .conftest import EXAMPLE_MAPPING, write


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["can", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_replay_json_prints_the_vss_updates_of_the_drive(capsys, tesla) -> None:
    code, out, err = run(capsys, "replay", tesla / "drive.log", "--dbc", tesla / "Model3CAN.dbc",
                         "--mapping", tesla / "kuksa_dbc_overlay_vss4.0.vspec",
                         "--mapping", EXAMPLE_MAPPING, "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    speeds = [r["value"] for r in rows if r["path"] == "Vehicle.Speed"]
    assert (min(speeds), max(speeds)) == (2.0, 71.0)
    times = [r["t"] for r in rows]
    assert times == sorted(times) and 104 < times[-1] < 104.2
    assert {r["value"] for r in rows if r["path"].endswith("SelectedGear")} == {127}
    assert any(r["path"].endswith("StateOfCharge.Current") for r in rows)
    # The recording holds frames cut short by the adapter: reported, not fatal to the replay,
    # and an exit status of its own (3), not bad input's (1).
    assert code == 3
    assert err.startswith(f"volant can: {tesla / 'drive.log'}: ")
    assert "could not decode" in err and "the rest played; first at line " in err


def test_replay_table_shows_the_latest_values(capsys, tesla) -> None:
    _code, out, _err = run(capsys, "replay", tesla / "drive.log", "--dbc",
                           tesla / "Model3CAN.dbc", "--mapping", EXAMPLE_MAPPING, "--speed", "0")
    lines = out.splitlines()
    assert lines[0].split() == ["VSS", "path", "value", "at", "s"]
    row = next(line for line in lines if line.startswith("Vehicle.TraveledDistance"))
    assert row.split()[1] == "52229.5"


def test_info_on_the_drive(capsys, tesla) -> None:
    code, out, _err = run(capsys, "info", tesla / "drive.log", "--dbc", tesla / "Model3CAN.dbc",
                          "--mapping", tesla / "kuksa_dbc_overlay_vss4.0.vspec")
    assert code == 0
    assert "frames     104190   duration 104.189 s   ids seen 42" in out
    assert "unknown    9 ids (6804 frames): 0xFF, 0x2B3" in out
    assert "ID381VCFRONT_logging1Hz 497" in out  # a multiplexer value the DBC does not list
    assert "mapping    16 of 32 mapped VSS signals appeared" in out
    assert "  never    Vehicle.Powertrain.TractionBattery.Charging.IsCharging (CP_hvChargeStatus)" \
        in out


def test_info_on_the_j1939_mf4(capsys, shared_can) -> None:
    j1939 = shared_can / "j1939-demo"
    code, out, _err = run(capsys, "info", j1939 / "00000001.MF4", "--dbc",
                          j1939 / "CSS-Electronics-SAE-J1939-DEMO.dbc")
    assert code == 0
    frames = int(out.split("frames")[1].split()[0])
    decoded = float(out.split("decoded")[1].split("%")[0])
    assert frames > 100_000 and 0 < decoded < 20  # EEC1 and CCVS1 out of every PGN logged


@pytest.fixture
def ecu(tmp_path, test_dbc_path):
    mapping = write(tmp_path, "m.vspec",
                    "Vehicle.Speed:\n  datatype: float\n  dbc2vss:\n    signal: Speed\n"
                    "    interval_ms: 0\n")
    return test_dbc_path, mapping


def test_malformed_frames_inside_a_log_are_counted_and_the_rest_plays(capsys, tmp_path,
                                                                      ecu) -> None:
    dbc, mapping = ecu
    log = write(tmp_path, "drive.log", "(0.0) can0 100#E803000000000000\n"
                                       "(0.1) can0 100#E8\n"
                                       "(0.2) can0 garbage\n"
                                       "(0.3) can0 100#D007000000000000\n")
    code, out, err = run(capsys, "replay", log, "--dbc", dbc, "--mapping", mapping, "--json")
    assert [json.loads(line)["value"] for line in out.splitlines()] == [100.0, 200.0]
    assert code == 3
    lines = err.splitlines()
    assert lines[0] == (f"volant can: {log}: 1 malformed record(s) skipped, the rest played; "
                        "first at line 3: ValueError: not enough values to unpack "
                        "(expected 2, got 1)")
    assert lines[1] == (f"volant can: {log}: 1 frame(s) the DBC could not decode (Drive 1), the "
                        "rest played; first at line 2: id 0x100 has 1 data bytes, Drive needs 8")


@pytest.mark.parametrize(("case", "message"), [
    ("dbc is a log", "drive.log: not a DBC file"),
    ("log is a dbc", "test.dbc: not a CAN log python-can reads"),
    ("log is text", "notes.log: not a CAN log (no frame in its first 20 records; first: "
                    "line 1: "),
    ("missing signal", "sig.vspec:1: Vehicle.Speed: dbc2vss.signal: DBC signal 'Sped' not in "
                       "test.dbc"),
    ("unknown path", "path.vspec:1: Vehicle.Speedo: unknown VSS path"),
    ("refused math", "refused: function 'exec' is not allowed"),
    ("bad mf4", "bad.mf4: not a MDF4 CAN log"),
])
def test_bad_input_gives_one_line_and_a_non_zero_exit(capsys, tmp_path, ecu, case,
                                                      message) -> None:
    dbc, mapping = ecu
    log = write(tmp_path, "drive.log", "(0.0) can0 100#E803000000000000\n")
    args = {"dbc is a log": (log, "--dbc", log, "--mapping", mapping),
            "log is a dbc": (dbc, "--dbc", dbc, "--mapping", mapping),
            "log is text": (write(tmp_path, "notes.log", "hello\n" * 30), "--dbc", dbc,
                            "--mapping", mapping),
            "missing signal": (log, "--dbc", dbc, "--mapping", write(
                tmp_path, "sig.vspec", "Vehicle.Speed:\n  dbc2vss:\n    signal: Sped\n")),
            "unknown path": (log, "--dbc", dbc, "--mapping", write(
                tmp_path, "path.vspec", "Vehicle.Speedo:\n  dbc2vss:\n    signal: Speed\n")),
            "refused math": (log, "--dbc", dbc, "--mapping", write(
                tmp_path, "math.vspec", "Vehicle.Speed:\n  dbc2vss:\n    signal: Speed\n"
                "    transform:\n      math: exec('import os')\n")),
            "bad mf4": (write(tmp_path, "bad.mf4", "not an MDF file"), "--dbc", dbc,
                        "--mapping", mapping)}[case]
    code, out, err = run(capsys, "replay", *args)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("volant can: ")
    assert message in err


def test_help_documents_both_commands() -> None:
    parser = build_parser()
    text = parser._subparsers._group_actions[0].choices["can"].format_help()
    assert "replay" in text and "info" in text
    replay = parser._subparsers._group_actions[0].choices["can"]._subparsers._group_actions[0]
    assert "3 played to the end" in replay.choices["replay"].format_help()
