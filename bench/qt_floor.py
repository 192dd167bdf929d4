"""The floor of a Qt Quick start on this machine, the peer of bench_startup.py and
bench_starts.py: a QApplication and a QQmlApplicationEngine loading a Window with one Text,
offscreen, software rendering, run in a fresh process the way the app is run. It prints the
same figures the app logs: "first frame after N ms" and "screenshot after N ms", both from the
start of its main (before PySide6 is imported, as the app's `run_app` imports it lazily).

    python bench/qt_floor.py [--size WxH] [--screenshot PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

QML = b"""
import QtQuick
Window {
    visible: true
    color: "black"
    Text { anchors.centerIn: parent; color: "white"; font.pixelSize: 48; text: "Volant" }
}
"""


def main() -> int:
    started = time.monotonic()
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--screenshot", default="")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtQml import QQmlApplicationEngine
    from PySide6.QtQuick import QQuickWindow
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    engine = QQmlApplicationEngine()
    engine.loadData(QML)
    window = engine.rootObjects()[0]
    if not isinstance(window, QQuickWindow):
        raise SystemExit("qt_floor: the QML root is not a window")
    window.resize(width, height)
    loop = QEventLoop()
    window.frameSwapped.connect(loop.quit, type=Qt.ConnectionType.SingleShotConnection)
    QTimer.singleShot(2000, loop.quit)
    loop.exec()
    print(f"first frame after {(time.monotonic() - started) * 1e3:.0f} ms", flush=True)
    if args.screenshot:
        if not window.grabWindow().save(args.screenshot):
            print(f"qt_floor: could not write {args.screenshot}", file=sys.stderr)
            return 1
        print(f"screenshot after {(time.monotonic() - started) * 1e3:.0f} ms", flush=True)
    del engine, app
    return 0


if __name__ == "__main__":
    sys.exit(main())
