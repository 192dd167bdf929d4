"""`volant can replay` and `volant can info`: a CAN log through a DBC and KUKSA-format mappings,
for engineers checking a vehicle's data before running the app on it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TextIO

REFRESH_S = 0.25


def register(sub: argparse._SubParsersAction) -> None:
    can = sub.add_parser("can", help="CAN logs and DBC -> VSS mappings (replay, info)")
    commands = can.add_subparsers(dest="can_command", metavar="COMMAND", required=True)
    rep = commands.add_parser(
        "replay", help="print each VSS update the mapping lets through",
        description="Decode LOG with DBC and print each VSS update the mappings let through: "
                    "with --json one object per line {\"t\": s from the log's start, \"path\", "
                    "\"value\"} (\"stale\": true when a signal stopped arriving), else a table "
                    "that refreshes. Malformed frames are counted and reported, the rest plays. "
                    "Exit status: 0 all played, 1 bad input (nothing played), 3 played to the end "
                    "with malformed or undecodable frames skipped (counted on stderr).")
    rep.add_argument("log", metavar="LOG", help="candump .log, .asc, .blf, .trc or .mf4")
    rep.add_argument("--dbc", required=True, help="the DBC file")
    rep.add_argument("--mapping", required=True, action="append",
                     help="KUKSA-format .vspec overlay or VSS JSON; repeat to overlay several")
    rep.add_argument("--json", action="store_true", help="one JSON object per update")
    rep.add_argument("--speed", type=float, default=None,
                     help="N times the log's pace; 0 = as fast as possible (default with --json;"
                          " else 1)")
    rep.set_defaults(func=_replay)
    info = commands.add_parser(
        "info", help="what a log holds and how much of it the DBC (and mapping) decode",
        description="Frames, duration, ids seen, the share of frames the DBC decodes, ids it "
                    "does not know, decode errors by message, and with --mapping the mapped "
                    "signals that never appeared.")
    info.add_argument("log", metavar="LOG")
    info.add_argument("--dbc", required=True)
    info.add_argument("--mapping", action="append", default=[])
    info.set_defaults(func=_info)


BAD_INPUT = 1  # a file or mapping that cannot be used: nothing played
SKIPPED = 3  # the log played to its end, but frames in it were malformed or undecodable


def _fail(message: str) -> int:
    print(f"volant can: {message}", file=sys.stderr)
    return BAD_INPUT


def _replay(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from vehicle_network.dbc import CanInputError, load_dbc
    from vehicle_network.decoder import FrameDecoder
    from vehicle_network.frames import LogFrames
    from vehicle_network.mapping import load_mappings

    out = out or sys.stdout
    speed = args.speed if args.speed is not None else (0.0 if args.json else 1.0)
    if speed < 0:
        return _fail("--speed must be >= 0")
    try:
        dbc = load_dbc(args.dbc)
        decoder = FrameDecoder(dbc, load_mappings(args.mapping, dbc))
        frames = LogFrames(args.log)
        table = _Table(out, live=not args.json and out.isatty())
        started = time.monotonic()
        for frame in frames:
            if speed > 0:
                delay = started + frame.t / speed - time.monotonic()
                if delay > 0.002:
                    time.sleep(delay)
            updates = [*decoder.feed(frame.t, frame.frame_id, frame.extended, frame.data,
                                     frame.where),
                       *((m, type(m.published)(m.published.value, stale=True))
                         for m in decoder.newly_stale(frame.t))]
            for m, payload in updates:
                if args.json:
                    row = {"t": round(frame.t, 6), "path": m.path, "value": payload.value}
                    if payload.stale:
                        row["stale"] = True
                    out.write(json.dumps(row) + "\n")
                else:
                    table.update(frame.t, m.path, payload)
        table.show(final=True)
    except CanInputError as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        return 0
    return _report_bad_frames(args.log, frames.malformed, frames.first_malformed,
                              decoder.stats.errors, decoder.stats.first_error)


def _report_bad_frames(log: str, malformed: int, first_malformed: str, errors, first: str) -> int:
    bad = 0
    if malformed:
        print(f"volant can: {log}: {malformed} malformed record(s) skipped, the rest played; "
              f"first at {first_malformed}", file=sys.stderr)
        bad += malformed
    if errors:
        count = sum(errors.values())
        by = ", ".join(f"{name} {n}" for name, n in errors.most_common())
        print(f"volant can: {log}: {count} frame(s) the DBC could not decode ({by}), the rest "
              f"played; first at {first}", file=sys.stderr)
        bad += count
    return SKIPPED if bad else 0


class _Table:
    """The latest value of each VSS path, redrawn in place on a terminal."""

    def __init__(self, out: TextIO, live: bool) -> None:
        self.out, self.live = out, live
        self.rows: dict[str, tuple[float, object, bool]] = {}
        self.next_draw = 0.0

    def update(self, t: float, path: str, payload) -> None:
        self.rows[path] = (t, payload.value, payload.stale)
        if self.live and time.monotonic() >= self.next_draw:
            self.next_draw = time.monotonic() + REFRESH_S
            self.show()

    def show(self, final: bool = False) -> None:
        if not self.rows or (not final and not self.live):
            return
        width = max(len(p) for p in self.rows)
        lines = [f"{'VSS path':<{width}}  {'value':>14}  {'at s':>9}"]
        for path in sorted(self.rows):
            t, value, stale = self.rows[path]
            text = "--" if stale else (f"{value:.6g}" if isinstance(value, float) else str(value))
            lines.append(f"{path:<{width}}  {text:>14}  {t:9.3f}")
        prefix = "\x1b[H\x1b[J" if self.live else ""
        self.out.write(prefix + "\n".join(lines) + "\n")
        self.out.flush()


def _info(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from collections import Counter

    from vehicle_network.dbc import CanInputError, load_dbc
    from vehicle_network.decoder import FrameDecoder
    from vehicle_network.frames import LogFrames
    from vehicle_network.mapping import load_mappings

    out = out or sys.stdout
    try:
        dbc = load_dbc(args.dbc)
        decoder = FrameDecoder(dbc, load_mappings(args.mapping, dbc)) if args.mapping else None
        frames = LogFrames(args.log)
        ids: Counter = Counter()
        unknown: Counter = Counter()
        errors: Counter = Counter()
        first_error = ""
        decoded = duration = 0
        last: dict[int, bytes] = {}
        for frame in frames:
            ids[frame.frame_id] += 1
            duration = frame.t
            message = dbc.message_for(frame.frame_id, frame.extended)
            if message is None:
                unknown[frame.frame_id] += 1
            elif last.get(frame.frame_id) == frame.data:
                decoded += 1
            else:
                try:
                    if len(frame.data) < message.length:
                        raise ValueError(f"{len(frame.data)} data bytes, needs {message.length}")
                    message.decode(frame.data)
                    decoded += 1
                    last[frame.frame_id] = frame.data
                except Exception as exc:  # cantools DecodeError and codec errors
                    errors[message.name] += 1
                    first_error = first_error or f"{frame.where}{message.name}: {exc}"
            if decoder is not None:
                decoder.feed(frame.t, frame.frame_id, frame.extended, frame.data)
    except CanInputError as exc:
        return _fail(str(exc))
    total = sum(ids.values())
    w = out.write
    w(f"log        {args.log}\n")
    w(f"frames     {total}   duration {duration:.3f} s   ids seen {len(ids)}\n")
    w(f"decoded    {decoded / total:.1%} of frames by {dbc.path.name}\n")
    if unknown:
        w(f"unknown    {len(unknown)} ids ({sum(unknown.values())} frames): "
          + ", ".join(f"0x{i:X}" for i in sorted(unknown)) + "\n")
    if frames.malformed:
        w(f"malformed  {frames.malformed} records skipped; first at {frames.first_malformed}\n")
    if errors:
        w("errors     " + ", ".join(f"{n} {c}" for n, c in errors.most_common())
          + f"; first at {first_error}\n")
    if decoder is not None:
        never = [m for m in decoder.mapping.dbc2vss if m.published is None]
        w(f"mapping    {len(decoder.mapping.dbc2vss) - len(never)} of "
          f"{len(decoder.mapping.dbc2vss)} mapped VSS signals appeared\n")
        for m in never:
            w(f"  never    {m.path} ({m.signal})\n")
    return 0
