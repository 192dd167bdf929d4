"""TtsService with the real pyttsx3 + espeak-ng, offscreen: each utterance becomes a WAV file,
which the recognizer then hears back (the speech really says the reply)."""

from __future__ import annotations

import threading
import wave

import pytest

from kernel import topics
from voice import audio
from voice.service import VoiceService
from voice.tts import TtsService, _wait_until_complete


def test_replies_are_spoken_to_files_in_the_reply_language(bus, recorder, tmp_path):
    tts = TtsService("en", output_dir=tmp_path / "speech")
    tts.start(bus)
    try:
        bus.publish(topics.TTS_SAY, topics.Say("Volume fifty.", "en"))
        bus.publish(topics.TTS_SAY, topics.Say("Volume cinquante.", "fr"))
        recorder.wait(topics.TTS_STATE, lambda _s: len(
            [s for s in recorder.payloads(topics.TTS_STATE) if not s.speaking]) >= 3)
    finally:
        tts.stop()
    states = recorder.payloads(topics.TTS_STATE)
    assert [s.text for s in states if s.speaking] == ["Volume fifty.", "Volume cinquante."]
    assert [p.name for p in tts.written] == ["utterance-0001.wav", "utterance-0002.wav"]
    for path in tts.written:
        with wave.open(str(path)) as wav:
            assert wav.getnframes() / wav.getframerate() > 0.5
        assert abs(audio.read_wav(path).astype(float)).max() > 1000  # speech, not silence


def test_spoken_reply_is_understood_by_the_recognizer(bus, recorder, tmp_path):
    """Volant's own spoken "play music" goes back in through the microphone path."""
    tts = TtsService("en", output_dir=tmp_path / "speech")
    voice = VoiceService("en", data_dir=tmp_path, microphone=False)
    tts.start(bus)
    voice.start(bus)
    try:
        recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle")
        bus.publish(topics.TTS_SAY, topics.Say("play music", "en"))
        recorder.wait(topics.TTS_STATE, lambda s: not s.speaking and len(tts.written) == 1)
        bus.publish(topics.VOICE_AUDIO_FILE, topics.AudioFile(str(tts.written[0])))
        assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("play")
    finally:
        voice.stop()
        tts.stop()


def test_prompt_drops_waiting_replies(bus, recorder, tmp_path):
    tts = TtsService("en", output_dir=tmp_path / "speech")
    tts.start(bus)
    try:
        recorder.wait(topics.TTS_STATE)  # the engine is up
        for text in ("reply one", "reply two", "reply three"):
            bus.publish(topics.TTS_SAY, topics.Say(text))
        bus.publish(topics.TTS_SAY, topics.Say("turn left", kind="prompt"))
        recorder.wait(topics.TTS_STATE, lambda s: s.text == "turn left")
        recorder.wait(topics.TTS_STATE, lambda s: not s.speaking
                      and recorder.payloads(topics.TTS_STATE)[-2].text == "turn left")
    finally:
        tts.stop()
    spoken = [s.text for s in recorder.payloads(topics.TTS_STATE) if s.speaking]
    # At most the reply already being spoken gets out before the prompt; the rest are dropped.
    assert spoken[-1] == "turn left" and "reply three" not in spoken


def test_barge_in_drops_queued_speech(bus, recorder, tmp_path):
    tts = TtsService("en", output_dir=tmp_path / "speech")
    tts.start(bus)
    try:
        recorder.wait(topics.TTS_STATE)
        for text in ("reply one", "reply two", "reply three", "reply four"):
            bus.publish(topics.TTS_SAY, topics.Say(text))
        bus.publish(topics.VOICE_STATE, topics.VoiceState("listening", "en"))
        bus.publish(topics.TTS_SAY, topics.Say("after"))
        recorder.wait(topics.TTS_STATE, lambda s: s.text == "after")
    finally:
        tts.stop()
    spoken = [s.text for s in recorder.payloads(topics.TTS_STATE) if s.speaking]
    assert spoken[-1] == "after" and "reply four" not in spoken


def test_an_empty_speech_file_is_not_taken_as_complete(tmp_path):
    """The check that makes the service synthesise again when espeak left a file empty."""
    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
    spoken = tmp_path / "spoken.wav"
    with wave.open(str(spoken), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(b"\x10\x00" * 2205)
    assert not _wait_until_complete(empty, timeout_s=0.1)
    assert _wait_until_complete(spoken, timeout_s=0.1)


class StandInSpeaker:
    """The sound card's place (the physical edge): 'plays' a WAV for its real duration,
    unless stopped; records what it played and whether to the end."""

    def __init__(self, reason: str = "") -> None:
        self.reason = reason
        self.played: list[tuple[float, bool]] = []  # (seconds of audio, played to the end)
        self.playing = threading.Event()
        self._stopped = threading.Event()

    def open(self) -> str:
        return self.reason

    def begin(self) -> None:
        self._stopped.clear()

    def play(self, path) -> bool:
        with wave.open(str(path)) as wav:
            seconds = wav.getnframes() / wav.getframerate()
        self.playing.set()
        completed = not self._stopped.wait(seconds)
        self.playing.clear()
        self.played.append((seconds, completed))
        return completed

    def stop(self) -> None:
        self._stopped.set()


@pytest.fixture
def speaker(bus):
    """A live (not offscreen) TtsService on the bus, speaking through the stand-in."""
    speaker = StandInSpeaker()
    tts = TtsService("en", speaker=lambda: speaker)
    tts.start(bus)
    yield speaker
    tts.stop()


def test_pressing_talk_cuts_a_spoken_reply_short(bus, recorder, speaker):
    bus.publish(topics.TTS_SAY, topics.Say(
        "The nearest charging station is two kilometres away on Mannerheimintie, open "
        "all night, with four fast chargers."))
    assert speaker.playing.wait(30)
    bus.publish(topics.VOICE_STATE, topics.VoiceState("listening", "en"))  # barge-in
    recorder.wait(topics.TTS_STATE, lambda s: not s.speaking and speaker.played)
    [(seconds, completed)] = speaker.played
    assert seconds > 4 and not completed


def test_a_prompt_interrupts_a_reply_and_is_spoken_whole(bus, recorder, speaker):
    bus.publish(topics.TTS_SAY, topics.Say(
        "Here is a long answer about the weather and the battery and the music library."))
    assert speaker.playing.wait(30)
    bus.publish(topics.TTS_SAY, topics.Say("Turn left.", kind="prompt"))
    recorder.wait(topics.TTS_STATE, lambda _s: len(speaker.played) == 2)
    assert [completed for _s, completed in speaker.played] == [False, True]


def test_without_audio_output_replies_stay_on_screen_with_one_notice(bus, recorder):
    speaker = StandInSpeaker(reason="no audio output: no default output device")
    tts = TtsService("en", speaker=lambda: speaker)
    tts.start(bus)
    try:
        recorder.wait(topics.TTS_STATE)
        for text in ("one", "two"):
            bus.publish(topics.TTS_SAY, topics.Say(text))
        bus.publish(topics.VOICE_STATE, topics.VoiceState("listening", "en"))
    finally:
        tts.stop()
    notices = recorder.payloads(topics.UI_NOTICE)
    assert len(notices) == 1 and "no default output device" in notices[0].text
    assert speaker.played == [] and not any(s.speaking for s in recorder.payloads(
        topics.TTS_STATE))
