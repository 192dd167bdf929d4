"""The simulated vehicle: the same VSS signals a real vehicle gateway would publish, at 10 Hz.

All state changes happen on the simulation's own thread: bus inputs (route, controls, knobs,
faults) are queued and applied at the start of a tick, so a run is deterministic for a seed and
the same inputs. `run_ticks` drives it synchronously for tests and benchmarks.
"""

from __future__ import annotations

import math
import random
import threading
import time
from queue import Empty, SimpleQueue

from kernel import topics
from kernel.event_bus import EventBus, Message, Subscription
from kernel.topics import (
    DriverControl,
    Precondition,
    PreconditionState,
    SimFault,
    SimSetting,
    VehicleInfo,
    VehicleWarning,
    VehicleWarnings,
    VssBool,
    VssFloat,
    VssInt,
    VssString,
)
from kernel.units import Units
from vehicle.model import VehicleModel
from vehicle.preset import VehiclePreset
from vehicle.range_estimate import RangeEstimator
from vehicle.route import EARTH_RADIUS_M, RouteFollower, distance_m

TICK_S = 0.1
MAX_TIME_FACTOR = 50
GEAR_PARK, GEAR_DRIVE = 126, 127
GPS_NOISE_M = 1.5
SPEED_SENSOR_FAULT_KMH = 400.0  # what a broken wheel-speed sensor reports here
FAULTS = ("gps_lost", "low_battery", "battery_cold", "sensor_out_of_range")
SETTINGS = ("soc", "pack_temperature", "outside_temperature", "time_factor", "charging")
HELSINKI_CENTRE = (60.1699, 24.9384)
JOIN_ROUTE_M = 25.0  # the car is on a new route this close to it
CONNECT_TO_START_M = 250.0  # else it drives straight to a start this near


class VehicleSimulation:
    name = "vehicle"  # the supervisor's name for it; its threads are named after it
    tasks: tuple[str, ...] = ()  # its app.progress tasks

    def __init__(self, preset: VehiclePreset, *, seed: int = 0,
                 start: tuple[float, float] = HELSINKI_CENTRE, soc_percent: float = 80.0,
                 pack_c: float = 65.0, outside_c: float = 5.0, time_factor: float = 1.0) -> None:
        self.preset = preset
        self.model = VehicleModel(preset, soc_percent, pack_c, outside_c)
        self.range = RangeEstimator(preset.nominal_consumption_kwh_per_100km / 100.0)
        self.rng = random.Random(seed)
        self.lat, self.lon = start
        self.heading = 0.0
        self.control = DriverControl()
        self.time_factor = 1
        self.set_time_factor(time_factor)
        self.faults: set[str] = set()
        self.follower: RouteFollower | None = None
        self.route_at_m = 0.0
        self.sim_time_s = 0.0
        self.precondition: Precondition | None = None
        self._inbox: SimpleQueue[Message] = SimpleQueue()
        self._bus: EventBus | None = None
        self._subs: list[Subscription] = []
        self._warnings: tuple[VehicleWarning, ...] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- module ----------------------------------------------------------------------------
    def start(self, bus: EventBus, *, run_thread: bool = True) -> None:
        self._bus = bus
        p = self.preset
        bus.publish(topics.VEHICLE_INFO, VehicleInfo(
            p.name, p.label, p.kind, p.battery_capacity_kwh,
            p.nominal_consumption_kwh_per_100km / 100.0, p.max_speed_kmh,
            p.max_motor_power_kw, p.max_regen_power_kw))
        for pattern in (topics.NAV_ROUTE, topics.VEHICLE_CONTROL, topics.SIM_SETTING,
                        topics.SIM_FAULT, topics.VEHICLE_PRECONDITION):
            self._subs.append(bus.subscribe(pattern, self._inbox.put, name="vehicle sim"))
        self._publish()
        if run_thread:
            self._thread = threading.Thread(target=self._run, name="vehicle-sim", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        for sub in self._subs:
            sub.unsubscribe()
        self._subs = []

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stop.is_set():
            self.tick()
            next_tick += TICK_S
            delay = next_tick - time.monotonic()
            if delay < -1.0:  # fell far behind (machine busy): do not try to catch up
                next_tick = time.monotonic()
            self._stop.wait(max(0.0, delay))

    def run_ticks(self, count: int) -> None:
        """Advance `count` ticks on the calling thread (tests, benchmarks)."""
        for _ in range(count):
            self.tick()

    # -- inputs ----------------------------------------------------------------------------
    def set_time_factor(self, factor: float) -> None:
        self.time_factor = int(min(MAX_TIME_FACTOR, max(1, round(factor))))

    def _apply(self, msg: Message) -> None:
        payload = msg.payload
        if msg.topic == topics.NAV_ROUTE:
            self._set_route(payload)
        elif msg.topic == topics.VEHICLE_CONTROL:
            self.control = payload
        elif msg.topic == topics.SIM_SETTING:
            self._set(payload)
        elif msg.topic == topics.SIM_FAULT:
            self._fault(payload)
        elif msg.topic == topics.VEHICLE_PRECONDITION:
            self._precondition(payload)

    def _precondition(self, request: Precondition | None) -> None:
        """Warm the pack to the middle of its window until the departure (wall-clock time, as
        the fleet sends it): the heater draws from the grid when plugged in, else the pack."""
        p = self.preset
        self.precondition = request
        target = (p.pack_optimal_min_c + p.pack_optimal_max_c) / 2.0
        self.model.battery.heat_to_c = target if request else None
        if self._bus is None:
            return
        if request is None:
            self._bus.publish(topics.VEHICLE_PRECONDITION_STATE, PreconditionState(False))
            return
        self._bus.publish(topics.VEHICLE_PRECONDITION_STATE, PreconditionState(
            True, request.departure, "grid" if self.model.charging else "pack", target,
            request.cabin_c, request.request_id))

    def _set_route(self, route: topics.RoutePath) -> None:
        """Drive a new route on from where the car is: on it (a reroute starts at the nearest
        node, which may be just behind), or via a straight connector to its start when that
        is near. Only a route starting far away moves the car there, as a new trip would."""
        if not route.points:
            self.follower = None
            return
        decel = 1.0 if self.preset.kind == "bus" else 1.5
        here = (self.lat, self.lon)
        points, limits = route.points, route.speed_limits_kmh
        try:
            follower = RouteFollower(points, limits, decel)
            at = follower.locate(here, within_m=JOIN_ROUTE_M)
            if at is None and 0 < distance_m(here, points[0]) <= CONNECT_TO_START_M:
                follower = RouteFollower((here, *points), limits[:1] + limits, decel)
                at = 0.0
        except ValueError as exc:
            self._report(f"route not driveable: {exc}", topics.NAV_ROUTE)
            return
        self.follower = follower
        self.route_at_m = at or 0.0
        self.lat, self.lon, self.heading = follower.position(self.route_at_m)

    def _set(self, setting: SimSetting) -> None:
        name, value = setting.name, setting.value
        if name not in SETTINGS or value != value:
            self._report(f"sim.set: unknown setting {name!r} or bad value {value!r}; expected "
                         f"one of {', '.join(SETTINGS)}", topics.SIM_SETTING)
        elif name == "soc":
            self.model.battery.set_soc(value)
        elif name == "pack_temperature":
            self.model.battery.pack_c = value
        elif name == "outside_temperature":
            self.model.outside_c = value
        elif name == "time_factor":
            self.set_time_factor(value)
        else:
            self.model.charging = value >= 0.5 and self.model.speed_ms < 0.5

    def _fault(self, fault: SimFault) -> None:
        if fault.name not in FAULTS:
            self._report(f"sim.fault: unknown fault {fault.name!r}; expected one of "
                         f"{', '.join(FAULTS)}", topics.SIM_FAULT)
            return
        if fault.active:
            self.faults.add(fault.name)
            if fault.name == "low_battery":
                self.model.battery.set_soc(4.0)
            elif fault.name == "battery_cold":
                self.model.battery.pack_c = 15.0
        else:
            self.faults.discard(fault.name)

    def _report(self, message: str, topic: str) -> None:
        if self._bus is not None:
            self._bus.report("vehicle simulation", message, topic=topic)

    # -- one tick ----------------------------------------------------------------------------
    def tick(self) -> None:
        while True:
            try:
                self._apply(self._inbox.get_nowait())
            except Empty:
                break
        if self.precondition is not None and time.time() >= self.precondition.departure:
            self._precondition(None)
        for _ in range(self.time_factor):
            self._step(TICK_S)
        self._publish()

    def _accel_request(self) -> float:
        model, c = self.model, self.control
        v = model.speed_ms
        if c.mode == "manual":
            if c.throttle <= 0 and c.brake <= 0:  # coasting
                return -model.road_load_n(v) / model.effective_mass
            return c.throttle * self.preset.max_accel_ms2 - c.brake * self.preset.max_decel_ms2
        if c.mode == "cruise":
            target = min(c.target_speed_kmh, self.preset.max_speed_kmh) / 3.6
        elif self.follower is not None:
            target = min(self.follower.target_speed_ms(self.route_at_m),
                         self.preset.max_speed_kmh / 3.6)
        else:
            target = 0.0
        return 1.0 * (target - v)

    def _step(self, dt: float) -> None:
        before = self.model.odometer_m
        self.model.step(dt, self._accel_request())
        moved = self.model.odometer_m - before
        self.sim_time_s += dt
        if self.follower is not None and self.control.mode != "manual":
            self.route_at_m = min(self.follower.length_m, self.route_at_m + moved)
            self.lat, self.lon, self.heading = self.follower.position(self.route_at_m)
        elif moved > 0:
            rad = math.radians(self.heading)
            self.lat += math.degrees(moved * math.cos(rad) / EARTH_RADIUS_M)
            self.lon += math.degrees(moved * math.sin(rad) / EARTH_RADIUS_M
                                     / math.cos(math.radians(self.lat)))
        battery = self.model.battery
        self.range.add(self.model.odometer_m / 1000.0, battery.ledger.consumers_kwh)

    # -- outputs -----------------------------------------------------------------------------
    def range_m(self) -> float:
        battery, p = self.model.battery, self.preset
        usable = battery.stored_kwh - p.battery_reserve_percent / 100.0 * p.battery_capacity_kwh
        return self.range.range_m(usable, self.model.odometer_m / 1000.0,
                                  battery.ledger.consumers_kwh)

    def _publish(self) -> None:
        bus = self._bus
        if bus is None:
            return
        model, battery = self.model, self.model.battery
        speed_kmh = model.speed_ms * 3.6
        if "sensor_out_of_range" in self.faults:
            speed_kmh = SPEED_SENSOR_FAULT_KMH
        moving = model.speed_ms > 0.05 or self._accel_request() > 0.05
        publish = bus.publish
        publish(topics.SPEED, VssFloat(round(speed_kmh, 1)))
        publish(topics.TRAVELED_DISTANCE, VssFloat(round(model.odometer_m / 1000.0, 3)))
        publish(topics.SOC, VssFloat(round(battery.soc_percent, 2)))
        publish(topics.RANGE, VssFloat(round(self.range_m(), 0)))
        publish(topics.PACK_TEMPERATURE, VssFloat(round(battery.pack_c, 1)))
        publish(topics.BATTERY_POWER, VssFloat(round(model.last.battery_kw * 1000.0, 0)))
        publish(topics.MOTOR_POWER, VssFloat(round(model.last.motor_kw, 1)))
        publish(topics.IS_CHARGING, VssBool(model.charging))
        publish(topics.SELECTED_GEAR, VssInt(GEAR_DRIVE if moving and not model.charging
                                             else GEAR_PARK))
        publish(topics.AIR_TEMPERATURE, VssFloat(round(model.outside_c, 1)))
        if "gps_lost" in self.faults:
            publish(topics.GNSS_FIX, VssString("NONE"))
        else:
            publish(topics.GNSS_FIX, VssString("THREE_D"))
            north = self.rng.gauss(0.0, GPS_NOISE_M) / EARTH_RADIUS_M
            east = self.rng.gauss(0.0, GPS_NOISE_M) / EARTH_RADIUS_M
            publish(topics.LATITUDE, VssFloat(round(self.lat + math.degrees(north), 7)))
            publish(topics.LONGITUDE, VssFloat(round(
                self.lon + math.degrees(east) / math.cos(math.radians(self.lat)), 7)))
            publish(topics.HEADING, VssFloat(round(self.heading, 1)))
        warnings = self._current_warnings(Units.on(bus))
        if warnings != self._warnings:
            self._warnings = warnings
            publish(topics.VEHICLE_WARNINGS, VehicleWarnings(warnings))

    def _current_warnings(self, units: Units) -> tuple[VehicleWarning, ...]:
        """Temperatures in the driver's units: a change of units changes the set, which is
        then published again."""
        battery, p = self.model.battery, self.preset
        items: list[VehicleWarning] = []
        soc = battery.soc_percent
        if battery.empty:
            items.append(VehicleWarning.of("battery_empty", "critical", "Battery empty"))
        elif soc < 5:
            items.append(VehicleWarning.of("low_battery", "critical", "Battery very low: %1 %",
                                           f"{soc:.0f}"))
        elif soc < 15:
            items.append(VehicleWarning.of("low_battery", "warning", "Battery low: %1 %",
                                           f"{soc:.0f}"))
        if battery.pack_c < p.pack_cold_limit_c:
            items.append(VehicleWarning.of(
                "battery_cold", "warning", "Battery cold (%1): power limited to %2",
                units.temperature(battery.pack_c), f"{battery.cold_factor():.0%}"))
        elif battery.pack_c > p.pack_optimal_max_c + 5:
            items.append(VehicleWarning.of("battery_hot", "critical", "Battery hot: %1",
                                           units.temperature(battery.pack_c)))
        if "gps_lost" in self.faults:
            items.append(VehicleWarning.of("gps_lost", "warning", "GPS signal lost"))
        if "sensor_out_of_range" in self.faults:
            items.append(VehicleWarning.of("speed_sensor", "critical",
                                           "Speed sensor out of range"))
        if self.model.charging:
            items.append(VehicleWarning.of("charging", "info", "Charging"))
        return tuple(items)
