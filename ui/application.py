"""The Qt application object, made here because only ui/ imports QtWidgets, and how it quits.

Ctrl+C and SIGTERM end the event loop like closing the window, so the composition root stops
the modules and flushes recordings. Python runs a signal handler only when it next gets
control; while Qt waits in C++ that could be never, so the signal also writes to a socket that
Qt watches (signal.set_wakeup_fd), which wakes the loop at once.
"""

from __future__ import annotations

import signal
import socket
import sys

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication


def application(name: str = "Volant") -> QApplication:
    """The process's QApplication (made once), quitting cleanly on SIGINT and SIGTERM."""
    existing = QApplication.instance()
    if existing is not None:
        return existing  # type: ignore[return-value]
    app = QApplication(sys.argv[:1])
    app.setApplicationName(name)
    _quit_on_signals(app)
    return app


def _quit_on_signals(app: QApplication) -> None:
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:
        try:
            while reader.recv(64):
                pass
        except BlockingIOError:
            pass

    notifier.activated.connect(drain)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _n, _f: _quit(app))
    app._signal_socket = (reader, writer, notifier)  # kept alive with the application


def _quit(app: QApplication) -> None:
    app.setProperty("quitRequested", True)  # a signal before exec() must end it at once
    app.quit()


def run(app: QApplication) -> int:
    """Run the event loop, unless a signal asked to quit while the app was starting."""
    return 0 if app.property("quitRequested") else app.exec()
