"""Speech recognizers behind one interface: Vosk (any installed model) and PocketSphinx (the US
English model inside its wheel, used when no English Vosk model is installed).

Both decode in grammar mode: the phrase list comes from the intent templates. Grammar mode is
not a strict list (Vosk compiles it into a bigram model and can mix two phrases), so a result
counts only if it is one of the phrases exactly; `Transcript.accepted` says so.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from voice.audio import SAMPLE_RATE

log = logging.getLogger(__name__)
UNK = "[unk]"


@dataclass(frozen=True)
class Transcript:
    text: str
    accepted: bool  # text is one of the grammar's phrases (always True in free-form mode)


class Recognizer(Protocol):
    engine: str
    language: str
    unknown_words: list[str]  # grammar words the model does not know (their phrases left out)

    def accept(self, chunk: bytes) -> str:
        """Feed 16 kHz mono int16 audio; returns the partial transcript so far."""
        ...

    def finish(self) -> Transcript:
        """End of the utterance: the final transcript; the recognizer is ready for the next."""
        ...


def _usable(phrases: Iterable[str], known) -> tuple[list[str], list[str]]:
    """Phrases whose every word the model knows, and the words it does not know."""
    usable, unknown = [], set()
    for phrase in phrases:
        missing = [w for w in phrase.split() if not known(w)]
        if missing:
            unknown.update(missing)
        else:
            usable.append(phrase)
    return usable, sorted(unknown)


class VoskRecognizer:
    engine = "vosk"

    def __init__(self, model, language: str, phrases: list[str] | None) -> None:
        """`model` is a loaded vosk.Model; `phrases` None = free-form decoding."""
        from vosk import KaldiRecognizer

        self.language = language
        self.phrases: frozenset[str] | None = None
        self.unknown_words: list[str] = []
        if phrases is None:
            self._rec = KaldiRecognizer(model, SAMPLE_RATE)
        else:
            known = lambda w: model.vosk_model_find_word(w) >= 0  # noqa: E731
            usable, self.unknown_words = _usable(phrases, known)
            if self.unknown_words:
                log.info("vosk %s: %d words not in the model's vocabulary, their phrases left "
                         "out: %s", language, len(self.unknown_words), self.unknown_words[:20])
            if not usable:
                raise ValueError(f"vosk {language}: none of the {len(phrases)} phrases is in "
                                 "the model's vocabulary")
            self.phrases = frozenset(usable)
            grammar = usable + ([UNK] if known(UNK) else [])
            self._rec = KaldiRecognizer(model, SAMPLE_RATE,
                                        json.dumps(grammar, ensure_ascii=False))
        self._segments: list[str] = []

    def accept(self, chunk: bytes) -> str:
        if self._rec.AcceptWaveform(chunk):
            self._segments.append(json.loads(self._rec.Result())["text"])
            return " ".join(self._segments)
        partial = json.loads(self._rec.PartialResult())["partial"]
        return " ".join([*self._segments, partial]).strip()

    def finish(self) -> Transcript:
        self._segments.append(json.loads(self._rec.FinalResult())["text"])
        text = " ".join(" ".join(self._segments).replace(UNK, " ").split())
        self._segments = []
        self._rec.Reset()
        return Transcript(text, self.phrases is None or text in self.phrases)


NOISE_FLOOR_DBFS = -50.0


def _with_noise_floor(pcm: bytes, rng: np.random.Generator) -> bytes:
    """A noise floor where the audio has digital silence (runs of exact zeros), which no
    microphone produces; audio that has its own noise is left as it is."""
    samples = np.frombuffer(pcm, np.int16).astype(np.float64)
    if np.count_nonzero(samples == 0) < len(samples) // 100:
        return pcm
    noise = rng.normal(0, 32768 * 10 ** (NOISE_FLOOR_DBFS / 20), len(samples))
    return np.clip(samples + noise, -32768, 32767).astype(np.int16).tobytes()


# Common English words a driver may say that are not commands. PocketSphinx has no [unk]; with
# these as an alternative path, off-list speech decodes as filler instead of being forced onto
# the nearest command ("what is the weather..." had become "what is the battery level").
_FILLER = """a about after all also an and any are as at be because been but by can come
could day do even first for from get give go good have he her here him his how i if in into is
it its just know like look make man many me more my new no not now of on one only or other our
out over people say see she so some take than that the their them then there these they thing
think this those time to two up us use very want way we well what when which who will with work
would year you your today hello open close window door call phone message email send read news
sport tell seat heating air conditioning temperature"""
FILLER_WORDS = _FILLER.split()
# Prior of the filler path. A wrong action is worse than "say again", so the filler stays on.
# The compact grammar prunes the filler less than the old flat JSGF list (prior 1e-8), so it
# needs a lower prior for the same balance. Measured on bench/bench_voice.py's 48 commands and
# 36 off-list phrases (same voices): flat list 33/48 kept, 3/36 accepted; compact at 1e-8 27/48
# (2 of the first 18 off-list), 1e-14 32/48 and 3/36, 1e-15 33/48 and 3/36 but "play yesterday"
# became "play music" in tests/voice, 1e-16 34/48 and 5/36.
FILLER_WEIGHT = 1e-14
# Each further filler word: the weight JSGF's `(...)+` gave it (half of the loop, 1/n per word).
_FILLER_LOOP = 0.5


def grammar_fsg(phrases: Iterable[str], filler: list[str]
                ) -> tuple[int, int, list[tuple[int, int, float, str] | tuple[int, int, float]]]:
    """The grammar as a word automaton for `Decoder.create_fsg`: (start, final, transitions).

    The phrases form a minimal automaton: shared prefixes and suffixes ("set volume to" ... the
    numbers) are searched once instead of once per phrase, which made the flat JSGF list slow.
    The priors are those of the JSGF grammar it replaces: each phrase 1/n, and beside the
    commands a filler path (`FILLER_WEIGHT`, then 1/2 * 1/len(filler) per word)."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for word in phrase.split():
            node = node.setdefault(word, {})
        node[""] = {}  # end of a phrase
    final = 0
    states: dict[tuple, int] = {}
    arcs: dict[int, list[tuple[str, int, int]]] = {}
    counts = {final: 1}  # phrases through each state, so that each phrase gets 1/n in all

    def state(node: dict) -> int:
        """The state of a trie node; nodes with the same continuations share one."""
        children = tuple(sorted((w, state(c)) for w, c in node.items() if w))
        key = ("" in node, children)
        if key not in states:
            out = [(w, c, counts[c]) for w, c in children]
            if "" in node:
                out.append(("", final, 1))
            states[key] = len(states) + 1
            counts[states[key]] = sum(n for *_, n in out)
            arcs[states[key]] = out
        return states[key]

    commands = state(trie)
    transitions: list = [(s, c, n / counts[s], w) if w else (s, c, n / counts[s])
                         for s, out in arcs.items() for w, c, n in out]
    start, words = len(states) + 1, len(states) + 2
    transitions.append((start, commands, 1.0))
    if filler:
        word_p = _FILLER_LOOP / len(filler)
        transitions += [(start, words, FILLER_WEIGHT * word_p, w) for w in filler]
        transitions += [(words, words, word_p, w) for w in filler]
        transitions.append((words, final, 1.0))
    return start, final, transitions


class SphinxRecognizer:
    """PocketSphinx with the grammar as a compact word automaton, decoding while the audio
    arrives, so that the end of speech only closes the utterance; bestpath off (end_utt can
    take minutes with it on large grammars).

    Live decoding normalises cepstra by a running mean that starts from the model's default,
    far from a real input's (C0 40 against 46-62 here): streamed that way the first commands
    decoded wrongly. So until a command is accepted, utterances are decoded whole at their end,
    which normalises over the utterance and leaves the running mean at this input's; after
    that the decoder runs chunk by chunk, and an utterance it does not accept is decoded whole
    once more (the running mean lags when the level changes; this recovered 3/48 commands).
    Digital silence (synthesized speech, pyttsx3's own files) decodes badly, so such audio
    gets a microphone-like noise floor."""

    engine = "pocketsphinx"

    def __init__(self, phrases: list[str], language: str = "en") -> None:
        from pocketsphinx import Decoder

        self.language = language
        # No language model: only the grammar is searched (loading it cost 0.3 s and ~60 MB).
        self._decoder = Decoder(samprate=SAMPLE_RATE, bestpath=False, loglevel="FATAL", lm=None)
        usable, self.unknown_words = _usable(
            phrases, lambda w: self._decoder.lookup_word(w) is not None)
        if self.unknown_words:
            log.info("pocketsphinx: %d words not in its dictionary, their phrases left out: %s",
                     len(self.unknown_words), self.unknown_words[:20])
        if not usable:
            raise ValueError(f"pocketsphinx: none of the {len(phrases)} phrases is in its "
                             "dictionary")
        self.phrases = frozenset(usable)
        # Partials shown while listening: command beginnings only, not the filler path's words.
        self._prefixes = frozenset(" ".join(words[:n]) for words in map(str.split, usable)
                                   for n in range(1, len(words) + 1))
        vocabulary = {w for p in usable for w in p.split()}
        filler = [w for w in FILLER_WORDS
                  if w not in vocabulary and self._decoder.lookup_word(w) is not None]
        start, final, transitions = grammar_fsg(sorted(usable), filler)
        self._decoder.add_fsg("volant", self._decoder.create_fsg("volant", start, final,
                                                                 transitions))
        self._decoder.activate_search("volant")
        self._audio: list[bytes] = []  # the utterance so far, noise floor added
        self._settled = False  # the running cepstral mean is this input's
        self._live = False  # an utterance is being decoded chunk by chunk
        self._rng = np.random.default_rng(0)

    def accept(self, chunk: bytes) -> str:
        chunk = _with_noise_floor(chunk, self._rng)
        self._audio.append(chunk)
        if not self._settled:
            return ""
        if not self._live:
            self._decoder.start_utt()
            self._live = True
        self._decoder.process_raw(chunk, False, False)
        hyp = self._decoder.hyp()
        partial = " ".join(hyp.hypstr.split()) if hyp else ""
        return partial if partial in self._prefixes else ""

    def finish(self) -> Transcript:
        utterance, self._audio = b"".join(self._audio), []
        heard = Transcript("", False)
        if self._live:
            self._live = False
            heard = self._end()
        if not heard.accepted and utterance:
            self._decoder.start_utt()
            self._decoder.process_raw(utterance, False, True)
            heard = self._end()
            self._settled = self._settled or heard.accepted
        return heard

    def _end(self) -> Transcript:
        """Close the utterance being decoded and take its result."""
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        text = " ".join(hyp.hypstr.split()) if hyp else ""
        return Transcript(text, text in self.phrases)


@cache
def load_vosk_model(path: str):
    """vosk.Model from a folder, loaded once per process (~2 s and ~500 MB for Korean);
    raises ValueError naming what the folder lacks."""
    from vosk import Model, SetLogLevel

    from voice.models import missing_parts

    missing = missing_parts(Path(path))
    if missing:
        raise ValueError(f"{path} is not a Vosk model: missing {', '.join(missing)}")
    SetLogLevel(-1)
    return Model(path)


def create_recognizer(language: str, phrases: list[str], *, data_dir: Path | None = None,
                      model_paths: dict[str, str] | None = None
                      ) -> tuple[Recognizer | None, str]:
    """The best recognizer for `language`, or None and the reason there is none: a Vosk model
    if one is installed, else PocketSphinx's bundled model for English."""
    from voice.models import OFFICIAL, best_model

    info = best_model(language, data_dir, model_paths)
    if info is not None:
        return VoskRecognizer(load_vosk_model(str(info.path)), language, phrases), ""
    if language == "en":
        return SphinxRecognizer(phrases, language), ""
    hint = (f"; run `volant voice models download {language}`" if language in OFFICIAL
            else "")
    return None, f"no speech model for {language!r} is installed{hint}"
