"""Retiring QMediaPlayers safely: the one way the media service and the chimes end theirs.

Qt 6.11's FFmpeg backend has hung in `QMediaPlayer.stop()` (no audio device: a CI run stopped in
the chime tests until its limit), and deleting a player whose decoder threads still run has
crashed. So a player is paused, its source emptied, and deleted on its own thread once it reports
no media (or after `wait_s`): never stopped, never left to the garbage collector, which could
destroy it on whichever thread happens to collect.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import shiboken6
from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtMultimedia import QMediaPlayer

WAIT_S = 2.0  # at most this long for the decoders to stop before the players are deleted


def retire(players: Iterable[QMediaPlayer], wait_s: float = WAIT_S) -> None:
    """Quiesce then delete `players` (call on the thread they live on)."""
    players = list(players)
    for player in players:
        player.pause()
        player.setSource(QUrl())
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and any(
            p.mediaStatus() != QMediaPlayer.MediaStatus.NoMedia for p in players):
        QCoreApplication.processEvents()
        time.sleep(0.005)
    for player in players:
        shiboken6.delete(player)
