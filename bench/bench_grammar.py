"""Grammar benchmark: build time and memory of the grammar graph for the shipped templates and
for a 10^8-sentence file (tests/voice/data/orders.toml), against the peer measured in the same
run: listing the sentences as the enumerating build did (capped at 10^6, extrapolated); parse
accuracy on the fixed unseen paraphrase set (bench/data/paraphrases.toml) with the templates
before the phrasing work (bench/data/templates_before) and now, per language; for English the
same on espeak-ng speech through PocketSphinx; and every number 0-100 said by espeak-ng.

    .venv/bin/python bench/bench_grammar.py [--no-speech]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import tomllib
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voice import audio, intents, numbers  # noqa: E402
from voice.engines import MINIMAL_GRAPH_FACTOR, SphinxRecognizer, Transcript  # noqa: E402

DATA = Path(__file__).with_name("data")
ORDERS = ROOT / "tests" / "voice" / "data" / "orders.toml"
PEER_CAP = 10**6


def measured(build):
    """(result, seconds, peak MB of Python allocations) of build(): timed in one run, its
    memory traced in another (tracing slows it several times)."""
    start = time.perf_counter()
    result = build()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    build()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return result, seconds, peak


def build_rows() -> list[tuple[str, str]]:
    rows = []
    cases = [(lang, lang, {"place": ["home", "work"]}) for lang in ("en", "fr", "ko")]
    cases.append(("orders (10^8)", ORDERS, {}))
    for name, source, vocabulary in cases:
        def build(source=source, vocabulary=vocabulary):
            graph, _ = intents.load(source).graph(vocabulary)
            return graph, graph.minimal(MINIMAL_GRAPH_FACTOR * len(graph.arcs))
        (graph, minimal), seconds, peak = measured(build)
        rows.append((f"{name}: load + graph + minimal automaton",
                     f"{seconds:.3f} s, peak {peak:.1f} MB, {graph.sentences:,} sentences, "
                     f"{graph.arc_count():,} arcs ({minimal.arc_count():,} minimal)"))
        if name.startswith("orders"):
            listed, peer_s, peer_mb = measured(lambda g=graph: g.phrases(PEER_CAP)
                                               if g.sentences <= PEER_CAP
                                               else _first_sentences(g, PEER_CAP))
            scale = graph.sentences / len(listed)
            rows.append((f"{name}: peer, listing {len(listed):,} sentences",
                         f"{peer_s:.2f} s, peak {peer_mb:.0f} MB; all {graph.sentences:,} "
                         f"would take ~{peer_s * scale:,.0f} s and ~{peer_mb * scale / 1e3:,.0f}"
                         f" GB"))
            rows.append(("ratio peer (extrapolated) / graph",
                         f"time x{peer_s * scale / seconds:,.0f}, memory "
                         f"x{peer_mb * scale / peak:,.0f}"))
    return rows


def _first_sentences(graph, limit: int) -> list[str]:
    """The first `limit` sentences of the graph, listed the way the enumerating build did."""
    out, stack = [], [(0, ())]
    while stack and len(out) < limit:
        state, said = stack.pop()
        if state == 1:
            out.append(" ".join(said))
        for word, nxt in reversed(graph.arcs[state]):
            stack.append((nxt, said if word is None else (*said, word)))
    return out


def paraphrases(language: str) -> list[tuple[str, str, dict[str, str]]]:
    data = tomllib.loads((DATA / "paraphrases.toml").read_text(encoding="utf-8"))
    out = []
    for intent, lines in data[language].items():
        for line in lines:
            said, _, slots = line.partition(" | ")
            out.append((said, intent, dict(s.split("=", 1) for s in slots.split(", ") if s)))
    return out


def vocabulary(language: str) -> dict[str, list[str]]:
    return tomllib.loads((DATA / "paraphrases.toml").read_text(encoding="utf-8"))[
        "vocabulary"][language]


def outcome(match, intent: str, slots: dict[str, str]) -> str:
    """right, rejected or wrong (an action other than the one meant)."""
    if match is None:
        return "rejected"
    got = dict(match.slots)
    if match.intent == "day_night" and "onoff" in got:  # night mode on/off
        got = {"mode": "NIGHT" if got.pop("onoff") == "on" else "DAY"}
    return "right" if (match.intent, got) == (intent, slots) else "wrong"


def score(outcomes: list[str]) -> str:
    n = len(outcomes)
    return (f"{outcomes.count('right')}/{n} right ({100 * outcomes.count('right') / n:.0f} %), "
            f"{outcomes.count('rejected')} rejected, {outcomes.count('wrong')} wrong")


def text_rows() -> list[tuple[str, str]]:
    rows = []
    for language in ("en", "fr", "ko"):
        cases = paraphrases(language)
        for label, source in (("before", DATA / "templates_before" / f"{language}.toml"),
                              ("now", language)):
            templates = intents.load(source)
            results = [outcome(templates.parse(s), i, sl) for s, i, sl in cases]
            rows.append((f"{language} paraphrases, text, templates {label}", score(results)))
    return rows


def speak(text: str, path: Path, voice: str = "en-us", speed: int = 160) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
                   check=True)
    speech = audio.read_audio(path).astype(np.float64)
    pad = np.zeros(audio.SAMPLE_RATE // 2)
    signal = np.concatenate([pad, speech, pad])
    signal += np.random.default_rng(len(text)).normal(0, 32768 * 10 ** (-50 / 20), len(signal))
    return np.clip(signal, -32768, 32767).astype(np.int16)


def transcript(recognizer: SphinxRecognizer, samples: np.ndarray) -> Transcript:
    for chunk in audio.chunks(samples):
        recognizer.accept(chunk)
    return recognizer.finish()


def speech_rows(tmp: Path) -> list[tuple[str, str]]:
    rows = []
    cases = paraphrases("en")
    voices = {said: speak(said, tmp / "p.wav") for said, _, _ in cases}
    for label, source in (("before", DATA / "templates_before" / "en.toml"), ("now", "en")):
        templates = intents.load(source)
        recognizer = SphinxRecognizer(templates.graph(vocabulary("en"))[0])
        results = []
        for said, intent, slots in cases:
            text = templates.acted_on(transcript(recognizer, voices[said]))
            results.append(outcome(templates.parse(text) if text else None, intent, slots))
        rows.append((f"en paraphrases, espeak-ng en-us -> PocketSphinx, templates {label}",
                     score(results)))
    templates = intents.load("en")
    recognizer = SphinxRecognizer(templates.graph()[0])
    for voice, speed in (("en-us", 160), ("en", 160), ("en", 170)):
        results, wrong = [], []
        for n in range(101):
            heard = transcript(recognizer, speak(f"set volume to {numbers.spell(n, 'en')}",
                                                 tmp / "n.wav", voice, speed))
            text = templates.acted_on(heard)
            match = templates.parse(text or heard.guess)
            said = outcome(match, "volume_set", {"number": str(n)})
            results.append(said if text or said == "rejected" else f"asked {said}")
            if said == "wrong":
                wrong.append(f"{n}->{match.slots.get('number')}")
        rows.append((f"en numbers 0-100 spoken (set volume to N), espeak-ng {voice} {speed} wpm",
                     score(results) + f", asked {results.count('asked right')} right and "
                     f"{results.count('asked wrong')} wrong" + (f": {', '.join(wrong)}"
                                                                if wrong else "")))
    return rows


def main() -> None:
    rows = build_rows() + text_rows()
    if "--no-speech" not in sys.argv:
        with tempfile.TemporaryDirectory() as tmpdir:
            rows += speech_rows(Path(tmpdir))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
