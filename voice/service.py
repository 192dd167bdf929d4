"""VoiceService: the voice module. Audio (microphone or a recording) goes through one worker
thread into the recognizer; typed utterances skip the recognizer; both end in the dialogue,
which publishes the commands and the reply.

Push-to-talk starts listening (and stops a spoken reply: TtsService follows voice.state),
release or the listening timeout ends the utterance. With the wake phrase on, the microphone
stays open and a segment that begins with the wake phrase starts listening hands-free (or is
the command itself, said in one breath); a pause after speech then ends the utterance. Wake
spotting rests while Volant speaks, so its own voice cannot wake it. With no speech model for
the language the service says why in voice.state and typed commands still work.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from kernel import topics
from kernel.event_bus import EventBus, Message, Subscription
from voice import audio, intents
from voice.dialogue import Dialogue
from voice.engines import Transcript, create_recognizer
from voice.frontend import Listener
from voice.grammar import Graph, join
from voice.models import OFFICIAL
from voice.wake import Endpointer, WakeSpotter, wake_grammar

log = logging.getLogger(__name__)
SOURCE = "voice"


class Why(NamedTuple):
    """Why voice, or its wake phrase, is off: an English template and its values, so that the
    screens can say it in the driver's language (the values, deeper errors, stay as they are)."""

    template: str = ""
    values: tuple[str, ...] = ()
    plain: str = ""  # a reason with no template: the microphone's own words

    @property
    def text(self) -> str:
        return topics.fill(self.template, self.values) if self.template else self.plain
MicrophoneFactory = Callable[[Callable[[bytes], None]], audio.Microphone]


class VoiceService:
    name = "voice"  # the supervisor's name for it; its threads are named after it
    tasks: tuple[str, ...] = ("speech model",)  # its app.progress tasks

    def __init__(self, language: str = "en", *, data_dir: Path | None = None,
                 model_paths: dict[str, str] | None = None,
                 favourites: dict[str, str] | None = None, intents_file: str | None = None,
                 microphone: bool | MicrophoneFactory = True, wake: bool = False,
                 listen_timeout_s: float = 8.0, noise_frontend: bool = False,
                 english_engine: str = "pocketsphinx") -> None:
        """`microphone`: True = the sound card's, False = none, or a factory taking the chunk
        sink (a stand-in at the physical edge). `wake`: listen for the wake phrase.
        `noise_frontend`: noise suppression and automatic gain before the recognizer (the
        voice-activity detector runs either way). `english_engine`: see
        voice.engines.create_recognizer."""
        self.language = language
        self._data_dir = data_dir
        self._model_paths = model_paths
        self._favourites = favourites or {}
        self._intents_file = intents_file
        self._open_microphone: MicrophoneFactory | None = (
            audio.Microphone if microphone is True else microphone or None)
        self._wake_enabled = wake
        self._timeout_s = listen_timeout_s
        self._denoise = noise_frontend
        self._english = english_engine
        self._engine_off = Why()  # why the English engine asked for is not the one in use
        self._vocabulary: dict[str, list[str]] = {"place": list(self._favourites)}
        self._dialogues: dict[str, Dialogue] = {}
        self._suggestions: dict[str, tuple[str, ...]] = {}
        self._dialogue_lock = threading.RLock()  # one dialogue at a time, made once
        self._queue: queue.Queue[tuple | None] = queue.Queue()
        self._bus: EventBus | None = None
        self._subs: list[Subscription] = []
        self._thread: threading.Thread | None = None
        self._recognizer: Listener | None = None
        self._listening = False
        self._timer: threading.Timer | None = None
        self._microphone: audio.Microphone | None = None
        self._partial = ""
        self._wake: WakeSpotter | None = None
        self._endpointer = Endpointer()
        self._hands_free = False  # listening began with the wake phrase: a pause ends it
        self._tts_speaking = False

    # --- module life -------------------------------------------------------------------------
    def start(self, bus: EventBus) -> None:
        self._bus = bus
        loading = Why("loading the speech model")
        bus.publish(topics.VOICE_STATE, topics.VoiceState(
            "disabled", self.language, loading.text, reason_template=loading.template))
        self._subs = [
            bus.subscribe(topics.VOICE_UTTERANCE, self._on_utterance, on="worker",
                          name="voice-text"),
            bus.subscribe(topics.VOICE_PTT, lambda m: self._queue.put(("ptt", m.payload.pressed))),
            bus.subscribe(topics.VOICE_AUDIO_FILE,
                          lambda m: self._queue.put(("file", m.payload.path))),
            bus.subscribe(topics.VOICE_VOCABULARY,
                          lambda m: self._queue.put(("vocab", m.payload))),
            bus.subscribe(topics.TTS_STATE, lambda m: self._queue.put(("tts", m.payload))),
            bus.subscribe(topics.UI_LANGUAGE,
                          lambda m: self._queue.put(("language", m.payload.code))),
            bus.subscribe(topics.VOICE_WAKE, lambda m: self._queue.put(("wake", m.payload.on))),
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
        self._wake = None
        self._stop_capture()

    # --- typed text --------------------------------------------------------------------------
    def dialogue(self, language: str = "") -> Dialogue:
        language = language or self.language
        with self._dialogue_lock:  # the audio thread and the typed commands may both ask first
            if language not in self._dialogues:
                self._dialogues[language] = Dialogue(self._bus, self._intent_set(language),
                                                     self._favourites)
            return self._dialogues[language]

    def _intent_set(self, language: str) -> intents.IntentSet:
        """The user's own template file for its language, the built-in ones otherwise (also
        when the user's file is refused: the driver is told why, once)."""
        if self._intents_file:
            try:
                own = intents.load(self._intents_file)
            except intents.TemplateError as exc:
                self._refuse_intents_file(str(exc))
            else:
                if own.language == language:
                    return own
        return intents.load(language)

    def _refuse_intents_file(self, reason: str) -> None:
        self._intents_file = None
        log.warning("voice_intents refused: %s", reason)
        if self._bus is not None:
            self._bus.report(SOURCE, f"voice_intents refused: {reason}")
            self._bus.publish(topics.UI_NOTICE, topics.Notice.of(
                "warning",
                "Your voice commands file was refused, the built-in commands are used: %1",
                reason))

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
        bus.publish(topics.APP_PROGRESS, topics.Progress.of("speech model", 0.0,
                                                            "Speech model %1", self.language))
        failure = ""
        try:
            try:
                graph = self._graph()
            except ValueError as exc:  # the user's file has no command the model can hear
                own = self._intents_file
                if not own or Path(self.dialogue().intents.source) != Path(own):
                    raise
                self._refuse_intents_file(f"{self._intents_file}: {exc}")
                with self._dialogue_lock:
                    self._dialogues.pop(self.language, None)
                graph = self._graph()
        except (ValueError, OSError) as exc:
            failure = str(exc)
        bus.publish(topics.APP_PROGRESS, topics.Progress.of("speech model", 1.0,
                                                            "Speech model %1", self.language))
        if self._recognizer is None:
            self._disarm()
            self._state("disabled", self._voice_off(failure))
        else:
            wake = self._arm(graph) if self._wake_enabled else self._disarm()
            self._state("idle", wake if wake.template or wake.plain else self._engine_off)

    def _graph(self) -> Graph:
        """The grammar of the current language's commands; sets the recognizer for it."""
        graph, skipped = self.dialogue().intents.graph(self._vocabulary)
        if skipped:
            log.info("voice grammar: templates without known slot values: %s", skipped)
        recognizer, why = create_recognizer(
            self.language, graph, data_dir=self._data_dir, model_paths=self._model_paths,
            english=self._english)
        self._recognizer = (None if recognizer is None
                            else Listener(recognizer, denoise=self._denoise))
        self._engine_off = (Why("Whisper is off: %1; English uses PocketSphinx", (why,))
                            if recognizer is not None and why else Why())
        return graph

    def _voice_off(self, failure: str) -> Why:
        """Why there is no recognizer: a model that failed to load, or none installed (then,
        as one sentence the screens can translate, how to get one)."""
        if failure:
            return Why("voice is off: %1; typed commands still work", (failure,))
        if self.language in OFFICIAL:
            return Why(
                "no '%1' voice model (volant voice models download %1); typed commands still work",
                (self.language,))
        return Why("no '%1' voice model is installed; typed commands still work",
                   (self.language,))

    def _arm(self, commands: Graph) -> Why:
        """Listen for the wake phrase; returns why it cannot (an empty Why when it can)."""
        wake_phrase = self.dialogue().intents.wake_phrase
        if not wake_phrase:
            return self._disarm(Why("no wake phrase in the %1 voice commands; use push-to-talk",
                                    (self.language,)))
        try:
            recognizer, reason = create_recognizer(
                self.language, wake_grammar(wake_phrase, commands), data_dir=self._data_dir,
                model_paths=self._model_paths, wake_phrase=wake_phrase, english=self._english)
        except ValueError as exc:
            recognizer, reason = None, str(exc)
        words = wake_phrase.split()
        if recognizer is not None and any(w in recognizer.unknown_words for w in words):
            recognizer, reason = None, f"the speech model does not know {wake_phrase!r}"
        if recognizer is None:
            return self._disarm(Why("wake phrase off: %1; use push-to-talk", (reason,)))
        if self._microphone is None:
            reason = self._capture()
            if reason:
                return self._disarm(Why("wake phrase off: %1; use push-to-talk", (reason,)))
        self._wake = WakeSpotter(wake_phrase, recognizer)
        return Why()

    def _disarm(self, reason: Why | None = None) -> Why:
        """Stop listening for the wake phrase (and close the microphone unless in use)."""
        self._wake = None
        if not self._listening:
            self._stop_capture()
        return reason or Why()

    def _capture(self) -> str:
        """Open the microphone; returns why it cannot, or ""."""
        if self._open_microphone is None:
            return "no microphone"
        microphone = self._open_microphone(lambda chunk: self._queue.put(("chunk", chunk)))
        reason = microphone.open()
        if not reason:
            self._microphone = microphone
        return reason

    def _state(self, state: str, reason: Why | None = None) -> None:
        reason = reason or Why()
        # as the driver reads it (Chinese without spaces between its characters)
        wake_phrase = join(self._wake.wake_phrase.split(), self.language) \
            if self._wake is not None else ""
        # No recognizer: nothing to suggest, and the templates may be what failed to load.
        examples = self._examples() if self._recognizer is not None else ()
        self._bus.publish(topics.VOICE_STATE, topics.VoiceState(
            state, self.language, reason.text, wake_phrase, examples, reason.template,
            reason.values))

    def _examples(self) -> tuple[str, ...]:
        """The commands to suggest: those that can succeed with the favourites there are."""
        if self.language not in self._suggestions:
            self._suggestions[self.language] = self.dialogue().intents.suggestions(
                list(self._favourites))
        return self._suggestions[self.language]

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
            self._bus.publish(topics.UI_NOTICE, topics.Notice(
                state.reason, "warning", state.reason_template, state.reason_values))
            return
        self._begin()
        if self._open_microphone is not None and self._microphone is None:
            reason = self._capture()
            if reason:
                self._listening = False
                self._bus.publish(topics.UI_NOTICE, topics.Notice(reason, "warning"))
                self._state("idle", Why(plain=reason))
                return
        self._start_timer()

    def _start_timer(self) -> None:
        self._timer = threading.Timer(self._timeout_s, self._queue.put, (("timeout", None),))
        self._timer.daemon = True
        self._timer.start()

    def _do_timeout(self, _value: None) -> None:
        self._end_utterance()

    def _do_tts(self, state: topics.TtsState) -> None:
        self._tts_speaking = state.speaking

    def _do_language(self, language: str) -> None:
        """The driver chose another language: its model and commands replace the current."""
        if language != self.language:
            self.language = language
            self._recognizer = None
            self._listening = self._hands_free = False
            self._load()

    def _do_wake(self, on: bool) -> None:
        if on != self._wake_enabled:
            self._wake_enabled = on
            self._load()

    def _do_chunk(self, chunk: bytes) -> None:
        if self._recognizer is None:
            return
        cleaned, speech = self._recognizer.clean(chunk)
        segment = self._endpointer.push(cleaned, any(speech))
        if self._listening:
            self._feed(cleaned, speech)
            if self._hands_free and segment is not None:
                self._end_utterance()
        elif segment is not None and self._wake is not None and not self._tts_speaking:
            self._on_segment(segment)

    def _on_segment(self, segment: bytes) -> None:
        wake = self._wake.hear(segment)
        if wake is None:
            return
        if wake.command or wake.guess:  # "hey copilot, play music" in one breath
            self._state("processing")
            self._answer(Transcript(wake.command, bool(wake.command), guess=wake.guess))
            self._state("idle")
            return
        self._begin(hands_free=True)
        self._start_timer()

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
        self._recognizer.restart()  # a recording is a stream of its own
        for chunk in audio.chunks(samples):
            self._feed(*self._recognizer.clean(chunk))
        self._end_utterance()

    def _begin(self, *, hands_free: bool = False) -> None:
        self._listening = True
        self._hands_free = hands_free
        self._partial = ""
        self._state("listening")

    def _feed(self, cleaned: bytes, speech: tuple[bool, ...]) -> None:
        partial = self._recognizer.feed(cleaned, speech)
        if partial and partial != self._partial:
            self._partial = partial
            self._bus.publish(topics.VOICE_TRANSCRIPT,
                              topics.VoiceTranscript(partial, False, False, self.language))

    def _stop_capture(self) -> None:
        """End the listening timer, and the capture unless the wake phrase keeps it open."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._microphone is not None and self._wake is None:
            self._microphone.close()
            self._microphone = None

    def _end_utterance(self) -> None:
        self._stop_capture()
        if not self._listening:
            return
        self._listening = self._hands_free = False
        self._state("processing")
        self._answer(self._recognizer.finish())
        self._state("idle")

    def _answer(self, heard: Transcript) -> None:
        """Act on what was heard, ask about a doubtful command, or say what was not a command
        (speech heard but not understood, or nothing heard at all)."""
        with self._dialogue_lock:
            dialogue = self.dialogue()
            command = dialogue.intents.acted_on(heard)
            self._bus.publish(topics.VOICE_TRANSCRIPT, topics.VoiceTranscript(
                heard.text or heard.guess, True, bool(command), self.language))
            if command:
                dialogue.handle(command)
            elif heard.rival:  # two readings that mean different things: ask about one
                dialogue.suggest(heard.text)
            elif heard.guess:
                dialogue.suggest(heard.guess)
            else:
                dialogue.reject(heard.text, speech=heard.speech)
