"""The status bar's view model: clock, outside temperature, battery, voice state, notices,
progress of heavy loading (map graph, speech model), and the fleet link with the operator's
message waiting for the driver's acknowledgement."""

from __future__ import annotations

import time

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.units import Units
from ui.i18n import screen_language, tr
from ui.viewmodels.batch import ChangeBatch

NOTICE_SECONDS = 6


class StatusViewModel(QObject):
    changed = Signal()

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self._changed_soon = ChangeBatch(self, self.changed.emit)
        self._clock = time.strftime("%H:%M")
        self._outside = float("nan")
        self._soc = float("nan")
        self._range_m = float("nan")
        self._playing = ""
        self._voice = "off"
        self._notice: topics.Notice | None = None
        self._progress: dict[str, topics.Progress] = {}
        self._fleet: topics.FleetLinkState | None = None
        self._fleet_message = topics.DriverMessage("")
        self._bus = bus
        self._units = Units.on(bus)
        self._timer = QTimer(self, interval=1000, timeout=self._tick)
        self._timer.start()
        self._notice_timer = QTimer(self, singleShot=True, timeout=self._clear_notice)
        self._subs = [
            bus.subscribe(topics.AIR_TEMPERATURE, self._on_outside, on="gui"),
            bus.subscribe(topics.SOC, self._on_soc, on="gui"),
            bus.subscribe(topics.RANGE, self._on_range, on="gui"),
            bus.subscribe(topics.MEDIA_STATE, self._on_media, on="gui"),
            bus.subscribe(topics.VOICE_STATE, self._on_voice, on="gui"),
            bus.subscribe(topics.UI_NOTICE, self._on_notice, on="gui"),
            bus.subscribe(topics.APP_PROGRESS, self._on_progress, on="gui"),
            bus.subscribe(topics.DISTANCE_UNIT, self._on_units, on="gui"),
            bus.subscribe(topics.TEMPERATURE_UNIT, self._on_units, on="gui"),
            bus.subscribe(topics.FLEET_LINK, self._on_fleet, on="gui"),
            bus.subscribe(topics.FLEET_DRIVER_MESSAGE, self._on_fleet_message, on="gui"),
        ]

    def _tick(self) -> None:
        now = time.strftime("%H:%M")
        if now != self._clock:
            self._clock = now
            self._changed_soon()

    def _on_outside(self, msg: Message) -> None:
        self._outside = _fresh(msg)
        self._changed_soon()

    def _on_units(self, _msg: Message) -> None:
        self._units = Units.on(self._bus)
        self._changed_soon()

    def _on_soc(self, msg: Message) -> None:
        self._soc = _fresh(msg)
        self._changed_soon()

    def _on_range(self, msg: Message) -> None:
        self._range_m = _fresh(msg)
        self._changed_soon()

    def _on_media(self, msg: Message) -> None:
        state = msg.payload
        playing = state.status == "playing" and state.title
        self._playing = f"{state.title} — {state.artist}" if playing and state.artist \
            else (state.title if playing else "")
        self._changed_soon()

    def _on_voice(self, msg: Message) -> None:
        self._voice = msg.payload.state
        self._changed_soon()

    def _on_notice(self, msg: Message) -> None:
        self._notice = msg.payload
        self._notice_timer.start(NOTICE_SECONDS * 1000)
        self._changed_soon()

    def _clear_notice(self) -> None:
        self._notice = None
        self._changed_soon()

    def _on_progress(self, msg: Message) -> None:
        p = msg.payload
        if p.fraction >= 1.0:
            self._progress.pop(p.task, None)
        else:
            self._progress[p.task] = p
        self._changed_soon()

    def _on_fleet(self, msg: Message) -> None:
        self._fleet = msg.payload
        self._changed_soon()

    def _on_fleet_message(self, msg: Message) -> None:
        self._fleet_message = msg.payload
        self._changed_soon()

    def _fleet_text(self) -> str:
        """Empty without a fleet link; else connected, or offline with the messages waiting."""
        if self._fleet is None:
            return ""
        if self._fleet.state == "connected":
            return tr("fleet connected")
        if self._fleet.state == "off":
            return tr("fleet link off")
        return tr("fleet offline, %1 waiting", self._fleet.backlog)

    @Slot()
    def acknowledgeFleetMessage(self) -> None:
        """The driver has read the operator's message: the fleet link reports it."""
        if self._fleet_message.id:
            self._bus.publish(topics.FLEET_DRIVER_ACK, topics.DriverAck(self._fleet_message.id))

    @property
    def loading(self) -> bool:
        return bool(self._progress)

    def _progress_text(self) -> str:
        if not self._progress:
            return ""
        p = next(iter(self._progress.values()))
        return f"{_shown(p) or p.task} {p.fraction:.0%}"

    clock = Property(str, lambda self: self._clock, notify=changed)
    outside = Property(str, lambda self: "--" if self._outside != self._outside
                       else self._units.temperature(self._outside), notify=changed)
    battery = Property(str, lambda self: "--" if self._soc != self._soc
                       else f"{self._soc:.0f}%", notify=changed)
    batteryLow = Property(bool, lambda self: self._soc == self._soc and self._soc < 15,
                          notify=changed)
    range = Property(str, lambda self: "--" if self._range_m != self._range_m
                     else self._units.length(self._range_m, 0, screen_language()),
                     notify=changed)
    nowPlaying = Property(str, lambda self: self._playing, notify=changed)
    voice = Property(str, lambda self: self._voice, notify=changed)
    notice = Property(str, lambda self: _shown(self._notice) if self._notice else "",
                      notify=changed)
    noticeLevel = Property(str, lambda self: self._notice.level if self._notice else "info",
                           notify=changed)
    progress = Property(str, _progress_text, notify=changed)
    fleet = Property(str, _fleet_text, notify=changed)
    fleetOnline = Property(bool, lambda self: self._fleet is not None
                           and self._fleet.state == "connected", notify=changed)
    fleetMessage = Property(str, lambda self: self._fleet_message.text,
                            notify=changed)


def _fresh(msg: Message) -> float:
    """A VSS value, or NaN ("--") when its source stopped sending it."""
    return float("nan") if msg.payload.stale else msg.payload.value


def _shown(message: topics.Notice | topics.Progress) -> str:
    """In the driver's language where the service sent a template; as sent otherwise."""
    return tr(message.template, *message.values) if message.template else message.text
