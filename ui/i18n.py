"""Screen texts in the driver's language: QML's qsTr() and the view models' tr() read TOML catalogs.

A catalog (`ui/translations/<language>.toml`) maps each English text, exactly as the screens
write it, to its translation; %1, %2 ... are filled in by the screen. It is a Qt translator, so
QML needs nothing but qsTr(), and a language change re-evaluates every translated binding
(QQmlEngine.retranslate) without reloading the screens. English needs no catalog; a text a
catalog lacks is shown in English.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

TRANSLATIONS = Path(__file__).parent / "translations"
PLACEHOLDER = re.compile(r"%\d")


class CatalogError(ValueError):
    """A translation catalog that cannot be used as it is."""


def load_catalog(path: Path) -> dict[str, str]:
    """The catalog's texts; raises CatalogError naming the file and the text at fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: not a readable TOML catalog ({exc})") from None
    texts = data.get("texts")
    if not isinstance(texts, dict):
        raise CatalogError(f"{path}: expected a [texts] table of \"English\" = \"translation\"")
    for english, translated in texts.items():
        if not isinstance(translated, str) or not translated.strip():
            raise CatalogError(f"{path}: {english!r} needs a non-empty text as its translation")
        if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(translated)):
            raise CatalogError(f"{path}: {translated!r} must keep the placeholders of "
                               f"{english!r}")
    return texts


class Catalog(QTranslator):
    """One language's texts, installed on the application like a compiled Qt translation."""

    def __init__(self, texts: dict[str, str]) -> None:
        super().__init__()
        self._texts = texts

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        return self._texts.get(source)

    def isEmpty(self) -> bool:
        return not self._texts


def catalog_for(language: str, directory: Path | None = None) -> Catalog:
    """The language's catalog; English (or a language without one) is the texts as written."""
    path = (directory or TRANSLATIONS) / f"{language}.toml"
    return Catalog(load_catalog(path) if language != "en" and path.exists() else {})


def tr(text: str, *args: object) -> str:
    """A view model's text in the language installed now, with %1, %2 ... filled from args."""
    translated = QCoreApplication.translate("Volant", text)
    return PLACEHOLDER.sub(lambda m: str(args[int(m[0][1:]) - 1]), translated)


def screen_language() -> str:
    """The language the screens are in ("fr"), for numbers written its way."""
    return QLocale().name().split("_")[0]
