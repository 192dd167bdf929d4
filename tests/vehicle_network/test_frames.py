"""Broken records inside text logs of every format python-can writes (.log, .asc, .trc): each
is counted and named by its line, and the rest of the log still plays with the same times."""

from __future__ import annotations

from pathlib import Path

import can
import pytest

from vehicle_network.frames import LogFrames

DATA = [bytes([i, 0xA0 + i, 2, 3]) for i in range(10)]


def written(path: Path) -> list[str]:
    """Ten frames 10 ms apart, written by python-can's own writer for the file's format."""
    with can.Logger(str(path)) as writer:
        for i, data in enumerate(DATA):
            writer.on_message_received(can.Message(timestamp=1000.0 + i / 100,
                                                   arbitration_id=0x100 + i, data=data,
                                                   is_extended_id=False))
    return path.read_text().splitlines()


def break_frame(lines: list[str], i: int) -> int:
    """Put a non-hex byte into frame i's data; the index of the line broken."""
    data = f"{0xA0 + i:02X}"
    k = next(k for k, line in enumerate(lines) if f"{0x100 + i:X}" in line.upper()
             and data in line.upper())
    lines[k] = lines[k].upper().replace(data, "ZZ", 1)
    return k


@pytest.mark.parametrize("suffix", [".log", ".asc", ".trc"])
@pytest.mark.parametrize("broken", [(4,), (0, 7), (3, 4, 9)])
def test_a_broken_line_is_skipped_and_the_rest_reads_on(tmp_path, suffix, broken) -> None:
    path = tmp_path / f"drive{suffix}"
    lines = written(path)
    numbers = sorted(break_frame(lines, i) + 1 for i in broken)
    path.write_text("\n".join(lines) + "\n")
    frames = LogFrames(path)
    got = list(frames)
    kept = [i for i in range(10) if i not in broken]
    assert [f.frame_id for f in got] == [0x100 + i for i in kept]
    assert [f.data for f in got] == [DATA[i] for i in kept]
    first = kept[0]
    assert [round(f.t, 3) for f in got] == [round((i - first) / 100, 3) for i in kept]
    assert frames.malformed == len(broken)
    assert frames.first_malformed.startswith(f"line {numbers[0]}: ValueError")


@pytest.mark.parametrize("suffix", [".asc", ".trc"])
def test_a_text_log_of_only_broken_frames_is_refused(tmp_path, suffix) -> None:
    from vehicle_network.dbc import CanInputError

    path = tmp_path / f"drive{suffix}"
    lines = written(path)
    for i in range(10):
        break_frame(lines, i)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CanInputError, match="not a CAN log"):
        list(LogFrames(path))
