"""The media view opened over the head unit offscreen, with its real view model and the real
player."""

from __future__ import annotations

import pytest

from kernel import topics
from kernel.settings import SettingsStore
from kernel.topics import UxRestrictions
from media.demo import write_track
from media.service import MediaService
from ui.shell import Shell
from ui.viewmodels.media import MediaViewModel

WAIT_MS = 15000


@pytest.mark.parametrize(("size", "night"), [((1280, 720), False), ((800, 480), True)])
def test_screen_shows_now_playing_and_locks_search_while_moving(find, qtbot, gui_bus, music,
                                                                tmp_path,
                                                                size, night):
    service = MediaService([music], demo_dir=None, state_file=tmp_path / "player.json",
                           cover_dir=tmp_path / "covers")
    service.start(gui_bus)
    store = SettingsStore(tmp_path / "settings.toml")
    shell = Shell(gui_bus, store.load(), store, screen="media", size=size, night=night)
    vm = shell.view_models["media"]
    qtbot.waitUntil(lambda: find(shell, "screenLoader").property("ready"))
    qtbot.waitUntil(lambda: vm.trackCount == 3, timeout=WAIT_MS)
    assert [row["label"] for row in vm.items] == ["Aino", "Boris"]
    vm.choose("play_artist", "Boris")
    qtbot.waitUntil(lambda: vm.playing and vm.title == "Snow Road", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: find(shell, "titleText").property("text") == "Snow Road")
    assert find(shell, "stripTitle").property("text") == "Snow Road"  # the strip too
    cover = find(shell, "coverImage")
    qtbot.waitUntil(lambda: cover.property("ready"), timeout=WAIT_MS)
    search = find(shell, "searchInput")
    assert search.isVisible()
    vm.search("tram")
    assert [row["label"] for row in vm.items] == ["Tram Seven"]

    gui_bus.publish(topics.UX_RESTRICTIONS, UxRestrictions("moving", True, 6, "Use voice"))
    qtbot.waitUntil(lambda: not vm.searchAllowed, timeout=WAIT_MS)
    assert not search.isVisible()
    assert find(shell, "lockoutText").isVisible()
    assert [row["label"] for row in vm.items] == ["Aino", "Boris"]  # the search is not applied
    image = shell.grab()
    assert (image.width(), image.height()) == size
    assert len({image.pixel(x, y) for x in range(0, size[0], 40)
                for y in range(0, size[1], 40)}) > 5  # not blank
    shell.close()
    service.stop()


def test_tracks_without_an_artist_are_listed_and_play(qtbot, gui_bus, music, tmp_path) -> None:
    """The group shows "Unknown" but the command names the library's own (empty) artist."""
    (music / "c").mkdir()
    write_track(music / "c" / "untagged.wav", "Field Notes", "", "", "", 294.0, 2.0)
    service = MediaService([music], demo_dir=None, state_file=tmp_path / "player.json",
                           cover_dir=tmp_path / "covers")
    service.start(gui_bus)
    vm = MediaViewModel(gui_bus)
    qtbot.waitUntil(lambda: vm.trackCount == 4, timeout=WAIT_MS)
    unknown = next(row for row in vm.items if row["label"] == "Unknown")
    vm.choose(unknown["action"], unknown["value"])
    qtbot.waitUntil(lambda: vm.playing and vm.title == "Field Notes", timeout=WAIT_MS)
