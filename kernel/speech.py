"""Spoken text as data: navigation's prompts, its turn-by-turn instructions, heading words and
the unit words of spoken distances, one file per language in assets/speech/<lang>.toml.

They live in assets/ rather than beside the voice templates (voice/templates/) because the
kernel itself reads them (kernel/units.py speaks distances) and the kernel imports no module;
navigation reads them through here too, so there is one format and one check for all spoken
text the app composes. Like the voice templates, a file is checked when it is loaded: every
key of the English file is there, each text keeps the English text's {placeholders}, and
nothing else; a broken file is refused naming the file and the key.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

SPEECH_DIR = Path(__file__).resolve().parents[1] / "assets" / "speech"
REFERENCE = "en"
HEADINGS = ("north", "east", "south", "west")
UNITS = ("m", "km", "ft", "mi")
SINGULAR_RULES = ("one", "below_two")
TEXT_SECTIONS = ("maneuvers", "prompts")


class SpeechError(ValueError):
    """A speech file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Speech:
    language: str
    lower_case_within: bool  # "In 300 m, turn left": the instruction's first letter lowered
    singular: str  # a distance's unit word is singular for exactly one, or below two (French)
    units: dict[str, tuple[str, str]]  # unit -> (singular, plural)
    headings: tuple[str, str, str, str]  # north, east, south, west
    maneuvers: dict[str, str]
    prompts: dict[str, str]

    def unit_word(self, unit: str, value: float) -> str:
        singular, plural = self.units[unit]
        one = value < 2 if self.singular == "below_two" else value == 1
        return singular if one else plural


def languages() -> tuple[str, ...]:
    """The languages with a speech file."""
    return tuple(sorted(path.stem for path in SPEECH_DIR.glob("*.toml")))


def speech(language: str) -> Speech:
    """The checked speech of `language`, English for a language without a file."""
    return _load(language if language in languages() else REFERENCE)


@functools.cache
def _load(language: str) -> Speech:
    loaded = load(SPEECH_DIR / f"{language}.toml")
    if language != REFERENCE:
        check_against(_load(REFERENCE), loaded, SPEECH_DIR / f"{language}.toml")
    return loaded


def load(path: Path) -> Speech:
    """One speech file, its own form checked (see check_against for the keys)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpeechError(f"{path}: not a readable TOML speech file ({exc})") from None

    def table(name: str) -> dict:
        value = data.get(name)
        if not isinstance(value, dict):
            raise SpeechError(f"{path}: needs a [{name}] table")
        return value

    def text(section: str, key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise SpeechError(f"{path}: [{section}] {key} must be a non-empty string")
        try:
            placeholders(value)
        except ValueError as exc:  # an unbalanced brace
            raise SpeechError(f"{path}: [{section}] {key}: {exc}") from None
        return value

    language = data.get("language")
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}", language):
        raise SpeechError(f"{path}: `language` must be a language code, got {language!r}")
    lower = data.get("lower_case_within")
    if not isinstance(lower, bool):
        raise SpeechError(f"{path}: `lower_case_within` must be true or false")
    if data.get("singular") not in SINGULAR_RULES:
        raise SpeechError(f"{path}: `singular` must be one of {', '.join(SINGULAR_RULES)}")
    units: dict[str, tuple[str, str]] = {}
    for unit in UNITS:
        words = table("units").get(unit)
        if not isinstance(words, list) or len(words) != 2:
            raise SpeechError(f"{path}: [units] {unit} must be [singular, plural]")
        units[unit] = (text("units", unit, words[0]), text("units", unit, words[1]))
    headings = tuple(text("headings", h, table("headings").get(h)) for h in HEADINGS)
    sections = {name: {key: text(name, key, value) for key, value in table(name).items()}
                for name in TEXT_SECTIONS}
    return Speech(language, lower, data["singular"], units, headings,  # type: ignore[arg-type]
                  sections["maneuvers"], sections["prompts"])


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def check_against(reference: Speech, other: Speech, path: Path) -> None:
    """Every text of the reference language is there, with the same placeholders."""
    for section in TEXT_SECTIONS:
        ours, theirs = getattr(reference, section), getattr(other, section)
        missing, extra = ours.keys() - theirs.keys(), theirs.keys() - ours.keys()
        if missing or extra:
            raise SpeechError(f"{path}: [{section}] lacks {sorted(missing)}, has unknown "
                              f"{sorted(extra)}")
        for key, text in ours.items():
            try:
                wanted, found = placeholders(text), placeholders(theirs[key])
            except ValueError as exc:
                raise SpeechError(f"{path}: [{section}] {key}: {exc}") from None
            if wanted != found:
                raise SpeechError(f"{path}: [{section}] {key} must keep the placeholders "
                                  f"{sorted(wanted)}, has {sorted(found)}")
