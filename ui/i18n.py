"""Screen texts in the driver's language: QML's qsTr() and the view models' tr() read TOML catalogs.

A catalog (`ui/translations/<language>.toml`) maps each English text, exactly as the screens
write it, to its translation; %1, %2 ... are filled in by the screen. It is a Qt translator, so
QML needs nothing but qsTr(), and a language change re-evaluates every translated binding
(QQmlEngine.retranslate) without reloading the screens. English needs no catalog; a text a
catalog lacks is shown in English.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

TRANSLATIONS = Path(__file__).parent / "translations"
QML = Path(__file__).parent / "qml"
PLACEHOLDER = re.compile(r"%\d")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")  # a code names a catalog file: never a path


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
    """One language's texts as a compiled Qt translation (.qm), looked up by Qt's own C++ code.

    Qt calls a translator from anywhere, including a library constructor that runs while the
    dynamic loader's lock is held (the multimedia backend's tr() calls during dlopen). A
    translator written in Python would need the GIL there, and a thread holding the GIL while
    it waits for that loader lock (a ctypes LoadLibrary) would deadlock the start. So the TOML
    catalog is compiled once by Qt's lrelease and never calls back into Python.
    """

    def __init__(self, language: str, qm: Path) -> None:
        super().__init__()
        if not self.load(str(qm)):
            raise CatalogError(f"{qm}: Qt could not load the compiled {language!r} catalog")
        self.language = language


def contexts() -> list[str]:
    """The translation contexts: each QML file's base name (qsTr) and the view models' "Volant"."""
    return sorted({"Volant"} | {path.stem for path in QML.rglob("*.qml")})


def compile_catalog(language: str, texts: dict[str, str], cache: Path) -> Path:
    """The catalog as a .qm file in `cache`, compiled by lrelease once per content."""
    root = ET.Element("TS", version="2.1", language=language)
    for name in contexts():
        context = ET.SubElement(root, "context")
        ET.SubElement(context, "name").text = name
        for english, translated in sorted(texts.items()):
            message = ET.SubElement(context, "message")
            ET.SubElement(message, "source").text = english
            ET.SubElement(message, "translation").text = translated
    ts = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    qm = cache / f"{language}-{hashlib.sha256(ts).hexdigest()[:16]}.qm"
    if qm.exists():
        return qm
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        source, built = Path(work) / f"{language}.ts", Path(work) / f"{language}.qm"
        source.write_bytes(ts)
        try:
            done = subprocess.run([str(lrelease()), "-silent", str(source), "-qm", str(built)],
                                  capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CatalogError(f"{language}: could not run Qt's lrelease ({exc})") from None
        if done.returncode != 0 or not built.exists():
            reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise CatalogError(f"{language}: Qt's lrelease failed ({reason[0]})")
        os.replace(built, qm)
    return qm


def lrelease() -> Path:
    """Qt's catalog compiler, shipped inside PySide6 (pyside6-lrelease wraps the same binary)."""
    bundled = Path(PySide6.__file__).parent / "lrelease"
    if bundled.exists():
        return bundled
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    if found is None:
        raise CatalogError("Qt's lrelease is missing (it ships with PySide6)")
    return Path(found)


def catalog_for(language: str, cache: Path, directory: Path | None = None) -> Catalog | None:
    """The language's compiled catalog, or None for English (the texts as written) or a
    language without a catalog; raises CatalogError naming what is wrong."""
    if not LANGUAGE_CODE.fullmatch(language):
        raise CatalogError(f"{language!r} is not a language code")
    path = (directory or TRANSLATIONS) / f"{language}.toml"
    if language == "en" or not path.exists():
        return None
    return Catalog(language, compile_catalog(language, load_catalog(path), cache))


def tr(text: str, *args: object) -> str:
    """A view model's text in the language installed now, with %1, %2 ... filled from args."""
    translated = QCoreApplication.translate("Volant", text)
    return PLACEHOLDER.sub(lambda m: str(args[int(m[0][1:]) - 1]), translated)


def screen_language() -> str:
    """The language the screens are in ("fr"), for numbers written its way."""
    return QLocale().name().split("_")[0]
