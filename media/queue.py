"""The play queue: order, shuffle and repeat rules, with no Qt so they are easy to test.

Repeat "one" replays the track when it ends by itself, but next/previous still move; repeat
"all" wraps around; "off" stops after the last track. Shuffle is a permutation that starts at
the current track, so turning it on never jumps away from what is playing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

REPEAT_MODES = ("off", "one", "all")
RESTART_MS = 3000  # "previous" later than this into a track restarts it instead


@dataclass
class PlayQueue:
    paths: list[str] = field(default_factory=list)
    current: int = -1  # index into paths
    shuffle: bool = False
    repeat: str = "off"
    rng: random.Random = field(default_factory=random.Random)
    order: list[int] = field(default_factory=list)

    def load(self, paths: list[str], start: int = 0) -> None:
        self.paths = list(paths)
        self.current = start if paths else -1
        self._reorder()

    @property
    def path(self) -> str:
        return self.paths[self.current] if 0 <= self.current < len(self.paths) else ""

    def set_shuffle(self, on: bool) -> None:
        self.shuffle = on
        self._reorder()

    def set_repeat(self, mode: str) -> None:
        if mode not in REPEAT_MODES:
            raise ValueError(f"repeat mode {mode!r}: expected one of {', '.join(REPEAT_MODES)}")
        self.repeat = mode

    def _reorder(self) -> None:
        indices = list(range(len(self.paths)))
        if self.shuffle and indices:
            rest = [i for i in indices if i != self.current]
            self.rng.shuffle(rest)
            indices = ([self.current] if self.current >= 0 else []) + rest
        self.order = indices

    def _step(self, delta: int, wrap: bool) -> bool:
        if not self.order:
            return False
        pos = self.order.index(self.current) + delta
        if 0 <= pos < len(self.order):
            self.current = self.order[pos]
            return True
        if not wrap:
            return False
        self.current = self.order[pos % len(self.order)]
        return True

    def advance(self) -> bool:
        """The current track ended by itself; False means stop (end of queue, repeat off)."""
        if self.repeat == "one":
            return bool(self.order)
        return self._step(1, self.repeat == "all")

    def next(self) -> bool:
        """The driver pressed next: moves even under repeat one; wraps under repeat all."""
        return self._step(1, self.repeat == "all")

    def previous(self, position_ms: int) -> bool:
        """True if the current index changed; late in a track the caller restarts it instead."""
        if position_ms > RESTART_MS:
            return False
        return self._step(-1, self.repeat == "all")
