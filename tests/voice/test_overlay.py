"""The voice overlay loaded alone offscreen with its real view model: it shows what was heard,
what Volant will do and the reply, and the talk button publishes push-to-talk."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QPointF, Qt, QUrl
from PySide6.QtQuick import QQuickView

from kernel import topics
from ui.theme import Theme
from ui.viewmodels.voice import VoiceViewModel

QML = Path(__file__).resolve().parents[2] / "ui" / "qml" / "screens" / "VoiceScreen.qml"


@pytest.mark.parametrize(("size", "night"), [((1280, 720), False), ((800, 480), True)])
def test_overlay_shows_heard_action_and_reply(qtbot, gui_bus, size, night, tmp_path):
    theme = Theme(night=night)
    theme.fitTo(*size)
    vm = VoiceViewModel(gui_bus)
    view = QQuickView()
    view.rootContext().setContextProperty("theme", theme)
    view.rootContext().setContextProperty("voice", vm)
    view.setResizeMode(QQuickView.ResizeMode.SizeRootObjectToView)
    view.resize(*size)
    view.setSource(QUrl.fromLocalFile(str(QML)))
    assert view.status() == QQuickView.Status.Ready, view.errors()
    view.show()
    root = view.rootObject()
    examples = root.findChild(QObject, "examplesText")
    gui_bus.publish(topics.VOICE_STATE, topics.VoiceState(
        "idle", "en", examples=("play music", "battery level")))
    qtbot.waitUntil(lambda: examples.property("visible"))
    assert examples.property("text") == "Try saying\n“play music”\n“battery level”"
    gui_bus.publish(topics.VOICE_STATE, topics.VoiceState("listening", "en"))
    gui_bus.publish(topics.VOICE_TRANSCRIPT, topics.VoiceTranscript("volume to", False))
    qtbot.waitUntil(lambda: vm.partial == "volume to")
    gui_bus.publish(topics.VOICE_TRANSCRIPT,
                    topics.VoiceTranscript("set volume to twenty five", True, True, "en"))
    gui_bus.publish(topics.VOICE_INTENT, topics.Intent("volume_set", (("number", "25"),)))
    gui_bus.publish(topics.TTS_SAY, topics.Say("Volume 25."))
    gui_bus.publish(topics.VOICE_STATE, topics.VoiceState("idle", "en"))
    qtbot.waitUntil(lambda: vm.reply == "Volume 25." and vm.state == "idle")
    texts = {name: root.findChild(QObject, name).property("text")
             for name in ("stateText", "heardText", "actionText", "replyText")}
    assert texts == {"stateText": "Hold the button and speak",
                     "heardText": "“set volume to twenty five”",
                     "actionText": "→ Volume set · 25", "replyText": "Volume 25."}
    assert not examples.property("visible")  # what was said and done takes the place
    image = view.grabWindow()
    assert (image.width(), image.height()) == size
    assert len({image.pixel(x, y) for x in range(0, size[0], 40)
                for y in range(0, size[1], 40)}) > 3  # not blank
    assert image.save(str(tmp_path / f"voice-{size[0]}x{size[1]}.png"))

    pressed = []
    gui_bus.subscribe(topics.VOICE_PTT, lambda m: pressed.append(m.payload.pressed))
    button = root.findChild(QObject, "talkButton")
    centre = button.mapToScene(QPointF(button.width() / 2, button.height() / 2)).toPoint()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=centre)
    assert pressed == [True, False]

    gui_bus.publish(topics.VOICE_STATE, topics.VoiceState("idle", "en", "", "hey copilot"))
    qtbot.waitUntil(lambda: vm.wakePhrase == "hey copilot")
    assert root.findChild(QObject, "stateText").property("text") == "Say “hey copilot”"
    gui_bus.publish(topics.VOICE_STATE, topics.VoiceState(
        "idle", "en", "wake phrase off: no microphone; use push-to-talk"))
    qtbot.waitUntil(lambda: vm.wakePhrase == "")
    reason = root.findChild(QObject, "reasonText")
    assert reason.property("visible") and "no microphone" in reason.property("text")
    view.close()
