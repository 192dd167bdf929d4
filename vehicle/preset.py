"""Vehicle presets: physical parameters read from a TOML data file and checked field by field."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

PRESETS_FILE = Path(__file__).with_name("presets.toml")


class PresetError(ValueError):
    """A preset that cannot drive the simulation; the message names the file and field."""


@dataclass(frozen=True)
class VehiclePreset:
    name: str
    label: str
    kind: str  # car or bus
    mass_kg: float
    rotating_mass_factor: float
    drag_coefficient: float
    frontal_area_m2: float
    rolling_resistance: float
    drivetrain_efficiency: float
    regen_efficiency: float
    max_motor_power_kw: float
    max_regen_power_kw: float
    max_accel_ms2: float
    max_decel_ms2: float
    max_speed_kmh: float
    auxiliary_power_kw: float
    hvac_kw_per_degree: float
    hvac_max_kw: float
    cabin_target_c: float
    battery_capacity_kwh: float
    battery_reserve_percent: float
    pack_thermal_mass_kj_per_k: float
    pack_heat_loss_w_per_k: float
    pack_heater_kw: float
    pack_internal_loss: float
    pack_optimal_min_c: float
    pack_optimal_max_c: float
    pack_cold_limit_c: float
    charger_power_kw: float
    nominal_consumption_kwh_per_100km: float


_TEXT_FIELDS = {"name", "label", "kind"}
_FRACTIONS = {"drivetrain_efficiency", "regen_efficiency", "pack_internal_loss",
              "rotating_mass_factor"}
_POSITIVE = {"mass_kg", "battery_capacity_kwh", "max_motor_power_kw", "max_accel_ms2",
             "max_decel_ms2", "max_speed_kmh", "pack_thermal_mass_kj_per_k",
             "drivetrain_efficiency", "nominal_consumption_kwh_per_100km"}


def load_presets(path: Path = PRESETS_FILE) -> dict[str, VehiclePreset]:
    """All presets of a file; raises PresetError naming the file, preset and field at fault."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PresetError(f"{path}: cannot read vehicle presets ({exc})") from None
    return {name: _preset(path, name, table) for name, table in data.items()}


def load_preset(name: str, path: Path = PRESETS_FILE) -> VehiclePreset:
    presets = load_presets(path)
    if name not in presets:
        raise PresetError(f"{path}: no preset {name!r}; expected one of {', '.join(presets)}")
    return presets[name]


def _preset(path: Path, name: str, table: object) -> VehiclePreset:
    where = f"{path}: preset {name!r}"
    if not isinstance(table, dict):
        raise PresetError(f"{where}: expected a table of parameters")
    values: dict[str, object] = {"name": name}
    for field in dataclasses.fields(VehiclePreset):
        if field.name == "name":
            continue
        if field.name not in table:
            raise PresetError(f"{where}: missing field {field.name!r}")
        value = table[field.name]
        if field.name in _TEXT_FIELDS:
            if not isinstance(value, str) or not value:
                raise PresetError(f"{where}: field {field.name!r} must be non-empty text")
        else:
            values[field.name] = _number(where, field.name, value)
            continue
        values[field.name] = value
    unknown = sorted(set(table) - {f.name for f in dataclasses.fields(VehiclePreset)})
    if unknown:
        raise PresetError(f"{where}: unknown field(s) {', '.join(unknown)}")
    if values["kind"] not in ("car", "bus"):
        raise PresetError(f"{where}: field 'kind' must be 'car' or 'bus', got {values['kind']!r}")
    return VehiclePreset(**values)  # type: ignore[arg-type]


def _number(where: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PresetError(f"{where}: field {name!r} must be a number, got {value!r}")
    if value < 0 or value != value:
        raise PresetError(f"{where}: field {name!r} must be >= 0, got {value!r}")
    if name in _POSITIVE and value == 0:
        raise PresetError(f"{where}: field {name!r} must be > 0")
    if name in _FRACTIONS and value > 1:
        raise PresetError(f"{where}: field {name!r} is a fraction (0-1), got {value!r}")
    return float(value)
