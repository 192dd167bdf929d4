"""VoiceService: the voice module. Audio (microphone or a recording) goes through one worker
thread into the recognizer; typed utterances skip the recognizer; both end in the dialogue,
which publishes the commands and the reply.

Push-to-talk starts listening (and stops a spoken reply: TtsService follows voice.state),
release or the listening timeout ends the utterance. With no speech model for the language
the service says why in voice.state and typed commands still work.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from app import topics
from app.bus import EventBus, Message, Subscription
from voice import audio, intents
from voice.dialogue import Dialogue
from voice.engines import Recognizer, create_recognizer

log = logging.getLogger(__name__)
SOURCE = "voice"


class VoiceService:
    def __init__(self, language: str = "en", *, data_dir: Path | None = None,
                 model_paths: dict[str, str] | None = None,
                 favourites: dict[str, str] | None = None, intents_file: str | None = None,
                 microphone: bool = True, listen_timeout_s: float = 8.0) -> None:
        self.language = language
        self._data_dir = data_dir
        self._model_paths = model_paths
        self._favourites = favourites or {}
        self._intents_file = intents_file
        self._use_microphone = microphone
        self._timeout_s = listen_timeout_s
        self._vocabulary: dict[str, list[str]] = {"place": list(self._favourites)}
        self._dialogues: dict[str, Dialogue] = {}
        self._dialogue_lock = threading.Lock()
        self._queue: queue.Queue[tuple | None] = queue.Queue()
        self._bus: EventBus | None = None
        self._subs: list[Subscription] = []
        self._thread: threading.Thread | None = None
        self._recognizer: Recognizer | None = None
        self._listening = False
        self._timer: threading.Timer | None = None
        self._microphone: audio.Microphone | None = None
        self._partial = ""

    # --- module life -------------------------------------------------------------------------
    def start(self, bus: EventBus) -> None:
        self._bus = bus
        bus.publish(topics.VOICE_STATE, topics.VoiceState("disabled", self.language,
                                                          "loading the speech model"))
        self._subs = [
            bus.subscribe(topics.VOICE_UTTERANCE, self._on_utterance, on="worker",
                          name="voice-text"),
            bus.subscribe(topics.VOICE_PTT, lambda m: self._queue.put(("ptt", m.payload.pressed))),
            bus.subscribe(topics.VOICE_AUDIO_FILE,
                          lambda m: self._queue.put(("file", m.payload.path))),
            bus.subscribe(topics.VOICE_VOCABULARY,
                          lambda m: self._queue.put(("vocab", m.payload))),
        ]
        self._thread = threading.Thread(target=self._run, name="voice-audio", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        for sub in self._subs:
            sub.unsubscribe()
        self._subs = []
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._stop_capture()

    # --- typed text --------------------------------------------------------------------------
    def dialogue(self, language: str = "") -> Dialogue:
        language = language or self.language
        if language not in self._dialogues:
            source = self._intents_file if language == self.language and self._intents_file \
                else language
            self._dialogues[language] = Dialogue(self._bus, intents.load(source),
                                                 self._favourites)
        return self._dialogues[language]

    def _on_utterance(self, msg: Message) -> None:
        language = msg.payload.language or self.language
        try:
            with self._dialogue_lock:
                self.dialogue(language).handle(msg.payload.text)
        except intents.TemplateError as exc:
            self._bus.report(SOURCE, f"no voice commands for language {language!r}: {exc}",
                             topic=msg.topic)

    # --- the audio worker --------------------------------------------------------------------
    def _run(self) -> None:
        self._load()
        while (item := self._queue.get()) is not None:
            kind, value = item
            try:
                getattr(self, f"_do_{kind}")(value)
            except Exception as exc:  # one bad input must not end the worker
                log.exception("voice worker")
                self._bus.report(SOURCE, f"{kind}: {exc}")
                self._listening = False
                self._state("idle")

    def _load(self) -> None:
        bus = self._bus
        bus.publish(topics.APP_PROGRESS, topics.Progress("speech model", 0.0, self.language))
        reason = ""
        try:
            phrases, skipped = self.dialogue().intents.phrases(self._vocabulary)
            if skipped:
                log.info("voice grammar: templates without known slot values: %s", skipped)
            self._recognizer, reason = create_recognizer(
                self.language, phrases, data_dir=self._data_dir, model_paths=self._model_paths)
        except (ValueError, OSError) as exc:
            reason = str(exc)
        bus.publish(topics.APP_PROGRESS, topics.Progress("speech model", 1.0, self.language))
        if self._recognizer is None:
            self._state("disabled", f"voice is off: {reason}; typed commands still work")
        else:
            self._state("idle")

    def _state(self, state: str, reason: str = "") -> None:
        self._bus.publish(topics.VOICE_STATE, topics.VoiceState(state, self.language, reason))

    def _do_vocab(self, vocabulary: topics.Vocabulary) -> None:
        self._vocabulary[vocabulary.slot] = list(vocabulary.phrases)
        if vocabulary.slot == "place":
            self._vocabulary["place"] += list(self._favourites)
        if self._recognizer is not None:
            self._load()

    def _do_ptt(self, pressed: bool) -> None:
        if not pressed:
            self._end_utterance()
            return
        if self._recognizer is None:
            state = self._bus.retained(topics.VOICE_STATE)
            self._bus.publish(topics.UI_NOTICE, topics.Notice(state.reason, "warning"))
            return
        self._begin()
        if self._use_microphone:
            self._microphone = audio.Microphone(lambda chunk: self._queue.put(("chunk", chunk)))
            reason = self._microphone.open()
            if reason:
                self._microphone = None
                self._listening = False
                self._bus.publish(topics.UI_NOTICE, topics.Notice(reason, "warning"))
                self._state("idle", reason)
                return
        self._timer = threading.Timer(self._timeout_s, self._queue.put, (("timeout", None),))
        self._timer.daemon = True
        self._timer.start()

    def _do_timeout(self, _value: None) -> None:
        self._end_utterance()

    def _do_chunk(self, chunk: bytes) -> None:
        if self._listening:
            self._feed(chunk)

    def _do_file(self, path: str) -> None:
        """A recording heard exactly as the microphone would deliver it."""
        if self._recognizer is None:
            self._bus.report(SOURCE, f"{path}: cannot recognize, "
                             f"{self._bus.retained(topics.VOICE_STATE).reason}",
                             topic=topics.VOICE_AUDIO_FILE)
            return
        try:
            samples = audio.read_audio(path)
        except audio.AudioError as exc:
            self._bus.report(SOURCE, str(exc), topic=topics.VOICE_AUDIO_FILE)
            self._bus.publish(topics.UI_NOTICE, topics.Notice(str(exc), "error"))
            return
        self._begin()
        for chunk in audio.chunks(samples):
            self._feed(chunk)
        self._end_utterance()

    def _begin(self) -> None:
        self._listening = True
        self._partial = ""
        self._state("listening")

    def _feed(self, chunk: bytes) -> None:
        partial = self._recognizer.accept(chunk)
        if partial and partial != self._partial:
            self._partial = partial
            self._bus.publish(topics.VOICE_TRANSCRIPT,
                              topics.VoiceTranscript(partial, False, False, self.language))

    def _stop_capture(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._microphone is not None:
            self._microphone.close()
            self._microphone = None

    def _end_utterance(self) -> None:
        self._stop_capture()
        if not self._listening:
            return
        self._listening = False
        self._state("processing")
        heard = self._recognizer.finish()
        self._bus.publish(topics.VOICE_TRANSCRIPT, topics.VoiceTranscript(
            heard.text, True, heard.accepted, self.language))
        with self._dialogue_lock:
            dialogue = self.dialogue()
            if heard.accepted:
                dialogue.handle(heard.text)
            else:
                dialogue.reject(heard.text)
        self._state("idle")
