"""The player's resume file: a strict schema at the door, atomic writes, corrupt files aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from media.state import PlayerState, load_state, save_state


def test_round_trip_and_no_file(tmp_path: Path) -> None:
    path = tmp_path / "media" / "player.json"
    assert load_state(path) == (None, "")
    state = PlayerState(path="/music/a.flac", position_ms=1234, volume=35, shuffle=True,
                        repeat="all")
    save_state(path, state)
    assert load_state(path) == (state, "")


@pytest.mark.parametrize("content, named", [
    (b"", "invalid json"),
    (b"{not json", "invalid json"),
    (b'{"path": "/a.wav", "position_ms": 12', "eof while parsing"),  # cut by a power loss
    (b"\xff\xfe{}", "invalid json"),
    (b"[1, 2]", "input should be an object"),
    (b'{"volume": 400}', "volume: input should be less than or equal to 100"),
    (b'{"position_ms": -5}', "position_ms: input should be greater than or equal to 0"),
    (b'{"position_ms": 1e400}', "position_ms: input should be a valid integer"),
    (b'{"shuffle": "yes"}', "shuffle: input should be a valid boolean"),
    (b'{"repeat": "sometimes"}', "repeat: input should be 'off', 'one' or 'all'"),
    (b'{"path": 3}', "path: input should be a valid string"),
    (b'{"colour": "red"}', "colour: unknown field"),
    (b"[" * 100_000, "larger than 65536 bytes"),
])
def test_a_corrupt_file_is_moved_aside_with_the_reason(tmp_path: Path, content: bytes,
                                                       named: str) -> None:
    path = tmp_path / "player.json"
    path.write_bytes(content)
    state, problem = load_state(path)
    assert state is None
    assert problem.startswith(f"{path}: ignored, expected the saved player state as JSON (")
    assert named in problem.lower()
    [aside] = tmp_path.glob("player.json.broken-*")
    assert aside.read_bytes() == content and aside.name in problem
    assert load_state(path) == (None, "")  # the next start begins afresh


def test_a_folder_in_place_of_the_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "player.json").mkdir()
    state, problem = load_state(tmp_path / "player.json")
    assert state is None and "a folder, expected a file" in problem
    save_state(tmp_path / "player.json", PlayerState())
    assert load_state(tmp_path / "player.json") == (PlayerState(), "")


KILL_ROUNDS = 12
WRITER = """
import itertools, sys
from pathlib import Path
from media.state import PlayerState, save_state
for n in itertools.count():
    save_state(Path(sys.argv[1]), PlayerState(path="/music/" + "x" * 4000, position_ms=n,
                                              volume=n % 101))
    if n == 0:
        print("writing", flush=True)
"""


def test_kill_9_while_saving_leaves_the_old_state_or_the_new(tmp_path: Path) -> None:
    """A writer process saves in a loop and is killed at a random moment, twelve times; each
    next start loads a whole state, never a part."""
    import random
    import signal
    import subprocess
    import sys
    import time

    rng = random.Random(9)
    path = tmp_path / "player.json"
    for _ in range(KILL_ROUNDS):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)],
                                  cwd=Path(__file__).resolve().parents[2],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        time.sleep(rng.uniform(0.0, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        state, problem = load_state(path)
        assert problem == ""
        assert state is not None and state.path == "/music/" + "x" * 4000
