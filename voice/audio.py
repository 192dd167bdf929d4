"""Audio in: everything a recognizer hears arrives as 16 kHz mono int16 chunks, whether it
comes from the microphone, an audio file (WAV of any sample format, rate and channel count, or
anything else libsndfile reads) or raw PCM. Tests and the simulator feed files through exactly
the path the microphone uses.

Files are checked at the door: the header's rate, channel count and duration must be sane
before anything is allocated, and the file is read block by block through a streaming
resampler, so that a hostile header (a rate of 2^31 in a 2 KB file) costs nothing."""

from __future__ import annotations

import logging
import re
import struct
from collections.abc import Callable, Iterator
from math import gcd
from pathlib import Path

import numpy as np
import soundfile
import soxr

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
CHUNK_SAMPLES = 1600  # 0.1 s: what the microphone callback delivers at a time
MIN_RATE, MAX_RATE = 4000, 384000  # telephone-grade to studio-grade; beyond is no recording
MAX_CHANNELS = 32
MAX_SECONDS = 300.0  # a command lasts seconds; a longer file is not one to recognize
_BLOCK_FRAMES = 65536
# libsndfile's own note on a data chunk shorter than its header says: "data : 47154 (should
# be 23555)". Streaming writers put a placeholder length there, which is not a truncation.
_SHORT_DATA = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
_PLACEHOLDERS = {0, 0xFFFFFFFF, 0x7FFFFFFF, 0x7FFFF000}


class AudioError(ValueError):
    """Audio that cannot be used; the message names the file and what was wrong."""


def read_wav(path: str | Path) -> np.ndarray:
    """The file's audio as 16 kHz mono int16 samples (any format libsndfile reads: WAV of any
    sample format and channel count, FLAC, Ogg, AIFF...)."""
    path = Path(path)
    if path.is_dir():
        raise AudioError(f"{path}: a directory, not an audio file")
    if not path.exists():
        raise AudioError(f"{path}: no such audio file")
    try:
        with soundfile.SoundFile(str(path)) as sound:
            _check(path, sound.samplerate, sound.channels, sound.frames)
            short = _SHORT_DATA.search(sound.extra_info)
            if short and int(short.group(1)) not in _PLACEHOLDERS:
                raise AudioError(f"{path}: truncated audio file: the header promises "
                                 f"{short.group(1)} bytes of audio, the file holds "
                                 f"{short.group(2)}")
            return _to_int16(_read_resampled(sound))
    except soundfile.LibsndfileError as exc:
        fault = _header_fault(path)
        raise AudioError(f"{path}: {fault}" if fault else
                         f"{path}: not an audio file that can be read ({exc.error_string}); "
                         "expected WAV, FLAC, Ogg or AIFF audio") from None
    except OSError as exc:
        raise AudioError(f"{path}: cannot read the audio file: {exc.strerror or exc}") from None


def _check(path: Path, rate: int, channels: int, frames: int) -> None:
    """Refuse, before reading, a header no recording has."""
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(f"{path}: sample rate {rate} Hz is outside {MIN_RATE}-{MAX_RATE} Hz")
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioError(f"{path}: {channels} channels; expected 1 to {MAX_CHANNELS}")
    if frames <= 0:
        raise AudioError(f"{path}: the audio file holds no audio (0 frames)")
    if frames / rate > MAX_SECONDS:
        raise AudioError(f"{path}: duration {frames / rate:.0f} s is longer than the "
                         f"{MAX_SECONDS:.0f} s a recording to recognize may last")


def _read_resampled(sound: soundfile.SoundFile) -> np.ndarray:
    """The whole file as mono float samples at SAMPLE_RATE in int16 scale, one block at a time
    (memory bounded by the output, whatever the input's rate and channel count)."""
    blocks = sound.blocks(_BLOCK_FRAMES, dtype="float32", always_2d=True)
    if sound.samplerate <= SAMPLE_RATE:
        mono = np.concatenate([b.mean(axis=1, dtype=np.float32) for b in blocks])
        return resample(mono, sound.samplerate) * 32768.0
    stream = soxr.ResampleStream(sound.samplerate, SAMPLE_RATE, 1, dtype="float32")
    out = [stream.resample_chunk(b.mean(axis=1, dtype=np.float32)) for b in blocks]
    out.append(stream.resample_chunk(np.zeros(0, np.float32), last=True))
    return np.concatenate(out) * 32768.0


def _header_fault(path: Path) -> str:
    """Which field of a RIFF/WAVE header libsndfile refused (its own message names none)."""
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except OSError:
        return ""
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return ""
    at = 12
    while at + 8 <= len(head):
        kind, size = head[at:at + 4], struct.unpack_from("<I", head, at + 4)[0]
        if kind == b"fmt " and at + 24 <= len(head):
            fmt, channels, rate = struct.unpack_from("<HHI", head, at + 8)
            bits = struct.unpack_from("<H", head, at + 22)[0]
            if not MIN_RATE <= rate <= MAX_RATE:
                return f"sample rate {rate} Hz is outside {MIN_RATE}-{MAX_RATE} Hz"
            if not 1 <= channels <= MAX_CHANNELS:
                return f"{channels} channels; expected 1 to {MAX_CHANNELS}"
            return f"WAV format {fmt:#06x} with {bits} bits per sample is not readable"
        at += 8 + size + (size & 1)
    return "a WAV file without a format chunk"


def read_raw(path: str | Path, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Headerless little-endian int16 mono PCM (as pocketsphinx-testdata's .raw files)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise AudioError(f"{path}: a directory, not an audio file")
        if size > MAX_SECONDS * rate * 2:
            raise AudioError(f"{path}: duration {size / 2 / rate:.0f} s is longer than the "
                             f"{MAX_SECONDS:.0f} s a recording to recognize may last")
        data = path.read_bytes()
    except FileNotFoundError:
        raise AudioError(f"{path}: no such audio file") from None
    except OSError as exc:
        raise AudioError(f"{path}: cannot read the audio file: {exc.strerror or exc}") from None
    if len(data) < 2:
        raise AudioError(f"{path}: the raw PCM file holds no audio")
    samples = np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.float32)
    return _to_int16(resample(samples, rate))


def read_audio(path: str | Path) -> np.ndarray:
    """A .raw/.pcm file as 16 kHz raw PCM, anything else as an audio file with a header."""
    suffix = Path(path).suffix.lower()
    return read_raw(path) if suffix in (".raw", ".pcm") else read_wav(path)


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono samples at `rate` as samples at SAMPLE_RATE. Down: soxr. Up (narrowband audio, at
    most 16000/gcd taps per phase, so bounded): scipy's polyphase filter, which keeps the band up
    to the input's Nyquist; soxr's ends at ~91 % of it, and the fricatives cut there fitted
    PocketSphinx's model far worse ("next track" at 11025 Hz: margin -25 against -16).
    scipy.signal is imported here, not at the top: it weighs tens of MB and only narrowband
    files need it, never the microphone."""
    if rate == SAMPLE_RATE:
        return samples
    if rate < SAMPLE_RATE:
        from scipy.signal import resample_poly

        common = gcd(rate, SAMPLE_RATE)
        return resample_poly(samples, SAMPLE_RATE // common, rate // common).astype(np.float32)
    return soxr.resample(samples.astype(np.float32), rate, SAMPLE_RATE)


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def chunks(samples: np.ndarray, size: int = CHUNK_SAMPLES) -> Iterator[bytes]:
    """The samples cut as a microphone delivers them."""
    for start in range(0, len(samples), size):
        yield samples[start:start + size].tobytes()


class Microphone:
    """sounddevice capture at 16 kHz mono; `sink` gets each chunk on the audio thread.

    `open()` returns "" when capturing, else the reason there is no microphone."""

    def __init__(self, sink: Callable[[bytes], None]) -> None:
        self._sink = sink
        self._stream = None

    def open(self) -> str:
        try:
            import sounddevice
        except OSError as exc:  # PortAudio library missing
            return f"no audio input: {exc}"
        try:
            sounddevice.check_input_settings(channels=1, samplerate=SAMPLE_RATE, dtype="int16")
            self._stream = sounddevice.RawInputStream(
                samplerate=SAMPLE_RATE, channels=1, dtype="int16", blocksize=CHUNK_SAMPLES,
                callback=lambda data, _frames, _time, _status: self._sink(bytes(data)))
            self._stream.start()
        except Exception as exc:  # PortAudioError and ValueError: no device, bad settings
            self._stream = None
            return f"no microphone: {exc}"
        return ""

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
