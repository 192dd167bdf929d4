"""Spoken text as data (assets/speech/<lang>.toml, read by kernel/speech.py): every language
has every text with its placeholders, broken files are refused naming file and key, and the
words reach the instructions, the prompts and the spoken distances, Mandarin included."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel import speech as speech_data
from kernel.speech import SpeechError, check_against, languages, load, placeholders, speech
from kernel.units import Units
from navigation.guidance import Guidance
from navigation.maneuvers import Maneuver

ENGLISH = speech_data.SPEECH_DIR / "en.toml"


def test_every_language_has_every_text_with_its_placeholders() -> None:
    assert {"en", "fr", "ko", "zh"} <= set(languages())
    english = load(ENGLISH)
    for language in languages():
        path = speech_data.SPEECH_DIR / f"{language}.toml"
        other = load(path)
        assert other.language == language
        check_against(english, other, path)
        for section in ("maneuvers", "prompts"):
            theirs = getattr(other, section)
            for key, text in getattr(english, section).items():
                assert placeholders(theirs[key]) == placeholders(text), (language, key)


@pytest.mark.parametrize("edit, named", [
    (lambda t: t.replace('turn = "Turn {side}"\n', ""), "[maneuvers] lacks ['turn']"),
    (lambda t: t.replace('"Turn {side}"', '"Turn"'), "turn must keep the placeholders"),
    (lambda t: t.replace('"Rerouting."', '"Rerouting {place}."'), "reroute must keep"),
    (lambda t: t.replace('m = ["metre", "metres"]', 'm = "metre"'), "[units] m must be"),
    (lambda t: t.replace('"Turn {side}"', '"Turn {side"'), "[maneuvers] turn:"),
    (lambda t: t.replace('uturn = "Make a U-turn"', "uturn = 3"), "uturn must be a non-empty"),
    (lambda t: t.replace('north = "north"', ""), "[headings] north must be"),
    (lambda t: t.replace('language = "en"', 'language = "../x"'), "must be a language code"),
    (lambda t: t + "[[", "not a readable TOML speech file"),
])
def test_a_broken_speech_file_is_refused_naming_file_and_key(tmp_path: Path, edit,
                                                             named: str) -> None:
    path = tmp_path / "xx.toml"
    path.write_text(edit(ENGLISH.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SpeechError) as error:
        check_against(load(ENGLISH), load(path), path)
    assert str(path) in str(error.value) and named in str(error.value)


def test_an_unknown_language_speaks_english() -> None:
    assert speech("xx") == speech("en") and speech("../../etc/passwd") == speech("en")


@pytest.mark.parametrize("maneuver, text", [
    (Maneuver("turn", "left", "王府井大街", 10.0, 39.9, 116.4), "左转进入王府井大街"),
    (Maneuver("slight", "right", "", 10.0, 39.9, 116.4), "向右前方行驶"),
    (Maneuver("sharp", "left", "", 10.0, 39.9, 116.4), "向左急转弯"),
    (Maneuver("uturn", "", "", 10.0, 39.9, 116.4), "掉头"),
    (Maneuver("roundabout", "", "长安街", 10.0, 39.9, 116.4, exit=2),
     "进入环岛后从第2个出口驶出进入长安街"),
    (Maneuver("depart", "", "长安街", 0.0, 39.9, 116.4, angle=92.0), "沿长安街向东行驶"),
    (Maneuver("arrive", "right", "", 0.0, 39.9, 116.4), "您已到达天安门，目的地在右侧"),
])
def test_mandarin_instructions(maneuver: Maneuver, text: str) -> None:
    assert maneuver.instruction("zh", "天安门" if maneuver.kind == "arrive" else "") == text


def test_mandarin_prompts_and_spoken_distances() -> None:
    turn = Maneuver("turn", "right", "长安街", 300.0, 39.9, 116.41)
    guidance = Guidance([(39.9, 116.40), (39.9, 116.42)], [turn], 120.0, "天安门", "zh")
    assert guidance.prompt_text("in", turn, 300.0) == "300 米后右转进入长安街"
    assert guidance.prompt_text("now", turn, 20.0) == "现在右转进入长安街"
    assert Units().approach(1500, "zh", spoken=True) == "1.5 公里"
    assert Units(miles=True).approach(1609.344 * 2, "zh", spoken=True) == "2 英里"
    assert speech("zh").prompts["did_you_mean"].format(place="王府井") == "您是指王府井吗？"


def test_unit_words_keep_each_language_s_grammar() -> None:
    assert Units().approach(1000, "en", spoken=True) == "1 kilometre"
    assert Units().approach(1500, "fr", spoken=True) == "1,5 kilomètre"  # singular below 2
    assert Units().approach(2500, "fr", spoken=True) == "2,5 kilomètres"
