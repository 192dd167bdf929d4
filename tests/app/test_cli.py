"""`volant` as a user runs it: help, record while the app runs, replay into the dashboard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import build_parser


def volant(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def test_help_lists_the_commands(tmp_path: Path) -> None:
    done = volant("--help", tmp_path=tmp_path)
    assert done.returncode == 0
    for word in ("--screenshot", "--no-simulator", "record", "replay"):
        assert word in done.stdout


def test_app_options_are_accepted_after_a_sub_command() -> None:
    args = build_parser().parse_args(["replay", "drive.jsonl", "--speed", "4", "--offscreen",
                                      "--screen", "dashboard"])
    assert (args.replay, args.speed, args.offscreen, args.screen) == \
        ("drive.jsonl", 4.0, True, "dashboard")
    args = build_parser().parse_args(["--night", "record", "out.jsonl"])
    assert args.night and args.record == "out.jsonl" and args.size == "1280x720"


def test_replay_into_the_dashboard_reports_bad_lines_and_exits_0(tmp_path: Path) -> None:
    recording = tmp_path / "drive.jsonl"
    recording.write_text(
        '{"t": 0.0, "topic": "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current",'
        ' "payload": {"value": 64.0}}\n'
        'garbage\n', encoding="utf-8")
    shot = tmp_path / "shot.png"
    done = volant("replay", str(recording), "--speed", "0", "--offscreen", "--screenshot",
                  str(shot), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 0
    assert "line 2: not JSON" in done.stderr  # bus.error is logged as a warning


def test_record_writes_what_the_running_app_published(tmp_path: Path) -> None:
    recording = tmp_path / "session.jsonl"
    done = volant("record", str(recording), "--offscreen", "--no-simulator", "--screenshot",
                  str(tmp_path / "shot.png"), "--screen", "settings", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in recording.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["format"] == "volant-bus"
    assert len(lines) > 1, "the running modules published nothing"


@pytest.mark.parametrize("argv", [["--screen", "radio"], ["replay"]])
def test_bad_arguments_exit_non_zero(argv: list[str], tmp_path: Path) -> None:
    done = volant(*argv, tmp_path=tmp_path)
    assert done.returncode == 2
    assert "usage: volant" in done.stderr
