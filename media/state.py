"""The player's resume state (track, position, volume, shuffle, repeat) in a small JSON file.

Written atomically (kernel.settings.write_atomically), so a crash leaves the old state or the
new one. Read through a strict schema: a file that is not that state (a half-written leftover
of another program, a hand edit) is moved aside under a unique name, reported, and the player
starts from nothing; the next save writes a whole file again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kernel.settings import describe, move_aside, write_atomically

MAX_STATE_BYTES = 65_536  # the state is under 1 KB


class PlayerState(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)

    path: Annotated[str, StringConstraints(max_length=4096)] = ""
    position_ms: Annotated[int, Field(ge=0)] = 0
    volume: Annotated[int, Field(ge=0, le=100)] = 60
    shuffle: bool = False
    repeat: Literal["off", "one", "all"] = "off"


def save_state(path: Path, state: PlayerState) -> None:
    """Raises OSError if the file cannot be written."""
    write_atomically(path, state.model_dump_json().encode("utf-8"))


def load_state(path: Path) -> tuple[PlayerState | None, str]:
    """The saved state and "", or None and the problem (the file is then moved aside);
    None and "" when there is no file yet."""
    if not path.exists() and not path.is_symlink():
        return None, ""
    try:
        if path.is_dir():
            raise ValueError("a folder, expected a file")
        with open(path, "rb") as file:
            raw = file.read(MAX_STATE_BYTES + 1)
        if len(raw) > MAX_STATE_BYTES:
            raise ValueError(f"larger than {MAX_STATE_BYTES} bytes")
        return PlayerState.model_validate_json(raw), ""
    except ValidationError as exc:
        reason = "; ".join(describe(exc, unknown="unknown field"))
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
    problem = f"{path}: ignored, expected the saved player state as JSON ({reason})"
    try:
        problem += f"; kept it as {move_aside(path).name}"
    except OSError as exc:
        problem += f"; could not move it aside ({exc.strerror or exc})"
    return None, problem
