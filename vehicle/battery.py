"""The LMP traction battery: charge, pack temperature, heater and the cold-pack power limit.

Lithium-metal-polymer cells only conduct well when hot (60-80 °C), so the pack carries a heater
fed from its own energy, and a cold pack cannot deliver (or accept) full power.
"""

from __future__ import annotations

from dataclasses import dataclass

from vehicle.preset import VehiclePreset

HEATER_HYSTERESIS_C = 4.0
COLD_RAMP_C = 30.0  # below cold_limit - this, the pack gives only MIN_COLD_FACTOR of its power
MIN_COLD_FACTOR = 0.1


@dataclass
class EnergyLedger:
    """Where the energy taken from the pack went, in kWh (regen counts negative in traction)."""

    traction_kwh: float = 0.0  # at the wheels, electric part only (friction braking excluded)
    drivetrain_loss_kwh: float = 0.0
    auxiliary_kwh: float = 0.0  # 12 V loads and cabin HVAC
    heater_kwh: float = 0.0  # pack heater
    internal_loss_kwh: float = 0.0  # heat in the cells
    charged_kwh: float = 0.0  # from a charger (negative out-flow)

    @property
    def consumers_kwh(self) -> float:
        return (self.traction_kwh + self.drivetrain_loss_kwh + self.auxiliary_kwh
                + self.heater_kwh + self.internal_loss_kwh - self.charged_kwh)


class LmpBattery:
    def __init__(self, preset: VehiclePreset, soc_percent: float, pack_c: float) -> None:
        self.preset = preset
        self.capacity_kwh = preset.battery_capacity_kwh
        self.stored_kwh = self.capacity_kwh * min(max(soc_percent, 0.0), 100.0) / 100.0
        self.pack_c = pack_c
        self.heater_on = False
        self.heat_to_c: float | None = None  # pre-conditioning: keep the pack this warm
        self.ledger = EnergyLedger()

    @property
    def soc_percent(self) -> float:
        return 100.0 * self.stored_kwh / self.capacity_kwh

    def set_soc(self, soc_percent: float) -> None:
        self.stored_kwh = self.capacity_kwh * min(max(soc_percent, 0.0), 100.0) / 100.0

    @property
    def empty(self) -> bool:
        return self.stored_kwh <= 0.0

    def cold_factor(self) -> float:
        """Share of rated power the pack can give at its temperature (1.0 when warm)."""
        limit = self.preset.pack_cold_limit_c
        if self.pack_c >= limit:
            return 1.0
        share = (self.pack_c - (limit - COLD_RAMP_C)) / COLD_RAMP_C
        return min(1.0, max(MIN_COLD_FACTOR, share))

    def regen_headroom_kw(self) -> float:
        """Charge power the pack accepts: tapers to zero as it fills, so 100 % is never passed."""
        soc = self.soc_percent
        taper = 1.0 if soc <= 95.0 else max(0.0, (99.5 - soc) / 4.5)
        return self.preset.max_regen_power_kw * self.cold_factor() * taper

    def update_heater(self) -> float:
        """Thermostat keeping the pack at the bottom of its window; returns heater power kW."""
        low = max(self.preset.pack_optimal_min_c, self.heat_to_c or 0.0)
        if self.pack_c < low:
            self.heater_on = True
        elif self.pack_c >= low + HEATER_HYSTERESIS_C:
            self.heater_on = False
        return self.preset.pack_heater_kw if self.heater_on and not self.empty else 0.0

    def exchange(self, dt: float, traction_kw: float, loss_kw: float, aux_kw: float,
                 heater_kw: float, charger_kw: float, ambient_c: float) -> float:
        """Move energy for `dt` seconds and update the pack temperature.

        Positive kW leave the pack. Returns the terminal power actually delivered (kW); when the
        pack runs empty, loads are cut in proportion so stored energy never goes below zero.
        """
        terminal_kw = traction_kw + loss_kw + aux_kw + heater_kw - charger_kw
        internal_kw = self.preset.pack_internal_loss * abs(terminal_kw)
        drain_kwh = (terminal_kw + internal_kw) * dt / 3600.0
        scale = 1.0
        if drain_kwh > self.stored_kwh > 0.0 or (drain_kwh > 0 and self.stored_kwh <= 0.0):
            scale = max(0.0, self.stored_kwh / drain_kwh)
        if drain_kwh < 0 and self.stored_kwh - drain_kwh > self.capacity_kwh:
            scale = (self.capacity_kwh - self.stored_kwh) / -drain_kwh
        hours = dt / 3600.0 * scale
        self.stored_kwh = min(self.capacity_kwh, max(0.0, self.stored_kwh - drain_kwh * scale))
        led = self.ledger
        led.traction_kwh += traction_kw * hours
        led.drivetrain_loss_kwh += loss_kw * hours
        led.auxiliary_kwh += aux_kw * hours
        led.heater_kwh += heater_kw * hours
        led.internal_loss_kwh += internal_kw * hours
        led.charged_kwh += charger_kw * hours
        heat_w = (internal_kw + heater_kw) * scale * 1000.0
        loss_w = self.preset.pack_heat_loss_w_per_k * (self.pack_c - ambient_c)
        self.pack_c += (heat_w - loss_w) * dt / (self.preset.pack_thermal_mass_kj_per_k * 1000.0)
        return terminal_kw * scale
