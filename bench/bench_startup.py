"""App cold start to first frame (goal: <= 2 s) and to an interactive dashboard (every module
loaded: map, speech model, music), offscreen, beside the floor of Qt Quick on this machine.

Each run is a new process (`python -m app --offscreen --screenshot`); the figure is the app's
own "first frame after N ms" log line, measured from the start of `run_app`, plus the whole
process wall time (interpreter and imports included) for context.

Peer, measured in the same run: bench/qt_floor.py, a QApplication and a QML Window with one
Text, started the same way (a fresh process, offscreen, software rendering, timed from the
start of its main, before PySide6 is imported) to its first frame and a screenshot. No app can
start faster than Qt itself, so ours/peer is what Volant's own work adds to the first frame.
Its wall time is to its screenshot, the app's to a screenshot after every module has loaded.

    python bench/bench_startup.py [RUNS]
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
FLOOR = Path(__file__).with_name("qt_floor.py")


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


def floor_run(size: str) -> tuple[float, float]:
    """(first frame s, process wall s) of the Qt Quick floor."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_BACKEND": "software"}
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(FLOOR), "--size", size, "--screenshot",
                               str(Path(tmp) / "shot.png")], env=env, check=True,
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
    first = re.search(r"first frame after (\d+) ms", done.stdout)
    if first is None:
        raise SystemExit(f"no 'first frame' line from {FLOOR.name}: {done.stdout!r}")
    return int(first.group(1)) / 1e3, wall


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    print(f"{'size':10} {'':10} {'first frame p50 s':>18} {'max s':>7} "
          f"{'interactive p50 s':>18} {'process wall p50 s':>19}")
    for size in ("1280x720", "800x480"):
        ours, floor = [], []
        for _ in range(runs):  # interleaved, so both see the same load on a shared machine
            ours.append(one_run(size))
            floor.append(floor_run(size))
        firsts, loaded, walls = ([r[i] for r in ours] for i in range(3))
        peer_firsts, peer_walls = ([r[i] for r in floor] for i in range(2))
        print(f"{size:10} {'Volant':10} {statistics.median(firsts):>18.2f} {max(firsts):>7.2f} "
              f"{statistics.median(loaded):>18.2f} {statistics.median(walls):>19.2f}")
        print(f"{'':10} {'Qt floor':10} {statistics.median(peer_firsts):>18.2f} "
              f"{max(peer_firsts):>7.2f} {'-':>18} {statistics.median(peer_walls):>19.2f}")
        print(f"{'':10} {'ours/peer':10} "
              f"{statistics.median(firsts) / statistics.median(peer_firsts):>17.2f}x {'':>7} "
              f"{'':>18} {statistics.median(walls) / statistics.median(peer_walls):>18.2f}x")
    print(f"goal: first frame <= 2 s; {runs} runs per size; peer: {FLOOR.name} (one QML Text), "
          "its wall to a screenshot of the first frame, ours after every module loaded")


if __name__ == "__main__":
    main()
