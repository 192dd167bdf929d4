"""Day/night palette and a size scale for QML, following HMI.DayNightMode.

Exposed to QML as the context property `theme`. The scale lets one layout read well at both
800x480 and 1280x720: font and touch-target sizes multiply by `theme.scale`.
"""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal, Slot

from kernel import topics
from kernel.event_bus import EventBus, Message

_DAY = {
    "background": "#eef1f5", "surface": "#ffffff", "text": "#101418", "muted": "#5a6470",
    "accent": "#0a66c2", "ok": "#1a7f37", "warning": "#b35c00", "critical": "#c62828",
    "border": "#c9d1db",
}
_NIGHT = {
    "background": "#0b0f14", "surface": "#161c24", "text": "#e8edf2", "muted": "#8c98a5",
    "accent": "#4ea3ff", "ok": "#3fb950", "warning": "#f0a020", "critical": "#ff5252",
    "border": "#2a333e",
}


class Theme(QObject):
    changed = Signal()

    def __init__(self, bus: EventBus | None = None, night: bool = False) -> None:
        super().__init__()
        self._night = night
        self._scale = 1.0
        if bus is not None:
            bus.subscribe(topics.DAY_NIGHT_MODE, self._on_mode, on="gui", name="theme")

    def _on_mode(self, msg: Message) -> None:
        self.setNight(str(msg.payload.value).upper() == "NIGHT")

    @Slot(bool)
    def setNight(self, night: bool) -> None:
        if night != self._night:
            self._night = night
            self.changed.emit()

    @Slot(int, int)
    def fitTo(self, width: int, height: int) -> None:
        """Scale sizes to the window: 1.0 at 1280x720, ~0.67 at 800x480."""
        scale = max(0.5, min(width / 1280, height / 720))
        if abs(scale - self._scale) > 1e-3:
            self._scale = scale
            self.changed.emit()

    def _palette(self) -> dict[str, str]:
        return _NIGHT if self._night else _DAY

    night = Property(bool, lambda self: self._night, notify=changed)
    scale = Property(float, lambda self: self._scale, notify=changed)
    background = Property(str, lambda self: self._palette()["background"], notify=changed)
    surface = Property(str, lambda self: self._palette()["surface"], notify=changed)
    text = Property(str, lambda self: self._palette()["text"], notify=changed)
    muted = Property(str, lambda self: self._palette()["muted"], notify=changed)
    accent = Property(str, lambda self: self._palette()["accent"], notify=changed)
    ok = Property(str, lambda self: self._palette()["ok"], notify=changed)
    warning = Property(str, lambda self: self._palette()["warning"], notify=changed)
    critical = Property(str, lambda self: self._palette()["critical"], notify=changed)
    border = Property(str, lambda self: self._palette()["border"], notify=changed)
