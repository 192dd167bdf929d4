"""Typed utterances (voice.utterance) through templates and dialogue to bus commands, in
English, French and Korean, with the real VoiceService."""

from __future__ import annotations

import threading

import pytest

from kernel import topics
from voice import intents
from voice.engines import Transcript
from voice.service import VoiceService


@pytest.fixture
def voice(bus, tmp_path):
    # No microphone here; the model search looks only at an empty data dir and the ko package.
    service = VoiceService("en", data_dir=tmp_path, microphone=False,
                           favourites={"home": "60.17,24.94"})
    service.start(bus)
    yield service
    service.stop()


def say(bus, recorder, text: str, language: str = "") -> topics.Say:
    before = len(recorder.payloads(topics.TTS_SAY))
    bus.publish(topics.VOICE_UTTERANCE, topics.Utterance(text, language))
    recorder.wait(topics.TTS_SAY, lambda _p: len(recorder.payloads(topics.TTS_SAY)) > before)
    return recorder.payloads(topics.TTS_SAY)[-1]


def test_navigate_to_favourite_sends_its_position(bus, recorder, voice):
    reply = say(bus, recorder, "Take me to home")
    assert recorder.payloads(topics.NAV_ROUTE_REQUEST) == [topics.RouteRequest("60.17,24.94")]
    assert reply.text == "Navigating to home."
    intent = recorder.payloads(topics.VOICE_INTENT)[-1]
    assert (intent.name, dict(intent.slots)) == ("navigate", {"place": "home"})


def test_navigate_to_a_street_and_nearest_charger(bus, recorder, voice):
    say(bus, recorder, "navigate to Mannerheimintie")
    say(bus, recorder, "take me to the nearest charging station")
    assert [r.destination for r in recorder.payloads(topics.NAV_ROUTE_REQUEST)] == [
        "mannerheimintie", "nearest charging_station"]


def test_media_commands_and_volume_words(bus, recorder, voice):
    bus.publish(topics.MEDIA_VOLUME, topics.VssInt(30))
    for text in ("play music", "pause", "next song", "previous track", "play Yesterday",
                 "volume up", "set volume to twenty five"):
        say(bus, recorder, text)
    assert recorder.payloads(topics.MEDIA_COMMAND) == [
        topics.MediaCommand("play"), topics.MediaCommand("pause"), topics.MediaCommand("next"),
        topics.MediaCommand("previous"), topics.MediaCommand("play_query", "yesterday"),
        topics.MediaCommand("volume", "40"), topics.MediaCommand("volume", "25")]


def test_volume_out_of_range_is_refused(bus, recorder, voice):
    reply = say(bus, recorder, "volume to 400")
    assert recorder.payloads(topics.MEDIA_COMMAND) == []
    assert "between 0 and 100" in reply.text and "400" in reply.text
    reply = say(bus, recorder, "volume to four hundred")
    assert recorder.payloads(topics.MEDIA_COMMAND) == []


def test_cancel_route_needs_confirmation(bus, recorder, voice):
    assert "yes or no" in say(bus, recorder, "cancel the route").text
    assert recorder.payloads(topics.NAV_ROUTE_REQUEST) == []
    say(bus, recorder, "no")
    assert recorder.payloads(topics.NAV_ROUTE_REQUEST) == []
    say(bus, recorder, "cancel navigation")
    assert say(bus, recorder, "yes").text == "Route cancelled."
    assert recorder.payloads(topics.NAV_ROUTE_REQUEST) == [topics.RouteRequest("")]
    assert say(bus, recorder, "yes").text == "There is nothing to confirm."


def test_replies_from_retained_signals(bus, recorder, voice):
    assert say(bus, recorder, "battery level").text == "I don't know that yet."
    assert say(bus, recorder, "how far is it").text == "There is no active route."
    bus.publish(topics.SOC, topics.VssFloat(72.4))
    bus.publish(topics.RANGE, topics.VssFloat(183_000.0))
    bus.publish(topics.NAV_ROUTE, topics.RoutePath(((60.1, 24.9), (60.2, 24.95)),
                                                   distance_m=12_300, duration_s=1_080))
    assert say(bus, recorder, "what is the battery level").text == \
        "The battery is at 72 percent."
    assert say(bus, recorder, "what is the range").text == "The range is about 183 kilometres."
    assert say(bus, recorder, "when do we arrive").text == \
        "12.3 kilometres to go, about 18 minutes."
    assert say(bus, recorder, "repeat that").text == "12.3 kilometres to go, about 18 minutes."
    bus.publish(topics.DISTANCE_UNIT, topics.VssString("MILES"))
    assert say(bus, recorder, "what is the range").text == "The range is about 114 miles."
    assert say(bus, recorder, "how far is it").text == "7.6 miles to go, about 18 minutes."


def test_day_night_mode(bus, recorder, voice):
    say(bus, recorder, "night mode")
    assert bus.retained(topics.DAY_NIGHT_MODE) == topics.VssString("NIGHT")
    say(bus, recorder, "switch to day mode")
    assert bus.retained(topics.DAY_NIGHT_MODE) == topics.VssString("DAY")


def test_unknown_phrase_gets_help_and_no_action(bus, recorder, voice):
    reply = say(bus, recorder, "open the sunroof")
    assert '"open the sunroof"' in reply.text and "Try:" in reply.text
    assert recorder.payloads(topics.VOICE_INTENT) == []
    assert recorder.payloads(topics.MEDIA_COMMAND) == []
    assert recorder.payloads(topics.NAV_ROUTE_REQUEST) == []


def test_french_commands(bus, recorder, voice):
    reply = say(bus, recorder, "mets le volume à quatre-vingt-dix", "fr")
    assert reply == topics.Say("Volume 90.", "fr", "reply")
    say(bus, recorder, "trouve la borne de recharge la plus proche", "fr")
    say(bus, recorder, "mode nuit", "fr")
    assert "entre 0 et 100" in say(bus, recorder, "volume à deux cents", "fr").text
    assert "Annuler" in say(bus, recorder, "annule l'itinéraire", "fr").text
    assert say(bus, recorder, "oui", "fr").text == "Itinéraire annulé."
    assert recorder.payloads(topics.NAV_ROUTE_REQUEST) == [
        topics.RouteRequest("nearest charging_station"), topics.RouteRequest("")]
    assert bus.retained(topics.DAY_NIGHT_MODE) == topics.VssString("NIGHT")
    assert "pas compris" in say(bus, recorder, "ouvre le toit", "fr").text


def test_korean_commands(bus, recorder, voice):
    say(bus, recorder, "음악 재생", "ko")
    say(bus, recorder, "볼륨 오십", "ko")
    assert recorder.payloads(topics.MEDIA_COMMAND) == [
        topics.MediaCommand("play"), topics.MediaCommand("volume", "50")]
    assert say(bus, recorder, "야간 모드", "ko").language == "ko"


def test_unknown_language_is_reported(bus, recorder, voice):
    bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("hola", "es"))
    error = recorder.wait(topics.BUS_ERROR)
    assert "'es'" in error.message and "es.toml" in error.message


def test_play_songs_by_an_artist_is_the_artist_not_a_title(bus, recorder, voice):
    """Both `play {title}` and `play [songs] by {artist}` match; the one with more fixed words
    wins (it had sent the title "songs by queen" to the media library)."""
    say(bus, recorder, "play songs by queen")
    say(bus, recorder, "play hey jude")
    assert recorder.payloads(topics.MEDIA_COMMAND) == [
        topics.MediaCommand("play_query", "queen"), topics.MediaCommand("play_query", "hey jude")]


def test_one_dialogue_per_language_when_threads_race(tmp_path):
    """The audio thread loads the grammar while the first typed command arrives: both must get
    the same dialogue, or a command's pending confirmation is lost with the other one."""
    service = VoiceService("en", data_dir=tmp_path, microphone=False)
    start, got = threading.Barrier(8), []

    def ask() -> None:
        start.wait()
        got.append(service.dialogue("fr"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(d) for d in got}) == 1


# --- a doubtful command: "did you mean ...?" ---------------------------------------------------
def suggest(voice, guess: str) -> str:
    with voice._dialogue_lock:
        return voice.dialogue().suggest(guess).reply


def test_a_doubtful_command_is_asked_and_acts_on_yes(bus, recorder, voice):
    assert suggest(voice, "pause music") == 'Did you mean "pause music"? Say yes or no.'
    assert recorder.payloads(topics.MEDIA_COMMAND) == []
    assert recorder.payloads(topics.VOICE_INTENT) == []  # not a command until confirmed
    assert say(bus, recorder, "yes").text == "Paused."
    assert recorder.payloads(topics.MEDIA_COMMAND) == [topics.MediaCommand("pause")]
    assert [i.name for i in recorder.payloads(topics.VOICE_INTENT)] == ["yes", "pause"]


def test_a_doubtful_command_is_dropped_on_no_or_on_another_command(bus, recorder, voice):
    suggest(voice, "navigate to home")
    assert say(bus, recorder, "no").text == "OK, nothing changed."
    assert say(bus, recorder, "yes").text == "There is nothing to confirm."
    suggest(voice, "set volume to thirty")
    say(bus, recorder, "volume up")  # the driver said something else: the guess is gone
    assert say(bus, recorder, "yes").text == "There is nothing to confirm."
    assert recorder.payloads(topics.NAV_ROUTE_REQUEST) == []
    assert recorder.payloads(topics.MEDIA_COMMAND) == [topics.MediaCommand("volume", "60")]


def test_a_doubtful_question_is_not_asked_about(bus, recorder, voice):
    """Only commands that change something are worth a question; a doubtful question is
    speech heard but not understood."""
    reply = suggest(voice, "battery level")
    assert reply.startswith("I heard something but not a command I know.")
    assert say(bus, recorder, "yes").text == "There is nothing to confirm."


def test_doubtful_words_that_are_no_command_are_shown(bus, recorder, voice):
    """Whisper's unsure free-form words: no command to ask about; the driver sees them."""
    reply = suggest(voice, "transfer the call")
    assert "transfer the call" in reply and "Did you mean" not in reply
    assert say(bus, recorder, "yes").text == "There is nothing to confirm."


def test_a_doubtful_command_in_french(bus, recorder, voice):
    with voice._dialogue_lock:
        reply = voice.dialogue("fr").suggest("morceau suivant").reply
    assert reply == "Vouliez-vous dire « morceau suivant » ? Dites oui ou non."
    assert say(bus, recorder, "oui", "fr").text
    assert recorder.payloads(topics.MEDIA_COMMAND) == [topics.MediaCommand("next")]


def test_speech_heard_but_not_understood_is_told_apart_from_nothing(bus, recorder, voice):
    with voice._dialogue_lock:
        heard = voice.dialogue().reject("", speech=True).reply
        nothing = voice.dialogue().reject("", speech=False).reply
    assert heard.startswith("I heard something but not a command I know.")
    assert nothing.startswith("I didn't hear a command.")


def test_two_readings_that_mean_different_commands_are_asked_about(bus, recorder, voice):
    """A phrasing heard whole ("play" + "thank you") while the core commands heard another
    command ("play hey jude"): no action until the driver says yes. Readings that mean the same
    command act at once."""
    english = intents.load("en")
    assert english.acted_on(Transcript("please play music", True, rival="play music")) \
        == "please play music"
    assert english.acted_on(Transcript("play thank you", True, rival="play hey jude")) == ""
    voice._answer(Transcript("play thank you", True, rival="play hey jude"))
    asked = recorder.wait(topics.TTS_SAY)
    assert asked.text.startswith("Did you mean") and recorder.payloads(topics.MEDIA_COMMAND) == []
    assert not [t for t in recorder.payloads(topics.VOICE_TRANSCRIPT) if t.final][-1].accepted
    say(bus, recorder, "yes")
    assert recorder.payloads(topics.MEDIA_COMMAND) == [topics.MediaCommand("play")]
