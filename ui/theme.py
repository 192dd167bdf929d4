"""Day/night mode and the density of the screen, for the QML Theme (ui/qml/controls/Theme.qml).

Every size in the QML is in dp (density-independent pixels, 160 dp to the inch, as Android for
Cars counts them), so a touch target or a text is as large under the driver's finger and eye on
a 7" screen as on a 10.1" one. The physical size is assumed from the window: 800x480 is a 7"
screen, 1280x720 a 10.1" one, and other sizes take the pixel density interpolated between the
two by their diagonal in pixels (clamped to the two). `px_per_dp = ppi / 160`.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Property, QObject, Signal, Slot

from kernel import topics
from kernel.event_bus import EventBus, Message

DP_PER_INCH = 160.0
# (pixels across the diagonal, assumed inches): the two screens the layout is made for
SMALL = (math.hypot(800, 480), 7.0)
LARGE = (math.hypot(1280, 720), 10.1)


def px_per_dp(width: int, height: int) -> float:
    """Pixels per dp on the screen assumed for a window of this size."""
    small_ppi, large_ppi = SMALL[0] / SMALL[1], LARGE[0] / LARGE[1]
    diagonal = math.hypot(width, height)
    t = min(1.0, max(0.0, (diagonal - SMALL[0]) / (LARGE[0] - SMALL[0])))
    return (small_ppi + t * (large_ppi - small_ppi)) / DP_PER_INCH


class Theme(QObject):
    """Night mode (HMI.DayNightMode on the bus, or the setting) and `dp` for the window size."""

    changed = Signal()

    def __init__(self, bus: EventBus | None = None, night: bool = False) -> None:
        super().__init__()
        self._night = night
        self._dp = px_per_dp(1280, 720)
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
        dp = px_per_dp(width, height)
        if abs(dp - self._dp) > 1e-4:
            self._dp = dp
            self.changed.emit()

    night = Property(bool, lambda self: self._night, notify=changed)
    dp = Property(float, lambda self: self._dp, notify=changed)
