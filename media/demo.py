"""Volant's own demo music: a few short synthesized, tagged tracks with cover art.

Generated on first run into the user's data dir, so a fresh machine has something to play and
the repository carries no third-party media. Pure Python + numpy: 16-bit WAV written with the
standard `wave` module, tagged (ID3 inside WAV, with a PNG cover) by mutagen — no encoder needed.
"""

from __future__ import annotations

import struct
import wave
import zlib
from pathlib import Path

import numpy as np
from mutagen.id3 import APIC, TALB, TCON, TIT2, TPE1
from mutagen.wave import WAVE

RATE = 22050
ALBUM = "Volant Demo"
ARTIST = "Volant Synth"
# title, genre, root frequency (Hz), cover colour (RGB)
TRACKS = (
    ("Morning Drive", "Ambient", 220.0, (40, 110, 200)),
    ("Charging Stop", "Electronic", 261.63, (30, 160, 90)),
    ("Night Route", "Chill", 196.0, (120, 50, 160)),
)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG with a lighter diagonal band: enough to tell covers apart."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            band = abs(x - y) < width // 8
            rows.extend(min(255, c + 80) if band else c for c in rgb)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b""))


def synthesize(root: float, seconds: float, rate: int = RATE) -> np.ndarray:
    """A soft arpeggio (root, major third, fifth, octave) with a decaying envelope per note."""
    note_len = 0.25
    t = np.arange(int(note_len * rate)) / rate
    envelope = np.exp(-4.0 * t)
    notes = []
    for i in range(max(1, round(seconds / note_len))):
        freq = root * (1.0, 1.26, 1.5, 2.0)[i % 4]
        notes.append(np.sin(2 * np.pi * freq * t) * envelope)
    signal = np.concatenate(notes) * 0.3
    return (signal * 32767).astype("<i2")


def write_track(path: Path, title: str, artist: str, album: str, genre: str, root: float,
                seconds: float, colour: tuple[int, int, int] = (80, 80, 80)) -> None:
    """One tagged WAV with a cover; also used by tests and the bench to make real files."""
    samples = synthesize(root, seconds)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    audio = WAVE(path)
    audio.add_tags()
    audio.tags.add(TIT2(encoding=3, text=title))
    audio.tags.add(TPE1(encoding=3, text=artist))
    audio.tags.add(TALB(encoding=3, text=album))
    audio.tags.add(TCON(encoding=3, text=genre))
    audio.tags.add(APIC(encoding=3, mime="image/png", type=3, desc="cover",
                        data=png(64, 64, colour)))
    audio.save()


def ensure_demo_tracks(folder: Path, seconds: float = 8.0) -> list[Path]:
    """Create the demo tracks in `folder` unless they are already there; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (title, genre, root, colour) in enumerate(TRACKS, 1):
        path = folder / f"{n:02d} {title}.wav"
        if not path.exists():
            partial = path.with_suffix(".part")
            write_track(partial, title, ARTIST, ALBUM, genre, root, seconds, colour)
            partial.replace(path)
        paths.append(path)
    return paths
