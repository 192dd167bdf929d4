"""The vehicle's signals from its CAN bus: a live python-can interface or a CAN log replayed.

One reader thread decodes frames (vehicle_network.decoder) and publishes the VSS values on the
bus, as the vehicle simulation would; a value whose signal stops arriving is published again
marked stale. VSS targets of `vss2dbc` mappings published by others (a screen, voice) are
encoded and sent as CAN frames on the live interface.

Time is the source's: a log's timestamps (paced by `speed`, 0 = as fast as possible), or the
frames' receive time on a live bus. Intervals and staleness are measured in it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path
from typing import Any

import can

from kernel import topics
from kernel.event_bus import BusClosed, EventBus, Message, Subscription
from kernel.topics import Progress, VehicleInfo, VehicleSource, VehicleWarning, VehicleWarnings
from vehicle_network.dbc import CanInputError, load_dbc
from vehicle_network.decoder import FrameDecoder
from vehicle_network.frames import Frame, LogFrames
from vehicle_network.mapping import NO_VALUE, Dbc2Vss, Vss2Dbc, load_mappings

log = logging.getLogger(__name__)
RECV_TIMEOUT_S = 0.1
YIELD_EVERY = 256  # frames
SEEK_PROGRESS_EVERY = 5000  # frames
LOW_SOC, VERY_LOW_SOC = 15.0, 5.0


def parse_interface(text: str) -> tuple[str, str]:
    """"vcan0" -> socketcan on vcan0; "virtual:test" -> python-can's virtual bus "test"."""
    interface, _, channel = text.partition(":")
    if not channel:
        return "socketcan", interface
    if interface not in can.VALID_INTERFACES:
        raise CanInputError(f"--can-interface {text}: unknown python-can interface "
                            f"{interface!r}")
    return interface, channel


class CanSource:
    """A module (start/stop) driving the vehicle signals from CAN."""

    name = "vehicle-network"  # the supervisor's name for it; its threads are named after it
    tasks: tuple[str, ...] = ()

    def __init__(self, dbc: str | Path, mappings: list[str | Path], *,
                 log_file: str | Path | None = None, interface: str | None = None,
                 speed: float = 1.0, seek_s: float = 0.0, until_s: float | None = None,
                 info: VehicleInfo | None = None,
                 can_bus: can.BusABC | None = None) -> None:
        if (log_file is None) == (interface is None and can_bus is None):
            raise CanInputError("give either a CAN log or a CAN interface")
        if speed < 0 or seek_s < 0 or (until_s is not None and until_s < seek_s):
            raise CanInputError("--speed and --can-seek must be >= 0, --can-until >= --can-seek")
        self.dbc = load_dbc(dbc)
        self.mapping = load_mappings(list(mappings), self.dbc)
        self.decoder = FrameDecoder(self.dbc, self.mapping)
        self.frames = LogFrames(log_file) if log_file is not None else None
        self.interface = interface
        self._interface = parse_interface(interface) if interface else None
        self.speed = speed
        self.seek_s = seek_s
        self.until_s = until_s
        self.info = info
        self._can_bus = can_bus
        self._owns_can_bus = can_bus is None
        self._bus: EventBus | None = None
        self._subs: list[Subscription] = []
        self._sent: dict[str, Any] = {}  # path -> the payload we published last (not a target)
        self._encode_state: dict[str, dict[str, Any]] = {}
        self._warnings: tuple[VehicleWarning, ...] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()
        self.paused = threading.Event()

    def describe(self) -> VehicleSource:
        detail = " + ".join([self.dbc.path.name, *(p.name for p in self.mapping.files)])
        if self.frames is not None:
            return VehicleSource("can-log", str(self.frames.path), detail)
        return VehicleSource("can-interface", self.interface or "python-can bus", detail)

    # -- module ----------------------------------------------------------------------------
    def start(self, bus: EventBus, *, run_thread: bool = True) -> None:
        self._bus = bus
        bus.publish(topics.VEHICLE_SOURCE, self.describe())
        if self.info is not None:
            bus.publish(topics.VEHICLE_INFO, self.info)
        if self._can_bus is None and self._interface is not None:
            kind, channel = self._interface
            self._can_bus = can.Bus(interface=kind, channel=channel)
        if self._can_bus is not None:
            for target in self.mapping.vss2dbc:
                self._subs.append(bus.subscribe(
                    target.path, lambda msg, t=target: self._send(t, msg), on="worker",
                    name=f"can vss2dbc {target.path}"))
        if run_thread:
            self._thread = threading.Thread(target=self._run, name="vehicle-network-can",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        for sub in self._subs:
            sub.unsubscribe()
        self._subs = []
        if self._can_bus is not None and self._owns_can_bus:
            self._can_bus.shutdown()
            self._can_bus = None

    def _run(self) -> None:
        try:
            if self.frames is not None:
                self._replay()
            else:
                self._listen()
        except BusClosed:
            pass
        except Exception as exc:  # never die silently: say why the vehicle went quiet
            log.exception("CAN source failed")
            if self._bus is not None:
                self._bus.report("can source", f"{type(exc).__name__}: {exc}")
        finally:
            self.finished.set()

    # -- log replay ----------------------------------------------------------------------------
    def run_to_end(self) -> None:
        """Feed the whole log on the calling thread at once (tests, benchmarks)."""
        assert self.frames is not None
        for frame in self.frames:
            self.feed(frame)
        self._report_malformed()

    def feed(self, frame: Frame) -> None:
        """One frame of a log: its VSS updates published, then the staleness check."""
        updates = self.decoder.feed(frame.t, frame.frame_id, frame.extended, frame.data,
                                    frame.where)
        if updates:
            self._publish(updates)
        if frame.t >= self.decoder.next_stale_check:
            self.check_stale(frame.t)

    def _replay(self) -> None:
        assert self.frames is not None
        started = time.monotonic()
        last_t = 0.0
        seeking = self.seek_s > 0
        if seeking:
            self._seek_progress(0.0)
        for frame in self.frames:
            if self._stop.is_set():
                return
            if seeking and frame.t > self.seek_s:
                seeking = False
                self._seek_progress(1.0)
                started = time.monotonic()
            if self.until_s is not None and frame.t > self.until_s:
                self.paused.set()  # held here: the values stay, nothing goes stale
                self._report_malformed()
                return
            last_t = frame.t
            if seeking and self.decoder.stats.frames % SEEK_PROGRESS_EVERY == 0:
                self._seek_progress(frame.t / self.seek_s)
            if self.speed > 0 and frame.t > self.seek_s:
                delay = started + (frame.t - self.seek_s) / self.speed - time.monotonic()
                if delay > 0.002 and self._stop.wait(delay):
                    return
            elif self.decoder.stats.frames % YIELD_EVERY == 0:
                time.sleep(0)  # fast-forwarding: let the UI thread have the GIL
            self.feed(frame)
        if seeking:
            self._seek_progress(1.0)
        self._report_malformed()
        ended = time.monotonic()
        # The log is over: the vehicle is silent, so its signals go stale on their timeouts.
        while not self._stop.wait(0.1):
            if not self.check_stale(last_t + (time.monotonic() - ended) * (self.speed or 1.0)) \
                    and all(m.stale or m.published is None for m in self.mapping.dbc2vss):
                return

    def _seek_progress(self, fraction: float) -> None:
        """Fast-forwarding to --can-seek is loading: the screens show it (and a screenshot
        waits for it)."""
        assert self._bus is not None
        self._bus.publish(topics.APP_PROGRESS, Progress.of(
            "can-seek", min(1.0, fraction), "Replaying the CAN log to %1 s",
            f"{self.seek_s:g}"))

    def _report_malformed(self) -> None:
        assert self.frames is not None and self._bus is not None
        stats = self.decoder.stats
        if self.frames.malformed:
            self._bus.report("can source", f"{self.frames.path}: {self.frames.malformed} "
                             f"malformed record(s) skipped; first at {self.frames.first_malformed}")
        if stats.errors:
            self._bus.report("can source", f"{self.frames.path}: {sum(stats.errors.values())} "
                             f"frame(s) the DBC could not decode; first at {stats.first_error}")

    # -- live interface ------------------------------------------------------------------------
    def _listen(self) -> None:
        assert self._can_bus is not None
        while not self._stop.is_set():
            msg = self._can_bus.recv(RECV_TIMEOUT_S)
            if msg is not None and not (msg.is_error_frame or msg.is_remote_frame):
                self._publish(self.decoder.feed(msg.timestamp, msg.arbitration_id,
                                                msg.is_extended_id, bytes(msg.data)))
            self.check_stale(time.time())

    # -- publishing ----------------------------------------------------------------------------
    def _publish(self, updates: list[tuple[Dbc2Vss, Any]] | tuple) -> None:
        bus = self._bus
        assert bus is not None
        for m, payload in updates:
            self._sent[m.path] = payload
            bus.publish(m.path, payload)
            if m.path == topics.SOC:
                self._update_warnings()

    def check_stale(self, now: float) -> bool:
        """Publish the signals that went stale by `now` (source time); True if any did."""
        stale = self.decoder.newly_stale(now)
        if not stale:
            return False
        assert self._bus is not None
        for m in stale:
            payload = type(m.published)(m.published.value, stale=True)
            self._sent[m.path] = payload
            self._bus.publish(m.path, payload)
        self._update_warnings()
        return True

    def _update_warnings(self) -> None:
        """Low battery from a fresh state of charge, and signals lost; stale values never
        raise a battery warning."""
        items: list[VehicleWarning] = []
        soc = self._sent.get(topics.SOC)
        if soc is not None and not soc.stale:
            if soc.value < VERY_LOW_SOC:
                items.append(VehicleWarning.of("low_battery", "critical",
                                               "Battery very low: %1 %", f"{soc.value:.0f}"))
            elif soc.value < LOW_SOC:
                items.append(VehicleWarning.of("low_battery", "warning", "Battery low: %1 %",
                                               f"{soc.value:.0f}"))
        lost = sum(1 for m in self.mapping.dbc2vss if m.stale)
        if lost:
            items.append(VehicleWarning.of("signals_lost", "warning",
                                           "No data from the vehicle: %1 signals", str(lost)))
        warnings = tuple(items)
        if warnings != self._warnings:
            self._warnings = warnings
            assert self._bus is not None
            self._bus.publish(topics.VEHICLE_WARNINGS, VehicleWarnings(warnings))

    # -- vss2dbc -------------------------------------------------------------------------------
    def _send(self, target: Vss2Dbc, msg: Message) -> None:
        if msg.payload is self._sent.get(target.path) or msg.payload.stale:
            return  # our own actual value, not a target
        value = target.convert(msg.payload.value)
        if value is NO_VALUE:
            self._report(f"vss2dbc {target.path}: no DBC value for {msg.payload.value!r}")
            return
        message = self.dbc.db.get_message_by_name(target.message)
        state = self._encode_state.setdefault(target.message, {
            s.name: _default(s) for s in message.signals})
        state[target.signal] = value
        try:
            data = message.encode(state, strict=True)
        except Exception as exc:  # cantools EncodeError: value out of the signal's range
            self._report(f"vss2dbc {target.path} -> {target.signal}: {exc}")
            return
        assert self._can_bus is not None
        self._can_bus.send(can.Message(arbitration_id=message.frame_id, data=data,
                                       is_extended_id=message.is_extended_frame))

    def _report(self, text: str) -> None:
        if self._bus is not None:
            with contextlib.suppress(BusClosed):
                self._bus.report("can source", text)


def _default(signal) -> Any:
    """A signal's value in a frame we send before anyone set it: its initial value, else 0
    kept inside its range."""
    if signal.initial is not None:
        return signal.initial
    low = signal.minimum if signal.minimum is not None else 0
    high = signal.maximum if signal.maximum is not None else 0
    return min(max(0, low), high) if high >= low else 0
