"""The voice module leaves scipy.signal (tens of MB) out unless a narrowband file needs its
polyphase upsampler: the microphone and 16 kHz or faster files never load it; and Whisper's
stack (faster-whisper, CTranslate2, ~170 MB once a model is loaded) unless the setting chooses
it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile

REPO = Path(__file__).resolve().parents[2]
READ = """
import json, sys
import voice.service
from voice.audio import read_wav
samples = read_wav(sys.argv[1])
print(json.dumps({"samples": len(samples), "scipy_signal": "scipy.signal" in sys.modules}))
"""


def read_in_fresh_process(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True,
                          text=True, timeout=120, cwd=REPO, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(done.stdout)


def tone(path: Path, rate: int) -> Path:
    t = np.arange(rate) / rate
    soundfile.write(path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)
    return path


def test_wideband_audio_does_not_load_scipy_signal(tmp_path: Path) -> None:
    result = read_in_fresh_process(tone(tmp_path / "48k.wav", 48000))
    assert result == {"samples": 16000, "scipy_signal": False}


def test_narrowband_audio_loads_it_for_upsampling(tmp_path: Path) -> None:
    """The check above can fail: an 8 kHz file takes the upsampler."""
    result = read_in_fresh_process(tone(tmp_path / "8k.wav", 8000))
    assert result == {"samples": 16000, "scipy_signal": True}


ENGINE = """
import json, sys
from voice import intents
from voice.engines import create_recognizer
recognizer, _ = create_recognizer("en", intents.load("en").graph()[0], english=sys.argv[1])
print(json.dumps({"engine": recognizer.engine, "ctranslate2": "ctranslate2" in sys.modules}))
"""


def test_english_loads_whisper_only_when_the_setting_chooses_it() -> None:
    def engine(choice: str) -> dict:
        done = subprocess.run([sys.executable, "-c", ENGINE, choice], capture_output=True,
                              text=True, timeout=120, cwd=REPO, check=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        return json.loads(done.stdout)

    assert engine("pocketsphinx") == {"engine": "pocketsphinx", "ctranslate2": False}
    assert engine("whisper") == {"engine": "whisper", "ctranslate2": True}
