"""Intent template files at the door: every broken file is refused with its file, line and
field named (never a traceback), random and mutated files included; as the `voice_intents`
setting a refused file leaves voice working on the built-in commands and tells the driver."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel import topics
from voice import intents
from voice.service import VoiceService

GOOD = '''language = "en"

[slots.door]
front = "front"
rear = "rear"

[intents.open]
templates = ["open the {door} door", "open [the] doors"]
confirm = false

[intents.volume_set]
templates = ["volume {number}"]
range = { number = [0, 100] }

[replies]
open = "Opening the {door} door."
'''


def refused(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cab.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(intents.TemplateError) as caught:
        intents.load(path)
    return str(caught.value)


def test_a_good_file_loads():
    templates = intents.build(tomllib.loads(GOOD), "cab.toml", GOOD)
    assert templates.parse("open the rear door").slots == {"door": "rear"}
    assert templates.confirm == frozenset()


def test_an_intent_without_carriers_is_said_bare():
    """Carrier phrases go around requests, not around an answer marked `carriers = false`."""
    text = GOOD.replace('confirm = false', 'confirm = false\ncarriers = false') + (
        '[carriers]\nbefore = ["[could you]"]\nafter = ["[now]"]\n')
    templates = intents.build(tomllib.loads(text), "cab.toml", text)
    assert templates.parse("open the rear door").slots == {"door": "rear"}
    assert templates.parse("could you open the rear door now") is None
    assert templates.parse("could you volume 7 now").slots == {"number": "7"}
    graph = templates.graph({})[0]  # what the recognizer may hear
    assert graph.accepts("open the front door") and graph.accepts("could you volume seven now")
    assert not graph.accepts("could you open the front door")


def test_english_answers_take_no_carriers():
    """"could you yes" is no answer; engine noise fitted such phrasings (README)."""
    english = intents.load("en")
    for answer in ("yes", "yes please", "yep", "no thank you", "nope", "forget it"):
        assert english.parse(answer).intent in ("yes", "no")
    for carried in ("uh yep now", "could you nope", "yes please thanks", "please yes"):
        assert english.parse(carried) is None
    assert english.parse("could you please turn it up thanks").intent == "volume_up"


@pytest.mark.parametrize(("old", "new", "where"), [
    # wrong-type tables and values
    ('[slots.door]\nfront = "front"\nrear = "rear"', 'slots = ["front", "rear"]',
     "cab.toml:3: slots: Input should be a valid dictionary"),
    ('templates = ["volume {number}"]', 'templates = "volume {number}"',
     "cab.toml:12: intents.volume_set.templates: Input should be a valid list"),
    ('rear = "rear"', 'rear = 2', "cab.toml:5: slots.door.rear: Input should be a valid string"),
    ('confirm = false', 'confirm = "no"',
     "cab.toml:9: intents.open.confirm: Input should be a valid boolean"),
    ('confirm = false', 'carriers = 0',
     "cab.toml:9: intents.open.carriers: Input should be a valid boolean"),
    ('language = "en"', 'language = "../../etc"', "cab.toml:1: language: String should match"),
    ('[replies]', 'replys = 1\n[replies]', "replys: Extra inputs are not permitted"),
    # bad ranges
    ('[0, 100]', '[100, 0]', "cab.toml:13: intents.volume_set.range.number: [100, 0] is not a "
                             "range"),
    ('[0, 100]', '[0, 1e9]', "cab.toml:13: intents.volume_set.range.number.1: Input should be a "
                             "valid integer"),
    ('[0, 100]', '[0]', "intents.volume_set.range.number: List should have at least 2 items"),
    ('range = { number = [0, 100] }', 'range = { door = [0, 1] }',
     'must always fill {door}'),
    # repeated and missing slots
    ('"open the {door} door"', '"open the {door} and {door} door"',
     "cab.toml:8: intents.open.templates.0: slot {door} used twice"),
    ('"volume {number}"', '"volume [{number}]"',
     "cab.toml:12: intents.volume_set.templates.0: 'volume [{number}]' must always fill"),
    ('[slots.door]', '[slots.number]', "cab.toml:3: slots.number: `number` is built in"),
    ('[intents.open]', '[intents.nearest]', "cab.toml:7: intents.nearest: needs a "
                                            "[slots.category] table"),
    # empty templates, bad syntax, words outside any model
    ('"open [the] doors"', '""', "cab.toml:8: intents.open.templates.1: template '' allows "
                                 "saying nothing"),
    ('templates = ["volume {number}"]', 'templates = []',
     "intents.volume_set.templates: List should have at least 1 item"),
    ('"open [the] doors"', '"[open] [the doors]"', "allows saying nothing"),
    ('"open [the] doors"', '"open (the doors"', "')' missing in 'open (the doors'"),
    ('"open [the] doors"', '"open {} doors"', "empty slot {}"),
    ('"open [the] doors"', '"!!! ???"', "allows saying nothing"),
    ('front = "front"', '"..." = "front"', "cab.toml:4: slots.door....: no words to say"),
    ('open = "Opening the {door} door."', 'open = "Opening {door"',
     "cab.toml:16: replies.open: 'Opening {door': expected '}'"),
    ('open = "Opening the {door} door."', 'open = "{door.__class__}"',
     "placeholders are {name}"),
])
def test_broken_files_are_refused_naming_line_and_field(tmp_path, old, new, where):
    assert old in GOOD
    message = refused(tmp_path, GOOD.replace(old, new, 1))
    assert str(tmp_path / "cab.toml") in message and where in message


@pytest.mark.parametrize(("content", "expected"), [
    (b"\xff\xfe not utf-8", "not a valid TOML template file"),
    (b"language = ", "not a valid TOML template file"),
    (b"", "language: Field required"),
])
def test_unreadable_files_are_refused(tmp_path, content, expected):
    path = tmp_path / "cab.toml"
    path.write_bytes(content)
    with pytest.raises(intents.TemplateError, match=expected):
        intents.load(path)
    with pytest.raises(intents.TemplateError, match="a directory"):
        intents.load(tmp_path)


def _mutations() -> st.SearchStrategy:
    """A good file's data with one field replaced by anything TOML can hold."""
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                       st.floats(allow_nan=False), st.text(max_size=30))
    values = st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=10)
    paths = st.sampled_from([
        ("language",), ("wake_phrase",), ("examples",), ("slots",), ("slots", "door"),
        ("slots", "door", "front"), ("intents",), ("intents", "open"),
        ("intents", "open", "templates"), ("intents", "open", "templates", 0),
        ("intents", "volume_set", "range"), ("intents", "volume_set", "range", "number"),
        ("intents", "open", "confirm"), ("replies",), ("replies", "open"), ("free_form_slots",)])
    return st.tuples(paths, values)


def _template_text() -> st.SearchStrategy:
    return st.text(alphabet=st.sampled_from(list("ab {}[]()|'-é이")), max_size=20)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation=_mutations(), template=_template_text())
def test_mutated_files_load_or_are_refused_never_crash(mutation, template):
    data = tomllib.loads(GOOD)
    data["intents"]["extra"] = {"templates": [template]}
    path, value = mutation
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        loaded = intents.build(data, "cab.toml", tomli_w.dumps(data) if _dumpable(data) else "")
    except intents.TemplateError as exc:
        assert str(exc).startswith("cab.toml")
        return
    graph, _ = loaded.graph({"place": ["home"]})
    for sentence in graph.phrases(10**6)[:50] if graph.sentences <= 10**6 else []:
        assert loaded.parse(sentence) is not None


def _dumpable(data: dict) -> bool:
    try:
        tomli_w.dumps(data)
    except (TypeError, ValueError):
        return False
    return True


# --- the voice_intents setting -------------------------------------------------------------
@pytest.mark.parametrize("content", [
    'language = "en"\n[intents.open]\ntemplates = ["open the {door} and {door}"]\n',
    'language = "en"\n[intents.open]\ntemplates = ["zzqx blorf"]\n',  # no word the model knows
])
def test_a_refused_intents_setting_falls_back_to_the_built_in_commands(bus, recorder, tmp_path,
                                                                       content):
    own = tmp_path / "cab.toml"
    own.write_text(content)
    service = VoiceService("en", data_dir=tmp_path / "data", microphone=False,
                           intents_file=str(own))
    service.start(bus)
    try:
        recorder.wait(topics.VOICE_STATE, lambda s: s.state == "idle")
        notice = recorder.wait(topics.UI_NOTICE, lambda n: "refused" in n.text)
        assert notice.level == "warning" and str(own) in notice.text
        assert notice.template.startswith("Your voice commands file was refused")
        bus.publish(topics.VOICE_UTTERANCE, topics.Utterance("play music"))
        assert recorder.wait(topics.MEDIA_COMMAND) == topics.MediaCommand("play")
    finally:
        service.stop()
