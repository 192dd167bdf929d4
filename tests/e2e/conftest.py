"""A whole Volant on one bus: every real module, fakes only at the physical edge (no
microphone, no speakers: prompts are written to WAV files; no vehicle: the simulation)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.composition import Overrides, compose, find
from app.scenario import Outcome, Scenario, run
from kernel.event_bus import EventBus
from kernel.settings import Settings
from media.service import MediaService
from navigation.roadmap import default_map_file, load_map
from navigation.service import NavigationService
from voice.tts import TtsService

START = (60.1650, 24.9400)  # Bulevardi, Helsinki
SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture(scope="session")
def e2e_map_cache(tmp_path_factory) -> Path:
    cache = tmp_path_factory.mktemp("e2e-maps")
    load_map(default_map_file(), cache)
    return cache


class World:
    def __init__(self, root: Path, map_cache: Path, time_factor: float) -> None:
        self.bus = EventBus()
        self.modules = compose(Settings(language="en"), Overrides(
            root=root, map_cache=map_cache, start=START, soc_percent=70.0,
            time_factor=time_factor, voice=True))
        self.nav = find(self.modules, NavigationService)
        self.media = find(self.modules, MediaService)
        self.tts = find(self.modules, TtsService)
        for module in self.modules:
            module.start(self.bus)

    def play(self, scenario: Scenario, qtbot) -> Outcome:
        """Run the scenario on a thread while this (GUI) thread keeps Qt's loop turning."""
        qtbot.waitUntil(lambda: self.nav.ready.is_set() and self.media.loaded.is_set(),
                        timeout=60_000)
        result: list[Outcome] = []
        thread = threading.Thread(target=lambda: result.append(run(scenario, self.bus)))
        thread.start()
        qtbot.waitUntil(lambda: not thread.is_alive(), timeout=300_000)
        return result[0]

    def close(self) -> None:
        for module in reversed(self.modules):
            module.stop()
        self.bus.close()


@pytest.fixture
def world(qapp, tmp_path: Path, e2e_map_cache: Path) -> Iterator:
    worlds: list[World] = []

    def make(time_factor: float = 5.0) -> World:
        worlds.append(World(tmp_path, e2e_map_cache, time_factor))
        return worlds[-1]

    yield make
    for w in worlds:
        w.close()
