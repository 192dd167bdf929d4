"""App cold start to first frame (goal: <= 2 s) and to an interactive dashboard (every module
loaded: map, speech model, music), offscreen.

Each run is a new process (`python -m app --offscreen --screenshot`); the figure is the app's
own "first frame after N ms" log line, measured from the start of `run_app`, plus the whole
process wall time (interpreter and imports included) for context.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5


def one_run(size: str) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_STATE_HOME": tmp, "XDG_CONFIG_HOME": tmp,
               "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_BACKEND": "software"}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "app", "--offscreen", "--no-simulator", "--size",
                        size, "--screenshot", str(Path(tmp) / "shot.png")], env=env, check=True,
                       capture_output=True)
        wall = time.perf_counter() - start
        log = (Path(tmp) / "volant" / "volant.log").read_text(encoding="utf-8")
    first = re.search(r"first frame after (\d+) ms", log)
    loaded = re.search(r"modules loaded after (\d+) ms", log)
    if first is None or loaded is None:
        raise SystemExit("no 'first frame' / 'modules loaded' line in the app log")
    return int(first.group(1)) / 1e3, int(loaded.group(1)) / 1e3, wall


def main() -> None:
    print(f"{'size':10} {'first frame p50 s':>18} {'max s':>7} {'interactive p50 s':>18} "
          f"{'process wall p50 s':>19}")
    for size in ("1280x720", "800x480"):
        runs = [one_run(size) for _ in range(RUNS)]
        firsts, loaded, walls = ([r[i] for r in runs] for i in range(3))
        print(f"{size:10} {statistics.median(firsts):>18.2f} {max(firsts):>7.2f} "
              f"{statistics.median(loaded):>18.2f} {statistics.median(walls):>19.2f}")
    print("goal: first frame <= 2 s")


if __name__ == "__main__":
    main()
