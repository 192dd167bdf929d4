"""The simulator window (Qt Widgets): stands in for the vehicle and the driver at a desk.

Every control publishes on the bus exactly what a real vehicle gateway, steering-wheel button or
microphone would cause, so the dashboard and the modules cannot tell the difference.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.topics import (
    AudioFile,
    DriverControl,
    PushToTalk,
    SimFault,
    SimSetting,
    StopButton,
    Utterance,
    VssString,
)

FAULT_LABELS = {
    "gps_lost": "GPS lost",
    "low_battery": "Low battery (4 %)",
    "battery_cold": "Battery too cold (15 °C)",
    "sensor_out_of_range": "Speed sensor out of range",
}


def _slider(maximum: int, value: int = 0) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, maximum)
    slider.setValue(value)
    return slider


class SimulatorWindow(QWidget):
    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self.bus = bus
        self.setWindowTitle("Volant — vehicle simulator")
        layout = QVBoxLayout(self)
        self.source = QLabel("Vehicle: the simulation", objectName="source")
        self.source.setWordWrap(True)
        layout.addWidget(self.source)
        self.vehicle_boxes = (self._driving_box(), self._vehicle_box(), self._faults_box())
        for box in self.vehicle_boxes:
            layout.addWidget(box)
        layout.addWidget(self._voice_box())
        self.readout = QLabel("waiting for the vehicle…")
        self.readout.setObjectName("readout")
        layout.addWidget(self.readout)
        self._subs = [bus.subscribe(t, self._on_signal, on="gui")
                      for t in (topics.SPEED, topics.SOC, topics.PACK_TEMPERATURE)]
        self._subs.append(bus.subscribe(topics.VEHICLE_SOURCE, self._on_source, on="gui"))
        self._signals: dict[str, float] = {}

    # -- driving ------------------------------------------------------------------------------
    def _driving_box(self) -> QGroupBox:
        box = QGroupBox("Driving")
        form = QFormLayout(box)
        self.modes = QButtonGroup(self)
        row = QHBoxLayout()
        for mode, label in (("auto", "Auto-drive route"), ("cruise", "Target speed"),
                            ("manual", "Pedals")):
            button = QRadioButton(label)
            button.setObjectName(f"mode_{mode}")
            button.setProperty("mode", mode)
            button.setChecked(mode == "auto")
            self.modes.addButton(button)
            row.addWidget(button)
        self.modes.buttonToggled.connect(lambda *_: self._send_control())
        form.addRow("Mode", row)
        self.target = QSpinBox(objectName="target", minimum=0, maximum=130, value=50,
                               suffix=" km/h")
        self.target.valueChanged.connect(lambda *_: self._send_control())
        form.addRow("Target speed", self.target)
        self.throttle = _slider(100)
        self.throttle.setObjectName("throttle")
        self.brake = _slider(100)
        self.brake.setObjectName("brake")
        for pedal in (self.throttle, self.brake):
            pedal.valueChanged.connect(lambda *_: self._send_control())
        form.addRow("Throttle", self.throttle)
        form.addRow("Brake", self.brake)
        self.time_factor = QSpinBox(objectName="timeFactor", minimum=1, maximum=50, value=1,
                                    suffix=" x")
        self.time_factor.valueChanged.connect(
            lambda v: self._setting("time_factor", float(v)))
        form.addRow("Time factor", self.time_factor)
        return box

    def _mode(self) -> str:
        button = self.modes.checkedButton()
        return button.property("mode") if button else "auto"

    def _send_control(self) -> None:
        self.bus.publish(topics.VEHICLE_CONTROL, DriverControl(
            mode=self._mode(), throttle=self.throttle.value() / 100.0,
            brake=self.brake.value() / 100.0, target_speed_kmh=float(self.target.value())))

    # -- vehicle state --------------------------------------------------------------------------
    def _vehicle_box(self) -> QGroupBox:
        box = QGroupBox("Vehicle and surroundings")
        form = QFormLayout(box)
        self.soc = _slider(100, 80)
        self.soc.setObjectName("soc")
        self.soc.sliderReleased.connect(lambda: self._setting("soc", float(self.soc.value())))
        form.addRow("State of charge %", self.soc)
        self.pack = QDoubleSpinBox(objectName="pack", minimum=-30, maximum=100, value=65,
                                   suffix=" °C")
        self.pack.editingFinished.connect(
            lambda: self._setting("pack_temperature", self.pack.value()))
        form.addRow("Pack temperature", self.pack)
        self.outside = QDoubleSpinBox(objectName="outside", minimum=-40, maximum=50, value=5,
                                      suffix=" °C")
        self.outside.editingFinished.connect(
            lambda: self._setting("outside_temperature", self.outside.value()))
        form.addRow("Outside temperature", self.outside)
        self.charging = QCheckBox("Plugged in", objectName="charging")
        self.charging.toggled.connect(lambda on: self._setting("charging", 1.0 if on else 0.0))
        form.addRow("Charging", self.charging)
        row = QHBoxLayout()
        for mode in ("DAY", "NIGHT"):
            button = QPushButton(mode.capitalize(), objectName=f"daynight_{mode}")
            button.clicked.connect(
                lambda _=False, m=mode: self.bus.publish(topics.DAY_NIGHT_MODE, VssString(m)))
            row.addWidget(button)
        form.addRow("Day / night", row)
        stop = QPushButton("Press (on a bus line)", objectName="stop_button")
        stop.clicked.connect(lambda: self.bus.publish(topics.VEHICLE_STOP_BUTTON, StopButton()))
        form.addRow("Passenger stop button", stop)
        return box

    def _setting(self, name: str, value: float) -> None:
        self.bus.publish(topics.SIM_SETTING, SimSetting(name, value))

    # -- faults ---------------------------------------------------------------------------------
    def _faults_box(self) -> QGroupBox:
        box = QGroupBox("Inject faults")
        column = QVBoxLayout(box)
        for name, label in FAULT_LABELS.items():
            check = QCheckBox(label, objectName=f"fault_{name}")
            check.toggled.connect(
                lambda on, n=name: self.bus.publish(topics.SIM_FAULT, SimFault(n, on)))
            column.addWidget(check)
        return box

    # -- driver's voice -------------------------------------------------------------------------
    def _voice_box(self) -> QGroupBox:
        box = QGroupBox("Driver's voice")
        column = QVBoxLayout(box)
        row = QHBoxLayout()
        self.utterance = QLineEdit(objectName="utterance",
                                   placeholderText="Type what the driver says, e.g. "
                                                   "“navigate to the nearest charging station”")
        self.utterance.returnPressed.connect(self._say)
        say = QPushButton("Say", objectName="say")
        say.clicked.connect(self._say)
        row.addWidget(self.utterance)
        row.addWidget(say)
        column.addLayout(row)
        row = QHBoxLayout()
        talk = QPushButton("Steering-wheel talk button (hold)", objectName="talk")
        talk.pressed.connect(lambda: self.bus.publish(topics.VOICE_PTT, PushToTalk(True)))
        talk.released.connect(lambda: self.bus.publish(topics.VOICE_PTT, PushToTalk(False)))
        wav = QPushButton("Speak a WAV file…", objectName="wav")
        wav.clicked.connect(self._choose_wav)
        row.addWidget(talk)
        row.addWidget(wav)
        column.addLayout(row)
        return box

    def _say(self) -> None:
        text = self.utterance.text().strip()
        if text:
            self.bus.publish(topics.VOICE_UTTERANCE, Utterance(text))
            self.utterance.clear()

    def _choose_wav(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Audio for the voice input", "",
                                              "Audio (*.wav *.raw)")
        if path:
            self.feed_wav(path)

    def feed_wav(self, path: str) -> None:
        self.bus.publish(topics.VOICE_AUDIO_FILE, AudioFile(path))

    # -- source -------------------------------------------------------------------------------
    def _on_source(self, msg: Message) -> None:
        """A real vehicle's data (a CAN log or interface) cannot be driven from here: only the
        driver's voice stays."""
        source = msg.payload
        simulated = source.kind == "simulation"
        names = {"can-log": "CAN log", "can-interface": "CAN interface"}
        self.source.setText("Vehicle: the simulation" if simulated else
                            f"Vehicle: {names.get(source.kind, source.kind)} {source.name} "
                            f"({source.detail}); the simulation's controls are off")
        for box in self.vehicle_boxes:
            box.setVisible(simulated)

    # -- readout --------------------------------------------------------------------------------
    def _on_signal(self, msg: Message) -> None:
        self._signals[msg.topic] = msg.payload.value
        get = self._signals.get
        speed, soc = get(topics.SPEED), get(topics.SOC)
        pack = get(topics.PACK_TEMPERATURE)
        self.readout.setText(
            f"speed {speed if speed is not None else float('nan'):.0f} km/h · "
            f"SoC {soc if soc is not None else float('nan'):.1f} % · "
            f"pack {pack if pack is not None else float('nan'):.0f} °C")

    def closeEvent(self, event) -> None:
        for sub in self._subs:
            sub.unsubscribe()
        super().closeEvent(event)
