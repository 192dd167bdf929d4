"""Preset files: the shipped ones load; a broken one names the field at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from vehicle.preset import PRESETS_FILE, PresetError, load_preset, load_presets


def test_shipped_presets_load() -> None:
    presets = load_presets()
    assert {"city_car", "bus_12m"} <= set(presets)
    assert presets["bus_12m"].kind == "bus"
    assert presets["city_car"].battery_capacity_kwh == 30


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = PRESETS_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "presets.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, complaint", [
    ("mass_kg = 1220\n", "", "preset 'city_car': missing field 'mass_kg'"),
    ("mass_kg = 1220", "mass_kg = -1220", "field 'mass_kg' must be >= 0"),
    ("battery_capacity_kwh = 30", "battery_capacity_kwh = 0", "'battery_capacity_kwh' must be > 0"),
    ("drivetrain_efficiency = 0.90", "drivetrain_efficiency = 90", "is a fraction"),
    ("drag_coefficient = 0.35", "drag_coefficient = 'low'", "'drag_coefficient' must be a number"),
    ('kind = "car"', 'kind = "tram"', "field 'kind' must be 'car' or 'bus'"),
    ("mass_kg = 1220", "mass_kg = 1220\nwings = 2", "unknown field(s) wings"),
    ("[city_car]", "[city_car", "cannot read vehicle presets"),
])
def test_broken_preset_names_the_field(tmp_path: Path, old: str, new: str,
                                       complaint: str) -> None:
    path = broken(tmp_path, old, new)
    with pytest.raises(PresetError) as info:
        load_presets(path)
    assert complaint in str(info.value)
    assert str(path) in str(info.value)


def test_unknown_preset_lists_the_choices() -> None:
    with pytest.raises(PresetError, match=r"no preset 'tractor'.*city_car"):
        load_preset("tractor")
