"""Soak: one simulated hour at 20x (three minutes) with voice, media and navigation active.

The car drives back and forth between two places on the default map, music plays, and every
simulated minute the driver asks something. Reported: memory growth (RSS after warm-up vs at
the end), bus messages published vs delivered to a counting subscriber on its own thread,
messages dropped at shutdown, and bus.error reports. Goal: flat memory, zero drops.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from app.composition import Overrides, compose, find
from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.settings import Settings, cache_dir
from kernel.topics import MediaCommand, RouteRequest, Utterance
from media.service import MediaService
from navigation.service import NavigationService
from ui.application import application
from vehicle.simulation import VehicleSimulation

SIM_SECONDS = 3600
FACTOR = 20
PLACES = ("Hakaniemenranta", "Bulevardi")
QUESTIONS = ("what is the battery level", "what is the range", "volume up", "volume down")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else SIM_SECONDS / 60
    app = application()
    bus = EventBus()
    counts = {"published": 0, "delivered": 0, "errors": 0, "arrivals": 0}
    lock = threading.Lock()

    def delivered(msg: Message) -> None:
        with lock:
            counts["delivered"] += 1

    def counted(msg: Message) -> None:
        counts["published"] += 1  # inline: runs on the publisher's thread, once per message
        if msg.topic == topics.BUS_ERROR:
            counts["errors"] += 1
        if msg.topic == topics.NAV_EVENT and msg.payload.kind == "arrived":
            counts["arrivals"] += 1

    bus.subscribe("#", counted, name="count published")
    bus.subscribe("#", delivered, on="worker", name="count delivered")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        modules = compose(Settings(language="en"), Overrides(
            root=root, map_cache=cache_dir(), start=(60.1650, 24.9400), soc_percent=95.0,
            time_factor=FACTOR, voice=True))
        nav, media = find(modules, NavigationService), find(modules, MediaService)
        sim = find(modules, VehicleSimulation)
        for module in modules:
            module.start(bus)
        while not (nav.ready.is_set() and media.loaded.is_set()):
            app.processEvents()
            time.sleep(0.01)
        bus.publish(topics.MEDIA_COMMAND, MediaCommand("play", ""))
        bus.publish(topics.MEDIA_COMMAND, MediaCommand("repeat", "all"))
        leg = 0
        bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest(PLACES[leg % 2]))
        start = time.monotonic()
        wall = minutes * 60 / FACTOR
        warm_rss = None
        asked = 0
        arrivals_seen = 0
        while (elapsed := time.monotonic() - start) < wall:
            app.processEvents()
            time.sleep(0.02)
            if warm_rss is None and elapsed > min(20.0, wall / 5):
                warm_rss = rss_mb()
            if counts["arrivals"] > arrivals_seen:
                arrivals_seen = counts["arrivals"]
                leg += 1
                bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest(PLACES[leg % 2]))
            if sim.sim_time_s >= (asked + 1) * 60:
                bus.publish(topics.VOICE_UTTERANCE, Utterance(QUESTIONS[asked % len(QUESTIONS)]))
                asked += 1
        end_rss = rss_mb()
        for module in reversed(modules):
            module.stop()
        dropped = bus.close(timeout=10)
    print(f"simulated {sim.sim_time_s / 60:.0f} min at {FACTOR}x in {wall:.0f} s wall; "
          f"{counts['arrivals']} arrivals, {asked} voice questions")
    print(f"RSS after warm-up {warm_rss:.0f} MB, at the end {end_rss:.0f} MB "
          f"(growth {end_rss - (warm_rss or end_rss):+.0f} MB)")
    print(f"bus: {counts['published']:,} published, {counts['delivered']:,} delivered to a "
          f"worker subscriber, {dropped} dropped at shutdown, {counts['errors']} bus.error")
    print("goal: flat memory, zero drops")


if __name__ == "__main__":
    main()
