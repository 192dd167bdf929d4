"""Shuffle and repeat rules of the play queue."""

from __future__ import annotations

import random

import pytest

from media.queue import RESTART_MS, PlayQueue

PATHS = [f"/m/{n}.wav" for n in range(5)]


def queue(repeat: str = "off", start: int = 0) -> PlayQueue:
    q = PlayQueue(rng=random.Random(7))
    q.load(PATHS, start)
    q.set_repeat(repeat)
    return q


def test_repeat_off_stops_after_the_last_track():
    q = queue(start=3)
    assert q.advance() and q.path == PATHS[4]
    assert not q.advance() and not q.next()
    assert q.path == PATHS[4]


def test_repeat_one_replays_on_end_but_next_moves():
    q = queue("one", start=2)
    assert q.advance() and q.path == PATHS[2]
    assert q.next() and q.path == PATHS[3]


def test_repeat_all_wraps_both_ways():
    q = queue("all", start=4)
    assert q.advance() and q.path == PATHS[0]
    assert q.previous(0) and q.path == PATHS[4]


def test_previous_late_in_a_track_restarts_it():
    q = queue(start=2)
    assert not q.previous(RESTART_MS + 1) and q.path == PATHS[2]
    assert q.previous(RESTART_MS) and q.path == PATHS[1]
    q.current = 0
    assert not q.previous(0)  # first track, repeat off: nowhere to go back to


def test_shuffle_keeps_the_current_track_and_visits_each_once():
    q = queue(start=2)
    q.set_shuffle(True)
    assert q.path == PATHS[2] and q.order[0] == 2
    assert q.order != [2, 0, 1, 3, 4]  # the rest really is reordered
    visited = [q.path]
    while q.advance():
        visited.append(q.path)
    assert sorted(visited) == sorted(PATHS)
    q.set_shuffle(False)
    assert q.order == list(range(5))


def test_bad_repeat_mode_names_the_choices():
    with pytest.raises(ValueError, match="off, one, all"):
        queue().set_repeat("twice")
