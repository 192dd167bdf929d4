"""Running calls on a Qt thread's event loop, from any thread.

The bus is pure Python; view models subscribe with `on="gui"` and ui/ installs a dispatcher
that posts each call into the GUI thread's event loop, so QML-bound properties only ever change
there. Core modules whose real component is a Qt object (media's QMediaPlayer) use the same
dispatcher to hand bus messages to the thread that owns that object.
It posts a QEvent rather than emitting a queued signal: cheaper per message, and immune to the
PySide6 6.12.0 emit() refcount bug that the version pin in pyproject.toml avoids elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject

_CALL = QEvent.Type(QEvent.registerEventType())


class _CallEvent(QEvent):
    def __init__(self, call: Callable[[], None]) -> None:
        super().__init__(_CALL)
        self.call = call


class QtDispatcher(QObject):
    """Runs posted calls, in order, on the thread that created it (which must run a Qt event
    loop: the GUI thread, or a QThread)."""

    def __init__(self) -> None:
        if QCoreApplication.instance() is None:
            raise RuntimeError("QtDispatcher needs a QCoreApplication/QGuiApplication first")
        super().__init__()

    def dispatch(self, call: Callable[[], None]) -> None:
        QCoreApplication.postEvent(self, _CallEvent(call))

    def event(self, event: QEvent) -> bool:
        if event.type() == _CALL:
            event.call()
            return True
        return super().event(event)
