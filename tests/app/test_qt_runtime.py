"""Guards on the Qt runtime the UI depends on."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(float)


def test_signal_emit_keeps_python_bool_refcounts(qapp) -> None:
    """PySide6 6.12.0 over-releases Py_True on every emit() and aborts the interpreter after a
    few hundred emits; pyproject.toml excludes that release. This catches a regression."""
    emitter = _Emitter()
    received: list[float] = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(50):
        emitter.fired.emit(1.0)
    assert len(received) == 50
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
