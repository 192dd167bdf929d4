"""Media benchmark: library scan of 10,000 generated tagged files (first scan and a rescan with
nothing changed), memory of the index, and the latency from `media.command play` on the bus to
`media.state` "playing" with the real QMediaPlayer offscreen.

Peers, measured in the same run on the same files: for the scan, mutagen reading each file's
title, artist, album, genre and cover in a plain loop over the folder (no index, no checks, no
cover files): the library's own parser with nothing around it, so ours/peer is what the index
and the validation cost on a first scan (and what the rescan saves). For play, a bare
QMediaPlayer with a QAudioOutput on the same first track: pause, then play() -> PlayingState,
the same step as ours without the bus and the service (the player changes state inside play(),
so the peer is the floor, not a rival); its setSource + play on a fresh player is printed once.

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
from collections.abc import Callable
from pathlib import Path
from statistics import median

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mutagen
import shiboken6
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


def peer_scan(folder: Path) -> tuple[float, int]:
    """(seconds, files read) for mutagen alone over the folder's files."""
    t0 = time.perf_counter()
    read = 0
    for path in sorted(folder.rglob("*.wav")):
        tags = mutagen.File(path).tags
        _ = [tags.get(key) for key in ("TIT2", "TPE1", "TALB", "TCON")], tags.getall("APIC")
        read += 1
    return time.perf_counter() - t0, read


def spin_until(done: Callable[[], bool]) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    while not done():
        loop = QEventLoop()
        QTimer.singleShot(1, loop.quit)
        loop.exec()


def peer_play(track: Path, runs: int = 20) -> tuple[list[float], float]:
    """(pause -> play -> PlayingState ms per run, first setSource + play ms) of a bare player."""
    from PySide6.QtCore import QCoreApplication, QUrl
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

    app = QCoreApplication.instance() or QCoreApplication([])
    player, output = QMediaPlayer(), QAudioOutput()
    player.setAudioOutput(output)
    playing = QMediaPlayer.PlaybackState.PlayingState
    t0 = time.perf_counter()
    player.setSource(QUrl.fromLocalFile(str(track)))
    player.play()
    spin_until(lambda: player.playbackState() == playing)
    first = (time.perf_counter() - t0) * 1000
    latencies = []
    for _ in range(runs):
        player.pause()
        spin_until(lambda: player.playbackState() != playing)
        t0 = time.perf_counter()
        player.play()
        spin_until(lambda: player.playbackState() == playing)
        latencies.append((time.perf_counter() - t0) * 1000)
    player.pause()  # quiesce the FFmpeg backend before deleting, as MediaService.stop does
    player.setSource(QUrl())
    spin_until(lambda: player.mediaStatus() == QMediaPlayer.MediaStatus.NoMedia)
    shiboken6.delete(player)
    shiboken6.delete(output)
    del app
    return latencies, first


def bench_play(folder: Path, state_dir: Path, runs: int = 20) -> list[float]:
    from PySide6.QtCore import QCoreApplication

    from media.service import MediaService

    app = QCoreApplication.instance() or QCoreApplication([])
    bus = EventBus()
    service = MediaService([folder], demo_dir=None, state_file=state_dir / "player.json")
    playing = threading.Event()
    bus.subscribe(topics.MEDIA_STATE,
                  lambda m: playing.set() if m.payload.status == "playing" else None)

    service.start(bus)
    spin_until(service.loaded.is_set)
    latencies = []
    for _ in range(runs):
        bus.publish(topics.MEDIA_COMMAND, MediaCommand("pause"))
        paused = threading.Event()
        sub = bus.subscribe(topics.MEDIA_STATE,
                            lambda m, ev=paused: ev.set() if m.payload.status != "playing"
                            else None)
        spin_until(paused.is_set)
        sub.unsubscribe()
        playing.clear()
        t0 = time.perf_counter()
        bus.publish(topics.MEDIA_COMMAND, MediaCommand("play"))
        spin_until(playing.is_set)
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
        peer, peer_reads = peer_scan(root / "music")
        play = bench_play(root / "music", root)
        peer_resume, peer_first = peer_play(root / "music" / "album000" / "00.wav")
        print(f"{'figure':<40}{'value':>14}")
        print(f"{'files generated (tagged WAV)':<40}{args.files:>14} ({made:.1f} s to make)")
        print(f"{'first scan':<40}{first:>12.2f} s  ({first / tracks * 1e3:.2f} ms/file)")
        print(f"{'rescan, nothing changed':<40}{rescan:>12.2f} s  ({reads} files re-read)")
        print(f"{'rescan / first scan':<40}{rescan / first:>14.3f}")
        print(f"{'peer: mutagen loop, no index':<40}{peer:>12.2f} s  ({peer_reads} files read)")
        print(f"{'first scan / peer':<40}{first / peer:>13.2f}x")
        print(f"{'rescan / peer':<40}{rescan / peer:>13.3f}x")
        print(f"{'index memory (tracemalloc)':<40}{mb:>11.1f} MB "
              f"({mb * 1e6 / tracks:.0f} B/track)")
        print(f"{'play -> playing, median of ' + str(len(play)):<40}{median(play):>11.1f} ms "
              f"(max {max(play):.1f})")
        print(f"{'peer: bare QMediaPlayer pause -> play':<40}{median(peer_resume):>11.3f} ms "
              f"(max {max(peer_resume):.3f}; setSource + play {peer_first:.1f} ms)")
        print(f"{'play / peer, medians':<40}{median(play) / median(peer_resume):>13.0f}x")
        print("(the bare player is Playing when play() returns; ours adds the bus and the hop to "
              "the player's thread, whose event loop this bench spins every 1 ms)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
