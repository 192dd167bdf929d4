"""Campaign files checked at the door, and the collector's triggers."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleet.campaigns import CampaignError, Collector, load_campaigns

SPEED = "Vehicle.Speed"
SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
POWER = "Vehicle.Powertrain.ElectricMotor.Power"


def campaigns(tmp_path: Path, text: str):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return load_campaigns([path])


def test_the_default_campaign_covers_what_the_issue_names() -> None:
    signals = {s for c in load_campaigns() for s in c.signals}
    for needed in ("Vehicle.CurrentLocation.Latitude", "Vehicle.CurrentLocation.Longitude",
                   SPEED, SOC, "Vehicle.Powertrain.TractionBattery.Range",
                   "Vehicle.Powertrain.TractionBattery.Charging.IsCharging", "vehicle.warnings"):
        assert needed in signals


@pytest.mark.parametrize(("text", "named"), [
    ('[[campaign]]\nname = "a"\nkind = "sometimes"\nsignals = ["Vehicle.Speed"]',
     "$.campaign[0].kind"),
    ('[[campaign]]\nname = "a"\nkind = "periodic"\nperiod_ms = 10\nsignals = ["Vehicle.Speed"]',
     "period_ms >= 50"),
    ('[[campaign]]\nname = "a"\nkind = "change"\nsignals = ["Vehicle.Warp"]',
     "unknown signal 'Vehicle.Warp'"),
    ('[[campaign]]\nname = "a"\nkind = "change"\npriority = 12\nsignals = ["Vehicle.Speed"]',
     "$.campaign[0].priority"),
    ('[[campaign]]\nname = "a"\nkind = "condition"\nsignals = ["Vehicle.Speed"]',
     "condition needs `when`"),
    ('[[campaign]]\nname = "a"\nkind = "condition"\nsignals = ["Vehicle.Speed"]\n'
     'when = [{signal = "Vehicle.Speed", op = "~", value = 3}]', "$.campaign[0].when[0].op"),
    ('[[campaign]]\nname = "a"\nkind = "change"\nsignals = ["Vehicle.Speed"]\nrm = "-rf"',
     "unknown field `rm`"),
    ('[[campaign]]\nname = "a"\nkind = "change"\nsignals = ["Vehicle.Speed"]\n'
     '[[campaign]]\nname = "a"\nkind = "change"\nsignals = ["Vehicle.Speed"]', "used twice"),
    ("campaign = [", "c.toml"),
    ("", "missing required field `campaign`"),
])
def test_a_broken_campaign_file_is_refused_naming_file_and_field(
        tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(CampaignError) as err:
        campaigns(tmp_path, text)
    assert str(tmp_path / "c.toml") in str(err.value)
    assert named in str(err.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CampaignError, match=r"nope\.toml"):
        load_campaigns([tmp_path / "nope.toml"])


def test_periodic_sends_every_period(tmp_path: Path) -> None:
    c = Collector(campaigns(tmp_path, '[[campaign]]\nname = "p"\nkind = "periodic"\n'
                            'period_ms = 500\nsignals = ["Vehicle.Speed"]'))
    c.update(SPEED, 10.0, 100.0)
    sent = [t for t in (100.0, 100.2, 100.5, 100.7, 101.0, 101.6) if c.tick(t)]
    assert sent == [100.0, 100.5, 101.0, 101.6]
    assert c.next_due() == pytest.approx(102.0)


def test_change_respects_the_deadband(tmp_path: Path) -> None:
    c = Collector(campaigns(tmp_path, '[[campaign]]\nname = "s"\nkind = "change"\n'
                            'deadband = 2.0\nsignals = ["Vehicle.Speed"]'))
    fired = [v for v in (10.0, 11.0, 11.9, 12.5, 10.4, 10.6) if c.update(SPEED, v, 1.0)]
    assert fired == [10.0, 12.5, 10.4]


def test_condition_fires_on_rising_edge_with_min_interval_and_window(tmp_path: Path) -> None:
    c = Collector(campaigns(tmp_path, f'''
[[campaign]]
name = "braking"
kind = "condition"
min_interval_ms = 10000
window_ms = 1000
period_ms = 500
signals = ["{SPEED}"]
when = [{{ signal = "{POWER}", op = "<", value = -40.0 }}]'''))
    c.update(SPEED, 50.0, 0.0)
    assert c.update(POWER, -50.0, 1.0) == []  # triggered; the window is open
    assert c.update(POWER, -60.0, 1.1) == []  # still true: no new edge
    c.update(SPEED, 40.0, 1.2)
    assert c.tick(1.5) == []
    [record] = c.tick(2.0)
    assert record.campaign.event
    assert record.fields["signals"] == {SPEED: 50.0}
    assert [w["signals"][SPEED] for w in record.fields["window"]] == [40.0, 40.0]
    c.update(POWER, 0.0, 3.0)
    c.update(POWER, -50.0, 4.0)  # a new edge, but within min_interval: ignored
    assert c.tick(6.0) == []
    c.update(POWER, 0.0, 12.0)
    c.update(POWER, -50.0, 12.5)
    assert c.tick(13.5) != []


def test_condition_on_text_compared_with_a_number_is_never_true(tmp_path: Path) -> None:
    c = Collector(campaigns(tmp_path, '''
[[campaign]]
name = "odd"
kind = "condition"
signals = ["Vehicle.Speed"]
when = [{ signal = "Vehicle.CurrentLocation.GNSSReceiver.FixType", op = "<", value = 3.0 }]'''))
    assert c.update("Vehicle.CurrentLocation.GNSSReceiver.FixType", "NONE", 1.0) == []
