"""The in-process event bus: every module, the UI and the simulator speak only through it.

Pure Python, no Qt. Topics are declared once in kernel.topics; publishing checks the payload type
at the publisher so mistakes surface where they are made. Delivery happens on the executor each
subscriber chose (inline, a worker thread, or the GUI thread via an installed dispatcher), so a
slow or crashing handler never blocks the publisher or the other subscribers.

Shutdown policy: `close()` stops accepting publishes, then *drains* — every message already
queued to a worker is delivered before its thread exits (bounded by a timeout, after which the
remainder is dropped and counted in `dropped`). Nothing published before `close()` is lost
silently.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from queue import SimpleQueue
from typing import Any, Protocol

from kernel import topics as catalogue
from kernel.topics import BusError, TopicSpec


class BusClosed(RuntimeError):
    """Raised when publishing on a bus that has been closed."""


@dataclass(frozen=True, slots=True)
class Message:
    """One delivered message: `time` is `time.monotonic()` at publish."""

    topic: str
    payload: Any
    time: float
    seq: int


Handler = Callable[[Message], None]


class Dispatcher(Protocol):
    """Runs a call on some thread; the GUI installs one that posts into the Qt event loop."""

    def dispatch(self, call: Callable[[], None]) -> None: ...


def topic_matches(pattern: str, topic: str) -> bool:
    """MQTT-style match: `*` is exactly one level, `#` (last level only) is all the rest."""
    p_parts = pattern.split(".")
    t_parts = topic.split(".")
    for i, part in enumerate(p_parts):
        if part == "#":
            return True
        if i >= len(t_parts):
            return False
        if part != "*" and part != t_parts[i]:
            return False
    return len(p_parts) == len(t_parts)


def validate_pattern(pattern: str) -> None:
    parts = pattern.split(".")
    if not pattern or any(p == "" for p in parts):
        raise ValueError(f"subscription pattern {pattern!r}: empty level")
    for i, part in enumerate(parts):
        if "#" in part and (part != "#" or i != len(parts) - 1):
            raise ValueError(f"subscription pattern {pattern!r}: '#' must be a whole, last level")
        if "*" in part and part != "*":
            raise ValueError(f"subscription pattern {pattern!r}: '*' must be a whole level")


class _Inline:
    def dispatch(self, call: Callable[[], None]) -> None:
        call()


INLINE: Dispatcher = _Inline()
_STOP = object()


class WorkerThread:
    """A daemon thread running queued calls in order: per-subscriber FIFO across threads."""

    def __init__(self, name: str) -> None:
        self._queue: SimpleQueue[Any] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def dispatch(self, call: Callable[[], None]) -> None:
        self._queue.put(call)

    def _run(self) -> None:
        get = self._queue.get
        while (call := get()) is not _STOP:
            call()

    def stop(self, timeout: float) -> int:
        """Drain queued calls, then stop; return how many were left undelivered."""
        self._queue.put(_STOP)
        self._thread.join(timeout)
        left = 0
        if self._thread.is_alive():
            while not self._queue.empty():
                self._queue.get_nowait()
                left += 1
        return left


class Subscription:
    """Handle returned by `subscribe`; `unsubscribe()` is idempotent."""

    def __init__(self, bus: EventBus, pattern: str, handler: Handler, dispatcher: Dispatcher,
                 name: str) -> None:
        self.bus = bus
        self.pattern = pattern
        self.handler = handler
        self.dispatcher = dispatcher
        self.name = name
        self.active = True
        if dispatcher is INLINE:
            self.deliver = self._call  # skip the dispatcher hop on the hot path

    def deliver(self, msg: Message) -> None:
        self.dispatcher.dispatch(partial(self._call, msg))

    def _call(self, msg: Message) -> None:
        if not self.active:
            return
        try:
            self.handler(msg)
        except Exception as exc:  # a handler's bug must not break the bus or its peers
            self.bus.report_handler_error(self, msg, exc)

    def unsubscribe(self) -> None:
        self.bus.unsubscribe(self)


class EventBus:
    """Declared topics, wildcard subscriptions, retained values, per-subscriber delivery."""

    def __init__(self, specs: dict[str, TopicSpec] | None = None) -> None:
        self._specs = specs if specs is not None else catalogue.CATALOGUE
        self._lock = threading.RLock()
        self._subs: list[Subscription] = []
        self._routes: dict[str, tuple[Subscription, ...]] = {}
        self._retained: dict[str, Message] = {}
        self._workers: list[WorkerThread] = []
        self._gui: Dispatcher | None = None
        self._seq = itertools.count()
        self._closed = False
        self.dropped = 0

    # -- configuration -------------------------------------------------------------------
    def install_gui_dispatcher(self, dispatcher: Dispatcher) -> None:
        """ui/ calls this once so subscribers can ask for delivery on the GUI thread."""
        self._gui = dispatcher

    def remove_gui_dispatcher(self) -> int:
        """ui/ calls this when its windows close: every subscription delivered on the GUI
        thread (the screens') is released; returns how many."""
        with self._lock:
            gui, self._gui = self._gui, None
            subs = [s for s in self._subs if gui is not None and s.dispatcher is gui]
        for sub in subs:
            sub.unsubscribe()
        return len(subs)

    def subscriptions(self) -> tuple[Subscription, ...]:
        """The subscriptions in force now (for tests and diagnostics)."""
        with self._lock:
            return tuple(self._subs)

    def spec(self, topic: str) -> TopicSpec:
        try:
            return self._specs[topic]
        except KeyError:
            raise KeyError(f"topic {topic!r} is not declared in kernel/topics.py") from None

    # -- publishing ----------------------------------------------------------------------
    def publish(self, topic: str, payload: Any) -> None:
        """Publish from any thread. Raises at the publisher for undeclared topics or bad types."""
        spec = self._specs.get(topic)
        if spec is None:
            raise KeyError(f"publish to undeclared topic {topic!r}: declare it in kernel/topics.py")
        if type(payload) is not spec.payload:
            raise TypeError(
                f"topic {topic!r} expects payload {spec.payload.__name__}, "
                f"got {type(payload).__name__}"
            )
        if self._closed:
            raise BusClosed(f"bus is closed; cannot publish {topic!r}")
        msg = Message(topic, payload, time.monotonic(), next(self._seq))
        routes = self._routes.get(topic)
        if routes is None or spec.retained:
            with self._lock:
                if spec.retained:
                    self._retained[topic] = msg
                routes = self._route(topic)
        for sub in routes:
            sub.deliver(msg)

    def _route(self, topic: str) -> tuple[Subscription, ...]:
        routes = self._routes.get(topic)
        if routes is None:
            routes = tuple(s for s in self._subs if topic_matches(s.pattern, topic))
            self._routes[topic] = routes
        return routes

    def retained(self, topic: str) -> Any | None:
        """The last retained payload of `topic`, or None."""
        msg = self._retained.get(topic)
        return msg.payload if msg else None

    # -- subscribing ---------------------------------------------------------------------
    def subscribe(self, pattern: str, handler: Handler, on: str | Dispatcher = "inline",
                  *, name: str = "") -> Subscription:
        """Subscribe `handler(msg)` to a pattern; `on` is "inline", "worker", "gui" or a
        Dispatcher. Retained values matching the pattern are delivered at once."""
        validate_pattern(pattern)
        dispatcher = self._dispatcher_for(on, name or getattr(handler, "__qualname__", "sub"))
        sub = Subscription(self, pattern, handler, dispatcher, name or pattern)
        with self._lock:
            if self._closed:
                raise BusClosed(f"bus is closed; cannot subscribe to {pattern!r}")
            self._subs.append(sub)
            self._routes.clear()
            replay = [m for t, m in self._retained.items() if topic_matches(pattern, t)]
            # Under the lock, so a concurrent retained publish is delivered after this replay.
            for msg in sorted(replay, key=lambda m: m.seq):
                sub.deliver(msg)
        return sub

    def _dispatcher_for(self, on: str | Dispatcher, name: str) -> Dispatcher:
        if on == "inline":
            return INLINE
        if on == "worker":
            worker = WorkerThread(f"bus:{name}")
            with self._lock:
                self._workers.append(worker)
            return worker
        if on == "gui":
            if self._gui is None:
                raise RuntimeError("delivery on='gui' needs ui/ to install a GUI dispatcher first")
            return self._gui
        if isinstance(on, str):
            raise ValueError(f"unknown delivery {on!r}: expected 'inline', 'worker' or 'gui'")
        return on

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            sub.active = False
            if sub in self._subs:
                self._subs.remove(sub)
                self._routes.clear()
            if isinstance(sub.dispatcher, WorkerThread) and sub.dispatcher in self._workers:
                self._workers.remove(sub.dispatcher)
                sub.dispatcher.stop(timeout=0)

    # -- errors and shutdown -------------------------------------------------------------
    def report(self, source: str, message: str, topic: str = "", line: int = 0) -> None:
        """Report a problem on `bus.error` (never raises)."""
        with contextlib.suppress(BusClosed):
            self.publish("bus.error", BusError(source=source, message=message, topic=topic,
                                               line=line))

    def report_handler_error(self, sub: Subscription, msg: Message, exc: Exception) -> None:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        text = f"{type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})"
        if msg.topic == "bus.error":  # never loop on a crashing error handler
            return
        self.report(f"handler {sub.name}", text, topic=msg.topic)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, timeout: float = 2.0) -> int:
        """Stop accepting publishes, drain worker queues, stop workers; return messages dropped."""
        with self._lock:
            if self._closed:
                return self.dropped
            self._closed = True
            workers, self._workers = self._workers, []
        deadline = time.monotonic() + timeout
        for worker in workers:
            self.dropped += worker.stop(max(0.0, deadline - time.monotonic()))
        with self._lock:
            for sub in self._subs:
                sub.active = False
            self._subs.clear()
            self._routes.clear()
        return self.dropped
