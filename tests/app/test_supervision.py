"""Every module under one supervisor: a crash in any of its threads is reported, the module is
restarted with a pause, given up after repeated crashes, and the rest goes on."""

from __future__ import annotations

import threading
import time

import pytest

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.supervision import MAX_RESTARTS, Supervisor


class Crashing:
    """A module whose thread raises `error` on each of its first `crashes` starts."""

    tasks = ("thing",)

    def __init__(self, name: str, error: BaseException, crashes: int) -> None:
        self.name, self.error, self.crashes = name, error, crashes
        self.starts = self.stops = 0

    def start(self, bus: EventBus) -> None:
        self.starts += 1
        bus.publish(topics.APP_PROGRESS, topics.Progress.of("thing", 0.0, "Loading"))
        crash = self.starts <= self.crashes

        def run() -> None:
            if crash:
                raise self.error
        threading.Thread(target=run, name=f"{self.name}-loader", daemon=True).start()

    def stop(self) -> None:
        self.stops += 1


class Healthy:
    name, tasks = "healthy", ()

    def __init__(self) -> None:
        self.heard: list[str] = []

    def start(self, bus: EventBus) -> None:
        bus.subscribe(topics.UI_NOTICE, lambda m: self.heard.append(m.payload.text))

    def stop(self) -> None:
        pass


def collect(bus: EventBus, topic: str) -> list[Message]:
    seen: list[Message] = []
    bus.subscribe(topic, seen.append)
    return seen


def wait_until(test, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("error", [RuntimeError("boom"), SystemExit(3), KeyboardInterrupt()])
def test_a_crashed_thread_is_reported_and_its_module_restarted(bus: EventBus, error) -> None:
    states, progress = collect(bus, topics.APP_MODULE), collect(bus, topics.APP_PROGRESS)
    module = Crashing("navigation", error, crashes=1)
    supervisor = Supervisor(bus, [module], backoff_s=(0.01,))
    supervisor.start()
    try:
        wait_until(lambda: module.starts == 2 and supervisor.states["navigation"] == "running")
        restarting = [m.payload for m in states if m.payload.state == "restarting"]
        assert len(restarting) == 1
        assert type(error).__name__ in restarting[0].reason
        assert "test_supervision.py" in restarting[0].reason  # where it broke
        ended = [m.payload for m in progress if m.payload.fraction == 1.0]
        assert [p.task for p in ended] == ["thing"]  # no screen left on "Loading…"
        assert module.stops == 1  # stopped before it was started again
    finally:
        supervisor.stop()


def test_after_repeated_crashes_the_module_is_failed_and_the_rest_works(bus: EventBus) -> None:
    notices = collect(bus, topics.UI_NOTICE)
    broken, healthy = Crashing("voice", ValueError("no model"), crashes=99), Healthy()
    supervisor = Supervisor(bus, [healthy, broken], backoff_s=(0.01, 0.01, 0.01))
    supervisor.start()
    try:
        wait_until(lambda: supervisor.states["voice"] == "failed")
        time.sleep(0.1)
        assert broken.starts == MAX_RESTARTS + 1  # first start + restarts, then no more
        assert supervisor.states["healthy"] == "running"
        failed = [m.payload for m in notices if m.payload.level == "error"]
        assert len(failed) == 1
        assert failed[0].values[0] == "voice" and "no model" in failed[0].values[2]
        assert healthy.heard == [failed[0].text]  # the bus and the other modules go on
    finally:
        supervisor.stop()
    assert supervisor.states["healthy"] == "stopped"


def test_a_start_that_raises_is_a_failure_not_a_crash_of_the_app(bus: EventBus) -> None:
    class Unstartable(Healthy):
        name = "media"

        def start(self, bus: EventBus) -> None:
            raise OSError("no audio device")

    states = collect(bus, topics.APP_MODULE)
    healthy = Healthy()
    supervisor = Supervisor(bus, [Unstartable(), healthy], backoff_s=(60.0,))
    supervisor.start()
    try:
        assert supervisor.states == {"media": "restarting", "healthy": "running"}
        assert "OSError: no audio device" in states[1].payload.reason
    finally:
        supervisor.stop()


def test_a_thread_of_no_module_is_left_to_the_previous_hook(bus: EventBus) -> None:
    seen: list[str] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: seen.append(args.thread.name)
    supervisor = Supervisor(bus, [Healthy()])
    supervisor.start()
    try:
        thread = threading.Thread(target=lambda: 1 / 0, name="stranger")
        thread.start()
        thread.join()
        assert seen == ["stranger"]
        assert supervisor.states["healthy"] == "running"
    finally:
        supervisor.stop()
        threading.excepthook = previous


def test_the_map_screen_ends_loading_with_the_reason(gui_bus: EventBus, qtbot) -> None:
    from ui.viewmodels.map import MapViewModel

    view = MapViewModel(gui_bus)
    assert view.mapStatus == "Loading the map…"
    module = Crashing("navigation", EOFError("cache truncated"), crashes=99)
    supervisor = Supervisor(gui_bus, [module], backoff_s=(0.01, 0.01, 0.01))
    supervisor.start()
    try:
        qtbot.waitUntil(lambda: "Navigation stopped: EOFError: cache truncated" in view.mapStatus)
    finally:
        supervisor.stop()


def test_work_queued_on_a_module_worker_that_raises_is_a_crash_of_that_module(bus) -> None:
    from kernel.event_bus import WorkerThread

    class Loader:
        name, tasks = "navigation", ("map",)

        def __init__(self) -> None:
            self.starts = 0
            self.worker: WorkerThread | None = None

        def start(self, bus: EventBus) -> None:
            self.starts += 1
            self.worker = WorkerThread("navigation")
            if self.starts == 1:
                self.worker.dispatch(lambda: [][1])  # the map load's IndexError

        def stop(self) -> None:
            self.worker.stop(timeout=1)

    module = Loader()
    supervisor = Supervisor(bus, [module], backoff_s=(0.01,))
    supervisor.start()
    try:
        wait_until(lambda: module.starts == 2 and supervisor.states["navigation"] == "running")
    finally:
        supervisor.stop()


def test_every_module_compose_can_build_has_a_name_and_its_tasks() -> None:
    """The supervisor knows a module by `name` and ends its `tasks`; a module without them
    would stop the app at start."""
    from app.composition import fleet_link
    from kernel.settings import Settings
    from media.service import MediaService
    from navigation.service import NavigationService
    from vehicle.driving_state import UxRestrictionsService
    from vehicle.simulation import VehicleSimulation
    from vehicle_network.source import CanSource
    from voice.service import VoiceService
    from voice.tts import TtsService

    kinds = [UxRestrictionsService, VehicleSimulation, CanSource, NavigationService, TtsService,
             MediaService, VoiceService]
    names = [kind.name for kind in kinds]
    assert len(set(names)) == len(names)
    assert all(isinstance(kind.tasks, tuple) for kind in kinds)
    link = fleet_link(Settings(fleet_broker="mqtt://127.0.0.1:1", fleet_vehicle_id="bus-1"))
    assert link.name == "fleet" and link.tasks == ()
