"""Screen texts in the driver's language: the catalogs, broken catalogs, live language change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kernel import topics
from ui import i18n
from ui.i18n import CatalogError, load_catalog
from ui.shell import Shell

UI = Path(i18n.__file__).parent
LANGUAGES = ("fr", "ko", "zh")


SERVICE_TEMPLATES = (  # the English template of texts that services send for the screens
    r'VehicleWarning\.of\(\s*"[^"]*",\s*"[^"]*",\s*"([^"]*)"',  # (code, level, template
    r'Notice\.of\(\s*"[^"]*",\s*"([^"]*)"',  # (level, template
    r'Progress\.of\(\s*(?:"[^"]*"|\w+),\s*[^"]+?,\s*"([^"]*)"',  # (task, fraction, template
    r'\b(?:progress|report)\(\s*[\d.]+(?: \* f)?,\s*"([^"]*)"',  # the map build's steps
    r'self\._notice\(\s*"([^"]*)"',  # media's notices
    r'\bWhy\(\s*"([^"]*)"',  # voice's reasons
)


def marked_texts() -> set[str]:
    """Every text the screens translate: qsTr("...") in QML, tr("...") in the view models and
    the templates of warnings, notices and progress that the services send."""
    texts = set()
    for path in UI.rglob("*.qml"):
        texts |= set(re.findall(r'qsTr\("((?:[^"\\]|\\.)*)"\)', path.read_text(encoding="utf-8")))
    for path in UI.rglob("*.py"):
        texts |= set(re.findall(r'\btr\("((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")))
    for package in ("kernel", "app", "vehicle", "navigation", "voice", "media",
                    "vehicle_network", "fleet"):
        for path in (UI.parent / package).rglob("*.py"):
            code = path.read_text(encoding="utf-8")
            for pattern in SERVICE_TEMPLATES:
                texts |= set(re.findall(pattern, code))
    return {text.replace("\\n", "\n") for text in texts}


def shown_texts(shell: Shell) -> set[str]:
    stack, texts = [shell.window.contentItem()], set()
    while stack:
        item = stack.pop()
        text = item.property("text")
        if isinstance(text, str) and text:
            texts.add(text)
        stack.extend(item.childItems())
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_translates_every_marked_text_and_nothing_else(language: str) -> None:
    catalog = load_catalog(UI / "translations" / f"{language}.toml")
    marked = marked_texts()
    assert len(marked) > 40
    assert sorted(marked - catalog.keys()) == [], "texts the catalog lacks"
    assert sorted(catalog.keys() - marked) == [], "texts no screen shows any more"


@pytest.mark.parametrize(("content", "named"), [
    ("[texts\n", "not a readable TOML catalog"),
    ('"Home" = "Accueil"\n', "[texts] table"),
    ('[texts]\n"Range %1" = "Autonomie"\n', "'Autonomie' must keep the placeholders of 'Range %1'"),
    ('[texts]\n"Home" = ""\n', "'Home' needs a non-empty text"),
    ('[texts]\n"Home" = 3\n', "'Home' needs a non-empty text"),
])
def test_broken_catalog_is_refused_naming_the_file_and_text(tmp_path: Path, content: str,
                                                           named: str) -> None:
    path = tmp_path / "fr.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        load_catalog(path)
    assert str(path) in str(error.value) and named in str(error.value)


def test_screens_follow_the_language_without_reloading(make_shell, qtbot) -> None:
    shell, bus = make_shell("dashboard", language="fr")
    qtbot.waitExposed(shell.window)
    qtbot.waitUntil(lambda: "Aucune alerte" in " ".join(shown_texts(shell)))
    assert "No warnings" not in " ".join(shown_texts(shell))
    bus.publish(topics.UI_LANGUAGE, topics.Language("ko"))
    qtbot.waitUntil(lambda: "경고 없음" in " ".join(shown_texts(shell)))
    bus.publish(topics.UI_LANGUAGE, topics.Language("en"))
    qtbot.waitUntil(lambda: "No warnings" in " ".join(shown_texts(shell)))


def test_view_model_texts_follow_the_language(make_shell, qtbot) -> None:
    shell, bus = make_shell("dashboard", language="en")
    bus.publish(topics.NAV_BUS_NEXT_STOP, topics.NextStop("12", "Kamppi", 0.0))
    vehicle = shell.view_models["vehicle"]
    qtbot.waitUntil(lambda: vehicle.property("nextStop") == "Line 12 · Next stop: Kamppi")
    bus.publish(topics.UI_LANGUAGE, topics.Language("fr"))
    qtbot.waitUntil(lambda: vehicle.property("nextStop") == "Ligne 12 · Prochain arrêt : Kamppi")


def test_broken_catalog_leaves_english_screens_and_says_so(make_shell, qtbot, tmp_path: Path,
                                                          monkeypatch) -> None:
    (tmp_path / "fr.toml").write_text("[texts]\n\"Home\" = \n", encoding="utf-8")
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    shell, bus = make_shell("dashboard", language="en")
    notices: list[topics.Notice] = []
    bus.subscribe(topics.UI_NOTICE, lambda msg: notices.append(msg.payload))
    bus.publish(topics.UI_LANGUAGE, topics.Language("fr"))
    qtbot.waitUntil(lambda: bool(notices))
    assert "fr.toml" in notices[0].text and notices[0].level == "error"
    assert "No warnings" in " ".join(shown_texts(shell))


def test_vehicle_warnings_follow_the_language(make_shell, qtbot) -> None:
    shell, bus = make_shell("dashboard", language="fr")
    bus.publish(topics.VEHICLE_WARNINGS, topics.VehicleWarnings((
        topics.VehicleWarning.of("low_battery", "warning", "Battery low: %1 %", "12"),
        topics.VehicleWarning("recorded", "info", "From an older recording"))))
    vehicle = shell.view_models["vehicle"]
    texts = lambda: [row["text"] for row in vehicle.property("warnings")]  # noqa: E731
    low = "Batterie faible\u00a0: 12\u00a0%"  # French puts a no-break space before : and %
    qtbot.waitUntil(lambda: texts() == [low, "From an older recording"])
    bus.publish(topics.UI_LANGUAGE, topics.Language("ko"))
    qtbot.waitUntil(lambda: texts()[0] == "배터리 부족: 12 %")


def test_service_notices_and_progress_follow_the_language(make_shell, qtbot) -> None:
    shell, bus = make_shell("home", language="fr")
    status = shell.view_models["statusInfo"]
    bus.publish(topics.APP_PROGRESS, topics.Progress.of("map", 0.5, "Reading %1", "Helsinki.pbf"))
    bus.publish(topics.UI_NOTICE, topics.Notice.of("warning", "Map not loaded: %1", "disk full"))
    qtbot.waitUntil(lambda: status.notice == "Carte non chargée\u00a0: disk full")
    assert status.progress == "Lecture de Helsinki.pbf 50%"
    bus.publish(topics.UI_LANGUAGE, topics.Language("ko"))
    qtbot.waitUntil(lambda: status.notice == "지도를 불러오지 못함: disk full")
    assert status.progress == "Helsinki.pbf 읽는 중 50%"
    bus.publish(topics.UI_NOTICE, topics.Notice("From an older recording", "info"))
    qtbot.waitUntil(lambda: status.notice == "From an older recording")  # no template: as sent


def test_voice_reasons_follow_the_language(make_shell, qtbot) -> None:
    shell, bus = make_shell("voice", language="fr")
    voice = shell.view_models["voice"]
    bus.publish(topics.VOICE_STATE, topics.VoiceState(
        "disabled", "fr", "voice is off: no model; typed commands still work",
        reason_template="voice is off: %1; typed commands still work", reason_values=("no model",)))
    qtbot.waitUntil(lambda: voice.property("reason") ==
                    "voix coupée\u00a0: no model\u00a0; les commandes écrites fonctionnent")
    bus.publish(topics.VOICE_STATE, topics.VoiceState("idle", "fr", "no microphone"))
    qtbot.waitUntil(lambda: voice.property("reason") == "no microphone")  # as sent
