"""The scenario suite: each file in scenarios/ replayed through the real modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.scenario import load
from kernel import topics

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario(path: Path, world, qtbot) -> None:
    scenario = load(path)
    outcome = world(time_factor=float(scenario.settings.get("time_factor", 5))).play(
        scenario, qtbot)
    assert outcome.passed, f"{scenario.name}: {outcome.failures}"


def test_the_suite_covers_the_issue() -> None:
    names = {p.stem for p in SCENARIOS}
    assert {"reroute_after_wrong_turn", "low_battery_mid_route", "gps_loss_and_recovery",
            "out_of_grammar", "voice_during_prompt"} <= names


def test_prompts_are_spoken_to_files_in_order(world, qtbot, tmp_path: Path) -> None:
    w = world(time_factor=10)
    scenario = load(Path(__file__).parent / "scenarios" / "reroute_after_wrong_turn.toml")
    outcome = w.play(scenario, qtbot)
    assert outcome.passed, outcome.failures
    said = [m.payload.text for m in outcome.messages if m.topic == topics.TTS_SAY]
    w.tts.stop()  # finishes the file being written
    assert said and w.tts.written, "every prompt and reply is written as a WAV file"
    assert all(p.stat().st_size > 1000 for p in w.tts.written)
