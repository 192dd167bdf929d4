"""The in-process event bus: every module, the UI and the simulator speak only through it.

Pure Python, no Qt. Topics are declared once in kernel.topics; publishing checks the payload
class and every field (kernel.codec's schema of the class, derived once) at the publisher, so
mistakes surface where they are made and every delivered payload is well-typed. Delivery
happens on the executor each subscriber chose (inline, a worker thread, or the GUI thread via an
installed dispatcher), so a slow or crashing handler never blocks the publisher or the other
subscribers.

Shutdown policy: `close()` stops accepting publishes, then *drains* — every message already
queued to a worker is delivered before its thread exits (bounded by a timeout, after which the
remainder is dropped and counted in `dropped`). Nothing published before `close()` is lost
silently, and `close()` never raises.

A worker thread survives any exception of a handler it runs, SystemExit and KeyboardInterrupt
included (a handler has no business ending its thread): the exception goes to `bus.error` and
the next message is delivered.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
import traceback
from collections.abc import Callable
from queue import Empty, SimpleQueue
from typing import Any, NamedTuple, Protocol

from kernel import topics as catalogue
from kernel.codec import checker
from kernel.topics import BusError, TopicSpec

log = logging.getLogger(__name__)


class BusClosed(RuntimeError):
    """Raised when publishing on a bus that has been closed."""


class Message(NamedTuple):
    """One delivered message: `time` is `time.monotonic()` at publish. A named tuple: immutable
    like the payloads, and built at C speed on the publish path."""

    topic: str
    payload: Any
    time: float
    seq: int


_new_message = tuple.__new__


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
    """A daemon thread running queued calls in order: per-subscriber FIFO across threads.

    Calls are `(function, argument)` pairs; a call that raises anything goes to
    `threading.excepthook` (where the supervisor learns which module's work failed) and the
    thread goes on (the bus's subscriptions report their handlers' errors on `bus.error`
    themselves, so this is the last resort)."""

    def __init__(self, name: str) -> None:
        self._queue: SimpleQueue[Any] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def dispatch(self, call: Callable[[], None]) -> None:
        self._queue.put((_call_it, call))

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        get = self._queue.get
        while (item := get()) is not _STOP:
            try:
                item[0](item[1])
            except BaseException as exc:  # the thread outlives any call; its owner hears of it
                threading.excepthook(threading.ExceptHookArgs(
                    (type(exc), exc, exc.__traceback__, self._thread)))

    def stop(self, timeout: float | None) -> int:
        """Drain queued calls (at most `timeout` s, None = no limit), then stop; return how
        many calls were left undelivered. From the worker's own thread (a handler stopping
        its subscription or closing the bus) nothing more can run: the queued calls are taken
        back and counted, and the thread ends after the current call."""
        if threading.current_thread() is self._thread:
            return self._take_back()
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            return 0
        return self._take_back()  # still busy: each call is either run or counted

    def _take_back(self) -> int:
        left = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except Empty:
                break
            if item is not _STOP:
                left += 1
        self._queue.put(_STOP)  # the thread ends when its current call returns
        return left


def _call_it(call: Callable[[], None]) -> None:
    call()


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
        elif isinstance(dispatcher, WorkerThread):  # the hot path: one tuple per message
            put, call = dispatcher._queue.put, self._call_on_worker
            self.deliver = lambda msg: put((call, msg))

    def deliver(self, msg: Message) -> None:
        self.dispatcher.dispatch(lambda: self._call(msg))

    def _call(self, msg: Message) -> None:
        """Inline and GUI delivery: SystemExit and KeyboardInterrupt stay the caller's."""
        if not self.active:
            return
        try:
            self.handler(msg)
        except Exception as exc:  # a handler's bug must not break the bus or its peers
            self.bus.report_handler_error(self, msg, exc)

    def _call_on_worker(self, msg: Message) -> None:
        if not self.active:
            return
        try:
            self.handler(msg)
        except BaseException as exc:  # nothing ends a worker thread
            self.bus.report_handler_error(self, msg, exc)

    def unsubscribe(self) -> None:
        self.bus.unsubscribe(self)


class EventBus:
    """Declared topics, wildcard subscriptions, retained values, per-subscriber delivery."""

    def __init__(self, specs: dict[str, TopicSpec] | None = None) -> None:
        self._specs = specs if specs is not None else catalogue.CATALOGUE
        self._checks: dict[str, tuple[type, Callable[[Any, str], None], bool]] = {}
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
        """Publish from any thread. Raises at the publisher: KeyError for an undeclared topic,
        TypeError for a payload or field of the wrong type, ValueError for a field out of its
        bounds (non-finite, too large, not matching its pattern)."""
        check = self._checks.get(topic)
        if check is None:
            check = self._checker(topic)
        if type(payload) is not check[0]:
            raise TypeError(
                f"topic {topic!r} expects payload {check[0].__name__}, "
                f"got {type(payload).__name__}"
            )
        try:
            check[1](payload, "payload")
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"topic {topic!r}, {check[0].__name__} {exc}") from None
        if self._closed:
            raise BusClosed(f"bus is closed; cannot publish {topic!r}")
        msg = _new_message(Message, (topic, payload, time.monotonic(), next(self._seq)))
        routes = self._routes.get(topic)
        if routes is None or check[2]:
            with self._lock:
                if check[2]:
                    self._retained[topic] = msg
                routes = self._route(topic)
        for sub in routes:
            sub.deliver(msg)

    def _checker(self, topic: str) -> tuple[type, Callable[[Any, str], None], bool]:
        spec = self._specs.get(topic)
        if spec is None:
            raise KeyError(f"publish to undeclared topic {topic!r}: declare it in kernel/topics.py")
        entry = (spec.payload, checker(spec.payload), spec.retained)
        self._checks[topic] = entry
        return entry

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
        """Stop delivery to `sub`; its own worker thread ends (also from inside its handler)."""
        with self._lock:
            sub.active = False
            if sub in self._subs:
                self._subs.remove(sub)
                self._routes.clear()
            worker = sub.dispatcher
            if not (isinstance(worker, WorkerThread) and worker in self._workers):
                return
            self._workers.remove(worker)
        worker.stop(timeout=0)  # queued messages of an inactive subscription are not delivered

    # -- errors and shutdown -------------------------------------------------------------
    def report(self, source: str, message: str, topic: str = "", line: int = 0) -> None:
        """Report a problem on `bus.error` (never raises)."""
        with contextlib.suppress(BusClosed):
            self.publish("bus.error", BusError(source=source, message=message, topic=topic,
                                               line=line))

    def report_handler_error(self, sub: Subscription, msg: Message, exc: BaseException) -> None:
        if msg.topic == "bus.error":  # never loop on a crashing error handler
            return
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
        self.report(f"handler {sub.name}", f"{type(exc).__name__}: {exc}{where}", topic=msg.topic)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, timeout: float | None = 2.0) -> int:
        """Stop accepting publishes, drain worker queues (within `timeout` s in all, None = no
        limit), stop workers; return the messages dropped. Never raises."""
        with self._lock:
            if self._closed:
                return self.dropped
            self._closed = True
            workers, self._workers = self._workers, []
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        for worker in workers:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                self.dropped += worker.stop(left)
            except Exception:  # shutting down goes on
                log.exception("bus close: stopping a worker failed")
        with self._lock:
            for sub in self._subs:
                sub.active = False
            self._subs.clear()
            self._routes.clear()
        return self.dropped
