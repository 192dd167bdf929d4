"""Ctrl+C and SIGTERM quit the running app cleanly: modules stopped, the recording flushed, exit
0, no traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_quits_the_running_app_cleanly(tmp_path: Path, signal_number: int) -> None:
    recording = tmp_path / "session.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen([sys.executable, "-m", "app", "record", str(recording),
                            "--offscreen", "--no-simulator"], env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while b"vehicle" not in (recording.read_bytes() if recording.exists() else b""):
            assert app.poll() is None, app.communicate()[1]
            assert time.monotonic() < deadline, "the app never came up"
            time.sleep(0.2)
        app.send_signal(signal_number)
        _, stderr = app.communicate(timeout=120)
    finally:
        if app.poll() is None:
            app.kill()
    assert app.returncode == 0, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    lines = recording.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines)  # flushed whole: no torn last line
    states = [json.loads(line)["payload"] for line in lines[1:]
              if json.loads(line)["topic"] == "app.module"]
    assert any(s["state"] == "running" for s in states)
