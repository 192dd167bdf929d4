"""CAN log files read with python-can's readers (candump .log, Vector .asc/.blf, .trc, MF4).

A malformed line in a text log (candump .log, Vector .asc, PCAN .trc) is counted, named by its
line number, and skipped: python-can's reader is started again after that line, with the file's
header lines (base, start time, columns) given to it again so the rest reads as before. In the
binary formats (.blf, .mf4) a broken record ends the reading there (their readers keep state
across records), reported the same way. A file in which nothing at all reads as a frame is
refused as "not a CAN log".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import can

from vehicle_network.dbc import CanInputError

READERS = {".log": "candump", ".asc": "Vector ASC", ".blf": "Vector BLF", ".trc": "PCAN TRC",
           ".mf4": "MDF4"}
TEXT_READERS = {".log": can.CanutilsLogReader, ".asc": can.ASCReader, ".trc": can.TRCReader}
NOT_A_LOG_AFTER = 20  # malformed records before the first frame: the file is not a log


@dataclass(frozen=True, slots=True)
class Frame:
    t: float  # seconds from the log's first frame
    frame_id: int
    extended: bool
    data: bytes
    where: str  # "line 17: " or "frame 17: ", for messages about this frame


class _Lines:
    """The file's lines for a python-can text reader, counting them so a failure has a line.

    Header lines given back by `restart` are read first again and not counted."""

    def __init__(self, path: Path) -> None:
        self._file = path.open(encoding="utf-8", errors="replace", newline=None)
        self.line = 0
        self._again: list[str] = []
        self.read: list[str] = []  # taken since the reader's start, while `keep`: the header
        self.keep = True

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._again:
            text = self._again.pop(0)
        else:
            text = next(self._file)
            self.line += 1
        if self.keep:
            self.read.append(text)
        return text

    def restart(self, header: list[str], keep: bool) -> None:
        self._again, self.read, self.keep = list(header), [], keep

    def close(self) -> None:
        self._file.close()


class LogFrames:
    """Iterate a log's frames; `malformed` and `first_malformed` say what was skipped."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.malformed = 0
        self.first_malformed = ""
        suffix = self.path.suffix.lower()
        if suffix not in READERS:
            raise_input(f"{self.path}: not a CAN log python-can reads (expected "
                        f"{', '.join(READERS)})")
        if not self.path.is_file():
            raise_input(f"{self.path}: no such CAN log")
        self._suffix = suffix

    def __iter__(self) -> Iterator[Frame]:
        if self._suffix in TEXT_READERS:
            yield from self._text_frames()
        else:
            yield from self._binary_frames()

    def _skip(self, where: str, exc: Exception, seen: int) -> None:
        self.malformed += 1
        if not self.first_malformed:
            self.first_malformed = f"{where}{type(exc).__name__}: {exc}"
        if seen == 0 and self.malformed >= NOT_A_LOG_AFTER:
            raise_input(f"{self.path}: not a CAN log (no frame in its first "
                        f"{self.malformed} records; first: {self.first_malformed})")

    def _text_frames(self) -> Iterator[Frame]:
        read = TEXT_READERS[self._suffix]
        lines = _Lines(self.path)
        seen, t0 = 0, None
        header: list[str] | None = None  # the lines before the first frame, once one is read
        try:
            while True:
                try:
                    for msg in read(lines):
                        if msg.is_error_frame or msg.is_remote_frame:
                            continue
                        if t0 is None:
                            t0 = msg.timestamp
                        if header is None:
                            header, lines.keep = lines.read[:-1], False
                        seen += 1
                        yield Frame(msg.timestamp - t0, msg.arbitration_id, msg.is_extended_id,
                                    bytes(msg.data), f"line {lines.line}: ")
                    break
                except (ValueError, IndexError) as exc:
                    self._skip(f"line {lines.line}: ", exc, seen)
                    # Before any frame, the good lines read so far are the header; the bad one
                    # is never given back, so every restart moves on.
                    if header is None:
                        lines.restart(lines.read[:-1], keep=True)
                    else:
                        lines.restart(header, keep=False)
                except UnicodeDecodeError as exc:
                    raise_input(f"{self.path}: not a CAN log ({exc.reason})")
        finally:
            lines.close()
        if seen == 0:
            raise_input(f"{self.path}: not a CAN log (no frame in it)")

    def _binary_frames(self) -> Iterator[Frame]:
        seen, t0 = 0, None
        try:
            reader = can.LogReader(self.path)
        except Exception as exc:  # each reader fails its own way on a foreign file
            raise_input(f"{self.path}: not a {READERS[self._suffix]} CAN log ({exc})")
        try:
            for msg in reader:
                if msg.is_error_frame or msg.is_remote_frame:
                    continue
                if t0 is None:
                    t0 = msg.timestamp
                seen += 1
                yield Frame(msg.timestamp - t0, msg.arbitration_id, msg.is_extended_id,
                            bytes(msg.data), f"frame {seen}: ")
        except Exception as exc:  # a broken record: what was read stays played
            if seen == 0:
                raise_input(f"{self.path}: not a {READERS[self._suffix]} CAN log ({exc})")
            self._skip(f"frame {seen + 1}: ", exc, seen)
        finally:
            reader.stop()
        if seen == 0:
            raise_input(f"{self.path}: not a CAN log (no frame in it)")


def raise_input(message: str) -> NoReturn:
    raise CanInputError(message)
