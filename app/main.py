"""Composition root: settings, logging, the bus, the modules and the UI, wired together."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.settings import SettingsStore, state_dir

log = logging.getLogger("volant")

PROGRESS_WAIT_S = 120  # a screenshot waits this long at most for heavy loading to finish
SETTLE_S = 1.5  # and then this long: a vehicle tick after the map is ready puts the car on it


def setup_logging() -> Path:
    """Log to a rotating file in the user's state dir (and warnings to stderr)."""
    path = state_dir() / "volant.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    root.addHandler(console)
    return path


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"volant: --size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720") from None
    if width < 320 or height < 240:
        raise SystemExit(f"volant: --size {text!r}: at least 320x240")
    return width, height


def run_app(args: argparse.Namespace) -> int:
    """Start everything, run the Qt event loop (or take one screenshot), stop everything."""
    started = time.monotonic()
    size = parse_size(args.size)
    if args.offscreen or args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QT_QUICK_BACKEND", "software")
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")
    setup_logging()

    from kernel.qt_dispatch import QtDispatcher
    from kernel.recording import Player, Recorder
    from kernel.supervision import Supervisor
    from ui.application import application, run
    from ui.shell import Shell

    qapp = application()
    bus = EventBus()
    bus.subscribe(topics.BUS_ERROR, _log_bus_error, name="log")
    store = SettingsStore()
    settings = store.load()
    if getattr(args, "language", None):
        settings.language = args.language  # for this run; the settings file keeps its own

    recorder = Recorder(Path(args.record)) if getattr(args, "record", None) else None
    if recorder:
        recorder.start(bus)
    replay = getattr(args, "replay", None)
    offscreen = bool(args.offscreen or args.screenshot)
    shell = Shell(bus, settings, store, screen=args.screen, size=size, night=args.night,
                  cluster=bool(getattr(args, "cluster", False)) and not args.screenshot)
    shell.window.frameSwapped.connect(
        lambda: log.info("first frame after %.0f ms", (time.monotonic() - started) * 1e3),
        type=_single_shot())
    _next_frame(shell)  # the driver sees the screen before the modules load
    if store.problem:
        bus.publish(topics.UI_NOTICE, topics.Notice(store.problem, "warning"))
    # The modules' libraries (numba, scipy, QtMultimedia...) take seconds to import: only once
    # the driver sees the screen.
    from app.composition import Overrides, compose, vehicle_source_from_args

    try:
        modules = [] if replay else compose(settings, Overrides(
            offscreen=offscreen, vehicle_source=vehicle_source_from_args(args, settings),
            can_speed=getattr(args, "speed", 1.0), can_seek=getattr(args, "can_seek", None) or 0.0,
            can_until=getattr(args, "can_until", None)))
    except ValueError as exc:  # a CAN source's bad input, named by the loader
        print(f"volant: {exc}", file=sys.stderr)
        shell.close()
        bus.close()
        return 2
    supervisor = Supervisor(bus, modules, post=QtDispatcher().dispatch)
    loading = _Loading(bus, modules)
    supervisor.start()
    player = Player(Path(replay), speed=args.speed, loop=args.loop) if replay else None
    if player:
        player.start(bus)
        _quit_when_done(qapp, player)

    simulator = None
    if not (args.no_simulator or args.screenshot or replay):
        from ui.simulator import SimulatorWindow

        simulator = SimulatorWindow(bus)
        simulator.show()
    if not offscreen:
        shell.place(simulator)

    try:
        if args.screenshot:
            code = _screenshot(qapp, shell, Path(args.screenshot), started, loading)
        else:
            code = run(qapp)
    finally:
        if player:
            player.stop()
        shell.close()
        if simulator:
            simulator.close()
        supervisor.stop()
        dropped = bus.close()
        if recorder:
            recorder.stop()
        if dropped:
            log.warning("bus shutdown dropped %d queued messages", dropped)
    for failure in (recorder.failed if recorder else "", player.failed if player else ""):
        if failure:
            print(f"volant: {failure}", file=sys.stderr)
            code = code or 1
    return code


def _quit_when_done(qapp, player) -> None:
    """`volant replay` ends with its file (with --loop, when the file cannot be read)."""
    from PySide6.QtCore import QTimer

    timer = QTimer(qapp)
    timer.timeout.connect(lambda: player.done.is_set() and qapp.quit())
    timer.start(100)


def _next_frame(shell) -> None:
    """Run the event loop until the window has drawn a frame (at most 2 s)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    shell.window.frameSwapped.connect(loop.quit, type=_single_shot())
    shell.window.update()
    QTimer.singleShot(2000, loop.quit)
    loop.exec()


def _single_shot():
    from PySide6.QtCore import Qt

    return Qt.ConnectionType.SingleShotConnection


def _log_bus_error(msg: Message) -> None:
    err = msg.payload
    where = f" [{err.topic}]" if err.topic else ""
    log.warning("bus.error from %s%s: %s", err.source, where, err.message)


class _Loading:
    """The `app.progress` tasks the composed modules declare, until each has ended (done or
    failed): a screenshot waits for them even before a module's first progress report."""

    def __init__(self, bus: EventBus, modules: list) -> None:
        self.pending = {task for module in modules for task in module.tasks}
        self.ended_at = time.monotonic()  # when the last task ended
        # On the GUI thread, after the status bar's own subscription: when a task ends here,
        # the screen has had the same news.
        bus.subscribe(topics.APP_PROGRESS, self._on_progress, on="gui", name="screenshot wait")

    def _on_progress(self, msg: Message) -> None:
        if msg.payload.fraction >= 1.0 and msg.payload.task in self.pending:
            self.pending.discard(msg.payload.task)
            self.ended_at = time.monotonic()


def _screenshot(qapp, shell, path: Path, started: float, loading: _Loading) -> int:
    """Wait until the modules' heavy loading is done and a frame is drawn, then save."""
    from PySide6.QtCore import QEventLoop

    status = shell.view_models["statusInfo"]
    deadline = time.monotonic() + PROGRESS_WAIT_S
    started_wait = time.monotonic()

    def settling() -> bool:  # what follows a load (the map centred on the car) is drawn too
        return time.monotonic() < max(started_wait + 0.3, loading.ended_at + SETTLE_S)

    while time.monotonic() < deadline and (loading.pending or status.loading or settling()):
        qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    if loading.pending:
        log.warning("screenshot taken with %s still loading", ", ".join(sorted(loading.pending)))
    log.info("modules loaded after %.0f ms", (time.monotonic() - started) * 1e3)
    _next_frame(shell)
    image = shell.grab()
    path.parent.mkdir(parents=True, exist_ok=True)
    if image.isNull() or not image.save(str(path)):
        print(f"volant: could not write screenshot {path}", file=sys.stderr)
        return 1
    log.info("screenshot %s after %.0f ms", path, (time.monotonic() - started) * 1e3)
    return 0
