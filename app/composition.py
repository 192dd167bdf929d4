"""The one way to build Volant: every module, configured from the settings, in start order.

The app, the demo, the scenario suite, the end-to-end tests and the benches all call `compose`;
what differs between them (a start position, the state of charge, where files go, no
microphone, a bus line) is an `Overrides`. This is the only place that knows the modules; they
take plain values from here, never the settings object itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_music_dir

from kernel.settings import Settings, cache_dir, data_dir, state_dir
from kernel.supervision import Module
from kernel.topics import VehicleInfo
from media.service import MediaService
from navigation.service import BusLine, NavigationService
from vehicle.driving_state import UxRestrictionsService
from vehicle.preset import load_preset
from vehicle.simulation import HELSINKI_CENTRE, VehicleSimulation
from voice.service import VoiceService
from voice.tts import TtsService


@dataclass(frozen=True)
class Overrides:
    """What a run changes from the settings' defaults. `root` set: every file the modules write
    (speech, music state, covers, voice data) goes under it instead of the user's folders, and
    speech is written to WAV files there (no speakers)."""

    root: Path | None = None
    speech_dir: Path | None = None  # spoken prompts as WAV files here (default: under root)
    map_cache: Path | None = None
    offscreen: bool = False  # no display, sound card or microphone
    start: tuple[float, float] = HELSINKI_CENTRE
    soc_percent: float = 80.0
    pack_c: float = 65.0
    outside_c: float = 5.0
    time_factor: float = 1.0
    line: BusLine | None = None
    voice: bool | None = None  # None: as the settings say
    vehicle_source: dict | None = None  # CAN log/interface instead of the settings' source
    can_speed: float = 1.0  # a CAN log's replay speed (0 = as fast as it decodes)
    can_seek: float = 0.0  # start this far into a CAN log (s)
    can_until: float | None = None  # stop a CAN log here (s)


def compose(settings: Settings, overrides: Overrides = Overrides()) -> list[Module]:
    """Every module, configured, in start order."""
    o = overrides
    data = o.root or data_dir()
    speech = o.speech_dir or (o.root / "prompts" if o.root else
                              (cache_dir() / "speech" if o.offscreen else None))
    music = [Path(d) for d in settings.music_dirs]
    modules: list[Module] = [
        UxRestrictionsService(),
        vehicle(settings, o),
        NavigationService(Path(settings.map_file) if settings.map_file else None,
                          o.map_cache or cache_dir(), profile=settings.profile,
                          favourites=settings.favourites, language=settings.language,
                          line=o.line, driving_side=settings.driving_side),
        TtsService(settings.language, output_dir=speech),
        MediaService(music or _default_music(o.root),
                     demo_dir=None if music else data / "demo-music",
                     state_file=data / "media" / "player.json",
                     cover_dir=(o.root or cache_dir()) / "covers", volume=settings.volume,
                     duck_level=settings.duck_level),
    ]
    if settings.voice_enabled if o.voice is None else o.voice:
        modules.append(VoiceService(settings.language, data_dir=data / "voice" if o.root else data,
                                    model_paths=settings.vosk_models or None,
                                    favourites=settings.favourites,
                                    intents_file=settings.voice_intents or None,
                                    microphone=not (o.offscreen or o.root),
                                    wake=settings.wake_phrase,
                                    noise_frontend=settings.voice_noise_frontend,
                                    english_engine=settings.voice_english_engine))
    if settings.fleet_broker:
        modules.append(fleet_link(settings))
    return modules


def fleet_link(settings: Settings) -> Module:
    """The fleet link, or a stand-in that reports why it is off (the app goes on without)."""
    from fleet.campaigns import CampaignError  # paho-mqtt only for a vehicle in a fleet
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


def vehicle(settings: Settings, o: Overrides) -> Module:
    """The vehicle signals' source: the simulation, or CAN (a log or a live interface) as the
    settings or the command line say; the preset still describes the vehicle for range
    planning. Raises ValueError naming the file when a CAN source's input is bad."""
    preset = load_preset(settings.vehicle_preset)
    source = o.vehicle_source if o.vehicle_source is not None else settings.vehicle_source
    if not source:
        return VehicleSimulation(preset, start=o.start, soc_percent=o.soc_percent,
                                 pack_c=o.pack_c, outside_c=o.outside_c,
                                 time_factor=o.time_factor)
    from vehicle_network.source import CanSource  # python-can and cantools only when used

    mapping = source.get("mapping") or []
    if not source.get("dbc"):
        raise ValueError("a CAN vehicle source needs a DBC file (--dbc or vehicle_source.dbc)")
    info = VehicleInfo(preset.name, preset.label, preset.kind, preset.battery_capacity_kwh,
                       preset.nominal_consumption_kwh_per_100km / 100.0)
    return CanSource(str(source["dbc"]), [mapping] if isinstance(mapping, str) else list(mapping),
                     log_file=source.get("log") or None, interface=source.get("interface") or None,
                     speed=o.can_speed, seek_s=o.can_seek, until_s=o.can_until, info=info)


def vehicle_source_from_args(args: object, settings: Settings) -> dict:
    """--can-log/--can-interface with --dbc and --mapping replace the settings' source."""
    log, interface = getattr(args, "can_log", None), getattr(args, "can_interface", None)
    if not (log or interface):
        return settings.vehicle_source
    source = {"dbc": getattr(args, "dbc", None) or "",
              "mapping": getattr(args, "mapping", None) or []}
    source["log" if log else "interface"] = log or interface
    return source


def _default_music(root: Path | None) -> list[Path]:
    """The user's Music folder when it exists: a fresh desktop without one just gets the demo
    tracks, with no warning about a folder the driver never chose."""
    folder = Path(user_music_dir())
    return [folder] if root is None and folder.is_dir() else []


def find(modules: list[Module], kind: type) -> object:
    """The module of that class (for a test or bench that watches one)."""
    return next(m for m in modules if isinstance(m, kind))
