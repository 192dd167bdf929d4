"""The store-and-forward outbox: every fleet message is written here before it is sent, and
deleted only when the broker acknowledges it (QoS 1 PUBACK).

SQLite in WAL mode, one file per vehicle. A message gets its `seq` in the same transaction that
stores it, so the sequence is gap-free and survives restarts and kill -9: a receiver that sees a
gap knows a message was dropped here by the size bound (and `dropped` counts it).

Send order: messages written since the link last connected ("live") go first, highest priority
first; the backlog from before that drains after them, oldest first. Drop policy when the stored
bytes pass the bound: periodic samples before events, lower priority before higher, oldest first;
messages in flight are never dropped.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

SAMPLE, EVENT = 0, 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    body BLOB NOT NULL,
    priority INTEGER NOT NULL,
    event INTEGER NOT NULL,
    held INTEGER NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS message_drop ON message (event, priority, id);
CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS seen_command (id TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS command_log (
    at REAL NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""
_LIVE = ("SELECT id, topic, body FROM message WHERE id > ?1 AND (held = 0 OR ?2) "
         "ORDER BY priority DESC, id LIMIT ?3")
_BACKLOG = ("SELECT id, topic, body FROM message WHERE id <= ?1 AND (held = 0 OR ?2) "
            "ORDER BY id LIMIT ?3")


@dataclass(frozen=True, slots=True)
class Pending:
    """A stored message ready to send."""

    id: int
    topic: str
    body: bytes


class Outbox:
    """Thread-safe (one connection behind a lock): the collector appends, the sender reads and
    the MQTT callback thread acknowledges."""

    def __init__(self, path: Path, vehicle: str, *, max_bytes: int = 20_000_000,
                 synchronous: str = "FULL") -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous: expected FULL or NORMAL, got {synchronous!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.vehicle = vehicle
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed message survives a power cut, not only a crash of the process.
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT COALESCE(SUM(size), 0), COUNT(*) FROM message").fetchone()
        self.bytes, self.count = int(row[0]), int(row[1])
        self.dropped = self._counter("dropped")
        self.boundary = self._max_id()  # everything up to here is backlog
        self._inflight: set[int] = set()

    # -- counters --------------------------------------------------------------------------
    def _counter(self, name: str) -> int:
        row = self._db.execute("SELECT value FROM counter WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _bump(self, name: str, by: int) -> int:
        value = self._counter(name) + by
        self._db.execute("INSERT INTO counter VALUES (?, ?) ON CONFLICT(name) DO UPDATE "
                         "SET value = excluded.value", (name, value))
        return value

    @property
    def seq(self) -> int:
        """The last sequence number given out (0 before the first message)."""
        with self._lock:
            return self._counter("seq")

    def _max_id(self) -> int:
        return int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM message").fetchone()[0])

    # -- writing ---------------------------------------------------------------------------
    def append(self, topic: str, fields: dict, *, priority: int = 0, event: bool = False,
               held: bool = False) -> int:
        """Store one message `{"vehicle", "seq", **fields}`; return its seq."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seq = self._bump("seq", 1)
                body = json.dumps({"vehicle": self.vehicle, "seq": seq, **fields},
                                  separators=(",", ":")).encode()
                size = len(body) + len(topic)
                self._db.execute(
                    "INSERT INTO message (topic, body, priority, event, held, size) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (topic, body, priority, int(event), int(held), size))
                self.bytes += size
                self.count += 1
                if self.bytes > self.max_bytes:
                    self._drop()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                row = self._db.execute("SELECT COALESCE(SUM(size), 0), COUNT(*) FROM message")
                self.bytes, self.count = (int(x) for x in row.fetchone())
                raise
            return seq

    def _drop(self) -> None:
        """Delete by the declared policy until the bound holds again (in the caller's
        transaction)."""
        excluded = ",".join(str(i) for i in self._inflight) or "-1"
        rows = self._db.execute(
            f"SELECT id, size FROM message WHERE id NOT IN ({excluded}) "
            "ORDER BY event, priority, id")
        doomed = []
        while self.bytes > self.max_bytes and (row := rows.fetchone()) is not None:
            doomed.append((row[0],))
            self.bytes -= row[1]
            self.count -= 1
        rows.close()
        self._db.executemany("DELETE FROM message WHERE id = ?", doomed)
        self.dropped = self._bump("dropped", len(doomed))

    # -- sending ---------------------------------------------------------------------------
    def mark_connected(self) -> None:
        """A new connection: what is stored now is backlog, anything newer is live."""
        with self._lock:
            self.boundary = self._max_id()

    def next_batch(self, limit: int, *, release_held: bool) -> list[Pending]:
        """Up to `limit` messages not yet in flight, in send order; they are then in flight."""
        if limit <= 0:
            return []
        with self._lock:
            # Fixed statements (prepared once), in-flight rows skipped here: the backlog is read
            # in rowid order and stops after `limit` rows, so a large backlog drains at the same
            # pace as a small one; only the live part (since the connection) is sorted.
            wanted = limit + len(self._inflight)
            rows: list[tuple[int, str, bytes]] = []
            for sql in (_LIVE, _BACKLOG):
                if len(rows) >= limit:
                    break
                rows += [r for r in self._db.execute(sql, (self.boundary, int(release_held),
                                                           wanted))
                         if r[0] not in self._inflight][:limit - len(rows)]
            self._inflight.update(r[0] for r in rows)
            return [Pending(r[0], r[1], bytes(r[2])) for r in rows]

    def acknowledge(self, *message_ids: int) -> None:
        """The broker has these messages: forget them (one transaction for all)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for message_id in message_ids:
                self._inflight.discard(message_id)
                row = self._db.execute("DELETE FROM message WHERE id = ? RETURNING size",
                                       (message_id,)).fetchone()
                if row:
                    self.bytes -= int(row[0])
                    self.count -= 1
            self._db.execute("COMMIT")

    def release(self, message_id: int) -> None:
        """A send that will not complete (the client refused it): send it again later."""
        with self._lock:
            self._inflight.discard(message_id)

    def stored_seqs(self) -> set[int]:
        """The seq of every message still on board (not yet acknowledged)."""
        with self._lock:
            return {json.loads(body)["seq"] for (body,) in
                    self._db.execute("SELECT body FROM message")}

    @property
    def inflight(self) -> int:
        with self._lock:
            return len(self._inflight)

    # -- commands --------------------------------------------------------------------------
    def remember_command(self, command_id: str, expires: float, now: float) -> bool:
        """Record a command id; False when it was seen before (a replay). Ids whose expiry has
        passed are forgotten: such a command is refused as expired anyway."""
        with self._lock:
            self._db.execute("DELETE FROM seen_command WHERE expires < ?", (now,))
            cur = self._db.execute("INSERT OR IGNORE INTO seen_command VALUES (?, ?)",
                                   (command_id, expires))
            return cur.rowcount == 1

    def log_command(self, at: float, command_id: str, kind: str, status: str,
                    reason: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO command_log VALUES (?, ?, ?, ?, ?)",
                             (at, command_id, kind, status, reason))

    def command_log(self) -> list[tuple[str, str, str, str]]:
        with self._lock:
            return [tuple(r) for r in self._db.execute(
                "SELECT id, type, status, reason FROM command_log ORDER BY rowid")]

    def close(self) -> None:
        with self._lock:
            self._db.close()
