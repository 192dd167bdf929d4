"""The voice view opened over the head unit offscreen with its real view model: it shows what
was heard, what Volant will do and the reply, the bottom strip shows them too, and the talk
buttons publish push-to-talk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt

from kernel import topics
from kernel.settings import SettingsStore
from ui.shell import Shell


@pytest.mark.parametrize(("size", "night"), [((1280, 720), False), ((800, 480), True)])
def test_overlay_shows_heard_action_and_reply(find, qtbot, gui_bus, size, night, tmp_path):
    store = SettingsStore(tmp_path / "settings.toml")
    shell = Shell(gui_bus, store.load(), store, screen="voice", size=size, night=night)
    vm = shell.view_models["voice"]
    view = shell.window
    qtbot.waitUntil(lambda: find(shell, "screenLoader").property("ready"))
    examples = find(shell, "examplesText")
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
    texts = {name: find(shell, name).property("text")
             for name in ("stateText", "heardText", "actionText", "replyText")}
    assert texts == {"stateText": "Hold the button and speak",
                     "heardText": "“set volume to twenty five”",
                     "actionText": "→ Volume set · 25", "replyText": "Volume 25."}
    assert not examples.property("visible")  # what was said and done takes the place
    assert find(shell, "stripHeard").property("text") == "“set volume to twenty five”"
    assert find(shell, "stripReply").property("text") == "Volume 25."
    image = shell.grab()
    assert (image.width(), image.height()) == size
    assert len({image.pixel(x, y) for x in range(0, size[0], 40)
                for y in range(0, size[1], 40)}) > 3  # not blank
    assert image.save(str(tmp_path / f"voice-{size[0]}x{size[1]}.png"))

    pressed = []
    gui_bus.subscribe(topics.VOICE_PTT, lambda m: pressed.append(m.payload.pressed))
    for name in ("talkButton", "stripTalk"):
        button = find(shell, name)
        centre = button.mapToScene(QPointF(button.width() / 2, button.height() / 2)).toPoint()
        qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=centre)
    assert pressed == [True, False, True, False]

    gui_bus.publish(topics.VOICE_STATE, topics.VoiceState("idle", "en", "", "hey copilot"))
    qtbot.waitUntil(lambda: vm.wakePhrase == "hey copilot")
    assert find(shell, "stateText").property("text") == "Say “hey copilot”"
    gui_bus.publish(topics.VOICE_STATE, topics.VoiceState(
        "idle", "en", "wake phrase off: no microphone; use push-to-talk"))
    qtbot.waitUntil(lambda: vm.wakePhrase == "")
    reason = find(shell, "reasonText")
    assert reason.property("visible") and "no microphone" in reason.property("text")
    shell.close()
