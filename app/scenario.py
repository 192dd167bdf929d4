"""Scenarios: a small script of bus inputs with the bus outcomes expected, as a TOML file.

Testers write drives and voice sessions as files instead of code; `run` replays them through
real modules on a real bus. A step is exactly one of:

    publish = "<topic>", payload = {...}    put a message on the bus (validated like a replay)
    say = "<text>"                           the driver says it (a `voice.utterance`)
    wait = <seconds>                         let the modules work
    expect = "<topic>", where = {...}        a matching message must arrive (in order after the
                                             previous expectation), within `timeout` seconds
    forbid = "<topic>", where = {...}        no matching message may arrive during the scenario

`where` maps dotted field paths of the payload's JSON form to values: equal, or for a string
starting with "~", containing the rest (case-insensitive). A path through a list matches when
any element matches.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel import topics
from kernel.codec import PayloadError, from_json, to_json
from kernel.event_bus import EventBus, Message
from kernel.watch import BusLog

DEFAULT_TIMEOUT_S = 30.0
STEP_KINDS = ("publish", "say", "wait", "expect", "forbid")


class ScenarioError(ValueError):
    """A scenario file that cannot be run as written."""


@dataclass(frozen=True)
class Step:
    kind: str
    topic: str = ""
    payload: Any = None
    where: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path
    steps: tuple[Step, ...]
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    passed: bool
    failures: list[str]
    messages: list[Message]


def load(path: Path) -> Scenario:
    """Parse and validate a scenario file; errors name the file, the step and what is wrong."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario ({exc})") from None
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScenarioError(f"{path}: expected a non-empty [[steps]] list")
    steps = tuple(_step(path, i, raw) for i, raw in enumerate(raw_steps, start=1))
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ScenarioError(f"{path}: [settings] must be a table")
    return Scenario(str(data.get("name", Path(path).stem)), Path(path), steps, settings)


def _step(path: Path, number: int, raw: Any) -> Step:
    where = f"{path}: step {number}"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: expected a table")
    kinds = [k for k in STEP_KINDS if k in raw]
    if len(kinds) != 1:
        raise ScenarioError(f"{where}: expected exactly one of {', '.join(STEP_KINDS)}, "
                            f"got {', '.join(kinds) or 'none'}")
    kind = kinds[0]
    if kind == "say":
        return Step("publish", topics.VOICE_UTTERANCE, topics.Utterance(str(raw["say"])))
    if kind == "wait":
        seconds = raw["wait"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ScenarioError(f"{where}: wait must be seconds >= 0, got {seconds!r}")
        return Step("wait", seconds=float(seconds))
    topic = raw[kind]
    spec = topics.CATALOGUE.get(topic)
    if spec is None:
        raise ScenarioError(f"{where}: unknown topic {topic!r}")
    if kind == "publish":
        try:
            payload = from_json(spec.payload, raw.get("payload", {}))
        except PayloadError as exc:
            raise ScenarioError(f"{where}: topic {topic!r}: {exc}") from None
        return Step("publish", topic, payload)
    match = raw.get("where", {})
    if not isinstance(match, dict):
        raise ScenarioError(f"{where}: 'where' must be a table of field = value")
    timeout = raw.get("timeout", DEFAULT_TIMEOUT_S)
    return Step(kind, topic, where=match, seconds=float(timeout))


def matches(payload: Any, where: dict[str, Any]) -> bool:
    data = to_json(payload)
    return all(_path_matches(data, key.split("."), want) for key, want in where.items())


def _path_matches(data: Any, path: list[str], want: Any) -> bool:
    if not path:
        if isinstance(want, str) and want.startswith("~") and isinstance(data, str):
            return want[1:].casefold() in data.casefold()
        return data == want
    if isinstance(data, list):
        return any(_path_matches(item, path, want) for item in data)
    if not isinstance(data, dict) or path[0] not in data:
        return False
    return _path_matches(data[path[0]], path[1:], want)


def run(scenario: Scenario, bus: EventBus) -> Outcome:
    """Play the steps on `bus` (whose modules are already started) and check the outcomes."""
    log = BusLog(bus, name="scenario")
    failures: list[str] = []
    cursor = 0
    try:
        for number, step in enumerate(scenario.steps, start=1):
            if step.kind == "publish":
                bus.publish(step.topic, step.payload)
            elif step.kind == "wait":
                time.sleep(step.seconds)
            elif step.kind == "expect":
                found = log.find(step.topic, lambda p, step=step: matches(p, step.where),
                                 step.seconds, cursor)
                if found is None:
                    failures.append(f"step {number}: no {step.topic} matching {step.where} "
                                    f"within {step.seconds:g} s")
                    break
                cursor = found + 1
    finally:
        log.close()
    seen = log.messages
    for number, step in enumerate(scenario.steps, start=1):
        if step.kind == "forbid":
            bad = [m for m in seen if m.topic == step.topic and matches(m.payload, step.where)]
            if bad:
                failures.append(f"step {number}: forbidden {step.topic} {to_json(bad[0].payload)}")
    return Outcome(not failures, failures, seen)
