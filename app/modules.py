"""The modules the app starts, in order. The composition root is the only place that knows them.

Each module is an object with `start(bus)` and `stop()`; it subscribes in `start`, loads anything
heavy off the calling thread (reporting `app.progress`), and releases everything in `stop`.
"""

from __future__ import annotations

from typing import Protocol

from app.bus import EventBus
from app.settings import Settings


class Module(Protocol):
    def start(self, bus: EventBus) -> None: ...

    def stop(self) -> None: ...


def create_modules(settings: Settings, *, offscreen: bool = False) -> list[Module]:
    """One line per module; `offscreen` means no display or sound device is expected."""
    from app.settings import cache_dir, data_dir
    from app.ux_restrictions import UxRestrictionsService

    modules: list[Module] = [UxRestrictionsService()]
    # MODULES: each module adds itself below.
    from app.vehicle.preset import load_preset
    from app.vehicle.simulation import VehicleSimulation

    modules.append(VehicleSimulation(load_preset(settings.vehicle_preset)))
    from pathlib import Path

    from navigation.service import NavigationService

    modules.append(NavigationService(
        Path(settings.map_file) if settings.map_file else None, cache_dir(),
        profile=settings.profile, favourites=settings.favourites, language=settings.language))
    from voice.service import VoiceService
    from voice.tts import TtsService

    if settings.voice_enabled:
        modules.append(VoiceService(settings.language, data_dir=data_dir(),
                                    favourites=settings.favourites, microphone=not offscreen))
    modules.append(TtsService(settings.language,
                              output_dir=cache_dir() / "speech" if offscreen else None))
    from pathlib import Path

    from platformdirs import user_music_dir

    from media.service import MediaService

    modules.append(MediaService(
        [Path(d) for d in settings.music_dirs] or [Path(user_music_dir())],
        demo_dir=None if settings.music_dirs else data_dir() / "demo-music",
        state_file=data_dir() / "media" / "player.json", cover_dir=cache_dir() / "covers",
        volume=settings.volume, duck_level=settings.duck_level))
    return modules
