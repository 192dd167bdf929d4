"""Write the alert chimes (assets/sounds/*.wav): short sine tones with soft edges, made here so
the sounds carry no licence but the project's. Run `python assets/make_chimes.py` to remake.

- warning: two rising tones (a warning that needs attention soon);
- critical: three fast high tones, repeated once (act now);
- stop_request: one soft two-note "ding-dong" (a bus passenger's stop request).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 22_050
SOUNDS = Path(__file__).parent / "sounds"


def tone(hz: float, seconds: float, level: float = 0.5) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.012)  # no clicks at the edges
    decay = np.exp(-3.0 * t / seconds)
    # a little of the octave above makes it a chime rather than a beep
    wave_ = np.sin(2 * np.pi * hz * t) + 0.3 * np.sin(4 * np.pi * hz * t)
    return level * fade * decay * wave_ / 1.3


def gap(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds))


CHIMES = {
    "warning": [tone(660, 0.18), gap(0.06), tone(880, 0.28)],
    "critical": [tone(1046, 0.1), gap(0.04), tone(1046, 0.1), gap(0.04), tone(1046, 0.1),
                 gap(0.15), tone(1046, 0.1), gap(0.04), tone(1046, 0.1), gap(0.04),
                 tone(1046, 0.1)],
    "stop_request": [tone(988, 0.35, 0.4), tone(784, 0.5, 0.4)],
}


def write(name: str, parts: list[np.ndarray]) -> Path:
    samples = np.concatenate(parts)
    path = SOUNDS / f"{name}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


if __name__ == "__main__":
    SOUNDS.mkdir(exist_ok=True)
    for chime, parts in CHIMES.items():
        print(write(chime, parts))
