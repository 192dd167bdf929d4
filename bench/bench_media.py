"""Media benchmark: library scan of 10,000 generated tagged files (first scan and a rescan with
nothing changed), memory of the index, and the latency from `media.command play` on the bus to
`media.state` "playing" with the real QMediaPlayer offscreen.

    .venv/bin/python bench/bench_media.py [--files N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from statistics import median

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mutagen.id3 import TALB, TCON, TIT2, TPE1
from mutagen.wave import WAVE

from kernel import topics
from kernel.event_bus import EventBus
from kernel.topics import MediaCommand
from media.demo import write_track
from media.library import Library

GENRES = ("Pop", "Jazz", "Rock", "Folk", "Ambient")


def make_library(folder: Path, count: int) -> None:
    """`count` real tagged WAVs (0.5 s, with a cover), 100 per album folder."""
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.wav"
    write_track(template, "t", "a", "b", "Pop", 220.0, 0.5)
    data = template.read_bytes()
    template.unlink()
    for i in range(count):
        album = folder / f"album{i // 100:03d}"
        album.mkdir(exist_ok=True)
        path = album / f"{i % 100:02d}.wav"
        path.write_bytes(data)
        audio = WAVE(path)
        audio.tags.add(TIT2(encoding=3, text=f"Song {i}"))
        audio.tags.add(TPE1(encoding=3, text=f"Artist {i % 700}"))
        audio.tags.add(TALB(encoding=3, text=f"Album {i // 100}"))
        audio.tags.add(TCON(encoding=3, text=GENRES[i % len(GENRES)]))
        audio.save()


def bench_scan(folder: Path, covers: Path) -> tuple[float, float, float, int, int]:
    library = Library([folder], covers)
    t0 = time.perf_counter()
    library.scan()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    library.scan()
    rescan = time.perf_counter() - t0
    tracemalloc.start()  # memory from a separate, untimed scan: tracing slows the scan down
    measured = Library([folder], covers)
    measured.scan()
    index_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return first, rescan, index_bytes / 1e6, len(library.tracks), library.reads


def bench_play(folder: Path, state_dir: Path, runs: int = 20) -> list[float]:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from media.service import MediaService

    app = QCoreApplication.instance() or QCoreApplication([])
    bus = EventBus()
    service = MediaService([folder], demo_dir=None, state_file=state_dir / "player.json")
    playing = threading.Event()
    bus.subscribe(topics.MEDIA_STATE,
                  lambda m: playing.set() if m.payload.status == "playing" else None)

    def spin_until(done: threading.Event) -> None:
        while not done.is_set():
            loop = QEventLoop()
            QTimer.singleShot(1, loop.quit)
            loop.exec()

    service.start(bus)
    spin_until(service.loaded)
    latencies = []
    for _ in range(runs):
        bus.publish(topics.MEDIA_COMMAND, MediaCommand("pause"))
        paused = threading.Event()
        sub = bus.subscribe(topics.MEDIA_STATE,
                            lambda m, ev=paused: ev.set() if m.payload.status != "playing"
                            else None)
        spin_until(paused)
        sub.unsubscribe()
        playing.clear()
        t0 = time.perf_counter()
        bus.publish(topics.MEDIA_COMMAND, MediaCommand("play"))
        spin_until(playing)
        latencies.append((time.perf_counter() - t0) * 1000)
    service.stop()
    bus.close()
    del app
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="volant-bench-media-"))
    try:
        t0 = time.perf_counter()
        make_library(root / "music", args.files)
        made = time.perf_counter() - t0
        first, rescan, mb, tracks, reads = bench_scan(root / "music", root / "covers")
        play = bench_play(root / "music", root)
        print(f"{'figure':<40}{'value':>14}")
        print(f"{'files generated (tagged WAV)':<40}{args.files:>14} ({made:.1f} s to make)")
        print(f"{'first scan':<40}{first:>12.2f} s  ({first / tracks * 1e3:.2f} ms/file)")
        print(f"{'rescan, nothing changed':<40}{rescan:>12.2f} s  ({reads} files re-read)")
        print(f"{'rescan / first scan':<40}{rescan / first:>14.3f}")
        print(f"{'index memory (tracemalloc)':<40}{mb:>11.1f} MB "
              f"({mb * 1e6 / tracks:.0f} B/track)")
        print(f"{'play -> playing, median of ' + str(len(play)):<40}{median(play):>11.1f} ms "
              f"(max {max(play):.1f})")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
