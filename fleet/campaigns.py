"""Collection campaigns (after AWS IoT FleetWise): which signals are sent, when, how urgently.

A campaign file is TOML with `[[campaign]]` tables, checked field by field when loaded (the
error names the file and the field). Kinds:
- periodic: the signals every `period_ms`;
- change: the signals when one of them moves by more than `deadband` (any change for text);
- condition: when all `when` clauses become true (rising edge), at most every
  `min_interval_ms`, with `window_ms` of samples every `period_ms` after the trigger.
Condition campaigns go to the `event` topic, the others to `telemetry` unless `topic` says.
`forward = "parked_or_charging"` keeps bulk data on board until the vehicle is parked or charging.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from kernel import topics
from kernel.topics import VehicleWarnings, VssBool, VssFloat, VssInt, VssString

DEFAULT_CAMPAIGNS = Path(__file__).with_name("campaigns") / "default.toml"
ALERTS = topics.VEHICLE_WARNINGS
_VSS_PAYLOADS = (VssFloat, VssInt, VssBool, VssString)
SIGNALS = frozenset(name for name, spec in topics.CATALOGUE.items()
                    if spec.payload in _VSS_PAYLOADS) | {ALERTS}
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne}


class CampaignError(ValueError):
    """A campaign file that cannot be used; the message names the file and field."""


def _known(signal: str) -> None:
    if signal not in SIGNALS:
        raise ValueError(f"unknown signal {signal!r} (a VSS name of kernel/topics.py or "
                         f"{ALERTS!r})")


class Clause(msgspec.Struct, forbid_unknown_fields=True):
    signal: str
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    value: float | bool | str

    def __post_init__(self) -> None:
        _known(self.signal)

    def holds(self, values: dict[str, Any]) -> bool:
        current = values.get(self.signal)
        if current is None:
            return False
        try:
            return bool(OPERATORS[self.op](current, self.value))
        except TypeError:  # a text signal compared with a number: never true
            return False


class Campaign(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]
    kind: Literal["periodic", "change", "condition"]
    signals: Annotated[list[str], msgspec.Meta(min_length=1)]
    priority: Annotated[int, msgspec.Meta(ge=0, le=9)] = 0
    period_ms: Annotated[int, msgspec.Meta(ge=0)] = 0
    deadband: Annotated[float, msgspec.Meta(ge=0)] = 0.0
    when: list[Clause] = []
    min_interval_ms: Annotated[int, msgspec.Meta(ge=0)] = 0
    window_ms: Annotated[int, msgspec.Meta(ge=0)] = 0
    topic: Literal["telemetry", "event", ""] = ""
    forward: Literal["always", "parked_or_charging"] = "always"

    def __post_init__(self) -> None:
        for signal in self.signals:
            _known(signal)
        if self.kind == "periodic" and self.period_ms < 50:
            raise ValueError(f"campaign {self.name!r}: periodic needs period_ms >= 50")
        if self.kind == "condition" and not self.when:
            raise ValueError(f"campaign {self.name!r}: condition needs `when` clauses")
        if self.kind != "condition" and (self.when or self.window_ms):
            raise ValueError(f"campaign {self.name!r}: `when` and `window_ms` are for "
                             "condition campaigns")
        if self.window_ms and self.period_ms < 50:
            raise ValueError(f"campaign {self.name!r}: a window needs period_ms >= 50")

    @property
    def event(self) -> bool:
        return self.topic == "event" or (self.topic == "" and self.kind == "condition")


class CampaignFile(msgspec.Struct, forbid_unknown_fields=True):
    campaign: Annotated[list[Campaign], msgspec.Meta(min_length=1)]


def load_campaigns(paths: list[Path] | tuple[Path, ...] = ()) -> list[Campaign]:
    """The campaigns of the files (the default file if none); names are unique across files."""
    campaigns: list[Campaign] = []
    for path in paths or (DEFAULT_CAMPAIGNS,):
        try:
            parsed = msgspec.toml.decode(Path(path).read_bytes(), type=CampaignFile)
        except OSError as exc:
            raise CampaignError(f"{path}: cannot read ({exc.strerror})") from None
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise CampaignError(f"{path}: {exc}") from None
        for c in parsed.campaign:
            if any(c.name == other.name for other in campaigns):
                raise CampaignError(f"{path}: campaign name {c.name!r} used twice")
            campaigns.append(c)
    return campaigns


def signal_value(topic: str, payload: Any) -> Any:
    """The JSON value of a bus signal: the VSS value, or the active alert codes."""
    if isinstance(payload, VehicleWarnings):
        return sorted(f"{w.level}:{w.code}" for w in payload.items)
    return payload.value


@dataclass(frozen=True, slots=True)
class Record:
    """One message a campaign wants sent."""

    campaign: Campaign
    fields: dict[str, Any]


@dataclass
class _State:
    next_due: float = 0.0
    last_sent: dict[str, Any] = field(default_factory=dict)
    was_true: bool = False
    last_trigger: float = float("-inf")
    window_end: float = 0.0
    window: list[dict[str, Any]] = field(default_factory=list)
    trigger: dict[str, Any] | None = None


class Collector:
    """Evaluates campaigns over the latest signal values; not thread-safe (one thread owns it).
    `now` is wall-clock unix time, which the messages carry."""

    def __init__(self, campaigns: list[Campaign]) -> None:
        self.campaigns = campaigns
        self.values: dict[str, Any] = {}
        self._state = {c.name: _State() for c in campaigns}

    def _pick(self, c: Campaign) -> dict[str, Any]:
        return {s: self.values[s] for s in c.signals if s in self.values}

    def update(self, signal: str, value: Any, now: float) -> list[Record]:
        """A new value: change and condition campaigns that depend on it may fire."""
        now = round(now, 3)
        if self.values.get(signal, _MISSING) == value:
            return []
        self.values[signal] = value
        out: list[Record] = []
        for c in self.campaigns:
            state = self._state[c.name]
            if c.kind == "change" and signal in c.signals and self._moved(c, state):
                state.last_sent = self._pick(c)
                out.append(Record(c, {"ts": now, "campaign": c.name, "signals": state.last_sent}))
            elif c.kind == "condition" and any(w.signal == signal for w in c.when):
                out.extend(self._condition(c, state, now))
        return out

    def _moved(self, c: Campaign, state: _State) -> bool:
        for s in c.signals:
            if s not in self.values:
                continue
            new, old = self.values[s], state.last_sent.get(s, _MISSING)
            if old is _MISSING:
                return True
            numeric = isinstance(new, int | float) and not isinstance(new, bool) \
                and isinstance(old, int | float) and not isinstance(old, bool)
            if (abs(new - old) > c.deadband) if numeric else new != old:
                return True
        return False

    def _condition(self, c: Campaign, state: _State, now: float) -> list[Record]:
        true = all(w.holds(self.values) for w in c.when)
        rising = true and not state.was_true
        state.was_true = true
        if not rising or now - state.last_trigger < c.min_interval_ms / 1000.0 \
                or state.trigger is not None:
            return []
        state.last_trigger = now
        trigger = {"ts": now, "campaign": c.name, "signals": self._pick(c)}
        if not c.window_ms:
            return [Record(c, trigger)]
        state.trigger, state.window = trigger, []
        state.window_end = now + c.window_ms / 1000.0
        state.next_due = now + c.period_ms / 1000.0
        return []

    def tick(self, now: float) -> list[Record]:
        """Periodic campaigns that are due, and condition windows sampling or closing."""
        now = round(now, 3)
        out: list[Record] = []
        for c in self.campaigns:
            state = self._state[c.name]
            if c.kind == "periodic" and now >= state.next_due:
                period = c.period_ms / 1000.0
                state.next_due += period
                if state.next_due <= now:  # first run or far behind: restart the cadence
                    state.next_due = now + period
                picked = self._pick(c)
                if picked:
                    out.append(Record(c, {"ts": now, "campaign": c.name, "signals": picked}))
            elif state.trigger is not None and now >= state.next_due:
                state.window.append({"ts": now, "signals": self._pick(c)})
                state.next_due = now + c.period_ms / 1000.0
                if now >= state.window_end:
                    out.append(Record(c, {**state.trigger, "window": state.window}))
                    state.trigger, state.window = None, []
        return out

    def next_due(self) -> float:
        """Unix time of the next scheduled tick (inf when none)."""
        due = [self._state[c.name].next_due for c in self.campaigns
               if c.kind == "periodic" or self._state[c.name].trigger is not None]
        return min(due, default=float("inf"))

    def snapshot(self, now: float) -> dict[str, Any]:
        """Every known signal now (a state request)."""
        return {"ts": round(now, 3), "campaign": "state_request", "signals": dict(self.values)}


_MISSING = object()
