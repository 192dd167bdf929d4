"""Record the bus to a JSON-lines file and replay such a file onto a bus.

A recording is one header line `{"format": "volant-bus", "version": 1, "vss": ...}` followed by
one line per message: `{"t": seconds since the recording started (monotonic), "topic": ...,
"payload": {...}}`. Drives, voice sessions and bug reports become files; tests replay them.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import IO

from kernel import topics
from kernel.codec import PayloadError, from_json, to_json
from kernel.event_bus import EventBus, Message, Subscription

FORMAT = "volant-bus"


class Recorder:
    """Writes every message on the bus; file I/O happens on the recorder's own worker thread."""

    FLUSH_EVERY_S = 0.5

    def __init__(self, path: Path, pattern: str = "#") -> None:
        self.path = Path(path)
        self.pattern = pattern
        self.count = 0
        self._file: IO[str] | None = None
        self._sub: Subscription | None = None
        self._t0 = 0.0
        self._last_flush = 0.0

    def start(self, bus: EventBus) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
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
        self._file.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.count += 1
        if msg.time - self._last_flush > self.FLUSH_EVERY_S:
            self._file.flush()
            self._last_flush = msg.time

    def stop(self) -> None:
        """Unsubscribe, then close; call after `bus.close()` to keep every queued message."""
        if self._sub is not None:
            self._sub.unsubscribe()
            self._sub = None
        if self._file is not None:
            self._file.close()
            self._file = None


class Player:
    """Re-publishes a recording at `speed` x real time (0 = as fast as possible).

    A bad line (not JSON, unknown topic, payload of the wrong shape) is reported on `bus.error`
    with its line number, and the next line is played.
    """

    def __init__(self, path: Path, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError(f"replay speed must be >= 0, got {speed}")
        self.path = Path(path)
        self.speed = speed
        self.published = 0
        self.errors = 0
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
        """Play the whole file on the calling thread."""
        source = f"replay {self.path.name}"
        try:
            handle = self.path.open(encoding="utf-8", errors="replace")
        except OSError as exc:
            bus.report(source, f"cannot open {self.path}: {exc.strerror}")
            return
        start = time.monotonic()
        with handle:
            for number, line in enumerate(handle, start=1):
                if self._stop.is_set() or bus.closed:
                    return
                if not line.strip():
                    continue
                try:
                    t, topic, payload = self._parse(line)
                except ValueError as exc:
                    self.errors += 1
                    bus.report(source, f"line {number}: {exc}", line=number)
                    continue
                if topic is None:
                    continue  # the header
                if self.speed > 0:
                    delay = start + t / self.speed - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        return
                bus.publish(topic, payload)
                self.published += 1

    @staticmethod
    def _parse(line: str) -> tuple[float, str | None, object]:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ValueError("expected a JSON object with t, topic and payload")
        if record.get("format") == FORMAT:
            return 0.0, None, None
        topic, t = record.get("topic"), record.get("t")
        if not isinstance(topic, str):
            raise ValueError("missing 'topic' (a string)")
        spec = topics.CATALOGUE.get(topic)
        if spec is None:
            raise ValueError(f"unknown topic {topic!r}")
        if isinstance(t, bool) or not isinstance(t, int | float) or t < 0:
            raise ValueError(f"topic {topic!r}: 't' must be seconds >= 0, got {t!r}")
        try:
            payload = from_json(spec.payload, record.get("payload"))
        except PayloadError as exc:
            raise ValueError(f"topic {topic!r} expects {spec.payload.__name__}: {exc}") from None
        return float(t), topic, payload
