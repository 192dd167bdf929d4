"""The driver changes the language in settings (ui.language): recognition, commands and
spoken replies follow at once, with the real Korean Vosk model and PocketSphinx."""

from __future__ import annotations

import pyttsx3

from kernel import topics
from ui.i18n import catalog_for
from voice.service import VoiceService
from voice.tts import TtsService


def test_voice_follows_the_language_chosen_in_settings(bus, recorder, tmp_path, speak_wav,
                                                       korean_model_path):
    service = VoiceService("en", data_dir=tmp_path / "data", microphone=False,
                           model_paths={"ko": str(korean_model_path)})
    service.start(bus)
    try:
        recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle" and s.language == "en")
        bus.publish(topics.UI_LANGUAGE, topics.Language("ko"))
        recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle" and s.language == "ko")
        bus.publish(topics.VOICE_AUDIO_FILE, topics.AudioFile(
            str(speak_wav("음악 재생", tmp_path / "play.wav", voice="ko"))))
        assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("play")

        bus.publish(topics.UI_LANGUAGE, topics.Language("fr"))  # no French model here
        state = recorder.wait(topics.VOICE_STATE, lambda s: s.language == "fr")
        assert state.state == "disabled"
        assert "no 'fr' voice model" in state.reason
        assert "volant voice models download fr" in state.reason
        assert state.reason_values == ("fr",)  # one template, so the screens say it in French
        assert catalog_for("fr", tmp_path).translate("Volant", state.reason_template).startswith(
            "pas de modèle vocal «\u00a0%1\u00a0»")
        bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("pause"))  # typed still works
        assert recorder.wait(topics.MEDIA_COMMAND, lambda c: c.action == "pause")
        assert recorder.payloads(topics.TTS_SAY)[-1].language == "fr"
    finally:
        service.stop()


def test_spoken_replies_follow_the_language_chosen_in_settings(bus, recorder, tmp_path):
    tts = TtsService("en", output_dir=tmp_path / "speech")
    tts.start(bus)
    try:
        bus.publish(topics.UI_LANGUAGE, topics.Language("fr"))
        bus.publish(topics.TTS_SAY, topics.Say("Bonjour."))  # names no language
        recorder.wait(topics.TTS_STATE, lambda _s: len(tts.written) == 1)
        assert pyttsx3.init().getProperty("voice").endswith("fr")  # the one engine in use
    finally:
        tts.stop()
