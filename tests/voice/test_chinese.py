"""Chinese (Mandarin) voice: the zh intent templates read typed text and a recognizer's
segmented transcript alike, numbers in Han numerals, replies spoken with espeak-ng's Mandarin
voice, and without a Chinese model the service says why and typed commands still work."""

from __future__ import annotations

import wave

import pytest
import pyttsx3

from app.cli import main
from kernel import topics
from voice import audio, intents, models, numbers
from voice.grammar import words
from voice.service import VoiceService
from voice.tts import TtsService


@pytest.fixture(scope="module")
def zh() -> intents.IntentSet:
    return intents.load("zh")


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("播放音乐", "play", {}),
    ("播放 音乐", "play", {}),  # as a recognizer segments it
    ("请播放音乐吧", "play", {}),
    ("暂停", "pause", {}),
    ("下一首", "next", {}),
    ("调高音量", "volume_up", {}),
    ("音量五十", "volume_set", {"number": "50"}),
    ("把音量调到二十五", "volume_set", {"number": "25"}),
    ("音量 75", "volume_set", {"number": "75"}),
    ("最近的充电站", "nearest", {"category": "charging_station"}),
    ("附近的 停车场", "nearest", {"category": "parking"}),
    ("导航到Kaivokatu 1", "navigate", {"place": "kaivokatu 1"}),
    ("带我去赫尔辛基中央车站", "navigate", {"place": "赫尔辛基中央车站"}),
    ("电量多少", "battery", {}),
    ("还能开多远", "range", {}),
    ("什么时候到", "eta", {}),
    ("夜间模式", "day_night", {"mode": "NIGHT"}),
    ("取消导航", "cancel_route", {}),
    ("播放周杰伦的歌", "play_query", {"artist": "周杰伦"}),
    ("是的", "yes", {}),
])
def test_typed_and_segmented_chinese_commands(zh, text: str, intent: str, slots: dict) -> None:
    match = zh.parse(text)
    assert match is not None and (match.intent, match.slots) == (intent, slots)


@pytest.mark.parametrize("text", ["你好吗", "电量电量", "音量五十五十", "hello", ""])
def test_what_no_template_says_is_not_a_command(zh, text: str) -> None:
    assert zh.parse(text) is None


@pytest.mark.parametrize(("n", "spoken"), [(0, "零"), (10, "十"), (15, "十五"), (50, "五十"),
                                           (99, "九十九"), (105, "一百零五"), (110, "一百一十"),
                                           (250, "二百五十"), (1000, "一千")])
def test_han_numerals_both_ways(n: int, spoken: str) -> None:
    assert numbers.spell(n, "zh") == spoken
    assert numbers.parse(" ".join(spoken), "zh") == n  # one word per character
    assert numbers.parse("两百", "zh") == 200


def test_the_recognizer_grammar_holds_the_segmented_commands(zh) -> None:
    graph, skipped = zh.graph({"place": ["Kaivokatu 1"]})
    assert graph.accepts(words("播放音乐", "zh")) and graph.accepts(words("音量五十", "zh"))
    assert not graph.accepts(words("音量五十五十", "zh"))
    assert skipped == ["播放 {title}", "播放 {artist} 的 (歌|音乐)"]  # no music library given


def test_without_a_chinese_model_typed_commands_work_and_replies_are_chinese(
        bus, recorder, tmp_path) -> None:
    service = VoiceService("zh", data_dir=tmp_path / "data", microphone=False)
    service.start(bus)
    try:
        state = recorder.wait(topics.VOICE_STATE, lambda s: s.language == "zh"
                              and "download" in s.reason)
        assert state.state == "disabled"
        assert "no 'zh' voice model" in state.reason
        assert "volant voice models download zh" in state.reason
        bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("播放音乐"))
        assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("play")
        bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("音量五十"))
        assert recorder.wait(topics.MEDIA_COMMAND, lambda c: c.action == "volume") \
            == topics.MediaCommand("volume", "50")
        reply = recorder.wait(topics.TTS_SAY, lambda s: s.text == "开始播放。")
        assert reply.language == "zh"
        bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("你好吗"))
        assert recorder.wait(topics.TTS_SAY, lambda s: "没听懂" in s.text).text \
            == "抱歉，没听懂“你好吗”。可以说：播放音乐、调高音量、电量多少。"
    finally:
        service.stop()


def test_chinese_replies_are_spoken_with_the_mandarin_voice(bus, recorder, tmp_path) -> None:
    tts = TtsService("en", output_dir=tmp_path / "speech")
    tts.start(bus)
    try:
        bus.publish(topics.TTS_SAY, topics.Say("音量五十。", "zh"))
        recorder.wait(topics.TTS_STATE, lambda _s: len(tts.written) == 1)
        assert pyttsx3.init().getProperty("voice").endswith("/cmn")  # the one engine in use
    finally:
        tts.stop()
    with wave.open(str(tts.written[0])) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.5
    assert abs(audio.read_wav(tts.written[0]).astype(float)).max() > 1000  # speech


def test_downloading_the_chinese_model_without_a_network_says_why(tmp_path, capsys) -> None:
    """The model manager knows Vosk's Mandarin model; with no network it fails, naming the
    list it could not read and how to install the model by hand."""
    assert models.OFFICIAL["zh"] == "vosk-model-small-cn-0.22"
    site = "http://127.0.0.1:9/"  # nothing listens: as a machine without a network
    with pytest.raises(models.ModelError) as failed:
        models.download("zh", tmp_path, site=site)
    message = str(failed.value)
    assert message.startswith(f"cannot read the model list {site}model-list.json")
    assert f"{site}vosk-model-small-cn-0.22.zip" in message
    assert str(tmp_path / "vosk" / "vosk-model-small-cn-0.22") in message
    assert not (tmp_path / "vosk" / "vosk-model-small-cn-0.22").exists()
    code = main(["voice", "models", "download", "zh", "--site", site])
    assert code == 1
    assert "cannot read the model list" in capsys.readouterr().err


def test_chinese_answers_take_their_words_from_the_speech_data(bus, recorder, tmp_path) -> None:
    """Distances in the replies are spoken with assets/speech/zh.toml's unit words."""
    bus.publish(topics.NAV_ROUTE, topics.RoutePath(((60.16, 24.94), (60.17, 24.95)),
                                                   distance_m=3200.0, duration_s=540.0))
    bus.publish(topics.RANGE, topics.VssFloat(150_000.0))
    bus.publish(topics.SOC, topics.VssFloat(80.0))
    service = VoiceService("zh", data_dir=tmp_path / "data", microphone=False)
    service.start(bus)
    try:
        recorder.wait(topics.VOICE_STATE, lambda s: s.language == "zh" and "download" in s.reason)
        for typed, reply in (("还有多远", "还有 3.2 公里，大约 9 分钟。"),
                             ("还能开多远", "续航约 150 公里。"),
                             ("电量多少", "电量为百分之 80。")):
            bus.publish(topics.VOICE_UTTERANCE, topics.Utterance(typed))
            assert recorder.wait(topics.TTS_SAY, lambda s, r=reply: s.text == r).language == "zh"
    finally:
        service.stop()
