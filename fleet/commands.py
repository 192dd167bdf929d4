"""Remote commands from the fleet operator: the schema, and the checks every command passes
before anything happens in the vehicle.

A command is JSON `{"id", "expires" (unix time), "type", ...}`. It is refused when it is not
JSON, too big, of an unknown type, not in the allow list, does not fit its type's schema, has
expired, expires too far ahead (so remembered ids stay bounded) or was seen before (replay).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec

from fleet.config import COMMAND_TYPES

MAX_BYTES = 4096
MAX_AHEAD_S = 24 * 3600
CommandId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class Command(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    id: CommandId
    expires: float


class Destination(Command, tag="destination"):
    destination: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class DriverText(Command, tag="message"):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class Precondition(Command, tag="precondition"):
    departure: float  # unix time
    cabin_c: Annotated[float, msgspec.Meta(ge=10.0, le=30.0)] = 21.0


class StateRequest(Command, tag="state"):
    pass


AnyCommand = Destination | DriverText | Precondition | StateRequest


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a command was refused; `id` and `type` as far as they could be read."""

    id: str
    type: str
    reason: str


def parse(raw: bytes, allowed: tuple[str, ...], now: float) -> AnyCommand | Refusal:
    """The command, or why it is refused (replay is checked by the caller, who keeps ids)."""
    if len(raw) > MAX_BYTES:
        return Refusal("", "", f"malformed: larger than {MAX_BYTES} bytes")
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        return Refusal("", "", f"malformed: {exc}")
    if not isinstance(data, dict):
        return Refusal("", "", "malformed: expected a JSON object")
    cid = data.get("id") if isinstance(data.get("id"), str) else ""
    kind = data.get("type") if isinstance(data.get("type"), str) else ""
    cid, kind = cid[:64], kind[:32]
    if kind not in COMMAND_TYPES:
        return Refusal(cid, kind, f"unknown command type {kind!r}")
    if kind not in allowed:
        return Refusal(cid, kind, f"command type {kind!r} not allowed on this vehicle")
    try:
        command = msgspec.convert(data, AnyCommand)
    except msgspec.ValidationError as exc:
        return Refusal(cid, kind, f"invalid: {exc}")
    if command.expires < now:
        return Refusal(cid, kind, "expired")
    if command.expires > now + MAX_AHEAD_S:
        return Refusal(cid, kind, f"invalid: expires more than {MAX_AHEAD_S} s ahead")
    if isinstance(command, Precondition) and not now < command.departure < now + MAX_AHEAD_S:
        return Refusal(cid, kind, "invalid: departure must be in the next 24 hours")
    return command


def type_of(command: AnyCommand) -> str:
    return command.__struct_config__.tag
