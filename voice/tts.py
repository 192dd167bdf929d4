"""TtsService: speaks `tts.say` with pyttsx3 (espeak-ng on Linux) on its own thread.

One thread owns the pyttsx3 engine (it is not thread-safe). pyttsx3 writes each utterance to a
WAV file; the Speaker plays it, so speech can be cut short at once: a navigation prompt
interrupts a reply (and drops waiting ones: a prompt is what the driver needs now, chatter can
go), and pressing talk (voice.state becomes listening) stops any speech: barge-in. tts.state
tells media when to duck. Offscreen (tests, CI, the demo) the numbered WAV files are the output.
Without a speech engine or audio output replies stay text-only, with one notice saying so.
"""

from __future__ import annotations

import itertools
import logging
import queue
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

from kernel import topics
from kernel.event_bus import EventBus, Message, Subscription
from voice.speaker import Speaker

log = logging.getLogger(__name__)
PROMPT, REPLY = 0, 1
# pyttsx3's espeak driver receives espeak-ng's callbacks on espeak's own thread; rarely (seen
# once in CI) a late end-of-message event from the previous utterance closes the next file
# before any audio arrived, leaving it empty. Synthesising again gives the real file.
FILE_ATTEMPTS = 3
ESPEAK_VOICES = {"zh": "cmn"}  # espeak-ng names Mandarin by its ISO 639-3 code


class TtsService:
    name = "tts"  # the supervisor's name for it; its threads are named after it
    tasks: tuple[str, ...] = ()  # its app.progress tasks

    def __init__(self, language: str = "en", *, output_dir: Path | None = None,
                 rate_wpm: int = 170, speaker: Callable[[], Speaker] = Speaker) -> None:
        """`output_dir` set = offscreen: write utterance-0001.wav... there instead of speaking.
        `speaker` makes the audio output (a stand-in at the physical edge in tests)."""
        self.language = language
        self._output_dir = output_dir
        self._make_speaker = speaker
        self._speaker: Speaker | None = None
        self._rate = rate_wpm
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._bus: EventBus | None = None
        self._subs: list[Subscription] = []
        self._thread: threading.Thread | None = None
        self._engine = None
        self._speaking = False
        self._files = itertools.count(1)
        self.written: list[Path] = []

    def start(self, bus: EventBus) -> None:
        self._bus = bus
        self._subs = [bus.subscribe(topics.TTS_SAY, self._on_say),
                      bus.subscribe(topics.VOICE_STATE, self._on_voice_state),
                      bus.subscribe(topics.UI_LANGUAGE, self._on_language)]
        self._thread = threading.Thread(target=self._run, name="tts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        for sub in self._subs:
            sub.unsubscribe()
        self._subs = []
        self._queue.put((-1, next(self._order), None))
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _on_say(self, msg: Message) -> None:
        say: topics.Say = msg.payload
        if say.kind == "prompt":
            self._drop_waiting(REPLY)
            if self._speaking:
                self._interrupt()
            self._queue.put((PROMPT, next(self._order), say))
        else:
            self._queue.put((REPLY, next(self._order), say))

    def _on_language(self, msg: Message) -> None:
        """Replies that name no language are spoken in the driver's new one."""
        self.language = msg.payload.code

    def _on_voice_state(self, msg: Message) -> None:
        if msg.payload.state == "listening":  # barge-in
            self._drop_waiting(PROMPT)
            if self._speaking:
                self._interrupt()

    def _drop_waiting(self, up_to_priority: int) -> None:
        kept = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item[2] is None or item[0] < up_to_priority:
                kept.append(item)
        for item in kept:
            self._queue.put(item)

    def _interrupt(self) -> None:
        """Cut the utterance being played short. Files being written (offscreen) are left to
        finish: stopping pyttsx3 mid-file from another thread truncated them."""
        if self._speaker is not None:
            self._speaker.stop()

    # --- the speech thread -------------------------------------------------------------------
    def _run(self) -> None:
        try:
            import pyttsx3

            self._engine = pyttsx3.init()
            self._engine.setProperty("rate", self._rate)
            reason = self._open_speaker() if self._output_dir is None else ""
        except Exception as exc:  # no espeak-ng / no driver: text only
            self._engine, reason = None, str(exc)
        if reason:
            self._engine = None
            self._bus.publish(topics.UI_NOTICE, topics.Notice.of(
                "warning", "Speech output unavailable (%1); replies are shown on screen only.",
                reason))
        self._bus.publish(topics.TTS_STATE, topics.TtsState(False))
        with tempfile.TemporaryDirectory(prefix="volant-speech-") as scratch:
            self._serve(Path(scratch))

    def _open_speaker(self) -> str:
        speaker = self._make_speaker()
        reason = speaker.open()
        self._speaker = None if reason else speaker
        return reason

    def _serve(self, scratch: Path) -> None:
        """Speak queued items until the stop sentinel; live speech is written to `scratch`."""
        while (item := self._queue.get())[2] is not None:
            if self._engine is None:
                continue
            try:
                self._speak(item[2], scratch)
            except Exception as exc:  # one failed utterance must not silence the rest
                self._bus.report("tts", f"could not speak {item[2].text!r}: {exc}",
                                 topic=topics.TTS_SAY)
            finally:
                self._speaking = False
                self._bus.publish(topics.TTS_STATE, topics.TtsState(False))

    def _speak(self, say: topics.Say, scratch: Path) -> None:
        self._select_voice(say.language or self.language)
        self._speaking = True
        self._bus.publish(topics.TTS_STATE, topics.TtsState(True, say.text))
        if self._speaker is not None:
            self._speaker.begin()
            path = scratch / "utterance.wav"
            path.unlink(missing_ok=True)  # complete means this utterance's file, not the last
            self._write(say.text, path)
            self._speaker.play(path)
            return
        self._output_dir.mkdir(parents=True, exist_ok=True)
        path = self._output_dir / f"utterance-{next(self._files):04d}.wav"
        self._write(say.text, path)
        self.written.append(path)  # listed once the file is complete

    def _write(self, text: str, path: Path) -> None:
        for attempt in range(1, FILE_ATTEMPTS + 1):
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
            if _wait_until_complete(path):
                return
            log.warning("speech file %s is empty after attempt %d of %d", path, attempt,
                        FILE_ATTEMPTS)
        raise RuntimeError(f"{path} stayed empty after {FILE_ATTEMPTS} attempts")

    def _select_voice(self, language: str) -> None:
        name = ESPEAK_VOICES.get(language, language)
        for voice in self._engine.getProperty("voices"):
            if voice.id == name or voice.id.endswith(f"/{name}"):
                self._engine.setProperty("voice", voice.id)
                return
        log.info("no %s voice in the speech engine; using its default", language)


def _wait_until_complete(path: Path, timeout_s: float = 2.0) -> bool:
    """pyttsx3's espeak driver can return from runAndWait before it has finished the WAV
    header; wait (bounded) until the file reads as audio with frames."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with wave.open(str(path)) as wav:
                if wav.getnframes() > 0:
                    return True
        except (OSError, EOFError, wave.Error):
            pass
        time.sleep(0.02)
    return False

