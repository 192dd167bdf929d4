"""One supervisor for every module: a crash is reported, the module restarted, then given up.

An exception that escapes any thread of a module (a BaseException too: a SystemExit raised deep
in a library must not silently end navigation) reaches `threading.excepthook`; the supervisor
finds the module by the thread's name (a module names its threads `<name>` or `<name>-...`),
publishes the failure on the bus, ends the module's loading reports so no screen waits forever,
and restarts the module after a growing pause. After `MAX_RESTARTS` failures in a row the module
is marked failed and the driver sees why and what to do; the rest of the app goes on.

Restarts run through `post`, on the thread that started the modules (the GUI thread in the app:
media's QMediaPlayer must be created there).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Protocol

from kernel import topics
from kernel.event_bus import BusClosed, EventBus

log = logging.getLogger(__name__)

MAX_RESTARTS = 3
BACKOFF_S = (1.0, 4.0, 16.0)  # the pause before each restart


class Module(Protocol):
    """What the composition root starts: `name` also prefixes the names of its threads;
    `tasks` are the `app.progress` tasks it reports, ended by the supervisor if it dies."""

    name: str
    tasks: tuple[str, ...]

    def start(self, bus: EventBus) -> None: ...

    def stop(self) -> None: ...


def owns(module: Module, thread_name: str) -> bool:
    return thread_name == module.name or thread_name.startswith(f"{module.name}-")


class Supervisor:
    """Starts, watches, restarts and stops the modules, in order."""

    def __init__(self, bus: EventBus, modules: list[Module],
                 post: Callable[[Callable[[], None]], None] | None = None,
                 backoff_s: tuple[float, ...] = BACKOFF_S) -> None:
        self.bus = bus
        self.modules = list(modules)
        self.failures: dict[str, int] = {m.name: 0 for m in self.modules}
        self.states: dict[str, str] = {}
        self._post = post or (lambda call: call())
        self._backoff = backoff_s
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []
        self._stopping = False
        self._previous_hook = threading.excepthook

    def start(self) -> None:
        threading.excepthook = self._excepthook
        for module in self.modules:
            self._start(module)

    def stop(self) -> None:
        """Stop every module (last started first); a module that fails to stop is reported."""
        with self._lock:
            self._stopping = True
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
        for module in reversed(self.modules):
            if self.states.get(module.name) in ("running", "restarting"):
                self._stop(module)
        if threading.excepthook == self._excepthook:
            threading.excepthook = self._previous_hook

    def module_failed(self, module: Module, reason: str) -> None:
        """Report a module's crash and restart it later (or give it up); from any thread."""
        with self._lock:
            if self._stopping or self.states.get(module.name) in ("failed", "stopped"):
                return
            self.failures[module.name] += 1
            attempt = self.failures[module.name]
            given_up = attempt > MAX_RESTARTS
            self.states[module.name] = "failed" if given_up else "restarting"
        log.error("module %s failed (%d): %s", module.name, attempt, reason)
        self._publish(topics.BUS_ERROR, topics.BusError(f"module {module.name}", reason))
        for task in module.tasks:
            self._publish(topics.APP_PROGRESS,
                          topics.Progress.of(task, 1.0, "%1 failed", module.name))
        if given_up:
            self._announce(module, "failed", reason)
            self._publish(topics.UI_NOTICE, topics.Notice.of(
                "error", "%1 stopped after %2 failures: %3. The rest works; restart Volant.",
                module.name, str(attempt), reason))
            self._post(lambda: self._stop(module))
            return
        self._announce(module, "restarting", reason)
        pause = self._backoff[min(attempt, len(self._backoff)) - 1]
        timer = threading.Timer(pause, lambda: self._post(lambda: self._restart(module)))
        timer.daemon = True
        with self._lock:
            self._timers.append(timer)
        timer.start()

    # -- inside ------------------------------------------------------------------------------
    def _excepthook(self, args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else ""
        module = next((m for m in self.modules if owns(m, name)), None)
        if module is None:
            self._previous_hook(args)
            return
        where = traceback.extract_tb(args.exc_traceback)[-1:] if args.exc_traceback else []
        at = f" (at {where[0].filename}:{where[0].lineno})" if where else ""
        self.module_failed(module, f"{args.exc_type.__name__}: {args.exc_value}{at}")

    def _start(self, module: Module) -> None:
        self._announce(module, "starting")
        try:
            module.start(self.bus)
        except Exception as exc:  # a start that raises is a failure like any other
            self.module_failed(module, f"{type(exc).__name__}: {exc}")
            return
        with self._lock:
            if self.states.get(module.name) != "starting":
                return
            self.states[module.name] = "running"
        self._announce(module, "running")

    def _restart(self, module: Module) -> None:
        with self._lock:
            if self._stopping or self.states.get(module.name) != "restarting":
                return
        self._stop(module)
        self._start(module)

    def _stop(self, module: Module) -> None:
        try:
            module.stop()
        except Exception as exc:  # stopping a broken module may fail too; go on with the rest
            log.warning("module %s did not stop cleanly: %s", module.name, exc)
        with self._lock:
            if self.states.get(module.name) != "failed":
                self.states[module.name] = "stopped"

    def _announce(self, module: Module, state: str, reason: str = "") -> None:
        with self._lock:
            self.states[module.name] = state
        self._publish(topics.APP_MODULE, topics.ModuleState(
            module.name, state, reason, self.failures[module.name]))

    def _publish(self, topic: str, payload: object) -> None:
        with contextlib.suppress(BusClosed):
            self.bus.publish(topic, payload)
