"""Media screen view model: now playing, browse lists and the commands the buttons send.

Every button only publishes a `media.command`; the player answers with `media.state`, so the
screen shows what the player really does. Text search is switched off while the vehicle moves
(ui.restrictions), and the screen says to use voice instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Property, QObject, QUrl, Signal, Slot

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.topics import MediaCommand, MediaLibrary, MediaState
from ui.i18n import tr

BROWSE_MODES = ("artist", "album", "playlist")
SEARCH_LIMIT = 50


def _clock(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


class MediaViewModel(QObject):
    changed = Signal()

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self._bus = bus
        self._state = MediaState()
        self._library = MediaLibrary()
        self._volume = 0
        self._browse = "artist"
        self._query = ""
        self._no_text = False
        self._max_items = 0
        self._lockout = ""
        self._subs = [
            bus.subscribe(topics.MEDIA_STATE, self._on_state, on="gui"),
            bus.subscribe(topics.MEDIA_LIBRARY, self._on_library, on="gui"),
            bus.subscribe(topics.MEDIA_VOLUME, self._on_volume, on="gui"),
            bus.subscribe(topics.UX_RESTRICTIONS, self._on_restrictions, on="gui"),
        ]

    def _on_state(self, msg: Message) -> None:
        self._state = msg.payload
        self.changed.emit()

    def _on_library(self, msg: Message) -> None:
        self._library = msg.payload
        self.changed.emit()

    def _on_volume(self, msg: Message) -> None:
        self._volume = int(msg.payload.value)
        self.changed.emit()

    def _on_restrictions(self, msg: Message) -> None:
        rules = msg.payload
        self._no_text = rules.no_text_entry
        self._max_items = rules.max_list_items
        self._lockout = rules.message
        self.changed.emit()

    # -- browse ------------------------------------------------------------------------------
    def _items(self) -> list[dict[str, str]]:
        """Rows for the list: search results while searching (parked), else the groups."""
        lib = self._library
        if self._query and not self._no_text:
            q = self._query.lower()
            rows = [{"label": t.title, "detail": t.artist, "action": "play", "value": t.path}
                    for t in lib.tracks if q in t.title.lower() or q in t.artist.lower()]
            rows = rows[:SEARCH_LIMIT]
        elif self._browse == "playlist":
            rows = [{"label": p.name, "detail": tr("%1 tracks", len(p.paths)),
                     "action": "play_playlist", "value": p.name} for p in lib.playlists]
        else:
            counts: dict[str, int] = {}
            for t in lib.tracks:
                name = getattr(t, self._browse)
                counts[name] = counts.get(name, 0) + 1
            rows = [{"label": name or tr("Unknown"), "detail": tr("%1 tracks", n),
                     "action": f"play_{self._browse}", "value": name}  # the library's own key
                    for name, n in sorted(counts.items())]
        if self._no_text and self._max_items > 0:
            rows = rows[:self._max_items]
        return rows

    def _cover_url(self) -> str:
        cover = self._state.cover
        return QUrl.fromLocalFile(cover).toString() if cover and Path(cover).is_file() else ""

    def _skipped_text(self) -> str:
        skipped = self._library.skipped
        if not skipped:
            return ""
        first = skipped[0]
        more = " " + tr("(+%1 more)", len(skipped) - 1) if len(skipped) > 1 else ""
        return tr("Skipped %1: %2", Path(first.path.split(": ")[0]).name, first.reason) + more

    # -- commands ----------------------------------------------------------------------------
    def _send(self, action: str, value: str = "") -> None:
        self._bus.publish(topics.MEDIA_COMMAND, MediaCommand(action, value))

    @Slot()
    def toggle(self) -> None:
        self._send("toggle")

    @Slot()
    def next(self) -> None:
        self._send("next")

    @Slot()
    def previous(self) -> None:
        self._send("previous")

    @Slot(float)
    def seekFraction(self, fraction: float) -> None:
        self._send("seek", str(int(max(0.0, min(1.0, fraction)) * self._state.duration_ms)))

    @Slot()
    def toggleShuffle(self) -> None:
        self._send("shuffle", "off" if self._state.shuffle else "on")

    @Slot()
    def cycleRepeat(self) -> None:
        modes = ("off", "all", "one")
        self._send("repeat", modes[(modes.index(self._state.repeat) + 1) % len(modes)]
                   if self._state.repeat in modes else "off")

    @Slot(int)
    def changeVolume(self, delta: int) -> None:
        self._send("volume", f"{delta:+d}")

    @Slot(str)
    def setBrowse(self, mode: str) -> None:
        if mode in BROWSE_MODES:
            self._browse = mode
            self._query = ""
            self.changed.emit()

    @Slot(str)
    def search(self, text: str) -> None:
        self._query = text.strip()
        self.changed.emit()

    @Slot(str, str)
    def choose(self, action: str, value: str) -> None:
        self._send(action, value)

    title = Property(str, lambda self: self._state.title or tr("Nothing playing"), notify=changed)
    artist = Property(str, lambda self: self._state.artist, notify=changed)
    album = Property(str, lambda self: self._state.album, notify=changed)
    status = Property(str, lambda self: self._state.status, notify=changed)
    playing = Property(bool, lambda self: self._state.status == "playing", notify=changed)
    progress = Property(float, lambda self: (self._state.position_ms / self._state.duration_ms
                                             if self._state.duration_ms else 0.0),
                        notify=changed)
    positionText = Property(str, lambda self: _clock(self._state.position_ms), notify=changed)
    durationText = Property(str, lambda self: _clock(self._state.duration_ms), notify=changed)
    shuffle = Property(bool, lambda self: self._state.shuffle, notify=changed)
    repeat = Property(str, lambda self: self._state.repeat, notify=changed)
    cover = Property(str, _cover_url, notify=changed)
    volume = Property(int, lambda self: self._volume, notify=changed)
    browse = Property(str, lambda self: self._browse, notify=changed)
    items = Property("QVariantList", _items, notify=changed)
    searchAllowed = Property(bool, lambda self: not self._no_text, notify=changed)
    lockoutText = Property(str, lambda self: self._lockout or "Search is off while driving: "
                           "say “play …” instead", notify=changed)
    scanning = Property(bool, lambda self: self._library.scanning, notify=changed)
    trackCount = Property(int, lambda self: len(self._library.tracks), notify=changed)
    skippedText = Property(str, _skipped_text, notify=changed)
