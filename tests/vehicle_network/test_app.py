"""The app on CAN data: the source chosen at start, the dashboard on the real Tesla drive (and
"--" once its signals go stale), the simulator window naming the source, settings."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from app.composition import Overrides, vehicle, vehicle_source_from_args
from kernel import topics
from kernel.event_bus import EventBus
from kernel.settings import Settings, SettingsStore
from vehicle.simulation import VehicleSimulation
from vehicle_network.source import CanSource

from .conftest import EXAMPLE_MAPPING


def tesla_source(tesla: Path) -> dict:
    return {"log": str(tesla / "drive.log"), "dbc": str(tesla / "Model3CAN.dbc"),
            "mapping": [str(tesla / "kuksa_dbc_overlay_vss4.0.vspec"), str(EXAMPLE_MAPPING)]}


def test_the_source_is_chosen_at_start(tesla) -> None:
    assert isinstance(vehicle(Settings(), Overrides()), VehicleSimulation)
    source = vehicle(Settings(vehicle_source=tesla_source(tesla)), Overrides(can_seek=10))
    assert isinstance(source, CanSource) and source.seek_s == 10
    assert source.describe().kind == "can-log"
    assert source.info is not None and source.info.preset == "city_car"
    with pytest.raises(ValueError, match="needs a DBC file"):
        vehicle(Settings(), Overrides(vehicle_source={"log": "x.log", "mapping": "m.vspec"}))
    with pytest.raises(ValueError, match="expected the DBC file's path"):
        Settings(vehicle_source={"log": "x.log", "mapping": "m.vspec"})


def test_command_line_source_replaces_the_settings_one(tesla) -> None:
    settings = Settings(vehicle_source={"interface": "vcan0", "dbc": "a.dbc", "mapping": "m"})
    args = argparse.Namespace(can_log="drive.log", can_interface=None, dbc="b.dbc",
                              mapping=["m1", "m2"])
    assert vehicle_source_from_args(args, settings) == {
        "log": "drive.log", "dbc": "b.dbc", "mapping": ["m1", "m2"]}
    assert vehicle_source_from_args(argparse.Namespace(), settings) is settings.vehicle_source


def test_settings_name_a_default_source(tmp_path, tesla) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    store.save(Settings(vehicle_source=tesla_source(tesla)))
    assert store.load().vehicle_source == tesla_source(tesla)
    both = Settings().assign("vehicle_source", {"log": "a", "interface": "b", "dbc": "d",
                                                "mapping": "m"})
    assert both[0].startswith("vehicle_source: give exactly one of log or interface")
    assert Settings().assign("vehicle_source", {"lgo": "a"})[0].startswith(
        "vehicle_source: lgo: unknown key")


def test_dashboard_follows_the_drive_and_shows_dashes_when_it_stops(qapp, qtbot, tmp_path,
                                                                   tesla) -> None:
    from ui.shell import Shell

    bus = EventBus()
    store = SettingsStore(tmp_path / "settings.toml")
    shell = Shell(bus, store.load(), store, screen="dashboard", size=(1280, 720))
    source = vehicle(Settings(vehicle_source=tesla_source(tesla)), Overrides())
    try:
        source.start(bus, run_thread=False)
        source.run_to_end()
        vm, status = shell.view_models["vehicle"], shell.view_models["statusInfo"]
        speed = bus.retained(topics.SPEED).value
        qtbot.waitUntil(lambda: vm.property("speedText") == f"{speed:.0f}")
        assert vm.property("gear") == "D"
        assert vm.property("drivingModeText") == "Driven by the vehicle (CAN)"  # not autopilot
        assert round(vm.property("soc")) == round(bus.retained(topics.SOC).value)
        assert vm.property("rangeText") == "286 km"
        assert status.property("battery") == f"{bus.retained(topics.SOC).value:.0f}%"
        source.check_stale(1000.0)  # the log is over: nothing arrives any more
        qtbot.waitUntil(lambda: vm.property("speedText") == "--")
        assert (vm.property("gear"), vm.property("soc"), vm.property("rangeText")) == \
            ("--", -1.0, "--")
        assert (status.property("battery"), status.property("range")) == ("--", "--")
        assert any(w["code"] == "signals_lost" for w in vm.property("warnings"))
    finally:
        shell.close()
        bus.close()


def test_simulator_window_says_what_drives_the_vehicle(qtbot, gui_bus) -> None:
    from ui.simulator import SimulatorWindow

    window = SimulatorWindow(gui_bus)
    qtbot.addWidget(window)
    window.show()
    assert all(box.isVisible() for box in window.vehicle_boxes)
    assert window.source.text() == "Vehicle: the simulation"
    gui_bus.publish(topics.VEHICLE_SOURCE, topics.VehicleSource(
        "can-log", "drive.log", "Model3CAN.dbc + tesla_model3.vspec"))
    qtbot.waitUntil(lambda: not any(box.isVisible() for box in window.vehicle_boxes))
    assert window.source.text().startswith("Vehicle: CAN log drive.log (Model3CAN.dbc")
    assert window.utterance.isVisible()  # the driver's voice still applies


def test_the_app_refuses_a_bad_can_source_in_one_line(tmp_path, tesla) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--offscreen", "--screenshot", str(tmp_path / "x.png"),
         "--can-log", str(tesla / "drive.log"), "--dbc", str(tesla / "drive.log"),
         "--mapping", str(EXAMPLE_MAPPING)],
        capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 2
    assert f"volant: {tesla / 'drive.log'}: not a DBC file" in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_kuksas_overlay_alone_gives_the_dashboard_its_gear(qapp, qtbot, tmp_path, tesla) -> None:
    """KUKSA maps DI_gear to CurrentGear (1 = forward) and the park lock, not SelectedGear."""
    from ui.shell import Shell

    bus = EventBus()
    store = SettingsStore(tmp_path / "settings.toml")
    shell = Shell(bus, store.load(), store, screen="dashboard", size=(1280, 720))
    source = vehicle(Settings(vehicle_source={
        "log": str(tesla / "drive.log"), "dbc": str(tesla / "Model3CAN.dbc"),
        "mapping": str(tesla / "kuksa_dbc_overlay_vss4.0.vspec")}), Overrides(can_until=5))
    try:
        source.start(bus, run_thread=False)
        source.run_to_end()
        vm = shell.view_models["vehicle"]
        speed = bus.retained(topics.SPEED).value
        qtbot.waitUntil(lambda: vm.property("speedText") == f"{speed:.0f}")
        assert bus.retained(topics.SELECTED_GEAR) is None
        assert vm.property("gear") == "D"
        bus.publish(topics.PARK_LOCK, topics.VssBool(True))
        qtbot.waitUntil(lambda: vm.property("gear") == "P")
    finally:
        shell.close()
        bus.close()
