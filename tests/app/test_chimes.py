"""The alert chimes are played through QtMultimedia: each chime's player holds its WAV from
assets/sounds, loads it (FFmpeg decodes it), and a new vehicle warning or a warning notice
plays the right one to its end (silently: this machine has no sound card)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtMultimedia import QMediaPlayer

from kernel import topics
from ui.chimes import SOUNDS, Chimes

Status = QMediaPlayer.MediaStatus


@pytest.fixture
def chimes(gui_bus, qtbot):
    made = Chimes(gui_bus)
    for player in made.players.values():
        qtbot.waitUntil(lambda p=player: p.mediaStatus() == Status.LoadedMedia, timeout=10000)
    yield made
    made.close()


def warnings(*items: tuple[str, str]) -> topics.VehicleWarnings:
    return topics.VehicleWarnings(tuple(topics.VehicleWarning.of(code, level, code)
                                        for code, level in items))


def test_each_chime_is_its_wav_loaded_and_ready(chimes) -> None:
    for name, player in chimes.players.items():
        assert Path(player.source().toLocalFile()) == SOUNDS / f"{name}.wav"
        assert player.error() == QMediaPlayer.Error.NoError
        assert player.duration() > 300  # ms: the whole chime was decoded


def test_a_critical_warning_plays_the_critical_chime_to_its_end(chimes, gui_bus, qtbot) -> None:
    player = chimes.players["critical"]
    with qtbot.waitSignal(chimes.played) as played:
        gui_bus.publish(topics.VEHICLE_WARNINGS, warnings(("battery_hot", "critical")))
    assert played.args == ["critical"]
    qtbot.waitUntil(lambda: player.mediaStatus() == Status.EndOfMedia, timeout=10000)
    assert player.position() >= player.duration() - 50
    assert chimes.players["warning"].position() == 0  # the other chime stayed quiet


def test_only_new_warnings_chime(chimes, gui_bus, qtbot) -> None:
    heard: list[str] = []
    chimes.played.connect(heard.append)
    gui_bus.publish(topics.VEHICLE_WARNINGS, warnings(("low_battery", "warning")))
    qtbot.waitUntil(lambda: heard == ["warning"])
    gui_bus.publish(topics.VEHICLE_WARNINGS, warnings(("low_battery", "warning"),
                                                      ("info_only", "info")))
    gui_bus.publish(topics.VEHICLE_WARNINGS, warnings(("low_battery", "warning"),
                                                      ("battery_cold", "critical")))
    qtbot.waitUntil(lambda: len(heard) == 2)
    assert heard == ["warning", "critical"]  # the same warning again and an info: no chime


def test_warning_and_error_notices_chime_info_does_not(chimes, gui_bus, qtbot) -> None:
    heard: list[str] = []
    chimes.played.connect(heard.append)
    gui_bus.publish(topics.UI_NOTICE, topics.Notice.of("info", "Map %1 ready", "x"))
    gui_bus.publish(topics.UI_NOTICE, topics.Notice.of("warning", "No route to %1: %2", "a", "b"))
    gui_bus.publish(topics.UI_NOTICE, topics.Notice.of("error", "Map not loaded: %1", "x"))
    qtbot.waitUntil(lambda: len(heard) == 2)
    assert heard == ["warning", "warning"]
    qtbot.waitUntil(lambda: chimes.players["warning"].playbackState()
                    == QMediaPlayer.PlaybackState.PlayingState
                    or chimes.players["warning"].mediaStatus() == Status.EndOfMedia)


def test_the_head_unit_has_the_chimes(make_shell, qtbot) -> None:
    shell, bus = make_shell("home", (800, 480))
    assert shell.chimes is not None
    with qtbot.waitSignal(shell.chimes.played):
        bus.publish(topics.VEHICLE_WARNINGS, warnings(("low_battery", "warning")))


def test_a_stop_request_chimes_once_per_stop(chimes, gui_bus, qtbot) -> None:
    heard: list[str] = []
    chimes.played.connect(heard.append)
    assert Path(chimes.players["stop_request"].source().toLocalFile()).name == "stop_request.wav"
    gui_bus.publish(topics.NAV_BUS_NEXT_STOP, topics.NextStop("55", "Kamppi", 300.0))
    gui_bus.publish(topics.NAV_BUS_NEXT_STOP, topics.NextStop("55", "Kamppi", 280.0, True))
    qtbot.waitUntil(lambda: heard == ["stop_request"])
    gui_bus.publish(topics.NAV_BUS_NEXT_STOP, topics.NextStop("55", "Kamppi", 250.0, True))
    gui_bus.publish(topics.NAV_BUS_NEXT_STOP, topics.NextStop("55", "Rautatientori", 900.0))
    gui_bus.publish(topics.NAV_BUS_NEXT_STOP, topics.NextStop("55", "Rautatientori", 800.0, True))
    qtbot.waitUntil(lambda: len(heard) == 2)
    assert heard == ["stop_request", "stop_request"]  # the repeat of Kamppi's did not chime
