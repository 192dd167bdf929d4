"""Dashboard view model: the vehicle's signals, shaped for a glance.

Values outside a gauge's physical range (a faulty sensor) are never passed to a gauge: the
gauge shows its limit, the number shows "--", and the fault appears among the warnings.
"""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.units import Units
from ui.i18n import screen_language, tr
from ui.viewmodels.batch import ChangeBatch

SPEED_RANGE_KMH = (0.0, 250.0)
# gauge ranges until the vehicle says its own (VehicleInfo from the preset)
DEFAULT_MAX_SPEED_KMH = 120.0
DEFAULT_MAX_POWER_KW = 50.0
DEFAULT_MAX_REGEN_KW = 30.0
SOC_CRITICAL = 5.0  # %: below it the state of charge shows as critical
SOC_WARNING = 15.0
PACK_COLD_C = 50.0
PACK_HOT_C = 85.0
GEARS = {126: "P", 127: "D", 0: "N"}
LEVEL_ORDER = {"critical": 0, "warning": 1, "info": 2}


def _finite(value: float) -> bool:
    return value == value and abs(value) != float("inf")


class VehicleViewModel(QObject):
    changed = Signal()

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self._changed_soon = ChangeBatch(self, self.changed.emit)
        self._v: dict[str, float] = {}
        self._gear = "P"
        self._selected_gear = False
        self._warnings: list[topics.VehicleWarning] = []
        self._info: topics.VehicleInfo | None = None
        self._charging = False
        self._next_stop: topics.NextStop | None = None
        self._control = topics.DriverControl()
        self._source = topics.VehicleSource("simulation")
        self._bus = bus
        self._units = Units.on(bus)
        numeric = (topics.SPEED, topics.SOC, topics.RANGE, topics.PACK_TEMPERATURE,
                   topics.MOTOR_POWER, topics.AIR_TEMPERATURE, topics.TRAVELED_DISTANCE)
        self._subs = [bus.subscribe(t, self._on_number, on="gui") for t in numeric]
        self._subs += [
            bus.subscribe(topics.SELECTED_GEAR, self._on_gear, on="gui"),
            bus.subscribe(topics.CURRENT_GEAR, self._on_current_gear, on="gui"),
            bus.subscribe(topics.PARK_LOCK, self._on_current_gear, on="gui"),
            bus.subscribe(topics.IS_CHARGING, self._on_charging, on="gui"),
            bus.subscribe(topics.VEHICLE_WARNINGS, self._on_warnings, on="gui"),
            bus.subscribe(topics.VEHICLE_INFO, self._on_info, on="gui"),
            bus.subscribe(topics.NAV_BUS_NEXT_STOP, self._on_next_stop, on="gui"),
            bus.subscribe(topics.VEHICLE_CONTROL, self._on_control, on="gui"),
            bus.subscribe(topics.VEHICLE_SOURCE, self._on_source, on="gui"),
            bus.subscribe(topics.DISTANCE_UNIT, self._on_units, on="gui"),
            bus.subscribe(topics.TEMPERATURE_UNIT, self._on_units, on="gui"),
        ]

    def _on_number(self, msg: Message) -> None:
        if msg.payload.stale:  # its source stopped sending it: "--", not the old value
            self._v.pop(msg.topic, None)
        else:
            self._v[msg.topic] = float(msg.payload.value)
        self._changed_soon()

    def _on_gear(self, msg: Message) -> None:
        value = msg.payload.value
        self._selected_gear = True
        self._gear = "--" if msg.payload.stale else GEARS.get(value, "R" if value < 0 else "D")
        self._changed_soon()

    def _on_current_gear(self, _msg: Message) -> None:
        """A vehicle that gives only the engaged gear (KUKSA's Tesla mapping: 1 forward, 0 both
        neutral and park, with the park lock apart) when no selected gear arrives."""
        if self._selected_gear:
            return
        gear, lock = (self._bus.retained(t) for t in (topics.CURRENT_GEAR, topics.PARK_LOCK))
        if lock is not None and lock.value and not lock.stale:
            self._gear = "P"
        elif gear is None or gear.stale:
            self._gear = "--"
        else:
            self._gear = "D" if gear.value > 0 else "R" if gear.value < 0 else "N"
        self._changed_soon()

    def _on_charging(self, msg: Message) -> None:
        self._charging = bool(msg.payload.value) and not msg.payload.stale
        self._changed_soon()

    def _on_warnings(self, msg: Message) -> None:
        self._warnings = sorted(msg.payload.items, key=lambda w: LEVEL_ORDER.get(w.level, 3))
        self._changed_soon()

    def _on_info(self, msg: Message) -> None:
        self._info = msg.payload
        self._changed_soon()

    def _on_units(self, _msg: Message) -> None:
        self._units = Units.on(self._bus)
        self._changed_soon()

    def _on_control(self, msg: Message) -> None:
        self._control = msg.payload
        self._changed_soon()

    def _on_source(self, msg: Message) -> None:
        self._source = msg.payload
        self._changed_soon()

    def _on_next_stop(self, msg: Message) -> None:
        self._next_stop = msg.payload
        self._changed_soon()

    def _next_stop_text(self) -> str:
        stop = self._next_stop
        if stop is None or not stop.name:
            return tr("No line active")
        away = (f" · {self._units.approach(stop.distance_m, screen_language())}"
                if stop.distance_m > 0 else "")
        requested = " · " + tr("Stop requested") if stop.requested else ""
        return tr("Line %1 · Next stop: %2", stop.line, stop.name) + away + requested

    def _get(self, topic: str) -> float | None:
        value = self._v.get(topic)
        return value if value is not None and _finite(value) else None

    # -- speed --------------------------------------------------------------------------------
    def _speed_valid(self) -> bool:
        speed = self._get(topics.SPEED)
        return speed is not None and SPEED_RANGE_KMH[0] <= speed <= SPEED_RANGE_KMH[1]

    def _speed_text(self) -> str:
        if not self._speed_valid():
            return "--"
        return f"{self._units.speed(self._v[topics.SPEED]):.0f}"

    def _speed_fraction(self) -> float:
        speed = self._get(topics.SPEED) or 0.0
        return min(1.0, max(0.0, speed / self._max_speed())) if self._speed_valid() else 0.0

    def _max_speed(self) -> float:
        """km/h at the end of the speed gauge: the preset's top speed."""
        info = self._info
        return info.max_speed_kmh if info and info.max_speed_kmh > 0 else DEFAULT_MAX_SPEED_KMH

    # -- power --------------------------------------------------------------------------------
    def _power(self) -> float:
        return self._get(topics.MOTOR_POWER) or 0.0

    def _power_fraction(self) -> float:
        """-1 (full regen) .. +1 (full power), scaled to the preset's motor and regen limits."""
        info, power = self._info, self._power()
        if power >= 0:
            scale = info.max_power_kw if info and info.max_power_kw > 0 else DEFAULT_MAX_POWER_KW
        else:
            scale = info.max_regen_kw if info and info.max_regen_kw > 0 else DEFAULT_MAX_REGEN_KW
        return min(1.0, max(-1.0, power / scale))

    def _power_text(self) -> str:
        return "--" if self._get(topics.MOTOR_POWER) is None else f"{round(self._power())} kW"

    # -- battery ------------------------------------------------------------------------------
    def _soc(self) -> float:
        soc = self._get(topics.SOC)
        return min(100.0, max(0.0, soc)) if soc is not None else -1.0

    def _soc_level(self) -> str:
        soc = self._soc()
        return ("unknown" if soc < 0 else "critical" if soc < SOC_CRITICAL
                else "warning" if soc < SOC_WARNING else "ok")

    def _tell_tales(self) -> list[dict[str, str]]:
        """Lamps the driver must not miss: code and level, in a fixed order."""
        lamps = []
        if self._charging:
            lamps.append({"code": "charging", "level": "ok"})
        if self._soc_level() in ("warning", "critical"):
            lamps.append({"code": "battery", "level": self._soc_level()})
        if self._pack_state() in ("cold", "hot"):
            lamps.append({"code": "pack_" + self._pack_state(), "level": "warning"})
        if any(w.level == "critical" for w in self._warnings):
            lamps.append({"code": "fault", "level": "critical"})
        if self._control.mode == "cruise":
            lamps.append({"code": "cruise", "level": "info"})
        if self._next_stop is not None and self._next_stop.requested:
            lamps.append({"code": "stop_request", "level": "info"})
        return lamps

    def _driving_mode_text(self) -> str:
        """The simulation's controls, or who drives when the signals come from a vehicle."""
        if self._source.kind != "simulation":
            return tr("Driven by the vehicle (CAN)")
        control = self._control
        if control.mode == "cruise":
            speed = f"{self._units.speed(control.target_speed_kmh):.0f} {self._units.speed_unit}"
            return tr("Cruise %1", speed)
        return tr("Autopilot (simulation)") if control.mode == "auto" else tr("Manual")

    def _range_text(self) -> str:
        value = self._get(topics.RANGE)
        if value is None or value < 0:
            return "--"
        return self._units.length(value, 0, screen_language())

    def _pack_text(self) -> str:
        value = self._get(topics.PACK_TEMPERATURE)
        return "--" if value is None else self._units.temperature(value)

    def _pack_state(self) -> str:
        value = self._get(topics.PACK_TEMPERATURE)
        if value is None:
            return "unknown"
        return "cold" if value < PACK_COLD_C else "hot" if value > PACK_HOT_C else "ok"

    def _outside_text(self) -> str:
        value = self._get(topics.AIR_TEMPERATURE)
        return "--" if value is None else self._units.temperature(value)

    def _odometer_text(self) -> str:
        value = self._get(topics.TRAVELED_DISTANCE)
        return "--" if value is None else self._units.length(value * 1000.0, 1, screen_language())

    speedText = Property(str, _speed_text, notify=changed)
    speedValid = Property(bool, _speed_valid, notify=changed)
    speedUnit = Property(str, lambda self: self._units.speed_unit, notify=changed)
    speedFraction = Property(float, _speed_fraction, notify=changed)
    gear = Property(str, lambda self: self._gear, notify=changed)
    powerKw = Property(float, _power, notify=changed)
    powerFraction = Property(float, _power_fraction, notify=changed)
    powerText = Property(str, _power_text, notify=changed)
    soc = Property(float, _soc, notify=changed)
    socText = Property(str, lambda self: "--" if self._soc() < 0 else f"{round(self._soc())}%",
                       notify=changed)
    socLevel = Property(str, _soc_level, notify=changed)
    socFraction = Property(float, lambda self: max(0.0, self._soc()) / 100.0, notify=changed)
    maxSpeedText = Property(str, lambda self: f"{self._units.speed(self._max_speed()):.0f}",
                            notify=changed)
    tellTales = Property("QVariantList", _tell_tales, notify=changed)
    drivingMode = Property(str, lambda self: self._control.mode, notify=changed)
    drivingModeText = Property(str, _driving_mode_text, notify=changed)
    rangeText = Property(str, _range_text, notify=changed)
    packText = Property(str, _pack_text, notify=changed)
    packState = Property(str, _pack_state, notify=changed)
    outsideText = Property(str, _outside_text, notify=changed)
    odometerText = Property(str, _odometer_text, notify=changed)
    charging = Property(bool, lambda self: self._charging, notify=changed)
    def _warning_rows(self) -> list[dict[str, str]]:
        """In the language installed now (a warning's template is its catalog key)."""
        return [{"code": w.code, "level": w.level,
                 "text": tr(w.template, *w.values) if w.template else w.text}
                for w in self._warnings]

    warnings = Property("QVariantList", _warning_rows, notify=changed)
    topAlert = Property(str, lambda self: rows[0]["text"] if (rows := self._warning_rows()) else "",
                        notify=changed)
    topAlertLevel = Property(str, lambda self: self._warnings[0].level if self._warnings else "",
                             notify=changed)
    isBus = Property(bool, lambda self: bool(self._info and self._info.kind == "bus"),
                     notify=changed)
    nextStop = Property(str, _next_stop_text, notify=changed)
    label = Property(str, lambda self: self._info.label if self._info else "", notify=changed)
