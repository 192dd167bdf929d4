"""Soak: one simulated hour at 20x (three minutes) with voice, media and navigation active.

The car drives back and forth between two places on the default map, music plays, and every
simulated minute the driver asks something. Reported: memory growth (RSS after warm-up vs at
the end), bus messages published vs delivered to a counting subscriber on its own thread,
messages dropped at shutdown, and bus.error reports. Goal: flat memory, zero drops.

Peer, measured in the same run: the RSS floor of those libraries. A fresh process imports every
third-party module the soak had loaded at its end (from site-packages, in the same order: Qt,
numpy, numba, scipy, pocketsphinx, pyttsx3...), makes the QApplication, loads PocketSphinx's
en-us model and a pyttsx3 engine, and does nothing. No app on these libraries can use less, so
ours/peer at the end is what Volant's own state (map, index, grammar, queues, JIT code) adds.

Every simulated minute the driver also speaks: a real recording (pocketsphinx-testdata's "go
forward ten meters", no command of Volant's) goes through the English engine chosen
(`--engine`, the `voice_english_engine` setting), so that its working memory is in the figure.

    python bench/bench_soak.py [SIMULATED_MINUTES] [--engine pocketsphinx|whisper|...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
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
from voice.models import ENGLISH_ENGINES

SIM_SECONDS = 3600
FACTOR = 20
PLACES = ("Hakaniemenranta", "Bulevardi")
QUESTIONS = ("what is the battery level", "what is the range", "volume up", "volume down")
RECORDING = Path("/usr/share/pocketsphinx/test/data/goforward.raw")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


PEER = """
import importlib, json, sys
from pathlib import Path
failed = []
for name in json.load(sys.stdin):
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name)
from PySide6.QtWidgets import QApplication
from pocketsphinx import Decoder
import pyttsx3
app = QApplication([])
decoder = Decoder(lm=None, loglevel="FATAL")
engine = pyttsx3.init()
status = Path("/proc/self/status").read_text().splitlines()
rss = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
print(json.dumps({"rss": rss, "failed": failed}))
"""


def third_party_modules() -> list[str]:
    """The names of the loaded modules that come from site-packages, in import order."""
    roots = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return [name for name, module in list(sys.modules.items())
            if any(str(getattr(module, "__file__", None) or "").startswith(root)
                   for root in roots)]


def peer_rss(names: list[str]) -> tuple[float, list[str]]:
    """(RSS MB, the modules that would not import alone) of a fresh process on `names`."""
    done = subprocess.run([sys.executable, "-c", PEER], input=json.dumps(names), text=True,
                          capture_output=True, check=True, env={**os.environ,
                                                                "QT_QPA_PLATFORM": "offscreen"})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["rss"], result["failed"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("minutes", nargs="?", type=float, default=SIM_SECONDS / 60,
                        help="simulated minutes")
    parser.add_argument("--engine", choices=ENGLISH_ENGINES, default=ENGLISH_ENGINES[0])
    args = parser.parse_args()
    minutes = args.minutes
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
        modules = compose(Settings(language="en", voice_english_engine=args.engine), Overrides(
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
        asked = spoken = 0
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
                if RECORDING.exists():
                    bus.publish(topics.VOICE_AUDIO_FILE, topics.AudioFile(str(RECORDING)))
                    spoken += 1
                asked += 1
        end_rss = rss_mb()
        libraries = third_party_modules()
        for module in reversed(modules):
            module.stop()
        dropped = bus.close(timeout=10)
    print(f"simulated {sim.sim_time_s / 60:.0f} min at {FACTOR}x in {wall:.0f} s wall; "
          f"{counts['arrivals']} arrivals, {asked} voice questions typed, {spoken} recordings "
          f"heard by {args.engine}")
    print(f"RSS after warm-up {warm_rss:.0f} MB, at the end {end_rss:.0f} MB "
          f"(growth {end_rss - (warm_rss or end_rss):+.0f} MB)")
    print(f"bus: {counts['published']:,} published, {counts['delivered']:,} delivered to a "
          f"worker subscriber, {dropped} dropped at shutdown, {counts['errors']} bus.error")
    floor, failed = peer_rss(libraries)
    print(f"peer: a fresh process on the same libraries ({len(libraries)} modules, "
          f"{len(failed)} would not import alone {failed[:3]}; QApplication, PocketSphinx "
          f"en-us, pyttsx3 loaded) {floor:.0f} MB; "
          f"ours at the end / peer {end_rss / floor:.2f}x (+{end_rss - floor:.0f} MB)")
    print("goal: flat memory, zero drops")


if __name__ == "__main__":
    main()
