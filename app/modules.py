"""The modules the app starts, in order. The composition root is the only place that knows them.

Each module is an object with `start(bus)` and `stop()`; it subscribes in `start`, loads anything
heavy off the calling thread (reporting `app.progress`), and releases everything in `stop`.
Modules take plain values from the settings here, never the settings object itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from platformdirs import user_music_dir

from kernel.event_bus import EventBus
from kernel.settings import Settings, cache_dir, data_dir, state_dir


class Module(Protocol):
    def start(self, bus: EventBus) -> None: ...

    def stop(self) -> None: ...


def create_modules(settings: Settings, *, offscreen: bool = False) -> list[Module]:
    """Every module, configured; `offscreen` means no display, sound card or microphone."""
    from media.service import MediaService
    from navigation.service import NavigationService
    from vehicle.driving_state import UxRestrictionsService
    from vehicle.preset import load_preset
    from vehicle.simulation import VehicleSimulation
    from voice.service import VoiceService
    from voice.tts import TtsService

    modules: list[Module] = [
        UxRestrictionsService(),
        VehicleSimulation(load_preset(settings.vehicle_preset)),
        NavigationService(Path(settings.map_file) if settings.map_file else None, cache_dir(),
                          profile=settings.profile, favourites=settings.favourites,
                          language=settings.language, driving_side=settings.driving_side),
        TtsService(settings.language, output_dir=cache_dir() / "speech" if offscreen else None),
        MediaService([Path(d) for d in settings.music_dirs] or [Path(user_music_dir())],
                     demo_dir=None if settings.music_dirs else data_dir() / "demo-music",
                     state_file=data_dir() / "media" / "player.json",
                     cover_dir=cache_dir() / "covers", volume=settings.volume,
                     duck_level=settings.duck_level),
    ]
    if settings.voice_enabled:
        modules.append(VoiceService(settings.language, data_dir=data_dir(),
                                    model_paths=settings.vosk_models or None,
                                    favourites=settings.favourites,
                                    intents_file=settings.voice_intents or None,
                                    microphone=not offscreen, wake=settings.wake_phrase))
    if settings.fleet_broker:
        modules.append(fleet_link(settings))
    return modules


def fleet_link(settings: Settings) -> Module:
    """The fleet link, or a stand-in that reports why it is off (the app goes on without)."""
    from fleet.campaigns import CampaignError
    from fleet.config import Credentials, FleetConfig, FleetConfigError
    from fleet.link import FleetLink, LinkUnavailable

    config = FleetConfig(
        settings.fleet_broker, settings.fleet_vehicle_id,
        Credentials(settings.fleet_username, settings.fleet_password_file,
                    settings.fleet_ca_file, settings.fleet_cert_file, settings.fleet_key_file),
        tuple(settings.fleet_campaigns), tuple(settings.fleet_commands))
    try:
        return FleetLink(config, state_dir() / "fleet" / f"{config.vehicle_id}.outbox")
    except (FleetConfigError, CampaignError, OSError) as exc:
        return LinkUnavailable(settings.fleet_broker, str(exc))
