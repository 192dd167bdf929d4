"""Speech out through the sound card. pyttsx3's espeak driver plays by running `aplay` and
cannot be cut short, so Volant has pyttsx3 write each utterance to a WAV file and plays it
here, where `stop()` (from any thread) ends it at once: barge-in and a prompt interrupting
chatter need exactly that."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np


class Speaker:
    """sounddevice playback of 16-bit WAV files; `open()` returns "" or why there is no
    audio output."""

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._sounddevice = None

    def open(self) -> str:
        try:
            import sounddevice
        except OSError as exc:  # PortAudio library missing
            return f"no audio output: {exc}"
        try:
            sounddevice.check_output_settings(channels=1, dtype="int16")
        except Exception as exc:  # PortAudioError, ValueError: no device
            return f"no audio output: {exc}"
        self._sounddevice = sounddevice
        return ""

    def begin(self) -> None:
        """A new utterance: forget earlier stops. Called before it is synthesized, so a stop
        that arrives while the file is still being written cancels its playback too."""
        self._stopped.clear()

    def play(self, path: Path) -> bool:
        """Blocks until the file has played (True) or `stop()` cut it short (False)."""
        if self._stopped.is_set():
            return False
        with wave.open(str(path)) as wav:
            rate = wav.getframerate()
            samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
        finished = threading.Event()
        position = 0

        def fill(out, frames, _time, _status) -> None:
            nonlocal position
            block = samples[position:position + frames]
            out[:len(block), 0] = block
            out[len(block):, 0] = 0
            position += frames
            if position >= len(samples):
                raise self._sounddevice.CallbackStop

        stream = self._sounddevice.OutputStream(samplerate=rate, channels=1, dtype="int16",
                                                callback=fill, finished_callback=finished.set)
        stream.start()
        try:
            while not finished.wait(0.02):
                if self._stopped.is_set():
                    stream.abort()  # now, not after the buffered audio
                    return False
            return True
        finally:
            stream.close()

    def stop(self) -> None:
        self._stopped.set()
