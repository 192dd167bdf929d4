"""MediaService: the library, the play queue and QMediaPlayer behind `media.command`.

Threading: QMediaPlayer must live on a thread with a Qt event loop, so the service keeps it on
the thread that calls `start()` (the app's GUI thread). Bus handlers run inline on whatever thread
published and only *post* the work into that event loop (kernel.qt_dispatch), so a
publisher never waits for the player and the UI never waits for disk: the library scan runs on
its own thread and posts its result back the same way.

No audio device (CI, this machine): Qt's FFmpeg backend still runs its clock, so position
advances and tracks end; the service says once on `ui.notice` that music plays silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer
from rapidfuzz import fuzz, process

from kernel import topics
from kernel.event_bus import EventBus, Message, Subscription
from kernel.players import retire
from kernel.qt_dispatch import QtDispatcher
from kernel.topics import (
    AudioFocus,
    MediaCommand,
    MediaLibrary,
    MediaState,
    Notice,
    Progress,
    SkippedFile,
    TtsState,
    Vocabulary,
    VssInt,
)
from media.demo import ensure_demo_tracks
from media.library import Library
from media.queue import PlayQueue
from media.state import PlayerState, load_state, save_state

MATCH_CUTOFF = 70  # rapidfuzz WRatio score below which "play <name>" finds nothing
POSITION_STEP_MS = 500  # media.state is republished at most this often while playing
NOTICE_FOLDERS = 3  # folders named in the "not scanned" notice; the media screen lists all


class MediaService:
    """Scans the music folders (plus demo tracks in `demo_dir`), plays, ducks, resumes."""

    name = "media"  # the supervisor's name for it; its threads are named after it
    tasks: tuple[str, ...] = ("media",)  # its app.progress tasks

    def __init__(self, folders: list[Path], *, demo_dir: Path | None, state_file: Path,
                 cover_dir: Path | None = None, volume: int = 60, duck_level: int = 20) -> None:
        self.demo_dir = demo_dir
        self.library = Library(list(folders) + ([demo_dir] if demo_dir else []), cover_dir)
        self.state_file = state_file
        self.queue = PlayQueue()
        self.volume = volume
        self.duck_level = duck_level
        self.ducked = False
        self.paused_by_focus = False
        self.focus_owners: set[str] = set()
        self.loaded = threading.Event()
        self._stopping = threading.Event()
        self._bus: EventBus | None = None
        self._subs: list[Subscription] = []
        self._poster: QtDispatcher | None = None
        self._player: QMediaPlayer | None = None
        self._output: QAudioOutput | None = None
        self._pending_seek = -1
        self._switching = False
        self._published_pos = -POSITION_STEP_MS
        self._failures = 0
        self._scanner: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, bus: EventBus) -> None:
        self._bus = bus
        self._poster = QtDispatcher()
        self._player = QMediaPlayer()
        self._output = QAudioOutput()
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._on_media_status)
        self._player.playbackStateChanged.connect(self._on_playback_state)
        self._player.positionChanged.connect(self._on_position)
        self._player.errorOccurred.connect(self._on_error)
        self._apply_volume()
        bus.publish(topics.MEDIA_VOLUME, VssInt(self.volume))
        if not QMediaDevices.audioOutputs():
            bus.publish(topics.UI_NOTICE,
                        Notice.of("warning", "No audio device: music plays silently"))
        for pattern, handler in ((topics.MEDIA_COMMAND, self._command),
                                 (topics.TTS_STATE, self._tts), (topics.AUDIO_FOCUS, self._focus),
                                 (topics.MEDIA_VOLUME, self._volume_signal)):
            self._subs.append(bus.subscribe(pattern, self._posting(handler), name="media"))
        bus.publish(topics.MEDIA_LIBRARY, MediaLibrary(scanning=True))
        self._scanner = threading.Thread(target=self._scan, name="media-scan", daemon=True)
        self._scanner.start()

    def stop(self) -> None:
        for sub in self._subs:
            sub.unsubscribe()
        self._subs.clear()
        self._stopping.set()
        if self._scanner is not None:
            self._scanner.join(timeout=10)
        if self._player is not None:
            self._save_state()
            retire([self._player])
        # The other Qt objects too are deleted now, on their own thread (see kernel.players).
        for qt_object in (self._output, self._poster):
            if qt_object is not None:
                shiboken6.delete(qt_object)
        self._player = self._output = self._poster = None

    def _posting(self, handler: Callable[[object], None]) -> Callable[[Message], None]:
        def deliver(msg: Message) -> None:
            poster = self._poster
            if poster is not None:
                poster.dispatch(lambda: self._player is not None and handler(msg.payload))
        return deliver

    # -- library -----------------------------------------------------------------------------
    def _scan(self) -> None:
        """The scan thread: it ends in a library on the bus, or in a failure the driver sees."""
        bus = self._bus
        assert bus is not None
        bus.publish(topics.APP_PROGRESS, Progress.of("media", 0.0, "Scanning music"))
        try:
            if self.demo_dir is not None:
                try:
                    ensure_demo_tracks(self.demo_dir)
                except OSError as exc:
                    bus.report("media", f"demo tracks in {self.demo_dir}: {exc}")
            if not self.library.scan(self._stopping):
                return
        except BaseException as exc:  # the thread ends here either way: say so, never hang
            self._scan_failed(f"{type(exc).__name__}: {exc}")
            return
        bus.publish(topics.APP_PROGRESS, Progress.of("media", 1.0, "Music scanned"))
        poster = self._poster
        if poster is not None:
            poster.dispatch(self._library_ready)

    def _scan_failed(self, reason: str) -> None:
        bus = self._bus
        assert bus is not None
        bus.report("media.library", f"music scan failed: {reason}")
        bus.publish(topics.APP_PROGRESS, Progress.of("media", 1.0, "Music scan failed"))
        bus.publish(topics.UI_NOTICE, Notice.of("error", "Music scan failed: %1", reason))
        folders = ", ".join(str(f) for f in self.library.folders)
        bus.publish(topics.MEDIA_LIBRARY, MediaLibrary(
            skipped=(SkippedFile(folders, f"music scan failed: {reason}"),)))
        self.loaded.set()

    def _library_ready(self) -> None:
        bus = self._bus
        if bus is None or self._player is None:
            return
        snap = self.library.snapshot()
        bus.publish(topics.MEDIA_LIBRARY, snap)
        bus.publish(topics.VOICE_VOCABULARY, Vocabulary("title", snap.titles))
        bus.publish(topics.VOICE_VOCABULARY, Vocabulary("artist", snap.artists))
        for skipped in snap.skipped:
            bus.report("media.library", f"{skipped.path}: {skipped.reason}")
        folders = self.library.skipped_folders
        if folders:
            named = "; ".join(f"{f.path} ({f.reason})" for f in folders[:NOTICE_FOLDERS])
            more = f"; +{len(folders) - NOTICE_FOLDERS}" if len(folders) > NOTICE_FOLDERS else ""
            bus.publish(topics.UI_NOTICE,
                        Notice.of("warning", "Music folders not scanned: %1", named + more))
        self._restore_state()
        self.loaded.set()
        self._publish_state()

    # -- commands ----------------------------------------------------------------------------
    def _command(self, cmd: MediaCommand) -> None:
        actions: dict[str, Callable[[str], None]] = {
            "play": self._play, "pause": lambda _v: self._pause(),
            "toggle": lambda _v: self._toggle(), "next": lambda _v: self._skip(manual=True),
            "previous": lambda _v: self._previous(), "seek": self._seek,
            "shuffle": self._shuffle, "repeat": self._repeat, "volume": self._set_volume,
            "play_query": self._play_query, "play_album": lambda v: self._play_group("album", v),
            "play_artist": lambda v: self._play_group("artist", v),
            "play_playlist": self._play_playlist,
        }
        action = actions.get(cmd.action)
        if action is None:
            self._reject(f"unknown action {cmd.action!r}: expected one of {', '.join(actions)}")
            return
        try:
            action(cmd.value.strip())
        except ValueError as exc:
            self._reject(f"{cmd.action} {cmd.value!r}: {exc}")

    def _reject(self, text: str) -> None:
        assert self._bus is not None
        self._bus.report("media", text, topic=topics.MEDIA_COMMAND)

    def _all_paths(self) -> list[str]:
        return list(self.library.tracks)

    def _play(self, path: str) -> None:
        if path:
            if path not in self.library.tracks:
                raise ValueError("expected the path of a track in the library")
            paths = self._all_paths()
            self._start_queue(paths, paths.index(path))
        elif self.queue.path:
            self._player.play()  # type: ignore[union-attr]
        elif self.library.tracks:
            self._start_queue(self._all_paths(), 0)
        else:
            self._notice("No music in the library")

    def _start_queue(self, paths: list[str], start: int) -> None:
        self.queue.load(paths, start)
        self._failures = 0
        self._load_current(play=True)

    def _load_current(self, *, play: bool, position_ms: int = 0) -> None:
        player = self._player
        assert player is not None
        self._pending_seek = position_ms if position_ms > 0 else -1
        self._published_pos = -POSITION_STEP_MS
        self._switching = True  # no "stopped" flicker between two tracks
        player.setSource(QUrl.fromLocalFile(self.queue.path))
        if play:
            player.play()
        self._switching = False
        self._save_state()
        self._publish_state()

    def _pause(self) -> None:
        self._player.pause()  # type: ignore[union-attr]
        self._save_state()

    def _toggle(self) -> None:
        if self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:  # type: ignore[union-attr]
            self._pause()
        else:
            self._play("")

    def _skip(self, *, manual: bool) -> None:
        moved = self.queue.next() if manual else self.queue.advance()
        if moved:
            self._load_current(play=True)
        else:
            self._player.stop()  # type: ignore[union-attr]
            self._publish_state()

    def _previous(self) -> None:
        player = self._player
        assert player is not None
        if self.queue.previous(player.position()):
            self._load_current(play=True)
        else:
            player.setPosition(0)

    def _seek(self, value: str) -> None:
        try:
            ms = int(float(value))
        except ValueError:
            raise ValueError("expected a position in milliseconds") from None
        if ms < 0:
            raise ValueError("expected a position >= 0 ms")
        player = self._player
        assert player is not None
        if player.mediaStatus() in (QMediaPlayer.MediaStatus.LoadingMedia,
                                    QMediaPlayer.MediaStatus.NoMedia):
            self._pending_seek = ms
        else:
            player.setPosition(ms)
        self._publish_state()

    def _shuffle(self, value: str) -> None:
        choice = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False,
                  "": not self.queue.shuffle}
        if value.lower() not in choice:
            raise ValueError("expected on or off")
        self.queue.set_shuffle(choice[value.lower()])
        self._publish_state()

    def _repeat(self, value: str) -> None:
        self.queue.set_repeat(value.lower())
        self._publish_state()

    def _set_volume(self, value: str) -> None:
        try:
            level = int(float(value.removesuffix("%")))
        except ValueError:
            raise ValueError("expected a volume 0-100") from None
        if value.startswith(("+", "-")):
            level += self.volume
        self._change_volume(level)

    def _change_volume(self, level: int) -> None:
        self.volume = max(0, min(100, level))
        self._apply_volume()
        assert self._bus is not None
        self._bus.publish(topics.MEDIA_VOLUME, VssInt(self.volume))

    def _volume_signal(self, payload: VssInt) -> None:
        if payload.value != self.volume:
            self._change_volume(payload.value)

    def _play_query(self, query: str) -> None:
        if not query:
            raise ValueError("expected a title or an artist")
        infos = [t.info for t in self.library.tracks.values()]
        choices = [i.title for i in infos] + [i.artist for i in infos]
        found = process.extractOne(query, choices, scorer=fuzz.WRatio, score_cutoff=MATCH_CUTOFF)
        if found is None:
            self._notice("No track or artist matching “%1”", query)
            return
        _name, _score, index = found
        if index < len(infos):
            paths = self._all_paths()
            self._start_queue(paths, paths.index(infos[index].path))
        else:
            self._play_group("artist", infos[index - len(infos)].artist)

    def _play_group(self, field_name: str, value: str) -> None:
        tracks = self.library.by(field_name).get(value)
        if not tracks:
            raise ValueError(f"no {field_name} of that name in the library")
        self._start_queue([t.path for t in tracks], 0)

    def _play_playlist(self, name: str) -> None:
        for playlist in self.library.playlists:
            if playlist.name == name and playlist.paths:
                self._start_queue(list(playlist.paths), 0)
                return
        raise ValueError("no playlist of that name with playable tracks")

    def _notice(self, template: str, *values: str) -> None:
        assert self._bus is not None
        self._bus.publish(topics.UI_NOTICE, Notice.of("info", template, *values))

    # -- audio focus -------------------------------------------------------------------------
    def _tts(self, state: TtsState) -> None:
        self.ducked = state.speaking
        self._apply_volume()
        self._publish_state()

    @property
    def output_volume(self) -> float:
        """What the audio output is set to, 0.0-1.0: the volume, ducked under a prompt."""
        level = self.volume * (self.duck_level / 100 if self.ducked else 1.0)
        return level / 100

    def _apply_volume(self) -> None:
        if self._output is not None:
            self._output.setVolume(self.output_volume)

    def _focus(self, focus: AudioFocus) -> None:
        player = self._player
        assert player is not None
        if focus.held:
            self.focus_owners.add(focus.owner)
            if player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
                self.paused_by_focus = True
                player.pause()
        else:
            self.focus_owners.discard(focus.owner)
            if not self.focus_owners and self.paused_by_focus:
                self.paused_by_focus = False
                player.play()

    # -- player events -----------------------------------------------------------------------
    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        player = self._player
        if player is None:
            return
        ready = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        if status in ready:
            self._failures = 0
            if self._pending_seek >= 0:
                player.setPosition(self._pending_seek)
                self._pending_seek = -1
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._skip(manual=False)

    def _on_error(self, _error: QMediaPlayer.Error, text: str) -> None:
        """An undecodable track: say which, then move on; give up after a full failed lap."""
        if self._bus is None or not self.queue.path:
            return
        failed = self.queue.path
        self._bus.report("media.player", f"{failed}: cannot play ({text or 'invalid media'})")
        self._failures += 1
        if self._failures >= len(self.queue.paths):
            self._player.stop()  # type: ignore[union-attr]
            self._notice("None of the queued tracks can be played")
            self._publish_state()
            return
        if not self.queue.next():
            self._player.stop()  # type: ignore[union-attr]
            self._publish_state()
            return
        self._load_current(play=True)

    def _on_playback_state(self, _state: QMediaPlayer.PlaybackState) -> None:
        if not self._switching:
            self._publish_state()

    def _on_position(self, position: int) -> None:
        if abs(position - self._published_pos) >= POSITION_STEP_MS:
            self._publish_state()

    def _publish_state(self) -> None:
        player, bus = self._player, self._bus
        if player is None or bus is None:
            return
        status = {QMediaPlayer.PlaybackState.PlayingState: "playing",
                  QMediaPlayer.PlaybackState.PausedState: "paused"}.get(
                      player.playbackState(), "stopped")
        track = self.library.tracks.get(self.queue.path)
        position = self._pending_seek if self._pending_seek >= 0 else player.position()
        self._published_pos = position
        info = track.info if track else None
        bus.publish(topics.MEDIA_STATE, MediaState(
            status=status, title=info.title if info else "", artist=info.artist if info else "",
            album=info.album if info else "", position_ms=position,
            duration_ms=max(player.duration(), info.duration_ms if info else 0),
            shuffle=self.queue.shuffle, repeat=self.queue.repeat,
            cover=track.cover if track else "", output_volume=round(self.output_volume * 100)))

    # -- resume ------------------------------------------------------------------------------
    def _save_state(self) -> None:
        player = self._player
        if player is None:
            return
        position = self._pending_seek if self._pending_seek >= 0 else player.position()
        state = PlayerState(path=self.queue.path, position_ms=max(0, position),
                            volume=self.volume, shuffle=self.queue.shuffle,
                            repeat=self.queue.repeat)
        try:
            save_state(self.state_file, state)
        except OSError as exc:
            if self._bus is not None:
                self._bus.report("media", f"cannot save {self.state_file}: {exc}")

    def _restore_state(self) -> None:
        state, problem = load_state(self.state_file)
        if problem:
            assert self._bus is not None
            self._bus.report("media", problem)
            self._save_state()  # a whole file again at once
        if state is None:
            return
        self.queue.set_repeat(state.repeat)
        self._change_volume(state.volume)
        if state.path in self.library.tracks:
            paths = self._all_paths()
            self.queue.load(paths, paths.index(state.path))
            self.queue.set_shuffle(state.shuffle)
            self._load_current(play=False, position_ms=state.position_ms)
