"""The simulator window publishes what a vehicle, a driver and a microphone would cause."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPushButton, QRadioButton

from kernel import topics
from kernel.event_bus import EventBus, Message
from ui.simulator import SimulatorWindow
from vehicle.preset import load_preset
from vehicle.simulation import VehicleSimulation


@pytest.fixture
def window(qtbot, gui_bus: EventBus):
    win = SimulatorWindow(gui_bus)
    qtbot.addWidget(win)
    return win


def collect(bus: EventBus, pattern: str) -> list[Message]:
    got: list[Message] = []
    bus.subscribe(pattern, got.append)
    return got


def test_pedals_drive_the_simulated_car(window, gui_bus: EventBus, qtbot) -> None:
    sim = VehicleSimulation(load_preset("city_car"))
    sim.start(gui_bus, run_thread=False)
    window.findChild(QRadioButton, "mode_manual").setChecked(True)
    window.throttle.setValue(60)
    assert gui_bus.retained(topics.VEHICLE_CONTROL).mode == "manual"
    sim.run_ticks(50)
    assert gui_bus.retained(topics.SPEED).value > 20
    window.throttle.setValue(0)
    window.brake.setValue(100)
    sim.run_ticks(80)
    assert gui_bus.retained(topics.SPEED).value == 0.0
    qtbot.waitUntil(lambda: window.readout.text().startswith("speed 0 km/h"))


def test_knobs_faults_and_day_night(window, gui_bus: EventBus, qtbot) -> None:
    settings = collect(gui_bus, topics.SIM_SETTING)
    faults = collect(gui_bus, topics.SIM_FAULT)
    window.time_factor.setValue(20)
    window.charging.setChecked(True)
    window.findChild(QCheckBox, "fault_gps_lost").setChecked(True)
    qtbot.mouseClick(window.findChild(QPushButton, "daynight_NIGHT"), Qt.MouseButton.LeftButton)
    assert [(m.payload.name, m.payload.value) for m in settings] == \
        [("time_factor", 20.0), ("charging", 1.0)]
    assert faults[0].payload == topics.SimFault("gps_lost", True)
    assert gui_bus.retained(topics.DAY_NIGHT_MODE).value == "NIGHT"


def test_driver_voice_inputs(window, gui_bus: EventBus, qtbot, tmp_path) -> None:
    said = collect(gui_bus, topics.VOICE_UTTERANCE)
    ptt = collect(gui_bus, topics.VOICE_PTT)
    files = collect(gui_bus, topics.VOICE_AUDIO_FILE)
    qtbot.keyClicks(window.utterance, "navigate home")
    qtbot.keyClick(window.utterance, Qt.Key.Key_Return)
    qtbot.keyClick(window.utterance, Qt.Key.Key_Return)  # empty: nothing is said
    talk = window.findChild(QPushButton, "talk")
    qtbot.mousePress(talk, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(talk, Qt.MouseButton.LeftButton)
    window.feed_wav(str(tmp_path / "command.wav"))
    assert [m.payload.text for m in said] == ["navigate home"]
    assert [m.payload.pressed for m in ptt] == [True, False]
    assert files[0].payload.path.endswith("command.wav")
