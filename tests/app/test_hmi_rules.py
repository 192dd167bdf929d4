"""The automotive HMI rules (Android for Cars / Car UI numbers) checked on the rendered item tree
of every screen at 1280x720 (a 10.1" screen) and 800x480 (7"), day and night, while driving:

- touch targets (every MouseArea and text field) at least 76 dp on their short side;
- texts at least 24 dp, primary texts (Label role other than "secondary") at least 32 dp;
- text contrast at least 4.5:1 and control edges (fill or border) at least 3:1 against what is
  behind them (the nearest filled rectangle under the item, else the window);
- no text cut off: not elided or line-limited (`truncated`), not wider than its box, not
  clipped by the window or a clipping ancestor;
- no two texts overlap, no two touch targets overlap, and no text lies under a touch target it
  does not belong to.

dp from pixels as ui/theme.py says (px_per_dp: 0.833 px at 800x480, 0.909 px at 1280x720).
Exceptions, each with its reason:
- the map surface itself (MapCanvas and its pan area) is the ground every card floats on, not a
  control; its street names and place marks are painted, not items (names drawn at 18 dp: a
  map label is looked up parked, not read while driving);
- song titles and heard phrases come from the driver and can be of any length: the bottom strip
  elides them at the end (the media and voice views wrap them whole). The texts of this test
  fit, so every text is checked here; a long title in the strip is the accepted exception.

Each case saves the screenshot it checked under the test's tmp dir.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QRectF, QUrl
from PySide6.QtGui import QColor
from PySide6.QtQml import QQmlProperty

from kernel import topics
from kernel.settings import SettingsStore
from ui.shell import SCREENS
from ui.theme import px_per_dp

SIZES = [(1280, 720), (800, 480)]
TOUCH_DP, PRIMARY_DP, SECONDARY_DP = 76, 32, 24
TEXT_CONTRAST, CONTROL_CONTRAST = 4.5, 3.0
SLACK_PX = 0.5  # layout rounding


def kinds(item) -> set[str]:
    """The C++ classes an item is, QML-defined types resolved to their bases."""
    names, meta = set(), item.metaObject()
    while meta is not None:
        names.add(meta.className())
        meta = meta.superClass()
    return names


def luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def publish_driving(bus) -> None:
    """A drive in progress: speed, power, a low battery warning, a route with its next turn,
    a 100 km/h limit posted (the widest sign), charging stations and bus stops on the map."""
    f = topics.VssFloat
    bus.publish(topics.VEHICLE_INFO, topics.VehicleInfo("city_car", "City car", "car", 30, 0.15,
                                                        120, 50, 30))
    for topic, value in ((topics.SPEED, 47), (topics.MOTOR_POWER, 18), (topics.SOC, 12.4),
                         (topics.RANGE, 38000), (topics.AIR_TEMPERATURE, -3),
                         (topics.PACK_TEMPERATURE, 66), (topics.TRAVELED_DISTANCE, 12345.6)):
        bus.publish(topic, f(value))
    bus.publish(topics.SELECTED_GEAR, topics.VssInt(127))
    bus.publish(topics.VEHICLE_WARNINGS, topics.VehicleWarnings((
        topics.VehicleWarning.of("low_battery", "warning", "Battery low: %1 %", "12"),)))
    bus.publish(topics.NAV_MAP, topics.MapData("Test", 60.16, 24.93, 60.17, 24.95, (
        (60.165, 24.935, 60.166, 24.945), (60.162, 24.94, 60.168, 24.94)), places=(
            topics.MapPlace("Kamppi", "bus_stop", 60.1652, 24.938),
            topics.MapPlace("Charging station", "charging_station", 60.1648, 24.942))))
    bus.publish(topics.NAV_ROAD, topics.RoadState("Bulevardi", 100.0))
    bus.publish(topics.NAV_ROUTE, topics.RoutePath(
        ((60.165, 24.935), (60.1655, 24.94), (60.166, 24.945)), (50, 50, 50), 3200, 540,
        "Kaivokatu 1", 0.5, (topics.RouteManeuver("turn", "left", "Mannerheimintie", 250,
                                                  60.1655, 24.94, "Turn left"),)))
    bus.publish(topics.NAV_PROGRESS, topics.GuidanceProgress(3200, 540, "turn", "left",
                                                             "Mannerheimintie", 250))
    bus.publish(topics.VOICE_STATE, topics.VoiceState("idle", "en",
                                                      examples=("play music", "battery level")))


def visible_items(window):
    """(item, scene rect, clip rect) of every item drawn in the window."""
    full = QRectF(0, 0, window.width(), window.height())
    stack = [(window.contentItem(), full)]
    while stack:
        item, clip = stack.pop()
        if not item.isVisible() or item.opacity() <= 0.01:
            continue
        rect = item.mapRectToScene(item.boundingRect())
        if not clip.intersects(rect) and rect.width() * rect.height() > 0:
            continue  # scrolled out of sight: not drawn
        yield item, rect, clip
        inner = clip.intersected(rect) if item.clip() else clip
        stack.extend((child, inner) for child in item.childItems())


def backdrop(item, window) -> QColor:
    """The colour behind an item: its nearest ancestor that is a filled rectangle."""
    parent = item.parentItem()
    while parent is not None:
        if "QQuickRectangle" in kinds(parent):
            colour = QColor(parent.property("color"))
            if colour.alpha() > 200:
                return colour
        parent = parent.parentItem()
    return QColor(window.property("color"))


def ancestors(item) -> list:
    chain, parent = [], item.parentItem()
    while parent is not None:
        chain.append(parent)
        parent = parent.parentItem()
    return chain


def text_box(item, rect: QRectF) -> QRectF:
    """Where the glyphs are, not the whole text item (a wide label with a short word)."""
    width = min(rect.width(), item.property("contentWidth"))
    height = min(rect.height(), item.property("contentHeight"))
    align = item.property("hAlign") or 1  # Label's; a plain Text is taken as left-aligned
    x = rect.x() + (rect.width() - width if align == 2 else (rect.width() - width) / 2
                    if align == 4 else 0)
    valign = item.property("vAlign") or 32
    y = rect.y() + ((rect.height() - height) / 2 if valign == 128 else
                    rect.height() - height if valign == 64 else 0)
    return QRectF(x, y, width, height)


def check(window) -> list[str]:
    dp = px_per_dp(window.width(), window.height())
    problems: list[str] = []
    texts, targets = [], []
    for item, rect, clip in visible_items(window):
        classes = kinds(item)
        name = item.objectName() or item.metaObject().className()
        if "MapCanvas" in classes:
            continue
        if "QQuickMouseArea" in classes and item.isEnabled():
            if "MapCanvas" in kinds(item.parentItem()):
                continue  # the map's pan area: the ground the cards float on
            targets.append((item, rect.intersected(clip)))
            if min(rect.width(), rect.height()) < TOUCH_DP * dp - SLACK_PX:
                problems.append(f"touch target {name} of {item.parentItem().objectName()!r} "
                                f"{rect.width() / dp:.0f}x{rect.height() / dp:.0f} dp")
            control = item.parentItem()
            if "QQuickRectangle" in kinds(control) and rect == control.mapRectToScene(
                    control.boundingRect()):
                behind = backdrop(control, window)
                edges = [QColor(control.property("color"))]
                if QQmlProperty(control, "border.width").read() >= 1:
                    edges.append(QColor(QQmlProperty(control, "border.color").read()))
                best = max(contrast(c, behind) for c in edges if c.alpha() > 0)
                if best < CONTROL_CONTRAST:
                    problems.append(f"control {control.objectName() or name} contrast "
                                    f"{best:.2f}:1")
        if "QQuickTextInput" in classes:
            box = item.parentItem().mapRectToScene(item.parentItem().boundingRect())
            if box.height() < TOUCH_DP * dp - SLACK_PX:
                problems.append(f"text field {name} {box.height() / dp:.0f} dp high")
        if "QQuickText" in classes and item.property("text"):
            text = item.property("text")
            size = item.property("font").pixelSize()
            need = PRIMARY_DP if item.property("primary") else SECONDARY_DP
            if size < need * dp - SLACK_PX:
                problems.append(f"text {text!r} {size / dp:.0f} dp (< {need})")
            ratio = contrast(QColor(item.property("color")), backdrop(item, window))
            if ratio < TEXT_CONTRAST:
                problems.append(f"text {text!r} contrast {ratio:.2f}:1")
            glyphs = text_box(item, rect)
            if item.property("truncated") or item.property("contentWidth") > rect.width() + 1:
                problems.append(f"text {text!r} cut off (elided or wider than its box)")
            elif not clip.contains(glyphs.adjusted(1, 1, -1, -1)):
                problems.append(f"text {text!r} clipped at {glyphs.getRect()}")
            texts.append((item, glyphs.intersected(clip)))
    for i, (a, ra) in enumerate(texts):
        for b, rb in texts[i + 1:]:
            if ra.intersects(rb) and a not in ancestors(b) and b not in ancestors(a):
                problems.append(f"texts overlap: {a.property('text')!r} / {b.property('text')!r}")
        for target, rt in targets:
            if ra.intersected(rt).width() > 1 and target.parentItem() not in ancestors(a):
                problems.append(f"text {a.property('text')!r} under the touch target "
                                f"{target.parentItem().objectName()!r}")
    for i, (a, ra) in enumerate(targets):
        for b, rb in targets[i + 1:]:
            if ra.intersected(rb).width() > 1 and ra.intersected(rb).height() > 1:
                problems.append(f"touch targets overlap: {a.parentItem().objectName()!r} / "
                                f"{b.parentItem().objectName()!r}")
    return problems


@pytest.mark.parametrize("night", [False, True], ids=["day", "night"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_follows_the_hmi_rules(make_shell, qtbot, tmp_path: Path, screen: str, size,
                                      night: bool) -> None:
    shell, bus = make_shell(screen, size, store=SettingsStore(tmp_path / "settings.toml"))
    shell.theme.setNight(night)
    publish_driving(bus)
    qtbot.waitExposed(shell.window)
    qtbot.waitUntil(lambda: shell.view_models["vehicle"].property("speedText") == "47")
    qtbot.waitUntil(lambda: shell.view_models["mapView"].property("hasRoute"))
    qtbot.waitUntil(lambda: len({shell.grab().pixel(x, y) for x in range(0, size[0], 7)
                                 for y in range(0, size[1], 7)}) > 8)
    QCoreApplication.processEvents()
    image = shell.grab()
    assert image.save(str(tmp_path / f"{screen}-{size[0]}x{size[1]}-{'night' if night else 'day'}"
                                     ".png"))
    assert check(shell.window) == []


def test_the_checker_catches_what_it_checks(make_shell, qtbot, tmp_path: Path) -> None:
    """A small button, a faint and tiny text and an elided one are reported."""
    from PySide6.QtQml import QQmlComponent

    shell, _ = make_shell("home", (800, 480))
    qtbot.waitExposed(shell.window)
    component = QQmlComponent(shell.engine)
    component.setData(b"""
import QtQuick
Rectangle {
    x: 300; y: 200; width: 200; height: 40; color: "#ffffff"
    Text { objectName: "faint"; text: "faint"; color: "#dddddd"; font.pixelSize: 10 }
    Text { x: 100; width: 30; text: "a long text"; elide: Text.ElideRight; font.pixelSize: 30 }
    MouseArea { anchors.fill: parent }
}""", QUrl())
    probe = component.create()
    assert probe is not None, component.errorString()
    probe.setParentItem(shell.window.contentItem())
    qtbot.waitUntil(lambda: probe.isVisible())
    problems = " | ".join(check(shell.window))
    assert "touch target" in problems and "'faint' 12 dp" in problems
    assert "'faint' contrast" in problems and "'a long text' cut off" in problems
