"""Volant, offline in-vehicle infotainment. Without a command: the dashboard and the vehicle
simulator window, on the default map (central Helsinki)."""

from __future__ import annotations

import argparse
import importlib
import sys

from kernel.languages import CODES
from ui.screens import SCREENS

# Each sub-command module defines `register(subparsers)`, setting `func=<callable(args) -> int>`.
COMMAND_MODULES = [
    "app.commands.record",
    "app.commands.voice",
    "app.commands.route",
    "app.commands.demo",
    "app.commands.can",
    "app.commands.fleet",
]




def add_app_options(parser: argparse.ArgumentParser, *, in_subcommand: bool = False) -> None:
    """Options of the running app; sub-commands that run it (record, replay) accept them too."""
    default = {"default": argparse.SUPPRESS} if in_subcommand else {}
    parser.add_argument("--offscreen", action="store_true", **default,
                        help="render without a display (QT_QPA_PLATFORM=offscreen)")
    parser.add_argument("--screenshot", metavar="PNG", **default,
                        help="render one screen to PNG and exit")
    parser.add_argument("--screen", choices=SCREENS, **(default or {"default": "home"}),
                        help="screen to show first (default: home)")
    parser.add_argument("--size", **(default or {"default": "1280x720"}),
                        help="window size WIDTHxHEIGHT (default: 1280x720)")
    parser.add_argument("--no-simulator", action="store_true", **default,
                        help="do not open the vehicle simulator window")
    parser.add_argument("--night", action="store_true", **default,
                        help="start in night mode")
    source = parser.add_argument_group("vehicle source (default: the simulation, or settings)")
    source.add_argument("--can-log", metavar="FILE", **default,
                        help="replay a CAN log (.log, .asc, .blf, .trc, .mf4) as the vehicle")
    source.add_argument("--can-interface", metavar="NAME", **default,
                        help="read the vehicle's CAN bus live: vcan0, can0 (SocketCAN) or "
                             "INTERFACE:CHANNEL of python-can")
    source.add_argument("--dbc", metavar="DBC", **default, help="DBC for --can-log/-interface")
    source.add_argument("--mapping", metavar="MAP", action="append", **default,
                        help="KUKSA-format DBC->VSS mapping (.vspec or VSS JSON); repeatable")
    source.add_argument("--can-seek", metavar="S", type=float, **default,
                        help="start the CAN log S seconds in (the frames before play at once)")
    source.add_argument("--can-until", metavar="S", type=float, **default,
                        help="pause the CAN log S seconds in and hold its values there "
                             "(e.g. with --can-seek for a screenshot)")
    if not in_subcommand:
        source.add_argument("--speed", type=float, default=1.0,
                            help="CAN log pace, N times real time (default 1)")
    parser.add_argument("--language", choices=CODES, **default,
                        help="language of the screens and voice for this run (default: the "
                             "settings')")
    parser.add_argument("--cluster", action="store_true", **default,
                        help="also open the instrument cluster window")


def build_parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: a sub-command's own option (fleet's --ca) is never read as an
    # abbreviation of an app option (--can-log)
    parser = argparse.ArgumentParser(prog="volant", description=__doc__, allow_abbrev=False)
    add_app_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "func", None) is not None:
        return int(args.func(args) or 0)
    from app.main import run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
