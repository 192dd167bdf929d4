"""Longitudinal EV dynamics: road load, motor and regen limits, auxiliary and HVAC load."""

from __future__ import annotations

from dataclasses import dataclass

from vehicle.battery import LmpBattery
from vehicle.preset import VehiclePreset

AIR_DENSITY = 1.2  # kg/m³ at about 20 °C
GRAVITY = 9.81


@dataclass(frozen=True)
class StepResult:
    accel_ms2: float
    wheel_kw: float  # traction power at the wheels (negative = braking)
    motor_kw: float  # electric power of the motor (negative = regenerating)
    battery_kw: float  # terminal power of the pack (positive = discharging)
    friction_brake_kw: float


class VehicleModel:
    """One vehicle on a flat road; `step` advances it by dt seconds under an acceleration
    request, honouring motor power, regen limit, the cold-pack limit and an empty pack."""

    def __init__(self, preset: VehiclePreset, soc_percent: float = 80.0, pack_c: float = 65.0,
                 outside_c: float = 15.0) -> None:
        self.preset = preset
        self.battery = LmpBattery(preset, soc_percent, pack_c)
        self.outside_c = outside_c
        self.speed_ms = 0.0
        self.odometer_m = 0.0
        self.charging = False
        self.road_loss_kwh = 0.0  # aerodynamic + rolling, for the physics checks
        self.friction_brake_kwh = 0.0
        self.last = StepResult(0.0, 0.0, 0.0, 0.0, 0.0)

    @property
    def effective_mass(self) -> float:
        return self.preset.mass_kg * (1.0 + self.preset.rotating_mass_factor)

    def road_load_n(self, speed_ms: float) -> float:
        if speed_ms <= 0.0:
            return 0.0
        p = self.preset
        aero = 0.5 * AIR_DENSITY * p.drag_coefficient * p.frontal_area_m2 * speed_ms ** 2
        return aero + p.rolling_resistance * p.mass_kg * GRAVITY

    def hvac_kw(self) -> float:
        p = self.preset
        return min(p.hvac_max_kw, p.hvac_kw_per_degree * abs(p.cabin_target_c - self.outside_c))

    def step(self, dt: float, accel_request: float) -> StepResult:
        p = self.preset
        battery = self.battery
        v = self.speed_ms
        accel = min(max(accel_request, -p.max_decel_ms2), p.max_accel_ms2)
        if self.charging:
            accel = -p.max_decel_ms2
        drive_ok = not battery.empty and not self.charging
        max_wheel_kw = (p.max_motor_power_kw * battery.cold_factor() * p.drivetrain_efficiency
                        if drive_ok else 0.0)
        accel = max(accel, -v / dt)  # stop, never reverse
        # Forces at the mid-step speed (trapezoidal rule): the kinetic energy change and the
        # road losses then add up exactly to the energy delivered at the wheels.
        v_mid = v + accel * dt / 2
        road = self.road_load_n(v_mid)
        wheel_kw = (self.effective_mass * accel + road) * v_mid / 1000.0
        if wheel_kw > max_wheel_kw:
            requested = accel
            for _ in range(2):  # fixed point: the mid speed depends on the limited accel
                accel = (max_wheel_kw * 1000.0 / max(v_mid, 0.5) - road) / self.effective_mass
                accel = max(min(accel, requested), -v / dt)
                v_mid = v + accel * dt / 2
                road = self.road_load_n(v_mid)
            wheel_kw = (self.effective_mass * accel + road) * v_mid / 1000.0
        friction_kw = 0.0
        if wheel_kw >= 0.0:
            motor_kw = wheel_kw / p.drivetrain_efficiency
            loss_kw = motor_kw - wheel_kw
            traction_kw = wheel_kw
        else:
            regen_wheel_kw = max(wheel_kw, -battery.regen_headroom_kw() / p.regen_efficiency)
            friction_kw = regen_wheel_kw - wheel_kw  # > 0: burnt in the brakes
            motor_kw = regen_wheel_kw * p.regen_efficiency
            loss_kw = motor_kw - regen_wheel_kw  # > 0
            traction_kw = regen_wheel_kw
        aux_kw = p.auxiliary_power_kw + self.hvac_kw()
        heater_kw = battery.update_heater()
        charger_kw = p.charger_power_kw * battery.cold_factor() if self.charging else 0.0
        if charger_kw and battery.soc_percent >= 80.0:  # constant-voltage taper
            charger_kw *= max(0.05, (100.0 - battery.soc_percent) / 20.0)
        if self.charging:  # plugged in: the grid feeds the pack heater, not the pack
            charger_kw += heater_kw
        battery_kw = battery.exchange(dt, traction_kw, loss_kw, aux_kw, heater_kw, charger_kw,
                                      self.outside_c)
        new_v = max(0.0, v + accel * dt)
        self.odometer_m += v_mid * dt
        self.road_loss_kwh += road * v_mid * dt / 3.6e6
        self.friction_brake_kwh += friction_kw * dt / 3600.0
        self.speed_ms = min(new_v, p.max_speed_kmh / 3.6)
        self.last = StepResult(accel, wheel_kw, motor_kw, battery_kw, friction_kw)
        return self.last
