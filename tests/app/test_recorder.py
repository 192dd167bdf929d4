"""Record and replay: JSON lines out, the same messages back in, bad lines reported."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.recording import Player, Recorder
from kernel.topics import Notice, RoutePath, VssFloat, VssString


def record_some(path: Path) -> list[tuple[str, object]]:
    bus = EventBus()
    recorder = Recorder(path)
    recorder.start(bus)
    sent = [
        (topics.SPEED, VssFloat(12.5)),
        (topics.DAY_NIGHT_MODE, VssString("NIGHT")),
        (topics.UI_NOTICE, Notice("Kävelykatu ahead", "warning")),
        (topics.NAV_ROUTE, RoutePath(points=((60.17, 24.94), (60.18, 24.95)),
                                     speed_limits_kmh=(30.0, 40.0), distance_m=1200.0)),
    ]
    for topic, payload in sent:
        bus.publish(topic, payload)
    bus.close()
    recorder.stop()
    return sent


def replay(path: Path, speed: float = 0) -> tuple[list[Message], list[Message], Player]:
    bus = EventBus()
    got: list[Message] = []
    errors: list[Message] = []
    bus.subscribe("#", lambda m: (errors if m.topic == topics.BUS_ERROR else got).append(m))
    player = Player(path, speed=speed)
    player.play(bus)
    bus.close()
    return got, errors, player


def test_recording_is_one_json_line_per_message(tmp_path: Path) -> None:
    path = tmp_path / "drive.jsonl"
    sent = record_some(path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["format"] == "volant-bus"
    assert [line["topic"] for line in lines[1:]] == [t for t, _ in sent]
    times = [line["t"] for line in lines[1:]]
    assert times == sorted(times) and times[0] >= 0
    assert lines[1]["payload"] == {"value": 12.5, "stale": False}


def test_replay_publishes_the_same_messages(tmp_path: Path) -> None:
    path = tmp_path / "drive.jsonl"
    sent = record_some(path)
    got, errors, player = replay(path)
    assert errors == []
    assert [(m.topic, m.payload) for m in got] == sent
    assert player.published == len(sent)


def test_replay_keeps_the_recorded_pace_scaled_by_speed(tmp_path: Path) -> None:
    path = tmp_path / "paced.jsonl"
    path.write_text(
        '{"t": 0.0, "topic": "Vehicle.Speed", "payload": {"value": 1.0}}\n'
        '{"t": 0.4, "topic": "Vehicle.Speed", "payload": {"value": 2.0}}\n', encoding="utf-8")
    got, _, _ = replay(path, speed=2.0)
    gap = got[1].time - got[0].time
    assert gap >= 0.19  # 0.4 s recorded at 2x is at least 0.2 s (no upper bound: shared CI)


def test_corrupt_lines_are_reported_with_line_numbers_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.jsonl"
    path.write_text("\n".join([
        '{"format": "volant-bus", "version": 1}',
        '{"t": 0.0, "topic": "Vehicle.Speed", "payload": {"value": 10.0}}',
        'this is not json',
        '{"t": 0.1, "topic": "Vehicle.Warp", "payload": {"value": 9}}',
        '{"t": 0.2, "topic": "Vehicle.Speed", "payload": {"value": "fast"}}',
        '{"t": 0.3, "topic": "Vehicle.Speed", "payload": {"value": 1, "extra": 2}}',
        '[1, 2]',
        '{"t": -1, "topic": "Vehicle.Speed", "payload": {"value": 1.0}}',
        '{"t": 0.4, "topic": "ui.notice", "payload": {}}',
        '{"t": 0.5, "topic": "Vehicle.Speed", "payload": {"value": 20.0}}',
        '{"t": 0.6, "topic": "Vehicle.Speed", "payload": {"val',  # truncated last line
    ]), encoding="utf-8")
    got, errors, player = replay(path)
    assert [m.payload.value for m in got] == [10.0, 20.0]
    reports = {e.payload.line: e.payload.message for e in errors}
    assert sorted(reports) == [3, 4, 5, 6, 7, 8, 9, 11]
    assert "not JSON" in reports[3]
    assert "unknown topic 'Vehicle.Warp'" in reports[4]
    assert "payload.value: expected a number" in reports[5]
    assert "unknown field" in reports[6] and "extra" in reports[6]
    assert "JSON object" in reports[7]
    assert "'t' must be seconds" in reports[8]
    assert "missing field 'text'" in reports[9]
    assert all(e.payload.source == "replay corrupt.jsonl" for e in errors)
    assert player.errors == 8


def test_missing_replay_file_is_reported(tmp_path: Path) -> None:
    got, errors, _ = replay(tmp_path / "nope.jsonl")
    assert got == []
    assert "cannot open" in errors[0].payload.message


def test_player_can_be_stopped_mid_file(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text("".join(
        f'{{"t": {i}, "topic": "Vehicle.Speed", "payload": {{"value": {i}.0}}}}\n'
        for i in range(100)), encoding="utf-8")
    bus = EventBus()
    first = threading.Event()
    bus.subscribe(topics.SPEED, lambda m: first.set())
    player = Player(path, speed=1.0)
    player.start(bus)
    assert first.wait(5)
    player.stop()
    assert player.published < 100
    bus.close()
