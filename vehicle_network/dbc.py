"""A DBC file loaded with cantools, and the lookup of a received frame's message in it.

J1939 messages (cantools marks them `protocol == "j1939"`) are matched by their PGN whatever the
source address and priority of the frame, as a J1939 network reuses one message definition for
every sender; every other message by its exact arbitration id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cantools
from cantools.database.can import Database, Message
from cantools.j1939 import pgn_from_frame_id


class CanInputError(ValueError):
    """Input refused at the door; the message names the file (and line, path or signal)."""


@dataclass
class Dbc:
    path: Path
    db: Database
    by_pgn: dict[int, Message] = field(default_factory=dict)
    signal_messages: dict[str, list[Message]] = field(default_factory=dict)

    def message_for(self, frame_id: int, extended: bool) -> Message | None:
        """The DBC message of a received frame, or None when the DBC does not know it."""
        try:
            message = self.db.get_message_by_frame_id(frame_id)
        except KeyError:
            message = None
        if message is not None and message.is_extended_frame == extended:
            return message
        if extended and self.by_pgn:
            return self.by_pgn.get(pgn_from_frame_id(frame_id))
        return None


def load_dbc(path: str | Path) -> Dbc:
    """Load a DBC; anything cantools cannot read as a CAN database is refused naming the file."""
    path = Path(path)
    if not path.is_file():
        raise CanInputError(f"{path}: no such DBC file")
    try:
        db = cantools.database.load_file(str(path), database_format="dbc")
    except Exception as exc:  # cantools raises many kinds (ParseError, UnicodeError, ...)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CanInputError(f"{path}: not a DBC file ({first})") from None
    if not isinstance(db, Database) or not db.messages:
        raise CanInputError(f"{path}: not a DBC file (no CAN message defined)")
    dbc = Dbc(path, db)
    for message in db.messages:
        if message.protocol == "j1939":
            dbc.by_pgn[pgn_from_frame_id(message.frame_id)] = message
        for signal in message.signals:
            dbc.signal_messages.setdefault(signal.name, []).append(message)
    return dbc
