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


def test_the_desktop_window_plugin_finds_every_library_it_needs() -> None:
    """A fresh desktop with the README's packages (debian-packages.txt) must open a window:
    Qt's xcb plugin aborted the start when libxcb-icccm4 / libxcb-keysyms1 were missing."""
    import subprocess
    from pathlib import Path

    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    linked = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True)
    missing = [line.split()[0] for line in linked.stdout.splitlines() if "not found" in line]
    assert missing == [], f"add their packages to debian-packages.txt: {missing}"
