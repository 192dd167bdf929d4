"""The start-up deadlock, fixed at its cause: screen texts are a compiled Qt catalog, so Qt's
translate() never needs the GIL while it holds the dynamic loader's lock."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RACE = Path(__file__).with_name("start_race.py")
ROOT = Path(__file__).resolve().parents[2]
STARTS = 50


def test_fifty_starts_of_the_racing_pair_never_hang(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}

    def start(_: int) -> str:
        try:
            done = subprocess.run([sys.executable, str(RACE), str(tmp_path)], env=env,
                                  capture_output=True, text=True, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            return "hung"
        return "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr[-300:]}"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(start, range(STARTS)))
    assert [o for o in outcomes if o != "ok"] == []
