"""Dashboard under load: frames rendered per second offscreen while 50 signal updates arrive
every 100 ms (500 msgs/s spread over the dashboard's VSS signals), and the share of one core
the UI thread spends. Software rendering (QT_QUICK_BACKEND=software), as in CI.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")


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


def run(size: tuple[int, int]) -> tuple[float, float, float]:
    app = application()
    bus = EventBus()
    store = SettingsStore(Path(tempfile.mkdtemp()) / "settings.toml")
    shell = Shell(bus, store.load(), store, screen="dashboard", size=size)
    frames = 0

    def frame() -> None:
        nonlocal frames
        frames += 1

    shell.window.frameSwapped.connect(frame)
    stop = threading.Event()

    def feed() -> None:
        tick = 0
        while not stop.is_set():
            for i in range(UPDATES_PER_TICK):
                topic = SIGNALS[i % len(SIGNALS)]
                bus.publish(topic, VssFloat(50 + 40 * math.sin(tick / 10 + i)))
            tick += 1
            stop.wait(0.1)

    for _ in range(20):
        app.processEvents()
    feeder = threading.Thread(target=feed)
    feeder.start()
    frames = 0
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    while time.perf_counter() - wall0 < SECONDS:
        app.processEvents()
        time.sleep(0.001)
    cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
    stop.set()
    feeder.join()
    shell.close()
    bus.close()
    return frames / wall, cpu / wall, UPDATES_PER_TICK * 10


def main() -> None:
    print(f"{'size':10} {'frames/s':>9} {'UI thread CPU':>14} {'updates/s':>10}")
    for size in ((1280, 720), (800, 480)):
        fps, cpu, rate = run(size)
        print(f"{size[0]}x{size[1]:<5} {fps:>9.1f} {cpu:>13.0%} {rate:>10}")
    print("the dashboard redraws only when a value changes: 10 Hz data gives about 10 frames/s")


if __name__ == "__main__":
    main()
