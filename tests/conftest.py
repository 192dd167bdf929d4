"""Shared fixtures. Qt runs offscreen with the software scene graph, as in CI."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from kernel.event_bus import EventBus

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def bus() -> Iterator[EventBus]:
    b = EventBus()
    yield b
    b.close()


@pytest.fixture
def gui_bus(qapp) -> Iterator[EventBus]:
    """A bus whose `on="gui"` subscribers run in the Qt event loop (use qtbot.waitUntil)."""
    from kernel.qt_dispatch import QtDispatcher

    b = EventBus()
    b.install_gui_dispatcher(QtDispatcher())
    yield b
    b.close()


def find_qml_item(shell, name: str):
    """The item called `name` in a shell's window, a visible one first (the home screen stays
    loaded under the full-screen views); searches the visual tree, since Repeater and Loader
    items are not QObject children."""
    stack, found = [shell.window.contentItem()], []
    while stack:
        item = stack.pop()
        if item.objectName() == name:
            found.append(item)
        stack.extend(item.childItems())
    if not found:
        raise AssertionError(f"no QML item named {name!r}")
    return next((item for item in found if item.isVisible()), found[0])


@pytest.fixture
def find():
    return find_qml_item


@pytest.fixture(scope="session")
def shared_maps() -> Path:
    """../shared/maps: real OSM extracts. Absent only in a user's clone; CI always has it."""
    maps = SHARED / "maps"
    if not maps.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {maps} (the shared/ folder beside the clone)")
        pytest.skip(f"{maps} is absent (a user's clone without ../shared)")
    return maps


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread() -> Iterator[None]:
    """Qt objects left in reference cycles by a test are destroyed here, on the main thread,
    rather than by a garbage-collection pass that may run on any later test's thread."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch) -> None:
    """Settings, logs, caches and data go to a temporary home, never the developer's."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                     ("XDG_DATA_HOME", "data")):
        monkeypatch.setenv(var, str(home / sub))
