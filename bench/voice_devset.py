"""Development set for PocketSphinx's grammar-mode rejection (issue 5): decoder settings are tuned
here, never on bench/bench_voice.py's held-out phrases. Other command phrasings, other espeak-ng
voices, speeds and noise (white and a low-frequency cabin rumble), a media library, and off-list
phrases: things a driver says that are not commands, and near-misses ("play <a title not in the
library>", "take me to <a place that is not a favourite>").

    .venv/bin/python bench/voice_devset.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice import audio, intents
from voice.engines import Recognizer, SphinxRecognizer, Transcript

VOCABULARY = {"place": ["home", "work", "school"], "title": ["Let It Be", "Hey Jude", "Imagine"],
              "artist": ["The Beatles", "Queen"]}
# (spoken, expected intent, expected slots): phrasings bench_voice.py's ENGLISH does not use.
COMMANDS = [
    ("play music", "play", {}), ("next track", "next", {}), ("skip track", "next", {}),
    ("go back", "previous", {}), ("pause", "pause", {}), ("stop music", "pause", {}),
    ("volume up", "volume_up", {}), ("turn it up", "volume_up", {}),
    ("volume down", "volume_down", {}), ("set volume to fifty", "volume_set", {"number": "50"}),
    ("volume twenty", "volume_set", {"number": "20"}),
    ("navigate to home", "navigate", {"place": "home"}),
    ("take me to school", "navigate", {"place": "school"}),
    ("nearest charging station", "nearest", {"category": "charging_station"}),
    ("find a restaurant", "nearest", {"category": "restaurant"}),
    ("drive to the nearest hospital", "nearest", {"category": "hospital"}),
    ("cancel the route", "cancel_route", {}), ("how far is it", "eta", {}),
    ("when do we arrive", "eta", {}), ("what is the eta", "eta", {}),
    ("what is the battery level", "battery", {}), ("how far can we go", "range", {}),
    ("what is the range", "range", {}), ("day mode", "day_night", {"mode": "DAY"}),
    ("turn night mode off", "day_night", {"onoff": "off"}),
    ("repeat that", "repeat", {}), ("what did you say", "repeat", {}),
    ("yes please", "yes", {}), ("no thanks", "no", {}), ("never mind", "no", {}),
    ("play hey jude", "play_query", {"title": "hey jude"}),
    ("play songs by queen", "play_query", {"artist": "queen"}),
]
# Not commands: chatter, requests Volant has no command for, and near-misses of commands.
OFF_LIST = [
    "what is the weather like tomorrow", "call my wife", "open the window",
    "turn on the heating", "is there a traffic jam ahead", "read my messages", "i am hungry",
    "how are you today", "tell me a joke", "what time is it", "turn left at the next corner",
    "send a message to john", "set the temperature to twenty", "lock the doors",
    "where is the next exit", "the kids are asleep in the back", "did you lock the house",
    "play yesterday", "play bohemian rhapsody", "play songs by abba", "take me to the airport",
    "navigate to paris", "find a supermarket", "nearest coffee shop", "switch to sport mode",
    "turn the radio off", "skip the next exit", "how far is the moon",
]
# (voice, words per minute, noise level dBFS, noise colour); bench_voice.py uses en,
# en-gb-scotland and en-us with white noise.
CONDITIONS = [("en-gb-x-rp", 150, -45, "white"), ("en-us-nyc", 190, -30, "cabin"),
              ("en-us+f2", 165, -40, "white"), ("en-029", 120, -38, "cabin"),
              ("en", 170, -50, "white")]  # Volant's own voice at its speaking rate


@cache
def speak(text: str, voice: str, speed: int, noise_dbfs: float, colour: str) -> bytes:
    """espeak-ng speech with half a second of silence around it and a noise floor; "cabin"
    noise is low-pass (road rumble) at the same RMS level. Cached: experiments reuse it."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
                       check=True)
        speech = audio.read_wav(raw).astype(np.float64)
    pad = np.zeros(audio.SAMPLE_RATE // 2)
    signal = np.concatenate([pad, speech, pad])
    noise = np.random.default_rng(len(text) + speed).normal(0, 1, len(signal))
    if colour == "cabin":
        noise = lfilter([1.0], [1.0, -0.95], noise)
    noise *= 32768 * 10 ** (noise_dbfs / 20) / noise.std()
    return np.clip(signal + noise, -32768, 32767).astype(np.int16).tobytes()


@dataclass
class Score:
    correct: int = 0
    wrong: int = 0
    rejected: int = 0
    off_accepted: int = 0
    off_total: int = 0
    decode_s: float = 0.0
    audio_s: float = 0.0

    @property
    def commands(self) -> int:
        return self.correct + self.wrong + self.rejected

    def __str__(self) -> str:
        return (f"commands {self.correct}/{self.commands} correct, {self.wrong} wrong, "
                f"{self.rejected} rejected; off-list {self.off_accepted}/{self.off_total} "
                f"accepted; RTF {self.decode_s / max(self.audio_s, 1e-9):.3f}")


def hear(recognizer: Recognizer, pcm: bytes) -> tuple[Transcript, float]:
    """Through the microphone's chunked path: (transcript, decode seconds)."""
    start = time.perf_counter()
    for chunk in audio.chunks(np.frombuffer(pcm, np.int16)):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    return heard, time.perf_counter() - start


def evaluate(recognizer: Recognizer, templates: intents.IntentSet,
             commands: Iterable[tuple[str, str, dict]], off_list: Iterable[str],
             conditions: Iterable[tuple], synth: Callable[..., bytes],
             log: Callable[[str], None] | None = None) -> Score:
    """Commands and off-list phrases interleaved per condition, as a driver would mix them
    (the recognizer's running state sees both)."""
    score = Score()
    commands, off_list = list(commands), list(off_list)
    for condition in conditions:
        items = [(c, True) for c in commands] + [((p, "", {}), False) for p in off_list]
        items = [items[i] for i in np.random.default_rng(len(items)).permutation(len(items))]
        for (text, name, slots), is_command in items:
            pcm = synth(text, *condition)
            heard, seconds = hear(recognizer, pcm)
            score.decode_s += seconds
            score.audio_s += len(pcm) / 2 / audio.SAMPLE_RATE
            heard = templates.acted_on(heard)  # as the app does
            match = templates.parse(heard) if heard else None
            if is_command:
                ok = match is not None and (match.intent, match.slots) == (name, slots)
                score.correct += ok
                score.wrong += match is not None and not ok
                score.rejected += match is None
                verdict = "ok" if ok else "WRONG" if match else "rejected"
            else:
                score.off_total += 1
                score.off_accepted += match is not None
                verdict = "ACCEPTED" if match else "ok"
            if log and verdict not in ("ok",):
                log(f"{condition[0]:12} {'cmd' if is_command else 'off'} {text!r} -> "
                    f"{heard!r} {verdict}")
    return score


def main() -> None:
    templates = intents.load("en")
    graph, _ = templates.graph(VOCABULARY)
    recognizer = SphinxRecognizer(graph)
    score = evaluate(recognizer, templates, COMMANDS, OFF_LIST, CONDITIONS, speak,
                     lambda line: print(" ", line, file=sys.stderr))
    print(f"dev set ({len(CONDITIONS)} conditions): {score}")


if __name__ == "__main__":
    main()
