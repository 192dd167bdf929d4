"""One `changed` signal per turn of the event loop, however many bus messages arrived in it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class ChangeBatch:
    """Call it for each change; the view model's `changed` is emitted once, on the next turn.

    A view model notifies all its properties with one signal, so each emit makes QML evaluate
    every binding on it again; a burst of vehicle signals then costs one evaluation, not one per
    signal. Property getters read the state directly, so a value is never stale, only its
    repaint waits for the turn."""

    def __init__(self, owner: QObject, emit: Callable[[], None]) -> None:
        self._timer = QTimer(owner, singleShot=True, interval=0)
        self._timer.timeout.connect(emit)

    def __call__(self) -> None:
        if not self._timer.isActive():
            self._timer.start()
