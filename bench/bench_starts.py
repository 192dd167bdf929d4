"""The whole app started N times (default 50), offscreen, in French (screen catalog installed),
each to a screenshot of the settings screen with every module loading: how many hung.

A start counts as hung when it has not exited within the timeout; the figure is also the
start-to-screenshot time per run. Usage: python bench/bench_starts.py [N] [parallel]
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


def one_start(_: int) -> tuple[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config" / "volant"
        config.mkdir(parents=True)
        (config / "settings.toml").write_text('language = "fr"\n', encoding="utf-8")
        env = {**os.environ, "XDG_CONFIG_HOME": str(Path(tmp) / "config"),
               "XDG_STATE_HOME": tmp, "QT_QPA_PLATFORM": "offscreen",
               "QT_QUICK_BACKEND": "software"}
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-m", "app", "--offscreen", "--no-simulator",
                                   "--screen", "settings", "--screenshot",
                                   str(Path(tmp) / "shot.png")], env=env, capture_output=True,
                                  timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            return "hung", TIMEOUT_S
        return ("ok" if done.returncode == 0 else f"exit {done.returncode}",
                time.perf_counter() - start)


def main() -> None:
    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    parallel = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        runs = list(pool.map(one_start, range(starts)))
    outcomes = [r[0] for r in runs]
    times = sorted(r[1] for r in runs if r[0] == "ok")
    ok, hung = outcomes.count("ok"), outcomes.count("hung")
    print(f"{starts} starts ({parallel} at a time): {ok} ok, {hung} hung, "
          f"{starts - ok - hung} failed")
    if times:
        print(f"start to screenshot p50 {statistics.median(times):.1f} s, max {times[-1]:.1f} s")


if __name__ == "__main__":
    main()
