"""Delivery of bus messages on the Qt GUI thread.

The bus is pure Python; view models subscribe with `on="gui"` and this dispatcher posts each
call into the Qt event loop, so QML-bound properties only ever change on the GUI thread.
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
    """Posts calls from any thread into the event loop of the GUI thread, in order."""

    def __init__(self) -> None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("QtDispatcher needs a QCoreApplication/QGuiApplication first")
        super().__init__()
        self.moveToThread(app.thread())

    def dispatch(self, call: Callable[[], None]) -> None:
        QCoreApplication.postEvent(self, _CallEvent(call))

    def event(self, event: QEvent) -> bool:
        if event.type() == _CALL:
            event.call()
            return True
        return super().event(event)
