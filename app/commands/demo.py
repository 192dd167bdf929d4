"""`volant demo [--offscreen] [--speed N] [--out DIR] [--bus]`."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="a scripted drive through every module")
    demo.add_argument("--offscreen", action="store_true", default=argparse.SUPPRESS,
                      help="no display: prompts are written as WAV files")
    demo.add_argument("--speed", type=float, default=10.0, help="time factor, 1-50 (10)")
    demo.add_argument("--out", type=Path, default=Path("demo-out"),
                      help="folder for the recording, prompts and screenshots (demo-out)")
    demo.add_argument("--bus", action="store_true",
                      help="drive a bus line with next-stop announcements instead")
    demo.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from app.demo import run_demo
    from app.main import setup_logging

    setup_logging()
    speed = min(50.0, max(1.0, args.speed))
    return run_demo(args.out, speed, offscreen=getattr(args, "offscreen", False),
                    bus_variant=args.bus)
