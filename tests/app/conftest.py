"""Fixtures for the app's window tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.event_bus import EventBus
from kernel.settings import SettingsStore
from ui.shell import Shell


@pytest.fixture
def make_shell(qapp, tmp_path: Path):
    """Main windows on their own bus, closed after the test; `language` overrides the setting."""
    shells: list[tuple[Shell, EventBus]] = []

    def make(screen: str = "home", size: tuple[int, int] = (1280, 720),
             store: SettingsStore | None = None,
             language: str | None = None) -> tuple[Shell, EventBus]:
        bus = EventBus()
        store = store or SettingsStore(tmp_path / "settings.toml")
        settings = store.load()
        if language is not None:
            settings.language = language
        shell = Shell(bus, settings, store, screen=screen, size=size)
        shells.append((shell, bus))
        return shell, bus

    yield make
    for shell, bus in shells:
        shell.close()
        bus.close()
