"""`volant record FILE` and `volant replay FILE [--speed N]`: both run the app."""

from __future__ import annotations

import argparse

from app.cli import add_app_options


def register(sub: argparse._SubParsersAction) -> None:
    rec = sub.add_parser("record", help="run the app and record every bus message to FILE")
    rec.add_argument("record", metavar="FILE")
    add_app_options(rec, in_subcommand=True)
    rec.set_defaults(func=_run)
    rep = sub.add_parser("replay", help="run the dashboard and replay a recording into it "
                                        "(the modules stay off so nothing is published twice)")
    rep.add_argument("replay", metavar="FILE")
    rep.add_argument("--speed", type=float, default=1.0,
                     help="N times real time; 0 = as fast as possible (default 1)")
    add_app_options(rep, in_subcommand=True)
    rep.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from app.main import run_app

    return run_app(args)
