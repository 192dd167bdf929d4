"""Grammars as graphs: templates are parsed and compiled without listing their sentences, so a
file of 10^8 sentences loads and is recognized; words as people write them (contractions,
accents, Hangul) and every number 0-100 (from speech: measured in bench/bench_grammar.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from voice import audio, grammar, intents, numbers
from voice.engines import SphinxRecognizer

DATA = Path(__file__).with_name("data")
ORDER = "i'd like two large mocha with oat milk and honey and a bagel"


@pytest.fixture(scope="module")
def orders() -> intents.IntentSet:
    return intents.load(DATA / "orders.toml")


def test_a_file_of_10e8_sentences_loads_and_parses(orders):
    graph, skipped = orders.graph()
    assert graph.sentences >= 10**8 and not skipped
    assert graph.arc_count() < 20_000  # the sum of the templates' parts, not their product
    match = orders.parse("I'd like two large mocha with oat milk and honey and a bagel.")
    assert match is not None and match.slots == {
        "quantity": "two", "size": "large", "drink": "mocha", "milk": "oat_milk",
        "extra": "honey", "food": "a_bagel"}
    assert graph.accepts(ORDER) and not graph.accepts(ORDER.replace("mocha", "wine"))
    assert orders.parse(ORDER.replace("mocha", "wine")) is None


def test_a_file_of_10e8_sentences_is_recognized_from_speech(orders, tmp_path, speak_wav):
    recognizer = SphinxRecognizer(orders.graph()[0])
    for chunk in audio.chunks(audio.read_audio(speak_wav(ORDER, tmp_path / "order.wav",
                                                         speed=140))):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    assert heard.accepted and orders.parse(heard.text).slots["drink"] == "mocha"


@pytest.mark.parametrize("language", ["en", "fr", "ko"])
def test_every_sentence_of_the_graph_parses_and_the_minimal_graph_has_the_same(language):
    """The core commands listed whole; the full graph (every phrasing: millions of sentences)
    through sentences drawn at random from it."""
    templates = intents.load(language)
    graph, _ = templates.graph({"place": ["home", "rue de la paix"], "title": ["yesterday"],
                                "artist": ["queen"]})
    sentences = graph.core.phrases(10_000)
    assert len(sentences) > 100
    assert all(templates.parse(s) is not None for s in sentences)
    assert sorted(graph.core.minimal(10**6).phrases(10_000)) == sorted(sentences)
    assert all(graph.accepts(s) for s in sentences)
    drawn = random_sentences(graph, 2000)
    minimal = graph.minimal(10**6)
    assert all(templates.parse(s) is not None and minimal.accepts(s) for s in drawn)
    assert graph.sentences > len(sentences) and len(set(drawn)) > 100


def random_sentences(graph: grammar.Graph, n: int) -> list[str]:
    """n sentences of the graph, each path as likely as any other."""
    rng = random.Random(0)
    out = []
    for _ in range(n):
        state, said = grammar.START, []
        while state != grammar.FINAL:
            arcs = graph.arcs[state]
            word, state = rng.choices(arcs, [graph.counts[t] for _, t in arcs])[0]
            said += [word] if word else []
        out.append(" ".join(said))
    return out


def test_templates_with_nested_parts_and_the_wake_prefix():
    tree = grammar.parse_template("[please] (turn (up|down) [the] volume|mute)")
    graph = grammar.Graph.build([tree], lambda _slot: None)
    assert sorted(graph.phrases(100)) == sorted(
        f"{p}{s}" for p in ("", "please ") for s in (
            "turn up volume", "turn up the volume", "turn down volume", "turn down the volume",
            "mute"))
    woken = graph.prefixed(["hey", "copilot"])
    assert woken.accepts("hey copilot") and woken.accepts("hey copilot mute")
    assert woken.accepts("mute") and not woken.accepts("copilot mute")


def test_contractions_keep_their_apostrophe():
    assert grammar.words("I'd like what’s don't") == ["i'd", "like", "what's", "don't"]
    assert grammar.words("l'itinéraire, c’est", "fr") == ["l'", "itinéraire", "c'", "est"]
    assert grammar.words("l itinéraire", "fr") == ["l'", "itinéraire"]
    templates = intents.build({"language": "en", "intents": {
        "battery": {"templates": ["what's [my] battery level", "i'd like the battery level"]}}},
        "contractions")
    assert templates.parse("What's my battery level?").intent == "battery"
    assert templates.parse("I'd like the battery level").intent == "battery"
    assert templates.parse("i d like the battery level") is None
    recognizer = SphinxRecognizer(templates.graph()[0])
    assert recognizer.unknown_words == [] and "i'd" in recognizer.grammar.vocabulary


def test_accented_and_hangul_words_in_any_unicode_form():
    fr = intents.load("fr")
    decomposed = "Trouve un HO\u0302PITAL"  # O + combining circumflex, capitals
    assert fr.parse(decomposed).slots == {"category": "hospital"}
    assert fr.parse("Annule l’itinéraire").intent == "cancel_route"
    assert intents.load("ko").parse("가까운 충전소").slots == {"category": "charging_station"}


@pytest.mark.parametrize("language", ["en", "fr", "ko"])
def test_numbers_0_to_100_parse_exactly_as_spoken_and_as_the_grammar_spells_them(language):
    templates = intents.load(language)
    command = {"en": "set volume to {}", "fr": "volume à {}", "ko": "볼륨 {}"}[language]
    graph, _ = templates.graph()
    for n in range(101):
        for spoken in {numbers.spell(n, language), *numbers.number_phrases(language)[n:n + 1]}:
            match = templates.parse(command.format(spoken))
            assert match is not None and match.slots["number"] == str(n), (n, spoken)
        assert graph.accepts(templates.words(command.format(numbers.number_phrases(language)[n])))


def test_vosk_lists_small_grammars_and_decodes_large_ones_free_form(korean_model_path):
    from voice.engines import VOSK_GRAMMAR_MAX, VoskRecognizer, load_vosk_model

    model = load_vosk_model(str(korean_model_path))
    small, _ = intents.load("ko").graph()
    assert VoskRecognizer(model, "ko", small).mode == "grammar"
    words = ["충전소", "주차장", "주유소", "식당", "병원", "음악", "재생", "다음", "이전", "볼륨",
             "소리", "배터리", "경로", "취소", "안내", "주행", "거리", "확인", "정지", "모드"]
    templates = intents.build({"language": "ko", "slots": {
        f"s{i}": {w: w for w in words} for i in range(4)}, "intents": {
        "memo": {"templates": ["{s0} {s1} {s2} {s3}"]}}}, "memo")
    large, _ = templates.graph()
    assert large.sentences > VOSK_GRAMMAR_MAX
    recognizer = VoskRecognizer(model, "ko", large)
    assert recognizer.mode == "free-form"
    assert not recognizer.grammar.accepts("음악 재생 다음 곡")
    assert recognizer.grammar.accepts("음악 재생 다음 이전")
