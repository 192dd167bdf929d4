"""Settings persist in TOML; a broken file is backed up and replaced by defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.settings import Settings, SettingsStore, settings_path


def test_defaults_when_no_file(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    assert store.load() == Settings()
    assert store.problem == ""


def test_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    settings = Settings(language="fr", favourites={"home": "60.17,24.94"}, volume=35,
                        driving_side="left")
    store.save(settings)
    assert SettingsStore(store.path).load() == settings


def test_default_path_is_under_the_user_config_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert settings_path() == tmp_path / "volant" / "settings.toml"


@pytest.mark.parametrize("text, complaint", [
    ("language = 'fr\n", "invalid"),                # not TOML
    ("language = 'de'\n", "language: expected one of en, fr, ko"),
    ("volume = 400\n", "volume: expected an integer 0-100"),
    ("driving_side = 'middle'\n", "driving_side: expected one of auto, left, right"),
    ("volume = 'loud'\n", "volume: expected int"),
    ("colour = 'red'\n", "unknown setting(s) colour"),
])
def test_broken_file_is_backed_up_and_defaults_used(tmp_path: Path, text: str,
                                                    complaint: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert complaint in store.problem
    backups = list(tmp_path.glob("settings.toml.broken-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == text
    assert SettingsStore(path).load() == Settings()  # defaults were written back
