"""Hands-free commands said in one breath with the wake phrase ("hey copilot, pause"), on real
human speech (bench/real_speech.py): the wake phrase (espeak-ng) followed by a real recording,
and the real recordings alone (cabin speech without the wake phrase).

As in bench_voice_real.py, half the recordings are "on the list" (their transcripts added to
the grammar, so that they decode as commands would) and half are not (the app's own commands:
any action is a wrong one). Each segment goes to the wake spotter as the endpointer would cut
it. The engine measured (`--engine`, default the pair) against the peer, PocketSphinx's wake
spotting alone (Volant's default), on the same audio in the same run: right one-breath
commands, wrong ones (another command, or one from speech that is none), speech without the
wake phrase that woke it, and the CPU time per segment.

    .venv/bin/python bench/bench_wake_real.py [--prompts N] [--engine E] [--failures]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_voice_real import VOCABULARY, asks, kind, mix, recordings

from voice import audio, intents
from voice.engines import create_recognizer
from voice.models import ENGLISH_ENGINES
from voice.wake import WakeSpotter, wake_grammar

GAP = 0.15  # seconds between the wake phrase and the command: one breath


def wake_audio(phrase: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "wake.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), phrase], check=True)
        return audio.read_audio(wav)


def heard(spotter: WakeSpotter, samples: np.ndarray, cpu: list[float]
          ) -> tuple[bool, str, str]:
    """(woken, the command acted on in the same breath or "", the one asked about or "")."""
    began = time.process_time()
    wake = spotter.hear(mix(samples, None, None).astype(np.int16).tobytes())
    cpu.append(time.process_time() - began)
    return wake is not None, wake.command if wake else "", wake.guess if wake else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=200, help="Asterisk prompts used")
    parser.add_argument("--engine", default=ENGLISH_ENGINES[2], choices=ENGLISH_ENGINES[1:],
                        help="the English engine measured against PocketSphinx alone")
    parser.add_argument("--failures", action="store_true", help="list the wrong actions")
    args = parser.parse_args()
    from pocketsphinx import Decoder

    lookup = Decoder(samprate=audio.SAMPLE_RATE, loglevel="FATAL", lm=None)
    templates = intents.load("en")
    on, off = recordings(lambda w: lookup.lookup_word(w) is not None, args.prompts, templates)
    phrase = templates.wake_phrase
    graph = wake_grammar(phrase, templates.graph(VOCABULARY)[0].with_sentences(
        r.text for r in on))
    engines = {}
    for engine in ("pocketsphinx", args.engine):
        recognizer, why = create_recognizer("en", graph, wake_phrase=phrase, english=engine)
        if why:
            sys.exit(f"{engine}: {why}")
        engines[engine] = WakeSpotter(phrase, recognizer)
    wake = wake_audio(phrase)
    gap = np.zeros(int(GAP * audio.SAMPLE_RATE), np.int16)
    print(f"{len(on)} recordings on the list, {len(off)} off it; wake phrase {phrase!r}; "
          f"engine {args.engine!r}, peer PocketSphinx's wake spotting", file=sys.stderr)
    figures = {}
    for engine, spotter in engines.items():
        counts, cpu = Counter(), []
        for recording, on_list in [(r, True) for r in on] + [(r, False) for r in off]:
            _, command, guess = heard(spotter, np.concatenate([wake, gap, recording.samples]),
                                      cpu)
            right = on_list and command == recording.text
            counts["right"] += right
            counts["asked"] += on_list and guess == recording.text
            counts["off asked"] += not on_list and asks(templates, guess)
            if command and not right:
                counts["wrong"] += 1
                counts[kind(templates, command)] += 1
                if args.failures:
                    print(f"  {engine}: {'on ' if on_list else 'off'} {recording.name} "
                          f"{recording.text!r} -> {command!r}", file=sys.stderr)
            woken, command, guess = heard(spotter, recording.samples, cpu)
            counts["woken"] += woken
            counts["wrong"] += bool(command)
            counts["off asked"] += asks(templates, guess)
        total = 2 * (len(on) + len(off))
        figures[engine] = cpu_ms = 1000 * float(np.median(cpu))
        print(f"{engine:22} wake phrase + command: right {counts['right']}/{len(on)} "
              f"({counts['asked']} asked); "
              f"wrong actions {counts['wrong']} of {total} segments "
              f"({counts['changes']} change something, {counts['confirm']} ask first, "
              f"{counts['yes/no']} yes/no); woken without the wake phrase "
              f"{counts['woken']}/{len(on) + len(off)}; no command asked about "
              f"{counts['off asked']}; CPU per segment p50 {cpu_ms:.0f} ms")
    print(f"CPU per segment, {args.engine} / PocketSphinx alone: "
          f"{figures[args.engine] / figures['pocketsphinx']:.2f}")


if __name__ == "__main__":
    main()
