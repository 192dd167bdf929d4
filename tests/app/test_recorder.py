"""Record and replay: JSON lines out, the same messages back in, bad lines reported."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.cli import build_parser
from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.recording import MAX_GAP_S, MAX_LINE_BYTES, MAX_T_S, Pace, Player, Recorder
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


# -- the replay door (issue 17): hostile lines refused with line and field, the next one plays --
SPEED_LINE = '{{"t": {t}, "topic": "Vehicle.Speed", "payload": {{"value": {v}}}}}'


def test_hostile_lines_are_refused_with_line_and_field(tmp_path: Path) -> None:
    lines = [
        '{"format": "volant-bus", "version": 1}',
        SPEED_LINE.format(t=0.0, v=10.0),
        '{"t": 0.1, "topic": "Vehicle.Speed", "payload": ' + "[" * 1000 + "]" * 1000 + "}",
        SPEED_LINE.format(t=0.1, v="9" * 400),
        SPEED_LINE.format(t="Infinity", v=1.0),
        SPEED_LINE.format(t="NaN", v=1.0),
        SPEED_LINE.format(t=-0.5, v=1.0),
        SPEED_LINE.format(t=1e9, v=1.0),
        SPEED_LINE.format(t=0.2, v="NaN"),
        SPEED_LINE.format(t=0.2, v="-Infinity"),
        SPEED_LINE.format(t=0.2, v=1e308),
        SPEED_LINE.format(t=0.2, v=-1e308),
        '{"t": 0.3, "topic": "ui.language", "payload": {"code": "../../../../tmp/x"}}',
        SPEED_LINE.format(t=0.3, v=1.0) + "\r" + SPEED_LINE.format(t=0.3, v=2.0),
        '{"t": 0.3, "topic": "Vehicle.Speed", "payload": {"value": 1.0}, "extra": 1}',
        SPEED_LINE.format(t=0.4, v=20.0),
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, errors, player = replay(path)
    assert [m.payload.value for m in got] == [10.0, 20.0]
    reports = {e.payload.line: e.payload.message for e in errors}
    assert sorted(reports) == list(range(3, 16))
    expected = {3: "nested deeper than 32", 4: "payload.value: 9999", 5: "Infinity is not",
                6: "NaN is not", 7: "field 't' must be seconds", 8: "field 't' must be seconds",
                9: "NaN is not", 10: "-Infinity is not", 11: "payload.value: 1e+308 is not",
                12: "payload.value: -1e+308 is not", 13: "payload.code: '../../../../tmp/x' does",
                14: "not JSON (Extra data", 15: "unknown field(s) ['extra']"}
    for number, words in expected.items():
        assert words in reports[number], (number, reports[number])
    assert player.errors == 13 and not player.failed


def test_bytes_a_text_reader_would_mangle_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(b"\n".join([
        SPEED_LINE.format(t=0.0, v=1.0).encode(),
        b'{"t": 0.0, "topic": "ui.notice", "payload": {"text": "caf\xe9"}}',  # Latin-1 byte
        b"\r\r\r",  # bare CRs: one blank line, not three
        b"\xef\xbb\xbf" + SPEED_LINE.format(t=0.0, v=2.0).encode(),  # a BOM is not JSON
        SPEED_LINE.format(t=0.0, v=3.0).encode() + b"\r",  # CRLF is fine
    ]) + b"\n")
    got, errors, _ = replay(path)
    assert [m.payload.value for m in got] == [1.0, 3.0]
    assert [(e.payload.line, e.payload.message[:25]) for e in errors] == \
        [(2, "line 2: not UTF-8 text (b"), (4, "line 4: not JSON (Unexpec")]


def test_a_line_over_the_limit_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    notice = '{"t": 0, "topic": "ui.notice", "payload": {"text": "' + "x" * MAX_LINE_BYTES + '"}}'
    path.write_text(SPEED_LINE.format(t=0, v=1.0) + "\n" + notice + "\n"
                    + SPEED_LINE.format(t=0, v=2.0) + "\n", encoding="utf-8")
    got, errors, _ = replay(path)
    assert [m.payload.value for m in got] == [1.0, 2.0]
    assert [(e.payload.line, e.payload.message) for e in errors] == \
        [(2, f"line 2: longer than {MAX_LINE_BYTES} bytes")]


def test_a_torn_last_line_is_reported_as_such(tmp_path: Path) -> None:
    path = tmp_path / "torn.jsonl"
    path.write_text(SPEED_LINE.format(t=0, v=1.0) + "\n" + '{"t": 0.1, "topic": "Vehicle.Sp',
                    encoding="utf-8")
    got, errors, _ = replay(path)
    assert [m.payload.value for m in got] == [1.0]
    assert "incomplete last line" in errors[0].payload.message and errors[0].payload.line == 2


def test_a_long_silence_is_shortened_and_said(tmp_path: Path) -> None:
    path = tmp_path / "silence.jsonl"
    path.write_text(SPEED_LINE.format(t=0, v=1.0) + "\n" + SPEED_LINE.format(t=7200, v=2.0)
                    + "\n", encoding="utf-8")
    got, errors, _ = replay(path, speed=1e4)  # 7200 s would be 0.72 s, 60 s is 6 ms
    assert [m.payload.value for m in got] == [1.0, 2.0]
    assert [e.payload.message for e in errors] == \
        ["line 2: a pause of 7200 s is replayed as 60 s"]


def test_pace_keeps_gaps_and_caps_silences() -> None:
    pace = Pace(2.0, start=100.0)
    assert pace.due(0.0) == (100.0, 0.0)
    assert pace.due(10.0) == (105.0, 0.0)
    assert pace.due(1000.0) == (135.0, 990.0)  # 60 s at 2x
    assert pace.due(999.0) == (134.5, 0.0)  # a step back plays at once
    assert pace.due(1001.0) == (135.5, 0.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=MAX_T_S), max_size=30),
       st.floats(min_value=1e-3, max_value=1e3))
def test_no_line_of_a_valid_file_waits_longer_than_the_cap(times, speed) -> None:
    pace = Pace(speed, start=0.0)
    latest = 0.0
    for t in times:
        due, _ = pace.due(t)
        assert due - latest <= MAX_GAP_S / speed * (1 + 1e-9) + 1e-9
        latest = max(latest, due)


@pytest.mark.parametrize("speed", [-5.0, math.nan, math.inf])
def test_a_speed_that_is_not_a_number_of_times_is_refused(speed: float) -> None:
    with pytest.raises(ValueError, match="speed must be a number >= 0"):
        Player(Path("x.jsonl"), speed=speed)


def test_the_replay_thread_never_dies_silently(tmp_path: Path) -> None:
    path = tmp_path / "drive.jsonl"
    path.write_text(SPEED_LINE.format(t=0, v=1.0) + "\n", encoding="utf-8")
    bus = EventBus()
    errors: list[Message] = []
    bus.subscribe(topics.BUS_ERROR, errors.append)
    bus.subscribe(topics.SPEED, lambda m: sys.exit(3))  # inline: it reaches the player thread
    player = Player(path, speed=0)
    player.start(bus)
    assert player.done.wait(10)
    assert "SystemExit" in player.failed
    assert [e.payload.message for e in errors] == [player.failed]
    bus.close()


def test_loop_plays_again_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "drive.jsonl"
    path.write_text(SPEED_LINE.format(t=0, v=1.0) + "\n" + SPEED_LINE.format(t=0.001, v=2.0)
                    + "\n", encoding="utf-8")
    bus = EventBus()
    seen = collect_values(bus)
    player = Player(path, speed=1.0, loop=True)
    player.start(bus)
    wait_until(lambda: len(seen) >= 6)
    player.stop()
    assert seen[:6] == [1.0, 2.0] * 3 and player.done.is_set()
    bus.close()


def test_a_recording_that_cannot_be_written_fails_at_start_or_says_why(tmp_path: Path) -> None:
    bus = EventBus()
    with pytest.raises(FileNotFoundError):
        Recorder(tmp_path / "no-such-dir" / "x.jsonl").start(bus)
    with pytest.raises(IsADirectoryError):
        Recorder(tmp_path).start(bus)
    errors: list[Message] = []
    bus.subscribe(topics.BUS_ERROR, errors.append)
    recorder = Recorder(Path("/dev/full"))  # every write fails: disk full
    recorder.FLUSH_EVERY_S = -1.0
    recorder.start(bus)
    bus.publish(topics.SPEED, VssFloat(1.0))
    wait_until(lambda: recorder.failed)
    bus.close()
    recorder.stop()
    assert "No space left on device" in recorder.failed
    assert [e.payload.source for e in errors] == ["recorder"]


def collect_values(bus: EventBus) -> list[float]:
    seen: list[float] = []
    bus.subscribe(topics.SPEED, lambda m: seen.append(m.payload.value))
    return seen


def wait_until(predicate, timeout: float = 10.0) -> None:
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        event.wait(0.01)
    raise AssertionError("condition not met in time")


# -- the CLI: ends with the file, one line and a non-zero exit on failure --------------------
def volant(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_replay_exits_at_the_end_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "drive.jsonl"
    path.write_text(SPEED_LINE.format(t=0, v=1.0) + "\n" + SPEED_LINE.format(t=0.2, v=2.0)
                    + "\n", encoding="utf-8")
    done = volant("replay", str(path), "--speed", "0", "--offscreen", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("argv, words, code", [
    (["replay", "{rec}", "--speed", "-5"], "--speed must be a number >= 0", 2),
    (["replay", "{rec}", "--speed", "nan"], "--speed must be a number >= 0", 2),
    (["replay", "{dir}"], "is a folder, not a recording", 1),
    (["replay", "{dir}/missing.jsonl"], "cannot read", 1),
    (["record", "{dir}/no-such-dir/x.jsonl"], "folder {dir}/no-such-dir does not exist", 1),
    (["record", "{dir}"], "is a folder; give a file name", 1),
])
def test_a_record_or_replay_that_cannot_run_says_why_in_one_line(tmp_path: Path, argv, words,
                                                                code) -> None:
    rec = tmp_path / "drive.jsonl"
    rec.write_text(SPEED_LINE.format(t=0, v=1.0) + "\n", encoding="utf-8")
    argv = [a.format(rec=rec, dir=tmp_path) for a in argv]
    done = volant(*argv, "--offscreen", tmp_path=tmp_path)
    assert done.returncode == code
    assert done.stderr.count("\n") == 1 and words.format(dir=tmp_path) in done.stderr, \
        done.stderr
    assert not (tmp_path / "no-such-dir").exists()


def test_loop_is_an_option_of_replay() -> None:
    args = build_parser().parse_args(["replay", "drive.jsonl", "--loop"])
    assert args.loop and build_parser().parse_args(["replay", "drive.jsonl"]).loop is False


# -- fuzz: random and mutated recording lines (issue 17, item 7) -----------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["t", "topic", "payload", "value", "code", "text", "x"]), inner,
        max_size=3),
    max_leaves=6)
TOPIC_NAMES = st.sampled_from(sorted(topics.CATALOGUE))


def record_line(t, topic, payload) -> bytes:
    return json.dumps({"t": t, "topic": topic, "payload": payload}).encode()


VALID_LINES = st.one_of(
    st.builds(lambda t, v: record_line(t, topics.SPEED, {"value": v}),
              st.floats(0, 100), st.floats(-300, 300)),
    st.builds(lambda t, text: record_line(t, topics.UI_NOTICE, {"text": text, "level": "info"}),
              st.floats(0, 100), st.text(max_size=20)),
    st.builds(lambda t, code: record_line(t, topics.UI_LANGUAGE, {"code": code}),
              st.floats(0, 100), st.from_regex(r"[a-z]{2,3}", fullmatch=True)),
)
RANDOM_LINES = st.one_of(
    st.builds(record_line, JSON_VALUES, TOPIC_NAMES | st.text(max_size=10), JSON_VALUES),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
)


@st.composite
def mutated(draw, lines=VALID_LINES) -> bytes:
    line = bytearray(draw(lines))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(line)))
        kind = draw(st.sampled_from(["cut", "insert", "flip", "nest", "number", "truncate"]))
        if kind == "cut":
            del line[at:at + draw(st.integers(1, 5))]
        elif kind == "insert":
            line[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif kind == "flip" and at < len(line):
            line[at] = draw(st.integers(0, 255))
        elif kind == "nest":
            depth = draw(st.sampled_from([31, 40, 1000, 5000]))
            line[at:at] = b"[" * depth + b"]" * depth
        elif kind == "number":
            line[at:at] = draw(st.sampled_from([b"NaN", b"-Infinity", b"1e308", b"9" * 400,
                                                b"1e999", b"-0", b"1e9"]))
        else:
            del line[at:]
    return bytes(line)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(VALID_LINES, RANDOM_LINES, mutated()), min_size=1, max_size=8),
       st.booleans())
def test_fuzzed_recordings_play_every_line_or_report_it_and_never_die(tmp_path_factory, lines,
                                                                      torn) -> None:
    lines = [line.replace(b"\n", b" ") for line in lines]
    lines = [line if line.strip() else b"x" for line in lines]
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + (b"" if torn else b"\n"))
    bus = EventBus()
    errors = collect_errors(bus)
    player = Player(path, speed=0)
    player.start(bus)
    assert player.done.wait(60), "the replay hangs"
    assert not player.failed
    assert player.published + player.errors == len(lines)
    event("some lines played" if player.published else "no line played")
    event("some lines refused" if player.errors else "no line refused")
    assert len(errors) == player.errors
    assert {e.payload.line for e in errors} <= set(range(1, len(lines) + 1))
    bus.close()


def collect_errors(bus: EventBus) -> list[Message]:
    errors: list[Message] = []
    bus.subscribe(topics.BUS_ERROR, errors.append)
    return errors


WRITER = """
import sys
from pathlib import Path
from kernel import topics
from kernel.event_bus import EventBus
from kernel.recording import Recorder
from kernel.topics import Notice, VssFloat

bus = EventBus()
recorder = Recorder(Path(sys.argv[1]))
recorder.FLUSH_EVERY_S = 0.0  # write as often as possible: the kill lands mid-write
recorder.start(bus)
i = 0
while True:
    bus.publish(topics.SPEED, VssFloat(float(i % 300)))
    bus.publish(topics.UI_NOTICE, Notice("ä" * (i * 7919 % 20000)))  # lines over the buffer
    i += 1
    if i % 50 == 0:
        while recorder.count < 2 * i - 100:  # keep the queue short
            pass
"""


def test_a_recording_killed_mid_write_replays(tmp_path: Path) -> None:
    path = tmp_path / "killed.jsonl"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)],
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        wait_until(lambda: path.exists() and path.stat().st_size > 2_000_000, timeout=120)
    finally:
        writer.kill()  # SIGKILL: no flush, no close
        writer.wait()
    data = path.read_bytes()
    whole = data.count(b"\n") - 1  # minus the header
    got, errors, _ = replay(path)
    assert len(got) == whole > 0
    if data.endswith(b"\n"):
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].payload.line == whole + 2
        assert "incomplete last line" in errors[0].payload.message
