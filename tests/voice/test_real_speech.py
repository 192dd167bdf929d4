"""Real human recordings that Debian packages install (besides pocketsphinx-testdata): spoken
with the natural pauses people make, decoded as commands when their transcripts are in the
grammar. alsa-utils' speaker-test voice (GPL-2) and Asterisk's English prompts (CC-BY-SA-3.0,
G.722 at 16 kHz, decoded by the G722 wheel). On a user's machine without the packages these
skip; CI (CI=true) installs them (debian-packages.txt), so there they must run."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from voice import audio, intents
from voice.engines import SphinxRecognizer
from voice.frontend import Listener

ALSA = Path("/usr/share/sounds/alsa")
ASTERISK = Path("/usr/share/asterisk/sounds/en")
# (file, transcript, the pause inside the recording)
RECORDINGS = [
    (ALSA / "Front_Center.wav", "front center"),  # ~0.3 s between the words
    (ASTERISK / "agent-user.g722",  # "Agent login.  Please enter ...": ~0.4 s after "login"
     "agent login please enter your agent number followed by the pound key"),
]


def samples(path: Path) -> np.ndarray:
    """16 kHz int16 samples with a second of microphone-like floor before and after."""
    if not path.exists():
        if os.environ.get("CI") == "true":
            raise AssertionError(f"{path} is missing: debian-packages.txt installs it in CI")
        pytest.skip(f"{path} is absent (Debian's alsa-utils / asterisk-core-sounds-en-g722)")
    if path.suffix == ".g722":
        import G722

        speech = np.frombuffer(G722.G722(audio.SAMPLE_RATE, 64000, use_numpy=False).decode(
            path.read_bytes()), np.int16)
    else:
        speech = audio.read_audio(path)
    rng = np.random.default_rng(7)
    pad = lambda: rng.normal(0, 32768 * 10 ** (-50 / 20), audio.SAMPLE_RATE)  # noqa: E731
    signal = np.concatenate([pad(), speech.astype(np.float64), pad()])
    return np.clip(signal, -32768, 32767).astype(np.int16)


@pytest.fixture(scope="module")
def recognizer() -> SphinxRecognizer:
    """Volant's English commands plus the recordings' transcripts."""
    return SphinxRecognizer(intents.load("en").graph()[0].with_sentences(
        text for _, text in RECORDINGS))


@pytest.mark.parametrize(("path", "text"), RECORDINGS, ids=lambda v: getattr(v, "stem", ""))
def test_real_speech_with_natural_pauses_decodes_whole(recognizer, path, text):
    listener = Listener(recognizer)
    for chunk in audio.chunks(samples(path)):
        listener.accept(chunk)
    heard = listener.finish()
    assert (heard.text, heard.accepted, heard.speech) == (text, True, True)


# Real sentences that are no command (Volant's own grammar, no transcripts added): forced onto
# a command with the rest of their speech in the path's pauses, they acted ("confirm", "do it
# please", "battery status thank you").
OFF_LIST = ["agent-alreadyon", "confbridge-inc-list-vol-out", "confbridge-pin",
            "confbridge-rest-list-vol-in", "info-about-last-call", "priv-callpending",
            "tt-somethingwrong", "vm-invalidpassword"]


@pytest.fixture(scope="module")
def commands() -> intents.IntentSet:
    return intents.load("en")


@pytest.mark.parametrize("name", OFF_LIST)
def test_real_speech_that_is_no_command_gives_no_action(commands, name):
    listener = Listener(SphinxRecognizer(commands.graph()[0]))
    for chunk in audio.chunks(samples(ASTERISK / f"{name}.g722")):
        listener.accept(chunk)
    heard = listener.finish()
    assert commands.acted_on(heard) == "", heard
