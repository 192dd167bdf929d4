"""Record the bus to a JSON-lines file and replay such a file onto a bus.

A recording is one header line `{"format": "volant-bus", "version": 1, "vss": ...}` followed by
one line per message: `{"t": seconds since the recording started (monotonic), "topic": ...,
"payload": {...}}`. Drives, voice sessions and bug reports become files; tests replay them.

Replay is a door: each line is checked once, as bytes, before anything is published: at most
MAX_LINE_BYTES, UTF-8, JSON without NaN/Infinity, nested at most MAX_DEPTH, `t` a number of
seconds within 0..MAX_T_S, a declared topic, and a payload that passes the same schema as a
publish (kernel.codec). A refused line is reported on `bus.error` with its line number and
field, and the next line plays. Lines end at LF only, so a stray CR never shifts the numbering.
Pauses between lines are kept (scaled by the speed) but never longer than MAX_GAP_S.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import time
from pathlib import Path
from typing import IO

from kernel import topics
from kernel.codec import PayloadError, from_json, to_json
from kernel.event_bus import BusClosed, EventBus, Message, Subscription

FORMAT = "volant-bus"
MAX_LINE_BYTES = 8 * 2**20  # one message; a whole city's map drawing is ~50 KB
MAX_DEPTH = 32  # JSON nesting; the deepest payload (a map's roads) needs 4
MAX_T_S = 7 * 86_400.0  # a recording spans at most a week
MAX_GAP_S = 60.0  # a longer silence is replayed as this (at speed 1), and said so
RECORD_KEYS = frozenset({"t", "topic", "payload"})


class Recorder:
    """Writes every message on the bus; file I/O happens on the recorder's own worker thread.

    The file must be creatable (its folder is not made). A write that fails (disk full, file
    gone) is reported on `bus.error` and ends the recording; `failed` then says why."""

    FLUSH_EVERY_S = 0.5

    def __init__(self, path: Path, pattern: str = "#") -> None:
        self.path = Path(path)
        self.pattern = pattern
        self.count = 0
        self.failed = ""
        self._file: IO[str] | None = None
        self._sub: Subscription | None = None
        self._bus: EventBus | None = None
        self._t0 = 0.0
        self._last_flush = 0.0

    def start(self, bus: EventBus) -> None:
        """Open the file (raises OSError if it cannot be written) and start recording."""
        self._bus = bus
        self._file = self.path.open("w", encoding="utf-8")
        header = {"format": FORMAT, "version": 1, "vss": topics.VSS_RELEASE}
        self._file.write(json.dumps(header) + "\n")
        self._t0 = time.monotonic()
        self._sub = bus.subscribe(self.pattern, self._write, on="worker", name="recorder")

    def _write(self, msg: Message) -> None:
        if self._file is None:
            return
        line = {"t": round(max(0.0, msg.time - self._t0), 6), "topic": msg.topic,
                "payload": to_json(msg.payload)}
        try:
            self._file.write(json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n")
            if msg.time - self._last_flush > self.FLUSH_EVERY_S:
                self._file.flush()
                self._last_flush = msg.time
        except OSError as exc:
            self._fail(f"cannot write {self.path}: {exc.strerror or exc}")
            return
        self.count += 1

    def _fail(self, reason: str) -> None:
        self.failed = f"recording stopped after {self.count} messages: {reason}"
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):  # the reason above is what the user needs
                file.close()
        if self._bus is not None:
            self._bus.report("recorder", self.failed)

    def stop(self) -> None:
        """Unsubscribe, then close; call after `bus.close()` to keep every queued message."""
        if self._sub is not None:
            self._sub.unsubscribe()
            self._sub = None
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                self._file = None
                self._fail(f"cannot write {self.path}: {exc.strerror or exc}")
            self._file = None


class Player:
    """Re-publishes a recording at `speed` x real time (0 = as fast as possible), once or in
    a loop. A bad line is reported on `bus.error` with its line number and the next line plays;
    `done` is set when playing ends, and `failed` says why if the file could not be read."""

    def __init__(self, path: Path, speed: float = 1.0, loop: bool = False) -> None:
        if not (math.isfinite(speed) and speed >= 0):
            raise ValueError(f"replay speed must be a number >= 0, got {speed}")
        self.path = Path(path)
        self.speed = speed
        self.loop = loop
        self.published = 0
        self.errors = 0
        self.failed = ""
        self.done = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, bus: EventBus) -> None:
        self._thread = threading.Thread(target=self.play, args=(bus,), name="replay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.join()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def play(self, bus: EventBus) -> None:
        """Play the file (again and again with `loop`) on the calling thread; never raises."""
        source = f"replay {self.path.name}"
        try:
            while self._play_once(bus, source) and self.loop:
                if self.published == 0:  # looping over nothing would spin
                    bus.report(source, "nothing to replay: no line of the file played")
                    break
        except BaseException as exc:  # the thread never dies without a word
            self.failed = f"replay of {self.path} stopped: {type(exc).__name__}: {exc}"
            bus.report(source, self.failed)
        finally:
            self.done.set()

    def _play_once(self, bus: EventBus, source: str) -> bool:
        """One pass over the file; False when playing must end (stopped, closed, unreadable)."""
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            self.failed = f"cannot open {self.path}: {exc.strerror or exc}"
            bus.report(source, self.failed)
            return False
        pace = Pace(self.speed, time.monotonic())
        with handle:
            number = 0
            while raw := handle.readline(MAX_LINE_BYTES + 1):
                number += 1
                if self._stop.is_set() or bus.closed:
                    return False
                try:
                    parsed = self._line(handle, raw)
                except Exception as exc:  # a line never ends the replay
                    self.errors += 1
                    text = str(exc) if isinstance(exc, ValueError) else repr(exc)
                    bus.report(source, f"line {number}: {text}", line=number)
                    continue
                if parsed is None:
                    continue  # blank or the header
                t, topic, payload = parsed
                due, shortened = pace.due(t)
                if shortened and self.speed > 0:
                    bus.report(source, f"line {number}: a pause of {shortened:.0f} s is "
                                       f"replayed as {MAX_GAP_S:.0f} s", topic=topic, line=number)
                delay = due - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    return False
                try:
                    bus.publish(topic, payload)
                except BusClosed:
                    return False
                self.published += 1
        return True

    @staticmethod
    def _line(handle: IO[bytes], raw: bytes) -> tuple[float, str, object] | None:
        if len(raw) > MAX_LINE_BYTES:
            while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass  # skip to the end of the line without holding it
            raise ValueError(f"longer than {MAX_LINE_BYTES} bytes")
        try:
            return parse_line(raw)
        except ValueError as exc:
            if raw.endswith(b"\n"):
                raise
            raise ValueError(f"{exc} (an incomplete last line: the recording was cut off)") \
                from None


def parse_line(raw: bytes) -> tuple[float, str, object] | None:
    """One recording line: (t, topic, payload), or None for a blank line or the header.
    Raises ValueError naming the field."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        return None
    _check_depth(text)
    try:
        record = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object with t, topic and payload")
    if record.get("format") == FORMAT:
        return None
    unknown = set(record) - RECORD_KEYS
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)[:5]}")
    topic, t = record.get("topic"), record.get("t")
    if not isinstance(topic, str):
        raise ValueError("field 'topic': missing or not a string")
    spec = topics.CATALOGUE.get(topic)
    if spec is None:
        raise ValueError(f"unknown topic {topic[:80]!r}")
    if isinstance(t, bool) or not isinstance(t, int | float) or not 0 <= t <= MAX_T_S:
        raise ValueError(f"topic {topic!r}: field 't' must be seconds within 0..{MAX_T_S:.0f}, "
                         f"got {str(t)[:40]}")
    try:
        payload = from_json(spec.payload, record.get("payload"))
    except PayloadError as exc:
        raise ValueError(f"topic {topic!r} expects {spec.payload.__name__}: {exc}") from None
    return float(t), topic, payload


class Pace:
    """When each line is due: its `t` scaled by the speed, with every silence longer than
    MAX_GAP_S cut to MAX_GAP_S (so no line of a valid file waits longer than that)."""

    def __init__(self, speed: float, start: float) -> None:
        self.speed, self.start = speed, start
        self._last = 0.0  # the recording's start: a first line late in it is a silence too
        self._cut = 0.0

    def due(self, t: float) -> tuple[float, float]:
        """(monotonic time the line is due, the pause shortened or 0)."""
        shortened = 0.0
        if t - self._last > MAX_GAP_S:
            shortened = t - self._last
            self._cut += shortened - MAX_GAP_S
        self._last = max(self._last, t)
        if self.speed == 0:
            return self.start, shortened
        return self.start + (t - self._cut) / self.speed, shortened


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _check_depth(text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for char in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        if depth > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")
