"""Real human speech with known transcripts, and real recorded noise, as Debian packages install
them (nothing is copied into the repository; a source that is not installed gives nothing):

- pocketsphinx-testdata (CMU, BSD-style): goforward, the five "cards" sentences and LibriVox
  sentences of Sense and Sensibility (public domain).
- alsa-utils (GPL-2): /usr/share/sounds/alsa/*.wav, "Front Left" ... "Side Right".
- asterisk-core-sounds-en (transcripts, core-sounds-en.txt) and asterisk-core-sounds-en-g722 (the
  16 kHz G.722 prompts; CC-BY-SA-3.0, recorded by Allison Smith): ~570 prompts of a woman's
  voice, "Please enter your password followed by the pound key." Decoded with the G722 wheel
  (PyPI, public domain). Kept: those whose words are all in PocketSphinx's dictionary, digits
  and symbols ("[beep tone]", "press #") left out.
- openttd-opensfx (real recordings from freesound.org, each CC-BY-3.0 or CC0 as its entry
  says): vehicles pulling away, a London bus passing, wind. The only recorded road-like noise
  found in Debian, PyPI or npm here.
"""

from __future__ import annotations

import gzip
import io
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from voice import audio

TESTDATA = Path("/usr/share/pocketsphinx/test/data")
ALSA = Path("/usr/share/sounds/alsa")
ASTERISK = Path("/usr/share/asterisk/sounds/en")
ASTERISK_TEXT = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
OPENSFX = Path("/usr/share/games/openttd/baseset/opensfx/opensfx.cat")
# OpenSFX entries (by the start of their description) mixed as recorded noise.
RECORDED_NOISE = {"vehicle": ('"Truck/old bus start, pull away"', '"Modern bus start"',
                              '"Old bus start"'),
                  "wind": ('"Wind"', '"Heavy wind"')}


@dataclass(frozen=True)
class Recording:
    source: str
    name: str
    text: str  # lower case, words as the dictionary spells them
    samples: np.ndarray  # 16 kHz int16


def testdata() -> list[Recording]:
    """pocketsphinx-testdata's recordings with transcripts."""
    if not (TESTDATA / "goforward.raw").exists():
        return []
    out = [Recording("pocketsphinx", "goforward", "go forward ten meters",
                     audio.read_audio(TESTDATA / "goforward.raw"))]
    for folder, listing in (("cards", "cards.transcription"), ("librivox", "transcription")):
        for line in (TESTDATA / folder / listing).read_text().splitlines():
            text, name = re.match(r"<s>(.*)</s> \(([\w-]+)\)", line).groups()
            out.append(Recording("pocketsphinx", name, " ".join(text.split()),
                                 audio.read_audio(TESTDATA / folder / f"{name}.wav")))
    return out


def alsa() -> list[Recording]:
    """alsa-utils' speaker-test voice files ("Front_Left.wav" says "front left")."""
    return [Recording("alsa", p.stem, p.stem.replace("_", " ").lower(), audio.read_audio(p))
            for p in sorted(ALSA.glob("*.wav")) if p.stem != "Noise"]


def asterisk(known) -> list[Recording]:
    """Asterisk's English prompts whose words `known(word)` accepts."""
    if not ASTERISK_TEXT.exists() or not ASTERISK.is_dir():
        return []
    import G722  # the test extra (pyproject.toml)

    out = []
    for line in gzip.decompress(ASTERISK_TEXT.read_bytes()).decode().splitlines():
        match = re.match(r"([\w/-]+): (.*)", line)
        if not match or re.search(r"[^\w\s.,;:?!'-]", match.group(2)):
            continue  # "[beep tone]", "press # to ...": symbols the transcript does not spell
        name, text = match.groups()
        words = re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split()
        path = ASTERISK / f"{name}.g722"
        if not path.exists() or not words or not all(
                not w.isdigit() and known(w) for w in words):
            continue
        pcm = G722.G722(audio.SAMPLE_RATE, 64000, use_numpy=False).decode(path.read_bytes())
        out.append(Recording("asterisk", name, " ".join(words), np.frombuffer(pcm, np.int16)))
    return out


def recorded_noise() -> dict[str, np.ndarray]:
    """{"vehicle": ..., "wind": ...}: OpenSFX's recordings, joined, at 16 kHz (float); {} when
    openttd-opensfx is not installed. Its .cat file: a table of (offset | 1 << 31, size), each
    entry a length-prefixed description and a RIFF/WAVE file."""
    if not OPENSFX.exists():
        return {}
    data = OPENSFX.read_bytes()
    entries = {}
    for i in range((struct.unpack_from("<I", data)[0] & 0x7FFFFFFF) // 8):
        offset, size = struct.unpack_from("<II", data, 8 * i)
        offset &= 0x7FFFFFFF
        length = data[offset]
        entries[data[offset + 1:offset + length].decode("latin-1")] = (
            data[offset + 1 + length:offset + size])
    out = {}
    for kind, names in RECORDED_NOISE.items():
        parts = []
        for description, wav in entries.items():
            if description.startswith(names) and wav[:4] == b"RIFF":
                samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
                parts.append(audio.resample(samples.mean(axis=1) if samples.ndim > 1
                                            else samples, rate))
        out[kind] = np.concatenate(parts).astype(np.float64)
    return out
