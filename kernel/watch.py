"""Waiting for a bus message: the one helper the demo, the scenario runner and the tests share.

A `BusLog` keeps every message matching its pattern, in order, from the moment it subscribes;
`wait` returns the first one (from an index on) that passes a test, so a step that waits for an
event never misses one published just before it started waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from kernel.event_bus import EventBus, Message


class BusLog:
    def __init__(self, bus: EventBus, pattern: str = "#", name: str = "bus log") -> None:
        self.messages: list[Message] = []
        self._arrived = threading.Condition()
        self._sub = bus.subscribe(pattern, self._on, name=name)

    def _on(self, msg: Message) -> None:
        with self._arrived:
            self.messages.append(msg)
            self._arrived.notify_all()

    def __len__(self) -> int:
        with self._arrived:
            return len(self.messages)

    def payloads(self, topic: str) -> list[Any]:
        with self._arrived:
            return [m.payload for m in self.messages if m.topic == topic]

    def find(self, topic: str, test: Callable[[Any], bool] = lambda _p: True,
             timeout: float = 60.0, since: int = 0) -> int | None:
        """The index of the first message on `topic` from `since` that passes `test`, or None
        when none came within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        index = since
        with self._arrived:
            while True:
                while index < len(self.messages):
                    msg = self.messages[index]
                    if msg.topic == topic and test(msg.payload):
                        return index
                    index += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._arrived.wait(left)

    def wait(self, topic: str, test: Callable[[Any], bool] = lambda _p: True,
             timeout: float = 60.0, since: int = 0, what: str = "") -> Any:
        """The payload of the first matching message; TimeoutError naming what did not come."""
        index = self.find(topic, test, timeout, since)
        if index is None:
            raise TimeoutError(f"no {what or topic} within {timeout:g} s")
        return self.messages[index].payload

    def close(self) -> None:
        self._sub.unsubscribe()
