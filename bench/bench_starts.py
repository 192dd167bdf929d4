"""The whole app started N times (default 50), offscreen, in French (screen catalog installed),
each to a screenshot of the settings screen with every module loading: how many hung.

A start counts as hung when it has not exited within the timeout; the figure is also the
start-to-screenshot time per run. Usage: python bench/bench_starts.py [N] [parallel]

Peer, measured in the same run: bench/qt_floor.py (a QApplication and a QML Window with one
Text) started N times the same way (fresh process, offscreen, software rendering, the same
parallelism, interleaved with the app's starts) to its screenshot, with the same timeout. It is
the floor of any Qt Quick start on this machine: it shows whether a hang or a slow start is
Qt's or Volant's, and ours/peer of the p50s is what Volant adds (modules loaded before its
screenshot).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TIMEOUT_S = 180
FLOOR = Path(__file__).with_name("qt_floor.py")


def one_start(run: int) -> tuple[str, str, float]:
    """(who, outcome, seconds): even runs start the app, odd runs the Qt floor."""
    who = "app" if run % 2 == 0 else "peer"
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config" / "volant"
        config.mkdir(parents=True)
        (config / "settings.toml").write_text('language = "fr"\n', encoding="utf-8")
        env = {**os.environ, "XDG_CONFIG_HOME": str(Path(tmp) / "config"),
               "XDG_STATE_HOME": tmp, "QT_QPA_PLATFORM": "offscreen",
               "QT_QUICK_BACKEND": "software"}
        shot = str(Path(tmp) / "shot.png")
        command = ([sys.executable, "-m", "app", "--offscreen", "--no-simulator", "--screen",
                    "settings", "--screenshot", shot] if who == "app"
                   else [sys.executable, str(FLOOR), "--screenshot", shot])
        start = time.perf_counter()
        try:
            done = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired:
            return who, "hung", TIMEOUT_S
        return (who, "ok" if done.returncode == 0 else f"exit {done.returncode}",
                time.perf_counter() - start)


def main() -> None:
    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    parallel = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        runs = list(pool.map(one_start, range(2 * starts)))
    p50s = {}
    for who, name in (("app", "Volant"), ("peer", "Qt floor (qt_floor.py)")):
        outcomes = [r[1] for r in runs if r[0] == who]
        times = sorted(r[2] for r in runs if r[0] == who and r[1] == "ok")
        ok, hung = outcomes.count("ok"), outcomes.count("hung")
        line = (f"{name}: {starts} starts ({parallel} at a time): {ok} ok, {hung} hung, "
                f"{starts - ok - hung} failed")
        if times:
            p50s[who] = statistics.median(times)
            line += f"; start to screenshot p50 {p50s[who]:.1f} s, max {times[-1]:.1f} s"
        print(line)
    if len(p50s) == 2:
        print(f"start to screenshot p50 ours/peer {p50s['app'] / p50s['peer']:.1f}x")


if __name__ == "__main__":
    main()
