"""The fleet link in the app: settings, the composition root, the status bar and the driver's
acknowledgement of an operator's message."""

from __future__ import annotations

from pathlib import Path

from app.composition import fleet_link
from fleet.link import FleetLink, LinkUnavailable
from kernel import topics
from kernel.event_bus import EventBus
from kernel.settings import Settings, SettingsStore
from kernel.topics import DriverMessage, FleetLinkState


def test_fleet_settings_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    store.save(Settings(fleet_broker="mqtts://fleet.example.com:8883", fleet_vehicle_id="bus-7",
                        fleet_password_file="/etc/volant/fleet.password",
                        fleet_commands=["state"]))
    loaded = store.load()
    assert store.problem == ""
    assert (loaded.fleet_broker, loaded.fleet_vehicle_id, loaded.fleet_commands) == \
        ("mqtts://fleet.example.com:8883", "bus-7", ["state"])
    assert "fleet.password" in (tmp_path / "settings.toml").read_text()  # a path, not a secret


def test_the_link_is_off_by_default_and_built_when_a_broker_is_named() -> None:
    assert Settings().fleet_broker == ""  # compose() adds the link only when named
    link = fleet_link(Settings(fleet_broker="mqtt://127.0.0.1:1883", fleet_vehicle_id="car-9"))
    try:
        assert isinstance(link, FleetLink) and link.vehicle == "car-9"
    finally:
        link.outbox.close()


def test_bad_fleet_settings_switch_the_link_off_and_say_why(bus: EventBus) -> None:
    errors: list = []
    bus.subscribe(topics.BUS_ERROR, lambda m: errors.append(m.payload))
    module = fleet_link(Settings(fleet_broker="mqtt://fleet.example.com:1883",
                                 fleet_vehicle_id="car-9"))
    assert isinstance(module, LinkUnavailable)
    module.start(bus)
    assert bus.retained(topics.FLEET_LINK).state == "off"
    assert "loopback" in errors[0].message


def test_status_bar_shows_the_link_and_acknowledges_a_message(gui_bus: EventBus, qtbot) -> None:
    from ui.viewmodels.status import StatusViewModel

    vm = StatusViewModel(gui_bus)
    acks: list = []
    gui_bus.subscribe(topics.FLEET_DRIVER_ACK, lambda m: acks.append(m.payload.id))
    assert vm.fleet == ""  # no fleet link: nothing shown
    gui_bus.publish(topics.FLEET_LINK, FleetLinkState("offline", backlog=12))
    qtbot.waitUntil(lambda: vm.fleet == "fleet offline, 12 waiting")
    assert not vm.fleetOnline
    gui_bus.publish(topics.FLEET_LINK, FleetLinkState("connected"))
    qtbot.waitUntil(lambda: vm.fleet == "fleet connected")
    assert vm.fleetOnline
    gui_bus.publish(topics.FLEET_DRIVER_MESSAGE, DriverMessage("m7", "Call the depot"))
    qtbot.waitUntil(lambda: vm.fleetMessage == "Call the depot")
    vm.acknowledgeFleetMessage()
    assert acks == ["m7"]
