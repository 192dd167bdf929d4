"""The media screen loaded alone offscreen with its real view model and the real player."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl
from PySide6.QtQuick import QQuickItem, QQuickView

from kernel import topics
from kernel.topics import UxRestrictions
from media.demo import write_track
from media.service import MediaService
from ui.theme import Theme
from ui.viewmodels.media import MediaViewModel

QML = Path(__file__).resolve().parents[2] / "ui" / "qml" / "screens" / "MediaScreen.qml"
WAIT_MS = 15000


@pytest.mark.parametrize(("size", "night"), [((1280, 720), False), ((800, 480), True)])
def test_screen_shows_now_playing_and_locks_search_while_moving(qtbot, gui_bus, music, tmp_path,
                                                                size, night):
    service = MediaService([music], demo_dir=None, state_file=tmp_path / "player.json",
                           cover_dir=tmp_path / "covers")
    service.start(gui_bus)
    theme = Theme(night=night)
    theme.fitTo(*size)
    vm = MediaViewModel(gui_bus)
    view = QQuickView()
    view.rootContext().setContextProperty("theme", theme)
    view.rootContext().setContextProperty("media", vm)
    view.setResizeMode(QQuickView.ResizeMode.SizeRootObjectToView)
    view.resize(*size)
    view.setSource(QUrl.fromLocalFile(str(QML)))
    assert view.status() == QQuickView.Status.Ready, view.errors()
    view.show()
    qtbot.waitUntil(lambda: vm.trackCount == 3, timeout=WAIT_MS)
    root = view.rootObject()
    assert [row["label"] for row in vm.items] == ["Aino", "Boris"]
    vm.choose("play_artist", "Boris")
    qtbot.waitUntil(lambda: vm.playing and vm.title == "Snow Road", timeout=WAIT_MS)
    assert root.findChild(QObject, "titleText").property("text") == "Snow Road"
    cover = root.findChild(QQuickItem, "coverImage")
    qtbot.waitUntil(lambda: cover.property("ready"), timeout=WAIT_MS)
    search = root.findChild(QQuickItem, "searchInput")
    assert search.isVisible()
    vm.search("tram")
    assert [row["label"] for row in vm.items] == ["Tram Seven"]

    gui_bus.publish(topics.UX_RESTRICTIONS, UxRestrictions("moving", True, 6, "Use voice"))
    qtbot.waitUntil(lambda: not vm.searchAllowed, timeout=WAIT_MS)
    assert not search.isVisible()
    assert root.findChild(QQuickItem, "lockoutText").isVisible()
    assert [row["label"] for row in vm.items] == ["Aino", "Boris"]  # the search is not applied
    image = view.grabWindow()
    assert (image.width(), image.height()) == size
    assert len({image.pixel(x, y) for x in range(0, size[0], 40)
                for y in range(0, size[1], 40)}) > 5  # not blank
    view.close()
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
