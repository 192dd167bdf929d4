"""`volant demo --offscreen --out DIR` on a fresh machine: recording, prompt WAVs, screenshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kernel.recording import Player


@pytest.mark.parametrize("variant", [[], ["--bus"]], ids=["car", "bus"])
def test_demo_drive(tmp_path: Path, variant: list[str]) -> None:
    out = tmp_path / "demo"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "app", "demo", "--offscreen", "--speed", "20",
                           "--out", str(out), *variant], capture_output=True, text=True,
                          env=env, timeout=600)
    assert (out / "summary.json").exists(), done.stderr[-4000:]  # a hang dumps its threads
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert done.returncode == 0, summary.get("error", done.stderr[-2000:])
    assert summary["arrival"].startswith("You have arrived")
    assert summary["soc_end"] < summary["soc_start"]  # the battery drained
    assert summary["music_volume_min_max"][0] < summary["music_volume_min_max"][1]  # ducked
    if variant:
        assert summary["next_stops"] == ["Mannerheimintie", "Kaivokatu 1"]
    else:
        assert summary["heard"] == "navigate to the nearest charging station"
        assert summary["route"]["destination"]
    prompts = sorted((out / "prompts").glob("*.wav"))
    assert len(prompts) >= 3
    with wave.open(str(prompts[0])) as first:
        assert first.getnframes() > first.getframerate() // 2  # real speech, not a stub
    for shot in (out / "screenshots").glob("*.png"):
        image = QImage(str(shot))
        assert (image.width(), image.height()) == (1280, 720)
    assert len(list((out / "screenshots").glob("*.png"))) >= 7
    player = Player(out / "drive.jsonl", speed=0)  # the recording replays cleanly
    from kernel.event_bus import EventBus

    bus = EventBus()
    player.play(bus)
    bus.close()
    assert player.errors == 0 and player.published > 1000
