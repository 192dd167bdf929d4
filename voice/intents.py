"""Intent templates: the data files (voice/templates/<lang>.toml, format documented in en.toml)
that say which phrases mean which command, the parser that matches a transcript against them
exactly, and the grammar graph a recognizer is built from (voice.grammar: never a list of
sentences, whatever their number).

Exact matching is deliberate: an unknown phrase must give a helpful reply, never a wrong action.
A file is checked whole when loaded (types, ranges, slots, template syntax, examples) and
refused with its line and field named: a broken file never reaches the parser.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as SchemaError

from voice import grammar, numbers
from voice.grammar import Alt, Graph, Node, Seq, Word

INTENTS_DIR = Path(__file__).with_name("templates")
LANGUAGES = tuple(sorted(p.stem for p in INTENTS_DIR.glob("*.toml")))  # with templates
NUMBER = "number"
MAX_NUMBER_WORDS = 6  # "quatre vingt dix neuf" and the like; more is not a number
MAX_DERIVATIONS = 1000  # ways one template may split a transcript before it gives up
# Slots the built-in actions (voice.dialogue) read: an intent of that name must fill them.
ACTION_SLOTS = {"navigate": ("place",), "nearest": ("category",), "volume_set": (NUMBER,)}
ACTION_TABLES = {"nearest": "category", "day_night": "mode"}  # and the [slots.X] they look up
MAX_FILE_BYTES = 4_000_000


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file, line and field."""


@dataclass(frozen=True)
class Match:
    intent: str
    slots: dict[str, str]
    transcript: str


@dataclass(frozen=True)
class Template:
    intent: str
    text: str  # as written in the file
    tree: Node  # with the carrier phrases around it
    index: int  # order in the file: breaks ties between equally good matches
    bare: Node  # without them
    spoken: bool  # in the recognizer's grammar (not an `also` template)


# --- the schema of a file --------------------------------------------------------------------
Name = Annotated[str, Field(pattern=r"^\w+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class IntentSpec(_Strict):
    templates: list[StrictStr] = Field(min_length=1)
    also: list[StrictStr] = []
    range: dict[Name, Annotated[list[StrictInt], Field(min_length=2, max_length=2)]] = {}
    confirm: StrictBool = False
    carriers: StrictBool = True  # false: said bare (an answer: "could you yes" is none)


class Carriers(_Strict):
    before: list[StrictStr] = []
    after: list[StrictStr] = []


class TemplateFile(_Strict):
    language: Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}$")]
    wake_phrase: StrictStr = ""
    free_form_slots: list[Name] = []
    examples: list[StrictStr] = []
    slots: dict[Name, Annotated[dict[StrictStr, StrictStr], Field(min_length=1)]] = {}
    carriers: Carriers = Carriers()
    intents: Annotated[dict[Name, IntentSpec], Field(min_length=1)]
    replies: dict[Name, StrictStr] = {}


@dataclass
class IntentSet:
    """The templates of one language (or of a user's file)."""

    language: str
    source: str
    slots: dict[str, dict[str, str]]  # enumerated slot -> spoken words -> bus value
    ranges: dict[str, dict[str, tuple[int, int]]]  # intent -> slot -> (low, high)
    confirm: frozenset[str]
    replies: dict[str, str]
    templates: list[Template] = field(default_factory=list)
    wake_phrase: str = ""  # hands-free activation; empty = push-to-talk only
    examples: tuple[str, ...] = ()  # commands the voice screen may suggest
    free_form_slots: frozenset[str] = frozenset()

    @property
    def intents(self) -> list[str]:
        return list(dict.fromkeys(t.intent for t in self.templates))

    def words(self, text: str) -> list[str]:
        return grammar.words(text, self.language)

    def parse(self, text: str) -> Match | None:
        """The intent whose template matches the whole of `text`, or None. Fixed phrases win
        over open slots ("play music" is `play`, not `play_query` "music"); among matches with
        open slots, more fixed words win ("play songs by queen" is the artist queen)."""
        tokens = self.words(text)
        if not tokens:
            return None
        best: tuple[tuple[int, int, int], Match] | None = None
        for template in self.templates:
            for n, (end, captures, fixed) in enumerate(self._match(template.tree, tokens, 0)):
                if n >= MAX_DERIVATIONS:
                    break
                if end != len(tokens):
                    continue
                slots = self._slot_values(captures, tokens)
                if slots is None:
                    continue
                opened = sum(1 for name, *_ in captures if self._is_open(name))
                key = (opened, -fixed, template.index)
                if best is None or key < best[0]:
                    best = (key, Match(template.intent, slots,
                                        grammar.join(tokens, self.language)))
        return None if best is None else best[1]

    def acted_on(self, heard) -> str:
        """The transcript a recognizer's result (voice.engines.Transcript) acts on unasked, ""
        for none: an accepted one, or free-form text (Vosk's fallback) a template matches
        whole; not one whose `rival` reading means another command (the driver is asked)."""
        if heard.rival and not self.same_command(heard.text, heard.rival):
            return ""
        if heard.accepted or (heard.text and self.parse(heard.text) is not None):
            return heard.text
        return ""

    def same_command(self, text: str, other: str) -> bool:
        """Both transcripts are the same command (intent and slots), however phrased."""
        a, b = self.parse(text), self.parse(other)
        return a is not None and b is not None and (a.intent, a.slots) == (b.intent, b.slots)

    def _is_open(self, slot: str) -> bool:
        return slot != NUMBER and slot not in self.slots

    def _match(self, node: Node, tokens: list[str], i: int
               ) -> Iterator[tuple[int, tuple[tuple[str, int, int], ...], int]]:
        """Every way `node` matches tokens from i: (end, slot captures, fixed words)."""
        if isinstance(node, Word):
            if i < len(tokens) and tokens[i] == node.text:
                yield i + 1, (), 1
        elif isinstance(node, Seq):
            yield from self._sequence(node.items, tokens, i)
        elif isinstance(node, Alt):
            for option in node.options:
                yield from self._match(option, tokens, i)
        elif node.name in self.slots:
            for j in range(i + 1, len(tokens) + 1):
                if " ".join(tokens[i:j]) in self.slots[node.name]:
                    yield j, ((node.name, i, j),), 0
        else:
            longest = MAX_NUMBER_WORDS if node.name == NUMBER else len(tokens)
            for j in range(i + 1, min(len(tokens), i + longest) + 1):
                yield j, ((node.name, i, j),), 0

    def _sequence(self, items: tuple[Node, ...], tokens: list[str], i: int
                  ) -> Iterator[tuple[int, tuple[tuple[str, int, int], ...], int]]:
        if not items:
            yield i, (), 0
            return
        for j, captures, fixed in self._match(items[0], tokens, i):
            for end, more, fixed_more in self._sequence(items[1:], tokens, j):
                yield end, captures + more, fixed + fixed_more

    def _slot_values(self, captures: tuple[tuple[str, int, int], ...], tokens: list[str]
                     ) -> dict[str, str] | None:
        values: dict[str, str] = {}
        for name, i, j in captures:
            spoken = " ".join(tokens[i:j])
            if name == NUMBER:
                number = numbers.parse(spoken, self.language)
                if number is None:
                    return None
                values[name] = str(number)
            elif name in self.slots:
                values[name] = self.slots[name][spoken]
            else:
                values[name] = grammar.join(tokens[i:j], self.language)
        return values

    def reply(self, key: str, **values: object) -> str:
        template = self.replies.get(key, key)
        try:
            return template.format(**values)
        except (KeyError, IndexError):
            return template

    def graph(self, vocabulary: dict[str, list[str]] | None = None) -> tuple[Graph, list[str]]:
        """The grammar graph for a recognizer, and the templates left out because an open slot
        ({place}, {title}...) has no known values (from `vocabulary`).

        The graph holds every phrasing the parser reads: `templates`, `also` templates and the
        carrier phrases around them, so that PocketSphinx hears "could you turn the volume
        up" as said rather than forcing it onto the nearest bare command and rejecting it.
        Its `core` keeps to `templates` (PocketSphinx measures its rejection margins against
        it), and so does `listed`, the phrase list of Vosk's grammar mode: a phrase list grows
        with the product of the phrasings, and Vosk's free-form pass hears the others."""
        vocabulary = vocabulary or {}
        number_words = [self.words(p) for p in numbers.number_phrases(self.language)]
        enumerated = {name: [self.words(k) for k in table] for name, table in self.slots.items()}

        def values(slot: str) -> list[list[str]]:
            if slot == NUMBER:
                return number_words
            if slot in enumerated:
                return enumerated[slot]
            return [w for v in vocabulary.get(slot, []) if (w := self.words(v))]

        skipped = [t.text for t in self.templates
                   if any(not values(s) for s in grammar.slot_uses(t.tree)[1])]
        spoken = [t.bare for t in self.templates if t.spoken]
        graph = Graph.build((t.tree for t in self.templates), values)
        plain = all(t.spoken and t.tree is t.bare for t in self.templates)
        graph.core = None if plain else Graph.build(spoken, values)
        graph.listed = Graph.build(spoken,
                                   lambda s: [] if s in self.free_form_slots else values(s))
        return graph, skipped

    def suggestions(self, places: list[str]) -> tuple[str, ...]:
        """The examples that can succeed now: one naming a place only if it is a known one."""
        known = {grammar.join(self.words(p), self.language) for p in places}
        return tuple(e for e in self.examples
                     if (m := self.parse(e)) is not None
                     and all(v in known for k, v in m.slots.items() if k == "place"))


# --- loading ---------------------------------------------------------------------------------
def load(source: str | Path) -> IntentSet:
    """Load a template file; `source` is a language code (en, fr, ko) or a path."""
    is_code = re.fullmatch(r"[a-z]{2,3}", str(source)) is not None
    path = INTENTS_DIR / f"{source}.toml" if is_code else Path(source)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise TemplateError(f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB; not an "
                                "intent template file")
        raw = path.read_text(encoding="utf-8")
        data = tomllib.loads(raw)
    except FileNotFoundError:
        known = f" (languages with templates: {', '.join(LANGUAGES)})" if is_code else ""
        raise TemplateError(f"{path}: no such intent template file{known}") from None
    except IsADirectoryError:
        raise TemplateError(f"{path}: a directory, not an intent template file") from None
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: not a valid TOML template file: {exc}") from None
    return build(data, str(path), raw)


def build(data: dict, source: str, raw: str = "") -> IntentSet:
    """An IntentSet from a parsed file; TemplateError names what is wrong and where."""
    try:
        spec = TemplateFile.model_validate(data)
    except SchemaError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise TemplateError(f"{_at(source, raw, first['loc'])}: {where}: {first['msg']}"
                            + _hint(first)) from None
    return _compile(spec, source, raw)


def _hint(error: dict) -> str:
    if error["type"] == "missing" and error["loc"][-1] == "templates":
        return " (each [intents.NAME] needs `templates`, a list of strings)"
    if error["type"] == "extra_forbidden":
        return " (not a field of an intent template file)"
    return ""


def _compile(spec: TemplateFile, source: str, raw: str) -> IntentSet:
    language = spec.language

    def fail(loc: tuple, message: str) -> TemplateError:
        return TemplateError(f"{_at(source, raw, loc)}: {'.'.join(map(str, loc))}: {message}")

    if NUMBER in spec.slots:
        raise fail(("slots", NUMBER), "`number` is built in (digits and number words); "
                   "give this slot another name")
    slots: dict[str, dict[str, str]] = {}
    for name, table in spec.slots.items():
        slots[name] = {}
        for spoken, value in table.items():
            key = " ".join(grammar.words(spoken, language))
            if not key:
                raise fail(("slots", name, spoken), "no words to say")
            slots[name][key] = value
    around: list[Node] = []
    for side in ("before", "after"):
        trees: list[Node] = []
        for i, text in enumerate(getattr(spec.carriers, side)):
            try:
                trees.append(grammar.parse_template(text, language, may_be_empty=True))
            except grammar.SyntaxProblem as exc:
                raise fail(("carriers", side, i), str(exc)) from None
            if grammar.slot_uses(trees[-1])[1]:
                raise fail(("carriers", side, i), f"{text!r}: a carrier phrase has no slots")
        around.append(Alt((grammar.EMPTY, *trees)) if trees else grammar.EMPTY)
    templates: list[Template] = []
    ranges: dict[str, dict[str, tuple[int, int]]] = {}
    for name, intent in spec.intents.items():
        table = ACTION_TABLES.get(name)
        if table and table not in slots:
            raise fail(("intents", name), f"needs a [slots.{table}] table (its action looks "
                       "the spoken words up there)")
        for i, (text, field_) in enumerate([*((t, "templates") for t in intent.templates),
                                            *((t, "also") for t in intent.also)]):
            loc = ("intents", name, field_, i if field_ == "templates" else
                   i - len(intent.templates))
            try:
                tree = grammar.parse_template(text, language)
            except grammar.SyntaxProblem as exc:
                raise fail(loc, str(exc)) from None
            bare = tree
            if intent.carriers and spec.carriers != Carriers():
                tree = Seq((around[0], tree, around[1]))
            fewest, most = grammar.slot_uses(tree)
            repeated = sorted(s for s, n in most.items() if n > 1)
            if repeated:
                raise fail(loc, f"slot {{{repeated[0]}}} used twice in {text!r}; a command "
                           "fills each slot once")
            for slot in (*ACTION_SLOTS.get(name, ()), *intent.range):
                if fewest[slot] < 1:
                    raise fail(loc, f"{text!r} must always fill {{{slot}}} (the "
                               f"{'range' if slot in intent.range else 'action'} needs it)")
            templates.append(Template(name, text, tree, len(templates), bare,
                                      field_ == "templates"))
        for slot, (low, high) in intent.range.items():
            if slot != NUMBER:
                raise fail(("intents", name, "range", slot), "only {number} has a range")
            if not 0 <= low <= high <= numbers.MAX_SPOKEN:
                raise fail(("intents", name, "range", slot),
                           f"[{low}, {high}] is not a range within 0..{numbers.MAX_SPOKEN}")
            ranges.setdefault(name, {})[slot] = (low, high)
    for key, reply in spec.replies.items():
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(reply) if f is not None]
        except ValueError as exc:
            raise fail(("replies", key), f"{reply!r}: {exc} (write {{{{ for a brace)") from None
        bad = [f for f in fields if not re.fullmatch(r"\w+", f)]
        if bad:
            raise fail(("replies", key), f"{reply!r}: placeholders are {{name}}, not {bad[0]!r}")
    out = IntentSet(language, source, slots, ranges,
                    frozenset(n for n, i in spec.intents.items() if i.confirm),
                    dict(spec.replies), templates,
                    " ".join(grammar.words(spec.wake_phrase, language)))
    unknown = [e for e in spec.examples if out.parse(e) is None]
    if unknown:
        raise fail(("examples",), f"these examples match no template: {unknown}")
    out.examples = tuple(spec.examples)
    out.free_form_slots = frozenset(spec.free_form_slots)
    return out


def _at(source: str, raw: str, loc: tuple) -> str:
    """`source:line` for a field's location (the line of its key, or of the string that
    failed), `source` alone when the line cannot be told."""
    lines = raw.splitlines()
    start, found = 0, None
    names = [str(p) for p in loc if not isinstance(p, int)]
    for depth, name in enumerate(names):
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(
            rf'"?{re.escape(n)}"?' for n in names[:depth + 1]) + r"\s*\]")
        key = re.compile(rf'^\s*"?{re.escape(name)}"?\s*=|[{{,]\s*"?{re.escape(name)}"?\s*=')
        for n in range(start, len(lines)):
            if header.search(lines[n]) or key.search(lines[n]):
                start = found = n
                break
    if loc and isinstance(loc[-1], int) and found is not None:
        found = _nth_string(lines, found, loc[-1])
    return source if found is None else f"{source}:{found + 1}"


def _nth_string(lines: list[str], first: int, index: int) -> int:
    """The line of the index-th string of the array that begins on line `first`."""
    seen = 0
    for n in range(first, len(lines)):
        text = lines[n].split("=", 1)[1] if n == first and "=" in lines[n] else lines[n]
        for _ in re.finditer(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', text):
            if seen == index:
                return n
            seen += 1
        if "]" in re.sub(r'"(?:[^"\\]|\\.)*"', "", text):
            break
    return first
