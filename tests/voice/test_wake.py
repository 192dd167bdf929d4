"""Hands-free activation with the real engines: a stand-in microphone (the physical edge) streams
espeak-ng speech chunk by chunk, the way the sound card's callback does; the endpointer, the
wake spotter and the command recognizer are the real ones."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from kernel import topics
from voice import audio
from voice.frontend import FrontEnd
from voice.service import VoiceService
from voice.wake import Endpointer

NOISE_DBFS = -50.0


class StreamedMicrophone:
    """Plays a recording into the sink at 10x real time on its own thread, then a steady
    noise floor (a microphone never goes quiet) until closed."""

    def __init__(self, sink: Callable[[bytes], None], samples: np.ndarray) -> None:
        self._sink, self._samples = sink, samples
        self._closed = threading.Event()
        self.played = threading.Event()

    def open(self) -> str:
        threading.Thread(target=self._play, daemon=True).start()
        return ""

    def _play(self) -> None:
        for chunk in audio.chunks(self._samples):
            if self._closed.wait(0.01):
                return
            self._sink(chunk)
        self.played.set()
        rng = np.random.default_rng(7)
        while not self._closed.wait(0.01):
            self._sink(noise(audio.CHUNK_SAMPLES, rng).tobytes())

    def close(self) -> None:
        self._closed.set()


def noise(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0, 32768 * 10 ** (NOISE_DBFS / 20), n).astype(np.int16)


def recording(speak_wav, tmp_path, *parts: str | float, voice: str = "en") -> np.ndarray:
    """Speech and pauses (seconds) in order, over the noise floor."""
    rng = np.random.default_rng(3)
    pieces = [noise(audio.SAMPLE_RATE, rng)]
    for i, part in enumerate(parts):
        if isinstance(part, float):
            pieces.append(noise(int(part * audio.SAMPLE_RATE), rng))
        else:
            pieces.append(audio.read_wav(speak_wav(part, tmp_path / f"part{i}.wav", voice=voice,
                                                   rate=audio.SAMPLE_RATE)))
    pieces.append(noise(2 * audio.SAMPLE_RATE, rng))
    return np.concatenate(pieces)


@pytest.fixture
def hands_free(bus, recorder, tmp_path):
    """start(samples, language) -> the running service, listening for its wake phrase."""
    started: list[VoiceService] = []
    microphones: list[StreamedMicrophone] = []

    def start(samples: np.ndarray, language: str = "en", **kwargs) -> StreamedMicrophone:
        def microphone(sink):
            microphones.append(StreamedMicrophone(sink, samples))
            return microphones[-1]

        service = VoiceService(language, data_dir=tmp_path / "data", microphone=microphone,
                               wake=True, **kwargs)
        started.append(service)
        service.start(bus)
        recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle")
        return microphones[0]

    yield start
    for service in started:
        service.stop()


def segments_of(stream: np.ndarray, *, denoise: bool = True) -> list[bytes]:
    """The speech segments the front end and the endpointer cut from a stream."""
    front_end, endpointer = FrontEnd(denoise=denoise), Endpointer()
    out = []
    for chunk in audio.chunks(stream):
        cleaned, speech = front_end.process(chunk)
        if (segment := endpointer.push(cleaned, any(speech))) is not None:
            out.append(segment)
    return out


@pytest.mark.parametrize("denoise", [True, False])
def test_endpointer_cuts_speech_at_pauses_and_ignores_noise_and_clicks(speak_wav, tmp_path,
                                                                       denoise):
    rng = np.random.default_rng(1)
    speech = audio.read_wav(speak_wav("play music", tmp_path / "s.wav", rate=audio.SAMPLE_RATE))
    click = np.zeros(320, np.int16)  # 20 ms
    click[::40] = 20000
    loud = rng.normal(0, 3000, 16000).astype(np.int16)  # a burst of road noise, -21 dBFS
    stream = np.concatenate([noise(16000, rng), speech, noise(16000, rng), click,
                             noise(16000, rng), loud, noise(16000, rng), speech,
                             noise(16000, rng)])
    segments = segments_of(stream, denoise=denoise)
    assert len(segments) == 2
    voiced = audio.read_wav(tmp_path / "s.espeak.wav")  # espeak's output, before padding
    assert all(len(s) // 2 >= len(voiced) for s in segments)  # the whole phrase


def test_wake_phrase_then_a_command_after_a_pause(hands_free, recorder, speak_wav, tmp_path):
    hands_free(recording(speak_wav, tmp_path, "hey copilot", 1.0, "pause music"))
    assert recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle").wake_phrase \
        == "hey copilot"
    assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("pause")
    states = [s.state for s in recorder.payloads(topics.VOICE_STATE)]
    assert "listening" in states  # the overlay showed it listening after the wake phrase


def test_wake_phrase_and_command_in_one_breath(hands_free, recorder, speak_wav, tmp_path):
    hands_free(recording(speak_wav, tmp_path, "hey copilot play music"))
    assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("play")


def test_a_command_without_the_wake_phrase_does_nothing(hands_free, recorder, speak_wav,
                                                        tmp_path):
    """The driver talking to a passenger is not a command: only the later, woken one acts."""
    hands_free(recording(speak_wav, tmp_path, "play music", 1.5, "hey copilot pause music"))
    assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("pause")
    assert recorder.payloads(topics.MEDIA_COMMAND) == [topics.MediaCommand("pause")]


def test_volant_speaking_does_not_wake_it(bus, hands_free, recorder, speak_wav, tmp_path):
    """While a reply plays (heard back by the microphone), wake spotting rests."""
    bus.publish(topics.TTS_STATE, topics.TtsState(True, "hey copilot play music"))
    microphone = hands_free(recording(speak_wav, tmp_path, "hey copilot play music"))
    assert microphone.played.wait(60)
    time.sleep(1.0)  # the last chunks reach the voice worker
    assert recorder.payloads(topics.MEDIA_COMMAND) == []
    bus.publish(topics.TTS_STATE, topics.TtsState(False))
    assert all(s.state == "idle" for s in recorder.payloads(topics.VOICE_STATE)[1:])


def test_korean_wake_phrase_with_the_real_vosk_model(hands_free, recorder, speak_wav, tmp_path,
                                                     korean_model_path):
    hands_free(recording(speak_wav, tmp_path, "헤이 볼란트", 1.0, "음악 재생", voice="ko"),
               language="ko", model_paths={"ko": str(korean_model_path)})
    assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("play")


def test_without_a_microphone_the_wake_phrase_is_off_and_says_why(bus, recorder, tmp_path):
    service = VoiceService("en", data_dir=tmp_path / "data", microphone=False, wake=True)
    service.start(bus)
    try:
        state = recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle")
    finally:
        service.stop()
    assert state.reason == "wake phrase off: no microphone; use push-to-talk"
    assert state.wake_phrase == ""


def test_a_wake_phrase_the_model_cannot_hear_is_refused_clearly(bus, recorder, tmp_path):
    intents = tmp_path / "depot.toml"
    intents.write_text('language = "en"\nwake_phrase = "hey zorblax"\n'
                       '[intents.pause]\ntemplates = ["pause music"]\n')
    service = VoiceService("en", data_dir=tmp_path / "data", intents_file=str(intents),
                           microphone=lambda sink: StreamedMicrophone(sink, np.zeros(0)),
                           wake=True)
    service.start(bus)
    try:
        state = recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle")
    finally:
        service.stop()
    assert state.reason == ("wake phrase off: the speech model does not know 'hey zorblax'; "
                            "use push-to-talk")


def woken_by(speak_wav, tmp_path, prompt: str, *after: str | float) -> np.ndarray:
    """The wake phrase (espeak-ng) and, in the same breath, a real person's recording (an
    Asterisk prompt, which is no command), then `after` as in `recording`."""
    from .test_real_speech import ASTERISK
    from .test_real_speech import samples as real_samples

    rng = np.random.default_rng(5)
    wake = recording(speak_wav, tmp_path, "hey copilot")[audio.SAMPLE_RATE:-audio.SAMPLE_RATE]
    said = real_samples(ASTERISK / f"{prompt}.g722")[audio.SAMPLE_RATE:-audio.SAMPLE_RATE]
    return np.concatenate([noise(audio.SAMPLE_RATE, rng), wake, said,
                           recording(speak_wav, tmp_path, *after)])


@pytest.mark.parametrize(("engine", "first"), [
    ("pocketsphinx", topics.MediaCommand("volume", "18")),
    ("pocketsphinx+whisper", topics.MediaCommand("play"))])
def test_whisper_checks_a_command_said_with_the_wake_phrase(hands_free, recorder, speak_wav,
                                                            tmp_path, engine, first):
    """"Hey copilot" and, in one breath, a person saying "call waiting": PocketSphinx's wake
    grammar forces it onto "volume eighteen", and alone it acts. With Whisper on, Whisper reads
    the segment (it wrote "call waiting"), so nothing acts until the driver's real command."""
    hands_free(woken_by(speak_wav, tmp_path, "call-waiting", 1.5, "hey copilot play music"),
               english_engine=engine)
    recorder.wait(topics.MEDIA_COMMAND, lambda c: c.action == "play")
    assert recorder.payloads(topics.MEDIA_COMMAND)[0] == first


def test_a_command_whisper_heard_otherwise_with_the_wake_phrase_is_shown_not_acted_on(
        hands_free, recorder, speak_wav, tmp_path):
    """espeak-ng's "hey copilot pause music", which PocketSphinx reads as said and Whisper,
    unsure, writes "hey co pilot for music": unlike, so as with push-to-talk nothing acts and
    the driver hears what was heard; the next command acts."""
    hands_free(recording(speak_wav, tmp_path, "hey copilot pause music", 2.5,
                         "hey copilot play music"), english_engine="pocketsphinx+whisper")
    assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("play")
    assert recorder.payloads(topics.MEDIA_COMMAND) == [topics.MediaCommand("play")]
    assert recorder.payloads(topics.TTS_SAY)[0].text.startswith(
        'Sorry, I didn\'t understand "for music".')


def test_a_long_sentence_after_the_wake_phrase_acts_on_nothing_with_whisper_on(
        hands_free, recorder, speak_wav, tmp_path):
    """The wake phrase, then in the same breath a real 8 s LibriVox sentence (no command):
    nothing acts, and the spotter still hears the next command."""
    from .test_real_speech import samples as real_samples
    from .test_recognition import TESTDATA

    rng = np.random.default_rng(9)
    wake = recording(speak_wav, tmp_path, "hey copilot")[audio.SAMPLE_RATE:-audio.SAMPLE_RATE]
    said = real_samples(TESTDATA / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.wav"
                        )[audio.SAMPLE_RATE:-audio.SAMPLE_RATE]
    hands_free(np.concatenate([noise(audio.SAMPLE_RATE, rng), wake, said,
                               recording(speak_wav, tmp_path, 1.5, "hey copilot play music")]),
               english_engine="pocketsphinx+whisper")
    assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("play")
    assert recorder.payloads(topics.MEDIA_COMMAND) == [topics.MediaCommand("play")]


def test_loud_noise_after_the_wake_phrase_acts_on_nothing_with_whisper_on(
        hands_free, recorder, speak_wav, tmp_path):
    """The wake phrase, then 3 s of loud broadband noise (-15 dBFS): the wake phrase opens
    listening, and the voice-activity detector hears no speech in the noise: Volant says it
    heard no command and goes back to idle."""
    rng = np.random.default_rng(9)
    wake = recording(speak_wav, tmp_path, "hey copilot")[audio.SAMPLE_RATE:-audio.SAMPLE_RATE]
    loud = rng.normal(0, 6000, 3 * audio.SAMPLE_RATE).astype(np.int16)
    hands_free(np.concatenate([noise(audio.SAMPLE_RATE, rng), wake, loud,
                               noise(3 * audio.SAMPLE_RATE, rng)]),
               english_engine="pocketsphinx+whisper")
    reply = recorder.wait(topics.TTS_SAY)
    assert reply.text.startswith("I didn't hear a command.")
    recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle" and "processing" in [
        p.state for p in recorder.payloads(topics.VOICE_STATE)])
    assert recorder.payloads(topics.MEDIA_COMMAND) == []
