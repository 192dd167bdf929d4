"""Audio in: everything a recognizer hears arrives as 16 kHz mono int16 chunks, whether it
comes from the microphone, a WAV file (any rate, width and channel count) or raw PCM. Tests and
the simulator feed files through exactly the path the microphone uses."""

from __future__ import annotations

import logging
import wave
from collections.abc import Callable, Iterator
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
CHUNK_SAMPLES = 1600  # 0.1 s: what the microphone callback delivers at a time


class AudioError(ValueError):
    """Audio that cannot be used; the message names the file and what was expected."""


def read_wav(path: str | Path) -> np.ndarray:
    """The file's audio as 16 kHz mono int16 samples."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
            promised = wav.getnframes()
            raw = wav.readframes(promised)
    except FileNotFoundError:
        raise AudioError(f"{path}: no such audio file") from None
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a PCM WAV file ({exc}); expected RIFF/WAVE PCM audio, "
                         "any rate and channel count") from None
    frame = width * channels
    got = len(raw) // frame if frame else 0
    if got == 0:
        raise AudioError(f"{path}: the WAV file holds no audio (0 frames)")
    if got < promised:
        raise AudioError(f"{path}: truncated WAV: the header promises {promised / rate:.2f} s, "
                         f"the file holds {got / rate:.2f} s")
    samples = _to_float(raw[:got * frame], width).reshape(-1, channels).mean(axis=1)
    return _to_int16(resample(samples, rate))


def read_raw(path: str | Path, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Headerless little-endian int16 mono PCM (as pocketsphinx-testdata's .raw files)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AudioError(f"{path}: no such audio file") from None
    if len(data) < 2:
        raise AudioError(f"{path}: the raw PCM file holds no audio")
    samples = np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.float64)
    return _to_int16(resample(samples, rate))


def read_audio(path: str | Path) -> np.ndarray:
    """A .raw/.pcm file as 16 kHz raw PCM, anything else as WAV."""
    suffix = Path(path).suffix.lower()
    return read_raw(path) if suffix in (".raw", ".pcm") else read_wav(path)


def _to_float(raw: bytes, width: int) -> np.ndarray:
    if width == 1:
        return (np.frombuffer(raw, np.uint8).astype(np.float64) - 128) * 256
    if width == 2:
        return np.frombuffer(raw, "<i2").astype(np.float64)
    if width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        value = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        return (np.where(value >= 1 << 23, value - (1 << 24), value) / 256).astype(np.float64)
    if width == 4:
        return np.frombuffer(raw, "<i4").astype(np.float64) / 65536
    raise AudioError(f"unsupported sample width: {width} bytes")


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE:
        return samples
    common = gcd(rate, SAMPLE_RATE)
    return resample_poly(samples, SAMPLE_RATE // common, rate // common)


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
