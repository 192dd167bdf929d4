"""The main window: real QML loaded offscreen, every screen at both sizes, theme, status bar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage

from kernel import topics
from kernel.event_bus import EventBus
from kernel.settings import Settings, SettingsStore
from kernel.topics import Notice, Progress, VssFloat, VssString
from ui.shell import SCREENS, Shell

SIZES = [(1280, 720), (800, 480)]


def distinct_colours(image: QImage, step: int = 3) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step)
                for y in range(0, image.height(), step)})






@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_renders_at_both_sizes(find, make_shell, qtbot, screen: str, size) -> None:
    shell, _ = make_shell(screen, size)
    if screen == "cluster":
        assert find(shell, "cluster").isVisible()
    else:
        loader = find(shell, "screenLoader")
        qtbot.waitUntil(lambda: loader.property("ready"))
    qtbot.waitExposed(shell.window)
    qtbot.waitUntil(lambda: distinct_colours(shell.grab()) > 4)  # not blank, once drawn
    image = shell.grab()
    assert (image.width(), image.height()) == size


def test_home_and_strip_show_bus_values(find, make_shell, qtbot) -> None:
    shell, bus = make_shell()
    status = shell.view_models["statusInfo"]
    bus.publish(topics.SOC, VssFloat(12.4))
    bus.publish(topics.AIR_TEMPERATURE, VssFloat(-7.2))
    bus.publish(topics.UI_NOTICE, Notice("Map ready", "info"))
    qtbot.waitUntil(lambda: status.battery == "12%")
    assert status.batteryLow
    assert find(shell, "outside").property("text") == "-7 °C"
    assert find(shell, "socValue").property("text") == "12%"
    assert find(shell, "lamp_battery").isVisible()  # the low-battery tell-tale
    assert find(shell, "notice").property("text") == "Map ready"


def test_progress_is_shown_until_done(find, make_shell, qtbot) -> None:
    shell, bus = make_shell()
    status = shell.view_models["statusInfo"]
    bus.publish(topics.APP_PROGRESS, Progress("map", 0.5, "Loading map"))
    qtbot.waitUntil(lambda: status.loading)
    assert find(shell, "notice").property("text") == "Loading map 50%"
    bus.publish(topics.APP_PROGRESS, Progress("map", 1.0, "Loading map"))
    qtbot.waitUntil(lambda: not status.loading)


def test_theme_follows_day_night_signal(make_shell, qtbot) -> None:
    shell, bus = make_shell()
    qtbot.waitExposed(shell.window)
    day = shell.grab().pixel(QPoint(5, shell.window.height() - 5))
    bus.publish(topics.DAY_NIGHT_MODE, VssString("NIGHT"))
    qtbot.waitUntil(lambda: shell.theme.property("night"))
    qtbot.waitUntil(lambda: shell.grab().pixel(QPoint(5, shell.window.height() - 5)) != day)
    bus.publish(topics.DAY_NIGHT_MODE, VssString("DAY"))
    qtbot.waitUntil(lambda: not shell.theme.property("night"))


def test_quick_settings_open_over_home_and_close_back(find, make_shell, qtbot) -> None:
    shell, _ = make_shell()
    qtbot.waitExposed(shell.window)
    tile = find(shell, "quickSettings")
    drawn(shell, qtbot)
    centre = tile.mapToScene(tile.boundingRect().center()).toPoint()
    qtbot.mouseClick(shell.window, qt_left(), pos=centre)
    qtbot.waitUntil(lambda: shell.navigator.property("screen") == "settings")
    home = find(shell, "homeButton")
    qtbot.waitUntil(lambda: home.isVisible())
    qtbot.mouseClick(shell.window, qt_left(),
                     pos=home.mapToScene(home.boundingRect().center()).toPoint())
    qtbot.waitUntil(lambda: shell.navigator.property("screen") == "home")
    assert find(shell, "home").isVisible() and not find(shell, "overlay").isVisible()


def drawn(shell, qtbot) -> None:
    """Wait for the first frame and handle the events queued with it (the window's resize),
    so a tap lands where the item now is."""
    from PySide6.QtCore import QCoreApplication

    qtbot.waitUntil(lambda: distinct_colours(shell.grab()) > 4)
    QCoreApplication.processEvents()


def qt_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_settings_screen_saves_a_choice_and_tells_the_modules(find, make_shell, qtbot,
                                                             tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    shell, bus = make_shell("settings", store=store)
    qtbot.waitExposed(shell.window)
    qtbot.waitUntil(lambda: find(shell, "screenLoader").property("ready"))
    drawn(shell, qtbot)
    for name in ("option_Language_fr", "option_Wake phrase_on"):
        option = find(shell, name)
        qtbot.waitUntil(lambda o=option: o.width() > 60 and o.y() >= 0)  # laid out
        qtbot.mouseClick(shell.window, qt_left(),
                         pos=option.mapToScene(option.boundingRect().center()).toPoint())
    qtbot.waitUntil(lambda: shell.view_models["settings"].property("wakePhrase"))
    saved = SettingsStore(store.path).load()
    assert (saved.language, saved.wake_phrase) == ("fr", True)
    assert bus.retained(topics.UI_LANGUAGE) == topics.Language("fr")  # voice, speech, guidance
    assert bus.retained(topics.VOICE_WAKE) == topics.WakePhrase(True)


def test_holding_f2_is_push_to_talk_on_every_screen(make_shell, qtbot) -> None:
    from PySide6.QtCore import Qt

    for screen in ("home", "map"):
        shell, bus = make_shell(screen)
        pressed: list[bool] = []
        bus.subscribe(topics.VOICE_PTT, lambda m, out=pressed: out.append(m.payload.pressed))
        qtbot.waitExposed(shell.window)
        shell.window.requestActivate()
        qtbot.waitUntil(lambda w=shell.window: w.activeFocusItem() is not None)
        qtbot.keyPress(shell.window, Qt.Key.Key_F2)
        qtbot.keyRelease(shell.window, Qt.Key.Key_F2)
        assert pressed == [True, False], screen


def test_unknown_screen_is_refused(make_shell) -> None:
    shell, _ = make_shell()
    with pytest.raises(ValueError, match="unknown screen 'radio'"):
        shell.navigator.go("radio")


def test_cli_screenshot_writes_a_png_and_reports_corrupt_settings(tmp_path: Path) -> None:
    config = tmp_path / "config" / "volant"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text("units = [\n", encoding="utf-8")
    out = tmp_path / "home.png"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "st"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    import os

    env = {**os.environ, **env}
    done = subprocess.run([sys.executable, "-m", "app", "--offscreen", "--no-simulator",
                           "--size", "800x480", "--screenshot", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (800, 480)
    assert distinct_colours(image) > 4
    assert list(config.glob("settings.toml.broken-*"))
    log = (tmp_path / "st" / "volant" / "volant.log").read_text(encoding="utf-8")
    assert "settings file" in log and "invalid" in log


def test_bad_size_is_refused() -> None:
    done = subprocess.run([sys.executable, "-m", "app", "--size", "huge", "--screenshot", "x.png"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "--size 'huge': expected WIDTHxHEIGHT" in done.stderr


def test_settings_dataclass_defaults_are_valid() -> None:
    assert Settings().validate() == []


def test_closing_the_shell_leaves_no_subscriber_of_the_screens(qapp, tmp_path: Path) -> None:
    bus = EventBus()
    mine = bus.subscribe("#", lambda _m: None)  # a module's, which must stay
    store = SettingsStore(tmp_path / "settings.toml")
    shell = Shell(bus, store.load(), store, screen="map")
    assert len(bus.subscriptions()) > 30  # every view model listens to the bus
    shell.close()
    assert bus.subscriptions() == (mine,)
    bus.close()


def test_cluster_opens_beside_the_head_unit_and_follows_the_bus(find, qapp, qtbot,
                                                               tmp_path: Path) -> None:
    from kernel.event_bus import EventBus
    from ui.shell import Shell

    bus = EventBus()
    store = SettingsStore(tmp_path / "settings.toml")
    shell = Shell(bus, store.load(), store, size=(800, 480), cluster=True)
    try:
        assert shell.cluster is not None
        qtbot.waitExposed(shell.cluster)
        shell.place()
        head, cluster = shell.window.frameGeometry(), shell.cluster.frameGeometry()
        assert not head.intersects(cluster), (head, cluster)
        bus.publish(topics.SPEED, VssFloat(33.0))
        speed = next(item for item in _items(shell.cluster.contentItem())
                     if item.objectName() == "clusterSpeed")
        qtbot.waitUntil(lambda: speed.property("text") == "33")
        bus.publish(topics.DAY_NIGHT_MODE, VssString("NIGHT"))
        qtbot.waitUntil(lambda: shell.cluster_theme.property("night"))
    finally:
        shell.close()
        bus.close()


def _items(root):
    stack = [root]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.childItems())
