"""Voice on real human speech (bench/real_speech.py: pocketsphinx-testdata, alsa-utils' voice
files, Asterisk's English prompts) at clean / 15 / 10 / 5 / 0 dB SNR with generated road and
HVAC noise and recorded vehicle and wind noise (OpenSFX), noise front end off and on.

Half the recordings are "on the list": their transcripts are added to the English grammar as
sentences, so that they decode as commands would (right = the exact transcript acted on, asked =
"did you mean" it, wrong = another sentence acted on, the rest rejected). The other half are
not: they are decoded against the app's own English grammar (off-list real speech: any action
is a wrong one; a question is not). The peer, measured in the same run on the same audio:
PocketSphinx's plain best path through the same grammars, with no rejection (as a grammar-only
decoder acts). `--engine` measures Whisper (voice/whisper.py), alone or checking PocketSphinx,
against the same peer.

    .venv/bin/python bench/bench_voice_real.py [--prompts N] [--failures] [--clean | --noise N]
        [--engine pocketsphinx|whisper|pocketsphinx+whisper]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_voice_noise import decode, hvac, road
from real_speech import Recording, alsa, asterisk, recorded_noise, testdata

from voice import audio, engines, intents
from voice.dialogue import QUESTIONS
from voice.engines import SphinxRecognizer
from voice.frontend import Listener
from voice.models import ENGLISH_ENGINES
from voice.whisper import CheckedRecognizer, WhisperRecognizer

RATE = audio.SAMPLE_RATE
SNRS = [15, 10, 5, 0]  # recorded noise at 10 and 0 only, and the front end's run kept to these
GENERATED = {"road", "hvac"}  # conditions: the bench must stay within half an hour
FRONT_END_CONDITIONS = {("clean", None), ("road", 10), ("hvac", 10), ("hvac", 0),
                        ("vehicle", 10), ("wind", 10)}
VOCABULARY = {"place": ["home", "work"]}
# Long LibriVox sentences (7-10 s) left out to keep the bench short.
LONG = ("sense_and_sensibility_01_austen_64kb-0870", "sense_and_sensibility_01_austen_64kb-0890",
        "sense_and_sensibility_01_austen_64kb-0920")
rng = np.random.default_rng(2026)


def mix(speech: np.ndarray, noise: np.ndarray | None, snr: float | None) -> np.ndarray:
    """Speech with a second of lead-in and trailing and a -50 dBFS floor; the noise (from a
    random point, looped) at `snr` dB below the speech's active power (samples > -40 dBFS)."""
    pad = np.zeros(RATE)
    signal = np.concatenate([pad, speech.astype(np.float64), pad])
    signal += rng.normal(0, 32768 * 10 ** (-50 / 20), len(signal))
    if noise is not None:
        start = rng.integers(len(noise))
        part = np.resize(np.roll(noise, -start), len(signal))
        active = speech[np.abs(speech) > 32768 * 0.01].astype(np.float64)
        power = np.mean(active ** 2) if len(active) else 1.0
        signal += part / part.std() * np.sqrt(power / 10 ** (snr / 10))
    return np.clip(signal, -32768, 32767).astype(np.int16)


class Peer:
    """PocketSphinx's best path through the engine's grammar, no rejection."""

    def __init__(self, engine: SphinxRecognizer) -> None:
        from pocketsphinx import Decoder

        self.decoder = Decoder(samprate=RATE, bestpath=False, loglevel="FATAL", lm=None)
        for word, pronunciations in engines.PRONUNCIATIONS.items():
            if self.decoder.lookup_word(word) is None:
                for i, phones in enumerate(pronunciations):
                    self.decoder.add_word(f"{word}({i + 1})" if i else word, phones,
                                          i == len(pronunciations) - 1)
        start, final, transitions = engine.grammar.fsg()
        self.decoder.add_fsg("g", self.decoder.create_fsg("g", start, final, transitions))
        self.decoder.activate_search("g")

    def heard(self, samples: np.ndarray) -> str:
        self.decoder.start_utt()
        self.decoder.process_raw(samples.tobytes(), False, True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return " ".join(hyp.hypstr.split()) if hyp else ""


def recordings(known, prompts: int, templates: intents.IntentSet
               ) -> tuple[list[Recording], list[Recording]]:
    """(on the list, off the list): every other recording of each source, `prompts` of
    Asterisk's spread over its list; off-list ones that are a command or an on-list sentence
    are left out."""
    pool = asterisk(known)
    pool = [pool[round(i * len(pool) / prompts)] for i in range(min(prompts, len(pool)))]
    on = [r for r in testdata() if r.name not in LONG]
    off: list[Recording] = []
    for source in (alsa(), pool):
        on += source[::2]
        off += source[1::2]
    listed = {r.text for r in on}
    return on, [r for r in off if r.text not in listed and templates.parse(r.text) is None]


def asks(templates: intents.IntentSet, guess: str) -> bool:
    """The dialogue asks "did you mean …?" about the guess (Dialogue.suggest): it is a command
    that changes something; other guesses are told as not understood."""
    match = templates.parse(guess) if guess else None
    return match is not None and match.intent not in QUESTIONS


def kind(templates: intents.IntentSet, text: str) -> str:
    """What a wrong action would have done: "changes" (a command that changes something at
    once), "confirm" (one that asks "yes or no?" first: cancel the route), "yes/no" (an answer:
    it would confirm or cancel a pending question), or "question" (an answer spoken, or another
    recording's sentence)."""
    match = templates.parse(text)
    if match is None or match.intent in QUESTIONS - {"yes", "no"}:
        return "question"
    if match.intent in ("yes", "no"):
        return "yes/no"
    return "confirm" if match.intent in templates.confirm else "changes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=48, help="Asterisk prompts used")
    parser.add_argument("--failures", action="store_true",
                        help="list what failed on clean audio (and with --noise), front end off")
    parser.add_argument("--clean", action="store_true",
                        help="clean audio only, front end off (a quick look)")
    parser.add_argument("--noise", choices=("road", "hvac", "vehicle", "wind"),
                        help="this noise only (and clean), front end off")
    parser.add_argument("--engine", default=ENGLISH_ENGINES[0], choices=ENGLISH_ENGINES,
                        help="the recognizer measured (the peer is PocketSphinx's best path)")
    args = parser.parse_args()
    from pocketsphinx import Decoder

    lookup = Decoder(samprate=RATE, loglevel="FATAL", lm=None)
    templates = intents.load("en")
    on, off = recordings(lambda w: lookup.lookup_word(w) is not None, args.prompts, templates)
    app_grammar = templates.graph(VOCABULARY)[0]
    listed = SphinxRecognizer(app_grammar.with_sentences(r.text for r in on))
    shipped = SphinxRecognizer(app_grammar)  # off-list speech meets the app's own commands
    peers = {True: Peer(listed), False: Peer(shipped)}
    if args.engine == "whisper":
        listed = WhisperRecognizer(app_grammar.with_sentences(r.text for r in on))
        shipped = WhisperRecognizer(app_grammar)
    elif args.engine == "pocketsphinx+whisper":
        listed = CheckedRecognizer(listed, WhisperRecognizer(listed.grammar))
        shipped = CheckedRecognizer(shipped, WhisperRecognizer(shipped.grammar))
    noises = {"road": road(60 * RATE), "hvac": hvac(60 * RATE), **recorded_noise()}
    conditions = [("clean", None)] + [(n, snr) for n in noises for snr in SNRS
                                      if not args.clean and args.noise in (None, n)
                                      and (snr in (10, 0) or n in GENERATED)]
    seconds = sum(len(r.samples) for r in on + off) / RATE
    print(f"{len(on)} recordings on the list ({sum(' ' in r.text for r in on)} of several "
          f"words), {len(off)} off it ({seconds:.0f} s of speech); sources: "
          f"{sorted({r.source for r in on + off})}; recorded noise: "
          f"{sorted(set(noises) - GENERATED) or 'none (openttd-opensfx missing)'}",
          file=sys.stderr)
    rows: list[tuple[str, str]] = []
    for denoise in (False,) if args.clean or args.noise else (False, True):
        listeners = {True: Listener(listed, denoise=denoise),
                     False: Listener(shipped, denoise=denoise)}
        timing = {"finish_ms": [], "cpu": 0.0, "audio": 0.0}
        name = "front end on " if denoise else "front end off"
        for noise, snr in conditions:
            if denoise and (noise, snr) not in FRONT_END_CONDITIONS:
                continue
            began = time.perf_counter()
            counts = Counter()
            for recording, on_list in [(r, True) for r in on] + [(r, False) for r in off]:
                samples = mix(recording.samples, noises.get(noise), snr)
                text, guess = decode(listeners[on_list], templates, samples, timing)
                several = " " in recording.text
                if on_list:
                    counts["right", several] += text == recording.text
                    counts["wrong"] += bool(text) and text != recording.text
                    counts["asked"] += not text and guess == recording.text
                else:
                    counts["off acted"] += bool(text)
                    counts["off asked"] += not text and asks(templates, guess)
                if text and text != recording.text:
                    counts[kind(templates, text)] += 1
                if not denoise:
                    best = peers[on_list].heard(samples)
                    counts["peer right"] += on_list and best == recording.text
                    counts["peer wrong"] += bool(best) and (not on_list or best != recording.text)
                if args.failures and (snr is None or args.noise) and not denoise and (
                        (on_list and text != recording.text) or (not on_list and text)):
                    print(f"  {noise} {'' if snr is None else snr} {'on ' if on_list else 'off'} "
                          f"{recording.source}:{recording.name} "
                          f"{recording.text!r} -> {text!r} guess {guess!r}", file=sys.stderr)
            label = f"{name} {'clean' if snr is None else f'{noise} {snr:>2} dB'}"
            n, several = len(on), sum(" " in r.text for r in on)
            right = counts["right", True] + counts["right", False]
            value = (f"{right}/{n} right ({100 * right / n:.0f} %; several words "
                     f"{counts['right', True]}/{several}), {counts['asked']} asked, "
                     f"{n - right - counts['asked'] - counts['wrong']} rejected, "
                     f"{counts['wrong']} wrong | off-list {counts['off acted']}/{len(off)} acted, "
                     f"{counts['off asked']} asked | of all wrong: {counts['changes']} change "
                     f"something, {counts['confirm']} ask first, {counts['yes/no']} yes/no")
            if not denoise:
                value += (f" | peer (best path, no rejection) {counts['peer right']}/{n} right,"
                          f" {counts['peer wrong']}/{n + len(off)} wrong")
            rows.append((label, value))
            print(f"{label}  {value}  [{time.perf_counter() - began:.0f} s]", file=sys.stderr)
        rows.append((f"{name} RTF (front end + recognizer, CPU)",
                     f"{timing['cpu'] / timing['audio']:.3f}; end of audio -> result p50 "
                     f"{np.percentile(timing['finish_ms'], 50):.0f} ms, p95 "
                     f"{np.percentile(timing['finish_ms'], 95):.0f} ms"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
