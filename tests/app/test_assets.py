"""assets/: every icon the screens name is shipped (and only those), with the licence; the
chimes are short mono WAVs the project made."""

from __future__ import annotations

import re
import wave
from pathlib import Path

from ui.map_canvas import MARK_ICONS
from ui.viewmodels.map import ICONS as MANEUVER_ICONS

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"


def named_icons() -> set[str]:
    # the map's pins and marks
    names = set(MANEUVER_ICONS.values()) | set(MARK_ICONS.values()) | {"charging-pile", "map-pin"}
    for path in (ROOT / "ui" / "qml").rglob("*.qml"):
        code = path.read_text(encoding="utf-8")
        for line in code.splitlines():  # icon: "x", name: ... ? "x" : "y", lamp tables
            if re.search(r"\b(icon|name|icons)\b", line) or "_cold" in line or "fault:" in line:
                names |= set(re.findall(r'(?<!=== )"([a-z]+(?:-[a-z0-9]+)*)"', line))
    return names


def test_every_named_icon_is_shipped_with_the_licence() -> None:
    shipped = {p.stem for p in (ASSETS / "icons").glob("*.svg")}
    named = named_icons()
    assert named - shipped == set(), "icons the screens name but assets/icons lacks"
    assert shipped - named == set(), "icons shipped but never used"
    assert "MIT License" in (ASSETS / "icons" / "LICENSE").read_text(encoding="utf-8")
    for svg in (ASSETS / "icons").glob("*.svg"):
        assert 'stroke="currentColor"' in svg.read_text(encoding="utf-8"), svg  # tintable


def test_chimes_are_short_mono_wavs() -> None:
    for name in ("warning", "critical", "stop_request"):
        with wave.open(str(ASSETS / "sounds" / f"{name}.wav")) as chime:
            seconds = chime.getnframes() / chime.getframerate()
            assert chime.getnchannels() == 1 and 0.3 < seconds < 2.0, name
            assert max(chime.readframes(chime.getnframes())) > 0  # not silent
