"""Alert chimes: the project's own WAVs (assets/sounds, made by assets/make_chimes.py) played
through QtMultimedia when a vehicle warning appears (the critical chime for a critical one)
and for a warning or error notice; the stop request chime when a passenger asks for the bus's
next stop.

One QMediaPlayer per chime, its file loaded once at start; FFmpeg decodes and plays on Qt's own
threads, so `play` only starts it and the UI thread never waits on audio. Without an audio
device Qt plays a chime silently to its end (what the tests observe).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.players import retire

log = logging.getLogger(__name__)
SOUNDS = Path(__file__).resolve().parent.parent / "assets" / "sounds"
CHIMES = ("warning", "critical", "stop_request")
VOLUME = 0.9  # alerts are heard over the music whatever its volume
ALERT_LEVELS = {"warning": "warning", "critical": "critical"}  # vehicle warning -> chime
NOTICE_LEVELS = ("warning", "error")


class Chimes(QObject):
    played = Signal(str)  # a chime was started: its name

    def __init__(self, bus: EventBus, folder: Path = SOUNDS) -> None:
        super().__init__()
        self.players: dict[str, QMediaPlayer] = {}
        for name in CHIMES:
            player = QMediaPlayer(self)
            output = QAudioOutput(player)
            output.setVolume(VOLUME)
            player.setAudioOutput(output)
            player.errorOccurred.connect(
                lambda _error, text, name=name: log.error("chime %s: %s", name, text))
            player.setSource(QUrl.fromLocalFile(str(folder / f"{name}.wav")))
            self.players[name] = player
        self._active: set[str] = set()  # codes of the vehicle warnings already chimed for
        self._requested: tuple[str, str] | None = None  # (line, stop) already chimed for
        self._subs = [bus.subscribe(topics.VEHICLE_WARNINGS, self._on_warnings, on="gui"),
                      bus.subscribe(topics.UI_NOTICE, self._on_notice, on="gui"),
                      bus.subscribe(topics.NAV_BUS_NEXT_STOP, self._on_next_stop, on="gui")]

    def play(self, name: str) -> None:
        """Start the chime from its beginning (a chime already sounding starts again)."""
        player = self.players[name]
        player.setPosition(0)
        player.play()
        self.played.emit(name)

    def _on_warnings(self, msg: Message) -> None:
        """A chime for each warning that was not there before; a warning still active when the
        set is published again is not chimed twice."""
        items = msg.payload.items
        new = [w.level for w in items if w.code not in self._active and w.level in ALERT_LEVELS]
        self._active = {w.code for w in items}
        if new:
            self.play("critical" if "critical" in new else "warning")

    def _on_next_stop(self, msg: Message) -> None:
        """One chime per stop asked for, however often the request is published again."""
        stop = msg.payload
        requested = (stop.line, stop.name) if stop.requested else None
        if requested is not None and requested != self._requested:
            self.play("stop_request")
        self._requested = requested

    def _on_notice(self, msg: Message) -> None:
        if msg.payload.level in NOTICE_LEVELS:
            self.play("warning")

    def close(self) -> None:
        """Stop listening, then retire the players on this thread (kernel.players)."""
        for sub in self._subs:
            sub.unsubscribe()
        self._subs = []
        retire(self.players.values())
        self.players = {}
