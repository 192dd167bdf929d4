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
from kernel.settings import Settings, cache_dir, data_dir


class Module(Protocol):
    def start(self, bus: EventBus) -> None: ...

    def stop(self) -> None: ...


def create_modules(settings: Settings, *, offscreen: bool = False, can_speed: float = 1.0,
                   can_seek: float = 0.0, can_until: float | None = None) -> list[Module]:
    """Every module, configured; `offscreen` means no display, sound card or microphone.
    Raises ValueError naming the file when a CAN vehicle source's input is bad."""
    from media.service import MediaService
    from navigation.service import NavigationService
    from vehicle.driving_state import UxRestrictionsService
    from voice.service import VoiceService
    from voice.tts import TtsService

    modules: list[Module] = [
        UxRestrictionsService(),
        create_vehicle(settings, can_speed=can_speed, can_seek=can_seek, can_until=can_until),
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
    return modules


def create_vehicle(settings: Settings, *, can_speed: float = 1.0, can_seek: float = 0.0,
                   can_until: float | None = None) -> Module:
    """The vehicle signals' source: the simulation, or CAN (a log or a live interface) as
    settings.vehicle_source says; the preset still describes the vehicle for range planning."""
    from kernel.topics import VehicleInfo
    from vehicle.preset import load_preset
    from vehicle.simulation import VehicleSimulation

    preset = load_preset(settings.vehicle_preset)
    source = settings.vehicle_source
    if not source:
        return VehicleSimulation(preset)
    from vehicle_network.source import CanSource

    mapping = source.get("mapping") or []
    if not source.get("dbc"):
        raise ValueError("a CAN vehicle source needs a DBC file (--dbc or vehicle_source.dbc)")
    info = VehicleInfo(preset.name, preset.label, preset.kind, preset.battery_capacity_kwh,
                       preset.nominal_consumption_kwh_per_100km / 100.0)
    return CanSource(str(source.get("dbc", "")),
                     [mapping] if isinstance(mapping, str) else list(mapping),
                     log_file=source.get("log") or None, interface=source.get("interface") or None,
                     speed=can_speed, seek_s=can_seek, until_s=can_until, info=info)


def vehicle_source_from_args(args, settings: Settings) -> dict:
    """--can-log/--can-interface with --dbc and --mapping replace the settings' source."""
    log, interface = getattr(args, "can_log", None), getattr(args, "can_interface", None)
    if not (log or interface):
        return settings.vehicle_source
    source = {"dbc": getattr(args, "dbc", None) or "", "mapping": getattr(args, "mapping", None)
              or []}
    source["log" if log else "interface"] = log or interface
    return source
