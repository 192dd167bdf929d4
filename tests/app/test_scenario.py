"""The scenario runner itself: steps, ordered expectations, forbidden outcomes, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.scenario import ScenarioError, load, matches, run
from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.topics import VehicleWarning, VehicleWarnings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_matches_fields_substrings_and_lists() -> None:
    warnings = VehicleWarnings((VehicleWarning("gps_lost", "warning", "GPS signal lost"),))
    assert matches(warnings, {"items.code": "gps_lost"})
    assert matches(warnings, {"items.text": "~gps SIGNAL"})
    assert not matches(warnings, {"items.code": "low_battery"})
    assert not matches(warnings, {"items.nothing": 1})


def test_steps_run_in_order_and_expectations_are_ordered(tmp_path: Path, bus: EventBus) -> None:
    # A warning monitor of the kind vehicle provides: SoC below 10 % raises a warning.
    def monitor(msg: Message) -> None:
        low = msg.payload.value < 10
        items = (VehicleWarning("low_battery", "critical", "Battery low"),) if low else ()
        bus.publish(topics.VEHICLE_WARNINGS, VehicleWarnings(items))

    bus.subscribe(topics.SOC, monitor, on="worker")
    scenario = load(write(tmp_path, """
name = "low battery"
[[steps]]
publish = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
payload = { value = 50.0 }
[[steps]]
expect = "vehicle.warnings"
where = { items = [] }
[[steps]]
publish = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
payload = { value = 5.0 }
[[steps]]
expect = "vehicle.warnings"
where = { "items.code" = "low_battery" }
timeout = 5
[[steps]]
forbid = "nav.route.request"
"""))
    outcome = run(scenario, bus)
    assert outcome.passed, outcome.failures
    assert scenario.name == "low battery"


def test_unmet_expectation_and_forbidden_message_fail(tmp_path: Path, bus: EventBus) -> None:
    scenario = load(write(tmp_path, """
[[steps]]
say = "navigate home"
[[steps]]
publish = "nav.route.request"
payload = { destination = "home" }
[[steps]]
expect = "ui.notice"
timeout = 0.2
[[steps]]
forbid = "nav.route.request"
where = { destination = "~HOME" }
"""))
    outcome = run(scenario, bus)
    assert not outcome.passed
    assert outcome.failures[0].startswith("step 3: no ui.notice")
    assert "step 4: forbidden nav.route.request" in outcome.failures[1]
    assert [m.topic for m in outcome.messages][:2] == ["voice.utterance", "nav.route.request"]


@pytest.mark.parametrize("text, complaint", [
    ("steps = 3", "non-empty [[steps]]"),
    ("[[steps]]\nsay = 'a'\nwait = 1", "exactly one of"),
    ("[[steps]]\npublish = 'Vehicle.Warp'", "unknown topic 'Vehicle.Warp'"),
    ("[[steps]]\npublish = 'Vehicle.Speed'\npayload = { value = 'fast' }", "expected a number"),
    ("[[steps]]\nwait = -1", "wait must be seconds >= 0"),
    ("[[steps]\n", "cannot read scenario"),
])
def test_broken_scenario_files_name_the_problem(tmp_path: Path, text: str,
                                                complaint: str) -> None:
    with pytest.raises(ScenarioError, match=r"scenario\.toml") as info:
        load(write(tmp_path, text))
    assert complaint in str(info.value)
