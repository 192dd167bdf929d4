"""`volant record FILE` and `volant replay FILE [--speed N] [--loop]`: both run the app.

Everything that can be known wrong before the window opens (a speed that is not a number of
times, a recording that is a folder or unreadable, a target whose folder does not exist) is
refused here with one line and a non-zero exit, before Qt starts.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from app.cli import add_app_options


def register(sub: argparse._SubParsersAction) -> None:
    rec = sub.add_parser("record", help="run the app and record every bus message to FILE")
    rec.add_argument("record", metavar="FILE")
    add_app_options(rec, in_subcommand=True)
    rec.set_defaults(func=_run)
    rep = sub.add_parser("replay", help="run the dashboard and replay a recording into it "
                                        "(the modules stay off so nothing is published twice); "
                                        "exits at the end of the file")
    rep.add_argument("replay", metavar="FILE")
    rep.add_argument("--speed", type=float, default=1.0,
                     help="N times real time; 0 = as fast as possible (default 1)")
    rep.add_argument("--loop", action="store_true",
                     help="start again at the end of the file instead of exiting")
    add_app_options(rep, in_subcommand=True)
    rep.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    problem = preflight(args)
    if problem:
        print(f"volant {args.command}: {problem}", file=sys.stderr)
        return 2 if problem.startswith("--speed") else 1
    from app.main import run_app

    return run_app(args)


def preflight(args: argparse.Namespace) -> str:
    """Why the command cannot run, in one line, or ""."""
    if getattr(args, "replay", None):
        if not (math.isfinite(args.speed) and args.speed >= 0):
            return f"--speed must be a number >= 0 (0 = as fast as possible), got {args.speed:g}"
        return _readable(Path(args.replay))
    if getattr(args, "record", None):
        return _writable(Path(args.record))
    return ""


def _readable(path: Path) -> str:
    if path.is_dir():
        return f"{path} is a folder, not a recording"
    try:
        with path.open("rb"):
            return ""
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"


def _writable(path: Path) -> str:
    if path.is_dir():
        return f"{path} is a folder; give a file name to record to"
    if not path.parent.is_dir():
        return f"cannot record to {path}: folder {path.parent} does not exist"
    try:
        with path.open("a"):
            return ""
    except OSError as exc:
        return f"cannot record to {path}: {exc.strerror or exc}"
