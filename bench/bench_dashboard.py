"""Dashboard under load: frames rendered per second offscreen while 50 signal updates arrive
every 100 ms (500 msgs/s spread over the dashboard's VSS signals), and the share of one core
the UI thread spends. Software rendering (QT_QUICK_BACKEND=software), as in CI.

Peer, measured in the same run at the same size: a plain QML Window with as many Text items as
the dashboard shows (counted in it at run time), each bound to one of 11 values that a QTimer
on the UI thread sets 50 times every 100 ms, the same values in the same order: no bus, no
view models, no panels. It is the least Qt Quick can do to show that stream; ours/peer is what
the bus, the view models and the real panels cost. The peer redraws every text each tick.

    python bench/bench_dashboard.py [SECONDS]
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from PySide6.QtCore import QTimer
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickItem, QQuickWindow

from kernel import topics
from kernel.event_bus import EventBus
from kernel.settings import SettingsStore
from kernel.topics import VssFloat
from ui.application import application
from ui.shell import Shell

SECONDS = 10.0
UPDATES_PER_TICK = 50
SIGNALS = (topics.SPEED, topics.SOC, topics.RANGE, topics.PACK_TEMPERATURE, topics.MOTOR_POWER,
           topics.AIR_TEMPERATURE, topics.TRAVELED_DISTANCE, topics.BATTERY_POWER,
           topics.LATITUDE, topics.LONGITUDE, topics.HEADING)


def value(tick: int, i: int) -> float:
    return 50 + 40 * math.sin(tick / 10 + i)


def measure(window: QQuickWindow, seconds: float) -> tuple[float, float]:
    """(frames/s, UI thread CPU share) while the caller's feed runs."""
    app = application()
    frames = 0

    def frame() -> None:
        nonlocal frames
        frames += 1

    window.frameSwapped.connect(frame)
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    while time.perf_counter() - wall0 < seconds:
        app.processEvents()
        time.sleep(0.001)
    cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
    window.frameSwapped.disconnect(frame)
    return frames / wall, cpu / wall


def settle() -> None:
    for _ in range(20):
        application().processEvents()


def visible_texts(item: QQuickItem) -> int:
    own = int(item.inherits("QQuickText") and item.isVisible())
    return own + sum(visible_texts(child) for child in item.childItems())


def run(size: tuple[int, int], seconds: float) -> tuple[float, float, int]:
    """(frames/s, UI CPU share, visible Text items) of the dashboard fed through the bus."""
    application()
    bus = EventBus()
    store = SettingsStore(Path(tempfile.mkdtemp()) / "settings.toml")
    shell = Shell(bus, store.load(), store, screen="dashboard", size=size)
    stop = threading.Event()

    def feed() -> None:
        tick = 0
        while not stop.is_set():
            for i in range(UPDATES_PER_TICK):
                bus.publish(SIGNALS[i % len(SIGNALS)], VssFloat(value(tick, i)))
            tick += 1
            stop.wait(0.1)

    settle()
    texts = visible_texts(shell.window.contentItem())
    feeder = threading.Thread(target=feed)
    feeder.start()
    fps, cpu = measure(shell.window, seconds)
    stop.set()
    feeder.join()
    shell.close()
    bus.close()
    return fps, cpu, texts


def peer_qml(texts: int) -> bytes:
    values = "\n".join(f"    property real v{s}: 0" for s in range(len(SIGNALS)))
    items = "\n".join(f'        Text {{ color: "white"; font.pixelSize: 28; '
                      f'text: "{i}: " + root.v{i % len(SIGNALS)}.toFixed(1) }}'
                      for i in range(texts))
    return (f"import QtQuick\nWindow {{\n    id: root\n    visible: true\n    color: \"black\"\n"
            f"{values}\n    Flow {{\n        anchors.fill: parent\n        spacing: 24\n"
            f"{items}\n    }}\n}}\n").encode()


def run_peer(size: tuple[int, int], seconds: float, texts: int) -> tuple[float, float]:
    application()
    engine = QQmlApplicationEngine()
    engine.loadData(peer_qml(texts))
    window = engine.rootObjects()[0]
    window.resize(*size)
    tick = 0

    def update() -> None:
        nonlocal tick
        for i in range(UPDATES_PER_TICK):
            window.setProperty(f"v{i % len(SIGNALS)}", value(tick, i))
        tick += 1

    timer = QTimer()
    timer.timeout.connect(update)
    settle()
    timer.start(100)
    fps, cpu = measure(window, seconds)
    timer.stop()
    window.close()
    engine.deleteLater()
    settle()
    return fps, cpu


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}x" if peer else "-"


def row(*cells: object) -> str:
    return "{:10} {:24} {:>9} {:>14} {:>10}".format(*cells)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS
    print(row("size", "", "frames/s", "UI thread CPU", "updates/s"))
    for size in ((1280, 720), (800, 480)):
        fps, cpu, texts = run(size, seconds)
        peer_fps, peer_cpu = run_peer(size, seconds, texts)
        name = f"{size[0]}x{size[1]}"
        rate = UPDATES_PER_TICK * 10
        print(row(name, "Volant dashboard", f"{fps:.1f}", f"{cpu:.0%}", rate))
        print(row("", f"peer: {texts} QML Texts", f"{peer_fps:.1f}", f"{peer_cpu:.0%}", rate))
        print(row("", "ours/peer", ratio(fps, peer_fps), ratio(cpu, peer_cpu), ""))
    print("the dashboard redraws only when a value changes: 10 Hz data gives about 10 frames/s")


if __name__ == "__main__":
    main()
