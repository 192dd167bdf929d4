"""MediaService with the real QMediaPlayer decoding real files offscreen (no sound card)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtMultimedia import QMediaDevices

from kernel import topics
from kernel.event_bus import EventBus
from kernel.topics import AudioFocus, MediaCommand, MediaState, TtsState, VssInt
from media.library import Library
from media.service import MediaService

WAIT_MS = 15000


class Recorder:
    """The latest payloads seen on a few topics."""

    def __init__(self, bus: EventBus) -> None:
        self.states: list[MediaState] = []
        self.errors: list[str] = []
        self.volumes: list[int] = []
        self.notices: list[str] = []
        bus.subscribe(topics.UI_NOTICE, lambda m: self.notices.append(m.payload.text))
        bus.subscribe(topics.MEDIA_STATE, lambda m: self.states.append(m.payload))
        bus.subscribe("bus.error", lambda m: self.errors.append(m.payload.message))
        bus.subscribe(topics.MEDIA_VOLUME, lambda m: self.volumes.append(m.payload.value))

    @property
    def state(self) -> MediaState:
        return self.states[-1] if self.states else MediaState()


def make_service(music: Path, tmp_path: Path) -> MediaService:
    return MediaService([music], demo_dir=None, state_file=tmp_path / "player.json",
                        cover_dir=tmp_path / "covers", volume=60, duck_level=20)


@pytest.fixture
def media(qapp, qtbot, bus, music, tmp_path) -> Iterator[tuple[MediaService, Recorder]]:
    service = make_service(music, tmp_path)
    seen = Recorder(bus)
    service.start(bus)
    qtbot.waitUntil(service.loaded.is_set, timeout=WAIT_MS)
    yield service, seen
    service.stop()


def command(bus: EventBus, action: str, value: str = "") -> None:
    bus.publish(topics.MEDIA_COMMAND, MediaCommand(action, value))


def test_plays_real_audio_and_position_advances(media, bus, qtbot):
    _service, seen = media
    assert bus.retained(topics.MEDIA_LIBRARY).titles == ("Harbour Lights", "Snow Road",
                                                         "Tram Seven")
    command(bus, "play")
    qtbot.waitUntil(lambda: seen.state.status == "playing" and seen.state.position_ms >= 1000,
                    timeout=WAIT_MS)
    assert seen.state.title == "Harbour Lights" and seen.state.duration_ms >= 1900
    assert Path(seen.state.cover).is_file()
    command(bus, "pause")
    qtbot.waitUntil(lambda: seen.state.status == "paused", timeout=WAIT_MS)
    if not QMediaDevices.audioOutputs():  # this machine and CI: the driver is told why
        assert "No audio device: music plays silently" in seen.notices


def test_end_of_track_follows_repeat_rules(media, bus, qtbot):
    _service, seen = media
    command(bus, "repeat", "off")
    command(bus, "play_artist", "Boris")  # a one-track queue
    qtbot.waitUntil(lambda: seen.state.title == "Snow Road", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: seen.state.status == "stopped", timeout=WAIT_MS)
    command(bus, "repeat", "all")
    command(bus, "play_album", "Coast")
    qtbot.waitUntil(lambda: seen.state.title == "Tram Seven", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: seen.state.title == "Harbour Lights"  # wrapped around
                    and seen.state.status == "playing", timeout=WAIT_MS)
    assert seen.state.repeat == "all"


def test_play_query_matches_a_misspelt_title_or_artist(media, bus, qtbot):
    _service, seen = media
    command(bus, "play_query", "tram sevn")
    qtbot.waitUntil(lambda: seen.state.title == "Tram Seven", timeout=WAIT_MS)
    command(bus, "play_query", "boriss")
    qtbot.waitUntil(lambda: seen.state.artist == "Boris", timeout=WAIT_MS)


def test_ducks_under_a_prompt_and_comes_back(media, bus, qtbot):
    service, seen = media
    command(bus, "play")
    command(bus, "volume", "50")
    qtbot.waitUntil(lambda: service.output_volume == pytest.approx(0.5), timeout=WAIT_MS)
    assert seen.volumes[-1] == 50
    bus.publish(topics.TTS_STATE, TtsState(True, "In 200 metres, turn left"))
    qtbot.waitUntil(lambda: service.ducked, timeout=WAIT_MS)
    assert service._output.volume() == pytest.approx(0.5 * 0.2, abs=0.01)
    bus.publish(topics.TTS_STATE, TtsState(False))
    qtbot.waitUntil(lambda: not service.ducked, timeout=WAIT_MS)
    assert service._output.volume() == pytest.approx(0.5, abs=0.01)
    bus.publish(topics.MEDIA_VOLUME, VssInt(80))  # e.g. a steering-wheel knob
    qtbot.waitUntil(lambda: service.volume == 80, timeout=WAIT_MS)


def test_exclusive_focus_pauses_then_resumes(media, bus, qtbot):
    _service, seen = media
    command(bus, "repeat", "all")
    command(bus, "play")
    qtbot.waitUntil(lambda: seen.state.status == "playing", timeout=WAIT_MS)
    bus.publish(topics.AUDIO_FOCUS, AudioFocus("phone", True))
    qtbot.waitUntil(lambda: seen.state.status == "paused", timeout=WAIT_MS)
    bus.publish(topics.AUDIO_FOCUS, AudioFocus("phone", False))
    qtbot.waitUntil(lambda: seen.state.status == "playing", timeout=WAIT_MS)


def test_resumes_last_track_and_position_after_restart(qapp, qtbot, bus, music, tmp_path):
    first = make_service(music, tmp_path)
    seen = Recorder(bus)
    first.start(bus)
    qtbot.waitUntil(first.loaded.is_set, timeout=WAIT_MS)
    command(bus, "play_query", "Snow Road")
    qtbot.waitUntil(lambda: seen.state.title == "Snow Road" and seen.state.status == "playing",
                    timeout=WAIT_MS)
    command(bus, "pause")
    command(bus, "seek", "800")
    qtbot.waitUntil(lambda: seen.state.position_ms == 800, timeout=WAIT_MS)
    command(bus, "volume", "35")
    qtbot.waitUntil(lambda: first.volume == 35, timeout=WAIT_MS)
    first.stop()

    second = make_service(music, tmp_path)
    seen.states.clear()
    second.start(bus)
    qtbot.waitUntil(second.loaded.is_set, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: seen.state.title == "Snow Road", timeout=WAIT_MS)
    assert seen.state.status != "playing" and second.volume == 35
    command(bus, "play")
    qtbot.waitUntil(lambda: seen.state.status == "playing" and seen.state.position_ms > 800,
                    timeout=WAIT_MS)
    assert min(s.position_ms for s in seen.states if s.status == "playing") >= 800
    second.stop()


def test_a_track_broken_after_the_scan_is_skipped_not_stuck(media, bus, qtbot, music):
    _service, seen = media
    (music / "a/one.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + b"\x07" * 4000)
    command(bus, "play")
    qtbot.waitUntil(lambda: seen.state.title == "Tram Seven" and seen.state.status == "playing",
                    timeout=WAIT_MS)
    assert any("one.wav: cannot play" in e for e in seen.errors)


def test_bad_commands_are_reported_with_what_was_expected(media, bus, qtbot):
    _service, seen = media
    command(bus, "rewind")
    command(bus, "seek", "soon")
    command(bus, "repeat", "twice")
    qtbot.waitUntil(lambda: len(seen.errors) >= 3, timeout=WAIT_MS)
    assert "unknown action 'rewind'" in seen.errors[0]
    assert "seek 'soon': expected a position in milliseconds" in seen.errors[1]
    assert "off, one, all" in seen.errors[2]


def test_a_queue_of_only_broken_tracks_stops_with_a_notice(media, bus, qtbot, music):
    _service, seen = media
    for path in music.rglob("*.wav"):
        path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + b"\x07" * 4000)
    command(bus, "play")
    qtbot.waitUntil(lambda: "None of the queued tracks can be played" in seen.notices,
                    timeout=WAIT_MS)
    assert seen.state.status == "stopped"
    assert sum("cannot play" in e for e in seen.errors) == 3


def test_a_corrupt_resume_file_is_reported_and_ignored(qapp, qtbot, bus, music, tmp_path):
    (tmp_path / "player.json").write_text("{not json")
    service = make_service(music, tmp_path)
    seen = Recorder(bus)
    service.start(bus)
    qtbot.waitUntil(service.loaded.is_set, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any("player.json: ignored" in e for e in seen.errors),
                    timeout=WAIT_MS)
    command(bus, "play")
    qtbot.waitUntil(lambda: seen.state.status == "playing", timeout=WAIT_MS)
    service.stop()


def test_a_corrupt_resume_file_is_moved_aside_and_rebuilt(qapp, qtbot, bus, music, tmp_path):
    (tmp_path / "player.json").write_bytes(b'{"path": "/a.wav", "position_ms": 12')  # cut short
    service = make_service(music, tmp_path)
    seen = Recorder(bus)
    service.start(bus)
    qtbot.waitUntil(service.loaded.is_set, timeout=WAIT_MS)
    service.stop()
    [aside] = tmp_path.glob("player.json.broken-*")
    assert aside.read_bytes() == b'{"path": "/a.wav", "position_ms": 12'
    assert any(f"kept it as {aside.name}" in e for e in seen.errors)
    assert json.loads((tmp_path / "player.json").read_text())["volume"] == 60  # whole again


def test_unscanned_folders_reach_the_driver_as_a_notice(qapp, qtbot, bus, music, tmp_path):
    (music / "a" / "loop").symlink_to(music)
    service = MediaService([music, tmp_path / "gone"], demo_dir=None,
                           state_file=tmp_path / "player.json")
    seen = Recorder(bus)
    service.start(bus)
    qtbot.waitUntil(service.loaded.is_set, timeout=WAIT_MS)
    service.stop()
    [notice] = [n for n in seen.notices if n.startswith("Music folders not scanned: ")]
    assert notice == (f"Music folders not scanned: {music / 'a/loop'} (folder already scanned "
                      f"(a link back to it)); {tmp_path / 'gone'} (music folder not found)")
    library = bus.retained(topics.MEDIA_LIBRARY)
    assert not library.scanning and len(library.tracks) == 3


class BrokenLibrary(Library):
    """A stand-in for a bug in the scan: it raises what a thread must never die of silently."""

    def scan(self, cancel=None) -> bool:
        raise RecursionError("maximum recursion depth exceeded")


def test_a_scan_that_fails_ends_in_a_failure_the_driver_sees(qapp, qtbot, bus, music, tmp_path):
    service = make_service(music, tmp_path)
    service.library = BrokenLibrary([music])
    seen = Recorder(bus)
    progress: list[topics.Progress] = []
    bus.subscribe(topics.APP_PROGRESS, lambda m: progress.append(m.payload))
    service.start(bus)
    qtbot.waitUntil(service.loaded.is_set, timeout=WAIT_MS)
    service.stop()
    assert [(p.fraction, p.text) for p in progress] == [(0.0, "Scanning music"),
                                                         (1.0, "Music scan failed")]
    reason = "RecursionError: maximum recursion depth exceeded"
    assert f"Music scan failed: {reason}" in seen.notices
    library = bus.retained(topics.MEDIA_LIBRARY)
    assert not library.scanning and library.skipped[0].reason == f"music scan failed: {reason}"
