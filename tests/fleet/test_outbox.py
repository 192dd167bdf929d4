"""The outbox on its own: seq for life, deletion only on acknowledgement, send order, the size
bound and its drop policy, remembered command ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleet.outbox import Outbox


def bodies(batch) -> list[dict]:
    return [json.loads(p.body) for p in batch]


def test_seq_increases_by_one_and_survives_reopening(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", "car-1")
    assert [box.append("t", {"n": i}) for i in range(3)] == [1, 2, 3]
    box.close()
    box = Outbox(tmp_path / "o.sqlite", "car-1")
    assert box.append("t", {"n": 3}) == 4
    assert box.count == 4
    sent = bodies(box.next_batch(10, release_held=True))
    assert [b["seq"] for b in sent] == [4, 1, 2, 3]  # the new one is live, 1-3 are backlog
    assert {b["vehicle"] for b in sent} == {"car-1"}


def test_only_an_acknowledgement_removes_a_message(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", "car-1")
    box.append("t", {"n": 1})
    box.append("t", {"n": 2})
    first, second = box.next_batch(10, release_held=True)
    assert box.next_batch(10, release_held=True) == []  # both in flight
    box.acknowledge(first.id)
    box.release(second.id)  # the send failed: it comes back
    again = box.next_batch(10, release_held=True)
    assert [p.id for p in again] == [second.id]
    assert box.count == 1
    box.close()
    reopened = Outbox(tmp_path / "o.sqlite", "car-1")  # in flight at a crash: still stored
    assert [json.loads(p.body)["n"] for p in reopened.next_batch(10, release_held=True)] == [2]


def test_live_data_goes_first_then_the_backlog_in_order(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", "car-1")
    for n in range(3):
        box.append("t", {"n": f"old{n}"}, priority=9 if n == 2 else 0)
    box.mark_connected()
    box.append("t", {"n": "live-low"}, priority=1)
    box.append("t", {"n": "live-high"}, priority=8)
    order = [b["n"] for b in bodies(box.next_batch(10, release_held=True))]
    assert order == ["live-high", "live-low", "old0", "old1", "old2"]



def test_small_windows_walk_live_then_backlog_each_message_once(tmp_path: Path) -> None:
    """The sender takes a window at a time while earlier ones are still in flight."""
    box = Outbox(tmp_path / "o.sqlite", "car-1")
    for n in range(7):
        box.append("t", {"n": f"old{n}"})
    box.mark_connected()
    for n in range(3):
        box.append("t", {"n": f"live{n}"}, priority=n)
    first = box.next_batch(2, release_held=True)
    second = box.next_batch(4, release_held=True)  # first still in flight
    box.acknowledge(*(p.id for p in first))
    rest = box.next_batch(10, release_held=True)
    order = [b["n"] for b in bodies(first + second + rest)]
    assert order == ["live2", "live1", "live0", "old0", "old1", "old2", "old3", "old4",
                     "old5", "old6"]
    assert box.next_batch(10, release_held=True) == []  # all in flight: nothing twice

def test_held_messages_wait_for_release(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", "car-1")
    box.append("t", {"n": "bulk"}, held=True)
    box.append("t", {"n": "now"})
    assert [b["n"] for b in bodies(box.next_batch(10, release_held=False))] == ["now"]
    assert [b["n"] for b in bodies(box.next_batch(10, release_held=True))] == ["bulk"]


def test_bound_drops_samples_before_events_low_priority_and_oldest_first(
        tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", "car-1", max_bytes=10_000)
    box.append("t", {"n": "event-low", "pad": "x" * 1100}, priority=0, event=True)
    box.append("t", {"n": "sample-high", "pad": "x" * 1100}, priority=9)
    box.append("t", {"n": "sample-low-old", "pad": "x" * 1100}, priority=1)
    box.append("t", {"n": "sample-low-new", "pad": "x" * 1100}, priority=1)
    [in_flight] = box.next_batch(1, release_held=True)  # never dropped while in flight
    for i in range(6):
        box.append("t", {"n": f"event-{i}", "pad": "x" * 1100}, priority=5, event=True)
    assert box.bytes <= 10_000
    kept = {b["n"] for b in bodies(box.next_batch(100, release_held=True))}
    kept.add(json.loads(in_flight.body)["n"])
    dropped = {"sample-low-old", "sample-low-new"}
    assert box.dropped == len(dropped)
    assert kept.isdisjoint(dropped)
    assert {"event-low", "sample-high"} <= kept  # events and higher priority kept
    assert box.seq == 10  # seq still counts every message, so a receiver sees the gaps


def test_bound_drops_events_only_when_no_sample_is_left(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", "car-1", max_bytes=10_000)
    for i in range(15):
        box.append("t", {"n": i, "pad": "x" * 900}, priority=5, event=True)
    assert box.bytes <= 10_000
    assert box.dropped == 15 - box.count
    remaining = [b["n"] for b in bodies(box.next_batch(100, release_held=True))]
    assert remaining == list(range(15 - box.count, 15))  # oldest went first


def test_a_command_id_is_remembered_until_it_expires(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", "car-1")
    assert box.remember_command("c1", expires=100.0, now=50.0)
    assert not box.remember_command("c1", expires=100.0, now=60.0)
    box.close()
    box = Outbox(tmp_path / "o.sqlite", "car-1")
    assert not box.remember_command("c1", expires=100.0, now=70.0)  # across a restart too
    assert box.remember_command("c2", expires=300.0, now=200.0)  # c1 forgotten
    assert box.remember_command("c1", expires=300.0, now=200.0)


def test_bad_durability_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        Outbox(tmp_path / "o.sqlite", "car-1", synchronous="OFF")
