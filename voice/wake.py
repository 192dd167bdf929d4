"""Hands-free activation. The microphone stays open; the front end's voice-activity detector
cuts its stream into speech segments, and each segment is decoded against the wake grammar:
the wake phrase alone, the wake phrase followed by a command (said in one breath), and the
plain commands, so that a command said without the wake phrase decodes as itself and is
ignored rather than being forced onto the wake phrase. The same endpointer ends a hands-free
command: no button to release, so a pause after speech ends the utterance.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice.audio import CHUNK_SAMPLES, SAMPLE_RATE
from voice.engines import Recognizer
from voice.grammar import Graph

HANGOVER_CHUNKS = 7  # 0.7 s without speech ends a segment (a pause inside a phrase is shorter)
PREROLL_CHUNKS = 3  # kept before the first speech chunk: word onsets are quiet
MIN_SPEECH_CHUNKS = 3  # shorter bursts are not segments; words last longer
MAX_SEGMENT_CHUNKS = 10 * SAMPLE_RATE // CHUNK_SAMPLES  # 10 s: nobody says a command that long


class Endpointer:
    """Speech segments in a stream of microphone chunks, each chunk marked speech or not by the
    front end's neural voice-activity detector (voice/frontend.py), which tells speech from
    road noise, clicks and music where a level over the noise floor could not."""

    def __init__(self) -> None:
        self._preroll: list[bytes] = []
        self._segment: list[bytes] = []
        self._speech_chunks = 0
        self._quiet_chunks = 0

    def push(self, chunk: bytes, speech: bool) -> bytes | None:
        """Feed one chunk and whether it held speech; returns the whole segment (pre-roll,
        speech, trailing quiet) once its speech has ended, else None."""
        if not self._segment:
            if not speech:
                self._preroll = [*self._preroll, chunk][-PREROLL_CHUNKS:]
                return None
            self._segment, self._preroll = [*self._preroll, chunk], []
            self._speech_chunks, self._quiet_chunks = 1, 0
            return None
        self._segment.append(chunk)
        if speech:
            self._speech_chunks += 1
            self._quiet_chunks = 0
        else:
            self._quiet_chunks += 1
        if self._quiet_chunks < HANGOVER_CHUNKS and len(self._segment) < MAX_SEGMENT_CHUNKS:
            return None
        segment, long_enough = b"".join(self._segment), self._speech_chunks >= MIN_SPEECH_CHUNKS
        self._segment = []
        return segment if long_enough else None


def wake_grammar(wake_phrase: str, commands: Graph) -> Graph:
    """The wake phrase alone, followed by a command, and the commands alone."""
    return commands.prefixed(wake_phrase.split())


@dataclass(frozen=True)
class Wake:
    command: str  # the command that followed the wake phrase in one breath; "" = listen
    guess: str = ""  # a command said with it that Whisper heard only roughly: asked about


class WakeSpotter:
    """Decides whether a speech segment began with the wake phrase."""

    def __init__(self, wake_phrase: str, recognizer: Recognizer) -> None:
        self.wake_phrase = wake_phrase
        self._recognizer = recognizer

    def hear(self, segment: bytes) -> Wake | None:
        for start in range(0, len(segment), CHUNK_SAMPLES * 2):
            self._recognizer.accept(segment[start:start + CHUNK_SAMPLES * 2])
        heard = self._recognizer.finish()
        words, wake = heard.text.split(), self.wake_phrase.split()
        if heard.guess and self._recognizer.engine == "pocketsphinx+whisper":
            # Both engines roughly heard the wake phrase and this command (PocketSphinx's
            # own guesses alone are cabin chatter more often than not: not woken).
            return Wake("", " ".join(heard.guess.split()[len(wake):]))
        if words[:len(wake)] != wake:
            return None
        # Heard the wake phrase, then something that is not quite a command: listen for it.
        return Wake(" ".join(words[len(wake):]) if heard.accepted else "")
