"""Numbers as they are spoken, per language: the words a recognizer's grammar needs and the
reverse lookup the intent parser uses ("twenty five" -> 25, "soixante-dix" -> 70, "오십" -> 50,
"五十" -> 50)."""

from __future__ import annotations

from functools import cache

MAX_SPOKEN = 1000  # out-of-range requests ("volume to 400") must still parse to be refused

_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
             "eighteen", "nineteen"]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_FR_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
             "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit",
             "dix-neuf"]
_FR_TENS = ["_", "_", "vingt", "trente", "quarante", "cinquante", "soixante"]
_KO_DIGITS = ["_", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"]
_ZH_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]


def _en(n: int) -> str:
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _EN_TENS[tens] + (f" {_EN_UNITS[unit]}" if unit else "")
    if n == 1000:
        return "one thousand"
    hundreds, rest = divmod(n, 100)
    return f"{_EN_UNITS[hundreds]} hundred" + (f" {_en(rest)}" if rest else "")


def _fr_below_100(n: int) -> str:
    if n < 20:
        return _FR_UNITS[n]
    if n < 70:
        tens, unit = divmod(n, 10)
        if unit == 0:
            return _FR_TENS[tens]
        return _FR_TENS[tens] + (" et un" if unit == 1 else f"-{_FR_UNITS[unit]}")
    if n < 80:
        return "soixante" + (" et onze" if n == 71 else f"-{_FR_UNITS[n - 60]}")
    if n == 80:
        return "quatre-vingts"
    return f"quatre-vingt-{_FR_UNITS[n - 80]}"


def _fr(n: int) -> str:
    if n < 100:
        return _fr_below_100(n)
    if n == 1000:
        return "mille"
    hundreds, rest = divmod(n, 100)
    head = "cent" if hundreds == 1 else f"{_FR_UNITS[hundreds]} cent" + ("" if rest else "s")
    return head + (f" {_fr_below_100(rest)}" if rest else "")


def _ko(n: int) -> str:
    """Sino-Korean numerals, written as one word as Korean speakers write them (오십 = 50)."""
    if n == 0:
        return "영"
    if n == 1000:
        return "천"
    out = ""
    for value, name in ((100, "백"), (10, "십")):
        digit, n = divmod(n, value)
        if digit:
            out += ("" if digit == 1 else _KO_DIGITS[digit]) + name
    return out + (_KO_DIGITS[n] if n else "")


def _zh(n: int) -> str:
    """Mandarin numerals: 十五 (15), 二十五 (25), 一百零五 (105), 一百一十 (110)."""
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, unit = divmod(n, 10)
        return _ZH_DIGITS[tens] + "十" + (_ZH_DIGITS[unit] if unit else "")
    if n == 1000:
        return "一千"
    hundreds, rest = divmod(n, 100)
    head = _ZH_DIGITS[hundreds] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + _ZH_DIGITS[rest]
    return head + (_zh(rest) if rest >= 20 else "一" + _zh(rest))


_SPELLERS = {"en": _en, "fr": _fr, "ko": _ko, "zh": _zh}


def spell(n: int, language: str) -> str:
    """The words for 0 <= n <= 1000 in `language` (en, fr, ko or zh)."""
    if not 0 <= n <= MAX_SPOKEN:
        raise ValueError(f"cannot spell {n}: only 0..{MAX_SPOKEN}")
    try:
        return _SPELLERS[language](n)
    except KeyError:
        raise ValueError(f"no number words for language {language!r}") from None


def normalize(text: str) -> str:
    return " ".join(text.replace("-", " ").split())


@cache
def _table(language: str) -> dict[str, int]:
    table = {normalize(spell(n, language)): n for n in range(MAX_SPOKEN + 1)}
    if language == "fr":
        table["quatre vingt"] = 80
    return table


def parse(text: str, language: str) -> int | None:
    """The number in `text` (digits or words), None when it is not a number."""
    text = normalize(text.lower())
    if language == "ko":  # "오십 오" as the grammar spells it, "오십오" as people write it
        text = text.replace(" ", "")
    if language == "zh":  # one word per character; 两 is 2 before a unit (两百 = 200)
        text = text.replace(" ", "").replace("两", "二")
    if text.isdigit():
        return int(text)
    return _table(language).get(text)


def number_phrases(language: str, top: int = 100) -> list[str]:
    """Spoken forms of 0..top and of the hundreds above (so that "volume to four hundred" is
    heard, and refused, rather than misheard as something in range). The grammar graph shares
    their prefixes: tens, then units."""
    values = [*range(top + 1), *range(200, MAX_SPOKEN + 1, 100)]
    return [_grammar_spelling(n, language) for n in values if n <= MAX_SPOKEN]


def _grammar_spelling(n: int, language: str) -> str:
    """Korean numbers with the units apart ("오십 오"): the small Korean model knows every tens
    and unit word but few of their compounds (오십오)."""
    text = spell(n, language).replace("-", " ")
    if language == "ko" and n % 10 and n > 10 and n < 100:
        return f"{text[:-1]} {text[-1]}"
    return text
