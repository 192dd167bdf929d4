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

SPEED_RANGE_KMH = (0.0, 250.0)
GEARS = {126: "P", 127: "D", 0: "N"}
LEVEL_ORDER = {"critical": 0, "warning": 1, "info": 2}


def _finite(value: float) -> bool:
    return value == value and abs(value) != float("inf")


class VehicleViewModel(QObject):
    changed = Signal()

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self._v: dict[str, float] = {}
        self._gear = "P"
        self._selected_gear = False
        self._warnings: list[topics.VehicleWarning] = []
        self._info: topics.VehicleInfo | None = None
        self._charging = False
        self._next_stop: topics.NextStop | None = None
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
            bus.subscribe(topics.DISTANCE_UNIT, self._on_units, on="gui"),
            bus.subscribe(topics.TEMPERATURE_UNIT, self._on_units, on="gui"),
        ]

    def _on_number(self, msg: Message) -> None:
        if msg.payload.stale:  # its source stopped sending it: "--", not the old value
            self._v.pop(msg.topic, None)
        else:
            self._v[msg.topic] = float(msg.payload.value)
        self.changed.emit()

    def _on_gear(self, msg: Message) -> None:
        value = msg.payload.value
        self._selected_gear = True
        self._gear = "--" if msg.payload.stale else GEARS.get(value, "R" if value < 0 else "D")
        self.changed.emit()

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
        self.changed.emit()

    def _on_charging(self, msg: Message) -> None:
        self._charging = bool(msg.payload.value) and not msg.payload.stale
        self.changed.emit()

    def _on_warnings(self, msg: Message) -> None:
        self._warnings = sorted(msg.payload.items, key=lambda w: LEVEL_ORDER.get(w.level, 3))
        self.changed.emit()

    def _on_info(self, msg: Message) -> None:
        self._info = msg.payload
        self.changed.emit()

    def _on_units(self, _msg: Message) -> None:
        self._units = Units.on(self._bus)
        self.changed.emit()

    def _on_next_stop(self, msg: Message) -> None:
        self._next_stop = msg.payload
        self.changed.emit()

    def _next_stop_text(self) -> str:
        stop = self._next_stop
        if stop is None or not stop.name:
            return tr("No line active")
        away = (f" · {self._units.approach(stop.distance_m, screen_language())}"
                if stop.distance_m > 0 else "")
        return tr("Line %1 · Next stop: %2", stop.line, stop.name) + away

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
        top = self._info_max_speed()
        return min(1.0, max(0.0, speed / top)) if self._speed_valid() else 0.0

    def _info_max_speed(self) -> float:
        return 100.0 if self._info and self._info.kind == "bus" else 150.0

    # -- power --------------------------------------------------------------------------------
    def _power(self) -> float:
        return self._get(topics.MOTOR_POWER) or 0.0

    def _power_fraction(self) -> float:
        """-1 (full regen) .. +1 (full power), scaled to the vehicle kind's typical maxima."""
        scale = 250.0 if self._info and self._info.kind == "bus" else 60.0
        return min(1.0, max(-1.0, self._power() / scale))

    # -- battery ------------------------------------------------------------------------------
    def _soc(self) -> float:
        soc = self._get(topics.SOC)
        return min(100.0, max(0.0, soc)) if soc is not None else -1.0

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
        return "cold" if value < 50 else "hot" if value > 85 else "ok"

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
    soc = Property(float, _soc, notify=changed)
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
    isBus = Property(bool, lambda self: bool(self._info and self._info.kind == "bus"),
                     notify=changed)
    nextStop = Property(str, _next_stop_text, notify=changed)
    label = Property(str, lambda self: self._info.label if self._info else "", notify=changed)
