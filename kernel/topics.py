"""The catalogue: every bus topic and its payload type, declared once.

Vehicle signals use COVESA VSS names pinned to VSS 4.0 and carry a typed `value`; commands and
module events use short lower-case namespaces. Payloads are frozen dataclasses so a message can
be shared across threads and written to a recording as JSON (see kernel.codec).

Each module owns a section below; add a topic to your own section and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from kernel.codec import Pattern, Range

VSS_RELEASE = "4.0"

# A language code (ISO 639, e.g. "en"), never a path: screens and voice load files named by it.
LanguageCode = Annotated[str, Pattern(r"[a-z]{2,3}")]
MaybeLanguageCode = Annotated[str, Pattern(r"([a-z]{2,3})?")]  # "" = the current language


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    payload: type
    retained: bool = False
    unit: str = ""
    doc: str = ""


CATALOGUE: dict[str, TopicSpec] = {}


def declare(name: str, payload: type, *, retained: bool = False, unit: str = "",
            doc: str = "") -> str:
    if name in CATALOGUE:
        raise ValueError(f"topic {name!r} declared twice")
    CATALOGUE[name] = TopicSpec(name, payload, retained, unit, doc)
    return name


# ---------------------------------------------------------------------------------------------
# VSS datapoints (retained: a late subscriber gets the current value at once)
# ---------------------------------------------------------------------------------------------
# `stale`: the source stopped sending this signal; `value` is the last one received. A screen
# shows "--" and no warning, estimate or answer uses it (KUKSA has no such marker).
@dataclass(frozen=True, slots=True)
class VssFloat:
    value: float
    stale: bool = False


@dataclass(frozen=True, slots=True)
class VssInt:
    value: int
    stale: bool = False


@dataclass(frozen=True, slots=True)
class VssBool:
    value: bool
    stale: bool = False


@dataclass(frozen=True, slots=True)
class VssString:
    value: str
    stale: bool = False


def _vss(name: str, payload: type, unit: str = "", doc: str = "") -> str:
    return declare(name, payload, retained=True, unit=unit, doc=doc)


SPEED = _vss("Vehicle.Speed", VssFloat, "km/h")
TRAVELED_DISTANCE = _vss("Vehicle.TraveledDistance", VssFloat, "km", "odometer")
SOC = _vss("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current", VssFloat, "percent")
RANGE = _vss("Vehicle.Powertrain.TractionBattery.Range", VssFloat, "m")
PACK_TEMPERATURE = _vss("Vehicle.Powertrain.TractionBattery.Temperature.Average", VssFloat,
                        "celsius")
BATTERY_POWER = _vss("Vehicle.Powertrain.TractionBattery.CurrentPower", VssFloat, "W",
                     "positive = discharging")
IS_CHARGING = _vss("Vehicle.Powertrain.TractionBattery.Charging.IsCharging", VssBool)
MOTOR_POWER = _vss("Vehicle.Powertrain.ElectricMotor.Power", VssFloat, "kW",
                   "negative = regenerating")
SELECTED_GEAR = _vss("Vehicle.Powertrain.Transmission.SelectedGear", VssInt, "",
                     "VSS: 0 neutral, <0 reverse, 126 park, 127 drive")
LATITUDE = _vss("Vehicle.CurrentLocation.Latitude", VssFloat, "degrees")
LONGITUDE = _vss("Vehicle.CurrentLocation.Longitude", VssFloat, "degrees")
HEADING = _vss("Vehicle.CurrentLocation.Heading", VssFloat, "degrees")
GNSS_FIX = _vss("Vehicle.CurrentLocation.GNSSReceiver.FixType", VssString, "",
                "NONE, TWO_D, THREE_D")
AIR_TEMPERATURE = _vss("Vehicle.Exterior.AirTemperature", VssFloat, "celsius")
DAY_NIGHT_MODE = _vss("Vehicle.Cabin.Infotainment.HMI.DayNightMode", VssString, "",
                      "DAY or NIGHT")
DISTANCE_UNIT = _vss("Vehicle.Cabin.Infotainment.HMI.DistanceUnit", VssString, "",
                     "KILOMETERS or MILES: the unit of distances and speeds shown and spoken")
TEMPERATURE_UNIT = _vss("Vehicle.Cabin.Infotainment.HMI.TemperatureUnit", VssString, "",
                        "C or F")
MEDIA_VOLUME = _vss("Vehicle.Cabin.Infotainment.Media.Volume", VssInt, "percent")

# What a real EV's CAN bus gives beyond the simulation's signals (vehicle_network maps them).
PACK_VOLTAGE = _vss("Vehicle.Powertrain.TractionBattery.CurrentVoltage", VssFloat, "V")
PACK_CURRENT = _vss("Vehicle.Powertrain.TractionBattery.CurrentCurrent", VssFloat, "A",
                    "VSS: positive = into the battery (charging)")
STATE_OF_HEALTH = _vss("Vehicle.Powertrain.TractionBattery.StateOfHealth", VssFloat, "percent")
CURRENT_GEAR = _vss("Vehicle.Powertrain.Transmission.CurrentGear", VssInt, "",
                    "0 neutral, 1.. forward, -1.. reverse")
PARK_LOCK = _vss("Vehicle.Powertrain.Transmission.IsParkLockEngaged", VssBool)
MOTOR_TORQUE = _vss("Vehicle.Powertrain.ElectricMotor.Torque", VssInt, "Nm")
MOTOR_TEMPERATURE = _vss("Vehicle.Powertrain.ElectricMotor.Temperature", VssInt, "celsius")
# The rest of KUKSA's VSS 4.0 overlay for the Tesla Model 3 DBC, so that it loads unchanged.
for _path, _payload in (
        ("Vehicle.Chassis.SteeringWheel.Angle", VssInt),
        ("Vehicle.OBD.Speed", VssFloat),
        ("Vehicle.OBD.ControlModuleVoltage", VssFloat),
        ("Vehicle.OBD.AmbientAirTemperature", VssFloat),
        ("Vehicle.OBD.EngineLoad", VssFloat),
        ("Vehicle.Chassis.Axle.Row1.Wheel.Left.Brake.IsFluidLevelLow", VssBool),
        ("Vehicle.Chassis.Axle.Row1.Wheel.Right.Brake.IsFluidLevelLow", VssBool),
        ("Vehicle.Chassis.Axle.Row2.Wheel.Left.Brake.IsFluidLevelLow", VssBool),
        ("Vehicle.Chassis.Axle.Row2.Wheel.Right.Brake.IsFluidLevelLow", VssBool),
        ("Vehicle.Body.Windshield.Front.WasherFluid.IsLevelLow", VssBool),
        ("Vehicle.Body.Mirrors.DriverSide.IsHeatingOn", VssBool),
        ("Vehicle.Body.Mirrors.PassengerSide.IsHeatingOn", VssBool),
        ("Vehicle.Body.Mirrors.DriverSide.Tilt", VssInt),
        ("Vehicle.Body.Mirrors.DriverSide.Pan", VssInt),
        ("Vehicle.Body.Mirrors.PassengerSide.Tilt", VssInt),
        ("Vehicle.Body.Mirrors.PassengerSide.Pan", VssInt),
        ("Vehicle.Body.Trunk.Rear.IsOpen", VssBool),
        ("Vehicle.Cabin.Door.Row1.DriverSide.IsOpen", VssBool),
        ("Vehicle.Cabin.Door.Row2.DriverSide.IsOpen", VssBool),
        ("Vehicle.Cabin.Seat.Row1.DriverSide.IsBelted", VssBool),
        ("Vehicle.Body.Lights.Brake.IsActive", VssString),
        ("Vehicle.Body.Lights.Fog.Rear.IsOn", VssBool),
        ("Vehicle.Body.Lights.Backup.IsOn", VssBool),
        ("Vehicle.Body.Lights.DirectionIndicator.Left.IsSignaling", VssBool),
        ("Vehicle.Body.Lights.DirectionIndicator.Right.IsSignaling", VssBool),
        ("Vehicle.Trailer.IsConnected", VssBool)):
    _vss(_path, _payload)

# ---------------------------------------------------------------------------------------------
# app and UI
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BusError:
    """A problem reported instead of raised: bad external input, a crashing handler."""

    source: str
    message: str
    topic: str = ""
    line: int = 0


def fill(template: str, values: tuple[str, ...]) -> str:
    """The English text of a screen template: %1, %2 ... replaced by the values."""
    return re.sub(r"%(\d)", lambda m: values[int(m[1]) - 1], template)


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for the driver's screen; level is info, warning or error. Made with `of`, it
    also carries its English template and values, which a screen shows in the driver's
    language (as VehicleWarning); `text` stays the English sentence, for logs and recordings."""

    text: str
    level: str = "info"
    template: str = ""
    values: tuple[str, ...] = ()

    @classmethod
    def of(cls, level: str, template: str, *values: str) -> Notice:
        return cls(fill(template, values), level, template, values)


@dataclass(frozen=True, slots=True)
class Progress:
    """Heavy loading (map graph, speech model): fraction in 0..1, done when fraction == 1.
    Template and values as in Notice."""

    task: str
    fraction: float
    text: str = ""
    template: str = ""
    values: tuple[str, ...] = ()

    @classmethod
    def of(cls, task: str, fraction: float, template: str, *values: str) -> Progress:
        return cls(task, fraction, fill(template, values), template, values)


@dataclass(frozen=True, slots=True)
class UxRestrictions:
    """Driver-distraction rules in force (after Android Automotive's CarUxRestrictions).

    driving_state: parked, idling or moving. While moving, text entry is off and lists show at
    most `max_list_items`; every task then has a voice path, which `message` points to.
    """

    driving_state: str
    no_text_entry: bool
    max_list_items: int
    message: str = ""


@dataclass(frozen=True, slots=True)
class Language:
    """The driver's language, changed in settings: voice commands, replies and prompts follow."""

    code: LanguageCode


@dataclass(frozen=True, slots=True)
class ModuleState:
    """A module's life under the supervisor: starting, running, restarting (after a crash, with
    its reason), failed (given up after repeated crashes) or stopped."""

    name: str
    state: str
    reason: str = ""
    failures: int = 0


BUS_ERROR = declare("bus.error", BusError)
APP_MODULE = declare("app.module", ModuleState)
UI_NOTICE = declare("ui.notice", Notice)
UI_LANGUAGE = declare("ui.language", Language, retained=True)
APP_PROGRESS = declare("app.progress", Progress)
UX_RESTRICTIONS = declare("ui.restrictions", UxRestrictions, retained=True)

# ---------------------------------------------------------------------------------------------
# vehicle (vehicle) and simulator
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VehicleWarning:
    """text is the English sentence; template and values are the same with %1, %2 ... apart,
    so that a screen can show it in the driver's language (its catalogs key on the template)."""

    code: str
    level: str  # info, warning, critical
    text: str
    template: str = ""
    values: tuple[str, ...] = ()

    @classmethod
    def of(cls, code: str, level: str, template: str, *values: str) -> VehicleWarning:
        return cls(code, level, fill(template, values), template, values)


@dataclass(frozen=True, slots=True)
class VehicleWarnings:
    """The set of active warnings, replaced as a whole."""

    items: tuple[VehicleWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class DriverControl:
    """How the simulated vehicle is driven. mode: auto (follows `nav.route` by itself), cruise
    (holds target_speed_kmh) or manual (throttle and brake pedals, 0..1)."""

    mode: str = "auto"
    throttle: float = 0.0
    brake: float = 0.0
    target_speed_kmh: float = 0.0


@dataclass(frozen=True, slots=True)
class SimSetting:
    """Simulator knob. name: soc (%), pack_temperature (°C), outside_temperature (°C),
    time_factor (1-50), charging (1 on, 0 off)."""

    name: str
    value: float


@dataclass(frozen=True, slots=True)
class SimFault:
    """Injected fault. name: gps_lost, low_battery, battery_cold, sensor_out_of_range."""

    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class VehicleInfo:
    """What the vehicle is, for screens and planners: preset name/label, car or bus, the
    nominal consumption the range estimate starts from, and the gauges' ranges (0 = unknown)."""

    preset: str
    label: str
    kind: str
    capacity_kwh: float
    nominal_kwh_per_km: float
    max_speed_kmh: float = 0.0
    max_power_kw: float = 0.0
    max_regen_kw: float = 0.0


@dataclass(frozen=True, slots=True)
class VehicleSource:
    """What drives the vehicle signals: simulation, can-log or can-interface; `name` is the log
    file or interface, `detail` the DBC and mappings (for the simulator window and logs)."""

    kind: str
    name: str = ""
    detail: str = ""


VEHICLE_SOURCE = declare("vehicle.source", VehicleSource, retained=True)


@dataclass(frozen=True, slots=True)
class Precondition:
    """Warm the cabin and the LMP pack for a departure (unix time): from the grid when plugged
    in, else from the pack. request_id ties the vehicle's answer to the request."""

    departure: float
    cabin_c: float = 21.0
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class PreconditionState:
    """Pre-conditioning in force (active) or done; source: grid or pack."""

    active: bool
    departure: float = 0.0
    source: str = ""
    pack_target_c: float = 0.0
    cabin_c: float = 0.0
    request_id: str = ""


VEHICLE_WARNINGS = declare("vehicle.warnings", VehicleWarnings, retained=True)
VEHICLE_CONTROL = declare("vehicle.control", DriverControl, retained=True)
VEHICLE_INFO = declare("vehicle.info", VehicleInfo, retained=True)
SIM_SETTING = declare("sim.set", SimSetting)
SIM_FAULT = declare("sim.fault", SimFault)
VEHICLE_PRECONDITION = declare("vehicle.precondition", Precondition)
VEHICLE_PRECONDITION_STATE = declare("vehicle.precondition.state", PreconditionState,
                                     retained=True)

# ---------------------------------------------------------------------------------------------
# navigation
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RouteRequest:
    """`destination` is a place query: address, POI name, "lat,lon", a favourite or
    "nearest <category>"; empty = cancel the route. Origin empty = the vehicle's position.
    `via` is an optional stop on the way (e.g. the charging station an EV warning proposed)."""

    destination: str
    origin: str = ""
    via: str = ""


@dataclass(frozen=True, slots=True)
class RouteManeuver:
    kind: str  # depart, straight, slight, turn, sharp, uturn, roundabout, arrive
    side: str  # left, right or ""
    street: str
    at_m: float  # from the route start
    lat: float
    lon: float
    instruction: str


@dataclass(frozen=True, slots=True)
class RoutePath:
    """A route as the vehicle follows it: (lat, lon) points and per-point speed limits,
    with its maneuvers and the energy it is expected to take."""

    points: tuple[tuple[float, float], ...]
    speed_limits_kmh: tuple[float, ...] = ()
    distance_m: float = 0.0
    duration_s: float = 0.0
    destination: str = ""
    energy_kwh: float = 0.0
    maneuvers: tuple[RouteManeuver, ...] = ()


@dataclass(frozen=True, slots=True)
class RouteError:
    """A route request that could not be served; `reason` is one line for the driver."""

    query: str
    reason: str


@dataclass(frozen=True, slots=True)
class Announcement:
    """A guidance prompt: stage prepare, in or now, for the maneuver `at_m` along the route."""

    stage: str
    text: str
    distance_m: float
    kind: str
    side: str
    street: str
    at_m: float


@dataclass(frozen=True, slots=True)
class GuidanceProgress:
    """Where the vehicle is on its route, about once a second."""

    remaining_m: float
    eta_s: float
    next_kind: str = ""
    next_side: str = ""
    next_street: str = ""
    next_distance_m: float = 0.0
    next_instruction: str = ""
    off_route: bool = False


@dataclass(frozen=True, slots=True)
class GuidanceEvent:
    """kind: reroute (left the route), arrived, cancelled; text says it to the driver."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class EnergyWarning:
    """The battery will not reach the destination with the reserve kept; a charging station
    on the way is proposed (empty name: none reachable)."""

    destination: str
    needed_kwh: float
    available_kwh: float
    charger: str
    charger_lat: float
    charger_lon: float
    extra_minutes: float
    text: str


@dataclass(frozen=True, slots=True)
class StreetLabel:
    """Where a street's name can be written: the middle of a straight stretch of it, the
    stretch's compass bearing and length (the map draws the name if it fits)."""

    name: str
    lat: float
    lon: float
    bearing: float
    length_m: float


Latitude = Annotated[float, Range(-90.0, 90.0)]
Longitude = Annotated[float, Range(-180.0, 180.0)]
SpeedLimit = Annotated[float, Range(0.0, 300.0)]  # km/h; 0 = the map states none


@dataclass(frozen=True, slots=True)
class MapPlace:
    """A place the map marks: a charging station or a bus stop (OSM amenity=charging_station,
    highway=bus_stop or a bus platform)."""

    name: str
    kind: Annotated[str, Pattern(r"charging_station|bus_stop")]
    lat: Latitude
    lon: Longitude


@dataclass(frozen=True, slots=True)
class MapData:
    """The loaded map for drawing: bounds, road polylines as flat (lat, lon, lat, lon ...)
    tuples, major roads first, street labels, longest stretches first, and the places it
    marks."""

    name: str
    south: float
    west: float
    north: float
    east: float
    roads: tuple[tuple[float, ...], ...]
    labels: tuple[StreetLabel, ...] = ()
    places: tuple[MapPlace, ...] = ()


@dataclass(frozen=True, slots=True)
class RoadState:
    """The road under the vehicle: its street and the limit posted there (OSM maxspeed, in
    km/h; 0 = the map states none, and no sign is shown). Empty street and 0: off the roads or
    no fix."""

    street: str = ""
    speed_limit_kmh: SpeedLimit = 0.0


@dataclass(frozen=True, slots=True)
class NextStop:
    """Bus mode: the line being driven and its next stop (empty name = no line active);
    `requested`: a passenger pressed a stop button for it (cleared once the stop is reached)."""

    line: str
    name: str
    distance_m: float = 0.0
    requested: bool = False


@dataclass(frozen=True, slots=True)
class StopButton:
    """A passenger pressed a stop button (the physical edge: the simulator's button here)."""

    door: str = "any"


@dataclass(frozen=True, slots=True)
class PlaceCandidate:
    """A place the map has, offered for a destination it does not have exactly."""

    name: str
    kind: str  # address, street, or a POI category
    confidence: float  # 0..1: how closely its name matches what was asked for
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class DestinationCandidates:
    """A destination the map has no exact match for: the closest places it has, best first.
    Nothing is routed until the driver picks one (nav.destination.confirm). No candidates =
    nothing waits for the driver."""

    query: str
    candidates: tuple[PlaceCandidate, ...] = ()


@dataclass(frozen=True, slots=True)
class DestinationChoice:
    """The driver's answer to nav.destination.candidates for `query`: the index of the
    candidate to go to, or -1 for none."""

    query: str
    index: int = -1


NAV_BUS_NEXT_STOP = declare("nav.bus.next_stop", NextStop, retained=True)
VEHICLE_STOP_BUTTON = declare("vehicle.bus.stop_button", StopButton)
NAV_ROUTE_REQUEST = declare("nav.route.request", RouteRequest)
NAV_ROUTE = declare("nav.route", RoutePath, retained=True,
                    doc="the active route; empty points = no route")
NAV_ROUTE_ERROR = declare("nav.route.error", RouteError)
NAV_ANNOUNCEMENT = declare("nav.guidance.maneuver", Announcement)
NAV_PROGRESS = declare("nav.guidance.progress", GuidanceProgress, retained=True)
NAV_EVENT = declare("nav.guidance.event", GuidanceEvent)
NAV_ENERGY_WARNING = declare("nav.ev.warning", EnergyWarning)
NAV_MAP = declare("nav.map", MapData, retained=True)
NAV_ROAD = declare("nav.road", RoadState, retained=True,
                   doc="the road under the vehicle and its posted speed limit")
NAV_DESTINATION_CANDIDATES = declare("nav.destination.candidates", DestinationCandidates,
                                     retained=True, doc="a guessed destination to confirm")
NAV_DESTINATION_CONFIRM = declare("nav.destination.confirm", DestinationChoice)

# ---------------------------------------------------------------------------------------------
# voice and speech output
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Utterance:
    """Text as if the driver said it (typed, injected by the simulator or a test)."""

    text: str
    language: MaybeLanguageCode = ""


@dataclass(frozen=True, slots=True)
class VoiceState:
    """state: disabled, idle, listening, processing; reason says why when disabled (or why
    the wake phrase, or the English engine chosen, is off); wake_phrase is set while Volant
    listens for it; examples are commands of the language's templates to suggest to the
    driver."""

    state: str
    language: MaybeLanguageCode = ""
    reason: str = ""  # English; reason_template and reason_values as in Notice
    wake_phrase: str = ""
    examples: tuple[str, ...] = ()
    reason_template: str = ""
    reason_values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    slots: tuple[tuple[str, str], ...] = ()
    transcript: str = ""
    language: MaybeLanguageCode = ""


@dataclass(frozen=True, slots=True)
class Say:
    """Text to speak and show. kind: reply or prompt (navigation prompts interrupt replies)."""

    text: str
    language: MaybeLanguageCode = ""
    kind: str = "reply"


@dataclass(frozen=True, slots=True)
class TtsState:
    speaking: bool
    text: str = ""


VOICE_UTTERANCE = declare("voice.utterance", Utterance)
VOICE_STATE = declare("voice.state", VoiceState, retained=True)
VOICE_INTENT = declare("voice.intent", Intent)
TTS_SAY = declare("tts.say", Say)
TTS_STATE = declare("tts.state", TtsState, retained=True)


@dataclass(frozen=True, slots=True)
class VoiceTranscript:
    """What the recognizer heard: partial while listening, then final. accepted = the final
    text is acted on: one of the grammar's phrases, or free-form text (Vosk's fallback when
    no phrase fits) that an intent template matches whole."""

    text: str
    final: bool = False
    accepted: bool = False
    language: MaybeLanguageCode = ""


@dataclass(frozen=True, slots=True)
class PushToTalk:
    """The talk button (screen, key, steering wheel): pressed starts listening and stops a
    spoken reply (barge-in); released ends the utterance."""

    pressed: bool


@dataclass(frozen=True, slots=True)
class AudioFile:
    """A recording to hear as if spoken into the microphone: WAV (any rate/channels) or
    16 kHz mono int16 .raw."""

    path: str


@dataclass(frozen=True, slots=True)
class WakePhrase:
    """Hands-free activation switched on or off (settings); the phrase is the language's."""

    on: bool


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Names an open slot can take (slot: place, title, artist), e.g. from the map or the media
    library; the recognizer grammar is rebuilt with them."""

    slot: str
    phrases: tuple[str, ...] = ()


VOICE_TRANSCRIPT = declare("voice.transcript", VoiceTranscript)
VOICE_PTT = declare("voice.ptt", PushToTalk)
VOICE_AUDIO_FILE = declare("voice.audio.file", AudioFile)
VOICE_VOCABULARY = declare("voice.vocabulary", Vocabulary)
VOICE_WAKE = declare("voice.wake", WakePhrase, retained=True)

# ---------------------------------------------------------------------------------------------
# media
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MediaCommand:
    """action: play, pause, toggle, next, previous, seek, shuffle, repeat, volume, play_query;
    value carries the argument (position ms, on/off, off/one/all, 0-100, a title)."""

    action: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class MediaState:
    status: str = "stopped"  # stopped, playing, paused
    title: str = ""
    artist: str = ""
    album: str = ""
    position_ms: int = 0
    duration_ms: int = 0
    shuffle: bool = False
    repeat: str = "off"
    cover: str = ""
    output_volume: int = 0  # percent actually sent to the speakers (lower while ducked)


MEDIA_COMMAND = declare("media.command", MediaCommand)
MEDIA_STATE = declare("media.state", MediaState, retained=True)


@dataclass(frozen=True, slots=True)
class TrackInfo:
    path: str
    title: str
    artist: str = ""
    album: str = ""
    genre: str = ""
    duration_ms: int = 0


@dataclass(frozen=True, slots=True)
class PlaylistInfo:
    name: str
    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file the library could not use, and why (shown to the user, never silently lost)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class MediaLibrary:
    """The scanned library: tracks for browsing, titles/artists for the voice grammar."""

    tracks: tuple[TrackInfo, ...] = ()
    playlists: tuple[PlaylistInfo, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    titles: tuple[str, ...] = ()
    artists: tuple[str, ...] = ()
    scanning: bool = False


@dataclass(frozen=True, slots=True)
class AudioFocus:
    """An exclusive audio source (a phone call): held=True pauses music, False resumes it."""

    owner: str
    held: bool


MEDIA_LIBRARY = declare("media.library", MediaLibrary, retained=True)
AUDIO_FOCUS = declare("audio.focus", AudioFocus, retained=True)


# ---------------------------------------------------------------------------------------------
# fleet link (MQTT)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FleetLinkState:
    """The link to the fleet's broker: state connecting, connected or offline; backlog is the
    messages stored on board waiting for the broker, dropped those the size bound removed."""

    state: str
    backlog: int = 0
    dropped: int = 0
    broker: str = ""


@dataclass(frozen=True, slots=True)
class DriverMessage:
    """A message from the fleet operator for the driver (empty id: none shown)."""

    id: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class DriverAck:
    """The driver has read the fleet message `id`."""

    id: str


FLEET_LINK = declare("fleet.link", FleetLinkState, retained=True)
FLEET_DRIVER_MESSAGE = declare("fleet.driver.message", DriverMessage, retained=True)
FLEET_DRIVER_ACK = declare("fleet.driver.ack", DriverAck)
