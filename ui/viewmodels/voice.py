"""The voice overlay's view model: listening state, live and final transcript, what Volant
will do (the intent and its reply), and the push-to-talk button."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal, Slot

from kernel import topics
from kernel.event_bus import EventBus, Message
from ui.i18n import tr


class VoiceViewModel(QObject):
    changed = Signal()

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self._bus = bus
        self._state = "disabled"
        self._reason: tuple[str, tuple[str, ...], str] = ("", (), "")  # template, values, text
        self._wake_phrase = ""
        self._examples: list[str] = []
        self._partial = ""
        self._transcript = ""
        self._accepted = True
        self._action = ""
        self._reply = ""
        self._speaking = False
        self._subs = [
            bus.subscribe(topics.VOICE_STATE, self._on_state, on="gui"),
            bus.subscribe(topics.VOICE_TRANSCRIPT, self._on_transcript, on="gui"),
            bus.subscribe(topics.VOICE_INTENT, self._on_intent, on="gui"),
            bus.subscribe(topics.VOICE_UTTERANCE, self._on_utterance, on="gui"),
            bus.subscribe(topics.TTS_SAY, self._on_say, on="gui"),
            bus.subscribe(topics.TTS_STATE, self._on_tts, on="gui"),
        ]

    def _on_state(self, msg: Message) -> None:
        state = msg.payload
        self._state, self._reason = state.state, (state.reason_template, state.reason_values,
                                                  state.reason)
        self._wake_phrase = msg.payload.wake_phrase
        self._examples = list(msg.payload.examples)
        if self._state == "listening":
            self._partial = self._transcript = self._action = self._reply = ""
        self.changed.emit()

    def _on_transcript(self, msg: Message) -> None:
        if msg.payload.final:
            self._transcript, self._accepted = msg.payload.text, msg.payload.accepted
            self._partial = ""
        else:
            self._partial = msg.payload.text
        self.changed.emit()

    def _on_utterance(self, msg: Message) -> None:
        self._transcript, self._accepted, self._action = msg.payload.text, True, ""
        self.changed.emit()

    def _on_intent(self, msg: Message) -> None:
        """Shown as words a driver reads at a glance: "Nearest · charging station"."""
        words = [msg.payload.name.replace("_", " ").capitalize()]
        words += [str(value).replace("_", " ") for _, value in msg.payload.slots]
        self._action = " · ".join(words)
        self.changed.emit()

    def _on_say(self, msg: Message) -> None:
        if msg.payload.kind == "reply":
            self._reply = msg.payload.text
            self.changed.emit()

    def _on_tts(self, msg: Message) -> None:
        self._speaking = msg.payload.speaking
        self.changed.emit()

    @Slot(bool)
    def talk(self, pressed: bool) -> None:
        """The push-to-talk button: press to listen (and interrupt a reply), release to end."""
        self._bus.publish(topics.VOICE_PTT, topics.PushToTalk(pressed))

    @Slot(str)
    def type(self, text: str) -> None:
        """A typed command: works even when no speech model is installed."""
        if text.strip():
            self._bus.publish(topics.VOICE_UTTERANCE, topics.Utterance(text.strip()))

    state = Property(str, lambda self: self._state, notify=changed)
    reason = Property(str, lambda self: tr(self._reason[0], *self._reason[1])
                      if self._reason[0] else self._reason[2], notify=changed)
    wakePhrase = Property(str, lambda self: self._wake_phrase, notify=changed)
    examples = Property(list, lambda self: self._examples, notify=changed)
    partial = Property(str, lambda self: self._partial, notify=changed)
    transcript = Property(str, lambda self: self._transcript, notify=changed)
    accepted = Property(bool, lambda self: self._accepted, notify=changed)
    action = Property(str, lambda self: self._action, notify=changed)
    reply = Property(str, lambda self: self._reply, notify=changed)
    speaking = Property(bool, lambda self: self._speaking, notify=changed)
