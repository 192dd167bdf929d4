"""Intent templates: the data files (voice/templates/<lang>.toml, format documented in en.toml)
that say which phrases mean which command, the parser that matches a transcript against them
exactly, and the phrase list a recognizer's grammar is built from.

Exact matching is deliberate: an unknown phrase must give a helpful reply, never a wrong action.
"""

from __future__ import annotations

import itertools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from voice import numbers

INTENTS_DIR = Path(__file__).with_name("templates")
LANGUAGES = ("en", "fr", "ko")
NUMBER = "number"
_GROUP = re.compile(r"\[([^\[\]]*)\]|\(([^()]*)\)")
_SLOT = re.compile(r"\{(\w+)\}")
_MAX_EXPANSIONS = 256


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Match:
    intent: str
    slots: dict[str, str]
    transcript: str


@dataclass(frozen=True)
class _Pattern:
    intent: str
    text: str  # one expansion of a template: words and {slot}s
    regex: re.Pattern[str]
    open_slots: int


@dataclass
class IntentSet:
    """The templates of one language (or of a user's file)."""

    language: str
    source: str
    slots: dict[str, dict[str, str]]  # enumerated slot -> spoken phrase -> bus value
    ranges: dict[str, dict[str, tuple[int, int]]]  # intent -> slot -> (low, high)
    confirm: frozenset[str]
    replies: dict[str, str]
    number_step: int = 1
    patterns: list[_Pattern] = field(default_factory=list)
    wake_phrase: str = ""  # hands-free activation; empty = push-to-talk only
    examples: tuple[str, ...] = ()  # commands the voice screen suggests

    @property
    def intents(self) -> list[str]:
        return list(dict.fromkeys(p.intent for p in self.patterns))

    def parse(self, text: str) -> Match | None:
        """The intent whose template matches the whole of `text`, or None."""
        spoken = normalize(text)
        for pattern in self.patterns:
            found = pattern.regex.fullmatch(spoken)
            if found is None:
                continue
            slots = self._slot_values(found.groupdict())
            if slots is not None:
                return Match(pattern.intent, slots, spoken)
        return None

    def _slot_values(self, groups: dict[str, str]) -> dict[str, str] | None:
        values: dict[str, str] = {}
        for name, spoken in groups.items():
            if name == NUMBER:
                number = numbers.parse(spoken, self.language)
                if number is None:
                    return None
                values[name] = str(number)
            elif name in self.slots:
                values[name] = self.slots[name][spoken]
            else:
                values[name] = spoken
        return values

    def reply(self, key: str, **values: object) -> str:
        template = self.replies.get(key, key)
        try:
            return template.format(**values)
        except (KeyError, IndexError):
            return template

    def phrases(self, vocabulary: dict[str, list[str]] | None = None
                ) -> tuple[list[str], list[str]]:
        """Every phrase the templates allow, for a recognizer grammar, and the templates left
        out because an open slot ({place}, {title}...) has no known values."""
        vocabulary = vocabulary or {}
        out: list[str] = []
        skipped: list[str] = []
        for pattern in self.patterns:
            names = _SLOT.findall(pattern.text)
            choices = []
            for name in names:
                if name == NUMBER:
                    choices.append(numbers.number_phrases(self.language, step=self.number_step))
                elif name in self.slots:
                    choices.append(list(self.slots[name]))
                else:
                    choices.append([normalize(v) for v in vocabulary.get(name, [])])
            if any(not c for c in choices):
                skipped.append(pattern.text)
                continue
            for combo in itertools.product(*choices):
                values = iter(combo)
                out.append(_SLOT.sub(lambda _m, v=values: next(v), pattern.text))
        return list(dict.fromkeys(out)), skipped


def normalize(text: str) -> str:
    """Lower case, no punctuation (apostrophes become spaces too: "l'itinéraire" and the
    recognizer's "l' itinéraire" are the same phrase), single spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w\s{}]", " ", text)
    return " ".join(text.split())


def expand(template: str) -> list[str]:
    """All concrete forms of a template: "[the] (route|way)" -> route, way, the route..."""
    found = _GROUP.search(template)
    if found is None:
        return [" ".join(template.split())]
    optional, alternatives = found.group(1), found.group(2)
    options = ["", *optional.split("|")] if optional is not None else alternatives.split("|")
    head, tail = template[:found.start()], template[found.end():]
    out: list[str] = []
    for option in options:
        out.extend(expand(f"{head}{option}{tail}"))
        if len(out) > _MAX_EXPANSIONS:
            raise TemplateError(f"template {template!r} expands to more than "
                                f"{_MAX_EXPANSIONS} phrases")
    return out


def _regex(text: str, enumerated: dict[str, dict[str, str]]) -> re.Pattern[str]:
    parts: list[str] = []
    for token in text.split():
        slot = _SLOT.fullmatch(token)
        if slot is None:
            parts.append(re.escape(token))
        elif slot.group(1) in enumerated:
            spoken = sorted(enumerated[slot.group(1)], key=len, reverse=True)
            parts.append(f"(?P<{slot.group(1)}>{'|'.join(re.escape(s) for s in spoken)})")
        else:
            parts.append(f"(?P<{slot.group(1)}>.+?)")
    return re.compile(" ".join(parts))


def load(source: str | Path) -> IntentSet:
    """Load a template file; `source` is a language code (en, fr, ko) or a path."""
    is_code = re.fullmatch(r"[a-z]{2,3}", str(source)) is not None
    path = INTENTS_DIR / f"{source}.toml" if is_code else Path(source)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = f" (languages with templates: {', '.join(LANGUAGES)})" if is_code else ""
        raise TemplateError(f"{path}: no such intent template file{known}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: not a valid TOML template file: {exc}") from None
    return _build(data, str(path))


def _build(data: dict, source: str) -> IntentSet:
    language = data.get("language")
    intents = data.get("intents")
    if not isinstance(language, str) or not isinstance(intents, dict) or not intents:
        raise TemplateError(f"{source}: expected `language = \"..\"` and at least one "
                            "[intents.NAME] table with `templates = [...]`")
    slots = {name: {normalize(k): str(v) for k, v in table.items()}
             for name, table in data.get("slots", {}).items()}
    ranges: dict[str, dict[str, tuple[int, int]]] = {}
    confirm: set[str] = set()
    patterns: list[_Pattern] = []
    for name, spec in intents.items():
        templates = spec.get("templates") if isinstance(spec, dict) else None
        if not isinstance(templates, list) or not all(isinstance(t, str) for t in templates):
            raise TemplateError(f"{source}: [intents.{name}] needs `templates`, a list of "
                                "strings")
        for slot, bounds in spec.get("range", {}).items():
            ranges.setdefault(name, {})[slot] = (int(bounds[0]), int(bounds[1]))
        if spec.get("confirm"):
            confirm.add(name)
        for template in templates:
            for text in expand(template):
                text = _SLOT.sub(lambda m: f" {{{m.group(1)}}} ", text)
                text = " ".join(normalize(w) if not _SLOT.fullmatch(w) else w
                                for w in text.split())
                open_slots = sum(1 for s in _SLOT.findall(text)
                                 if s != NUMBER and s not in slots)
                patterns.append(_Pattern(name, text, _regex(text, slots), open_slots))
    # Fixed phrases win over open slots: "play music" is `play`, not `play_query` "music"; and
    # among templates with open slots, more fixed words win: "play songs by queen" is the
    # artist queen, not a title "songs by queen".
    patterns.sort(key=lambda p: (p.open_slots, -len(_SLOT.sub("", p.text).split())))
    replies = {k: str(v) for k, v in data.get("replies", {}).items()}
    wake = data.get("wake_phrase", "")
    if not isinstance(wake, str):
        raise TemplateError(f"{source}: `wake_phrase` must be a string, got {wake!r}")
    out = IntentSet(language, source, slots, ranges, frozenset(confirm), replies,
                    int(data.get("grammar_number_step", 1)), patterns, normalize(wake))
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise TemplateError(f"{source}: `examples` must be a list of strings")
    unknown = [e for e in examples if out.parse(e) is None]
    if unknown:
        raise TemplateError(f"{source}: these examples match no template: {unknown}")
    out.examples = tuple(examples)
    return out
