"""DBC <-> VSS mappings in Eclipse KUKSA's format (kuksa-can-provider, mapping/README.md).

A mapping file is a VSS overlay (`.vspec` YAML, dotted paths as keys) or a VSS JSON tree
(`children` nesting) whose signals carry `dbc2vss` (synonym `dbc`) and/or `vss2dbc`. It is
checked once, here: its schema, every `math` expression, every DBC signal (and multiplexer) it
names against the DBC, every `from` value against the signal's value table, and every VSS path
against the topics Volant declares with their datatypes. A problem is refused with the file, the
line where known, the VSS path and the field named.

Volant extension: `dbc2vss.timeout_ms`, the time without the signal after which its value is
stale (default: the larger of 3 s and three intervals).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import msgspec
import yaml
from cantools.database.namedsignalvalue import NamedSignalValue

from kernel import topics
from kernel.topics import VssBool, VssFloat, VssInt, VssString
from vehicle_network.dbc import CanInputError, Dbc
from vehicle_network.expression import ExpressionError, compile_math

NO_VALUE = object()  # a transform that has no answer for a value: the frame is ignored
DEFAULT_INTERVAL_MS = 1000
MIN_TIMEOUT_MS = 3000
VSS_DATATYPES = {
    **dict.fromkeys(("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                     "uint64"), VssInt),
    "float": VssFloat, "double": VssFloat, "boolean": VssBool, "string": VssString,
}

NonNegative = Annotated[int, msgspec.Meta(ge=0)]


class MapEntry(msgspec.Struct, forbid_unknown_fields=True):
    from_: str | int | float | bool = msgspec.field(name="from")
    to: str | int | float | bool


class TransformSpec(msgspec.Struct, forbid_unknown_fields=True):
    math: str | None = None
    mapping: list[MapEntry] | None = None


class MuxSpec(msgspec.Struct, forbid_unknown_fields=True):
    signal: str
    value: int


class Dbc2VssSpec(msgspec.Struct, forbid_unknown_fields=True):
    signal: str
    interval_ms: NonNegative | None = None
    on_change: bool | None = None
    transform: TransformSpec | None = None
    multiplexer: list[MuxSpec] = []
    timeout_ms: Annotated[int, msgspec.Meta(gt=0)] | None = None


class Vss2DbcSpec(msgspec.Struct, forbid_unknown_fields=True):
    signal: str
    transform: TransformSpec | None = None
    interval_ms: NonNegative | None = None  # accepted and ignored, as KUKSA does
    on_change: bool | None = None


@dataclass
class Dbc2Vss:
    """One DBC signal feeding one VSS path, with the state the evaluation order needs."""

    path: str
    signal: str
    interval_s: float
    on_change: bool
    timeout_s: float
    multiplexer: tuple[tuple[str, int], ...]
    convert: Callable[[Any], Any]  # decoded DBC value -> payload or NO_VALUE
    last_time: float | None = None
    last_value: Any = NO_VALUE
    last_seen: float | None = None
    published: Any = None
    stale: bool = False


@dataclass
class Vss2Dbc:
    """A VSS target published on the bus, encoded into `signal` of `message` and sent."""

    path: str
    signal: str
    message: str
    convert: Callable[[Any], Any]  # VSS value -> DBC value or NO_VALUE


@dataclass
class Mapping:
    files: tuple[Path, ...]
    dbc2vss: list[Dbc2Vss]
    vss2dbc: list[Vss2Dbc]


def load_mappings(paths: list[str | Path] | tuple[str | Path, ...], dbc: Dbc) -> Mapping:
    """Load mapping files in order; a later file's entry for a VSS path replaces an earlier
    one's (overlay semantics)."""
    if not paths:
        raise CanInputError("no mapping file given (--mapping)")
    entries: dict[str, tuple[Path, int, dict]] = {}
    for path in map(Path, paths):
        for vss_path, (line, node) in _read_tree(path).items():
            entries[vss_path] = (path, line, node)
    mapping = Mapping(tuple(map(Path, paths)), [], [])
    for vss_path, (path, line, node) in entries.items():
        where = f"{path}:{line}: {vss_path}" if line else f"{path}: {vss_path}"
        _add(mapping, vss_path, node, dbc, where)
    if not mapping.dbc2vss and not mapping.vss2dbc:
        raise CanInputError(f"{', '.join(map(str, paths))}: no signal with dbc2vss, dbc or "
                            "vss2dbc")
    return mapping


# -- reading the files -----------------------------------------------------------------------
def _read_tree(path: Path) -> dict[str, tuple[int, dict]]:
    """VSS path -> (line or 0, node) for every node carrying a DBC mapping."""
    if not path.is_file():
        raise CanInputError(f"{path}: no such mapping file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CanInputError(f"{path}: not a text file ({exc.reason})") from None
    lines: dict[str, int] = {}
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CanInputError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
    else:
        try:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f":{mark.line + 1}" if mark else ""
            raise CanInputError(f"{path}{at}: not a VSS overlay (YAML: "
                                f"{getattr(exc, 'problem', exc)})") from None
        if isinstance(root, yaml.MappingNode):
            lines = {k.value: k.start_mark.line + 1 for k, _v in root.value
                     if isinstance(k, yaml.ScalarNode)}
    if not isinstance(data, dict):
        raise CanInputError(f"{path}: not a VSS overlay or VSS JSON tree (top level is "
                            f"{type(data).__name__}, expected a mapping of VSS paths)")
    found: dict[str, tuple[int, dict]] = {}
    _walk(data, "", lines, found, path)
    return found


def _walk(tree: dict, prefix: str, lines: dict[str, int], found: dict, path: Path) -> None:
    for key, node in tree.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if not isinstance(node, dict):
            raise CanInputError(f"{path}:{lines.get(key, 0) or '?'}: {name}: expected a VSS "
                                f"node (a mapping), got {type(node).__name__}")
        if any(k in node for k in ("dbc2vss", "dbc", "vss2dbc")):
            found[name] = (lines.get(key, 0), node)
        children = node.get("children")
        if isinstance(children, dict):
            _walk(children, name, {}, found, path)


# -- checking one signal ---------------------------------------------------------------------
def _add(mapping: Mapping, vss_path: str, node: dict, dbc: Dbc, where: str) -> None:
    spec = topics.CATALOGUE.get(vss_path)
    if spec is None or spec.payload not in (VssFloat, VssInt, VssBool, VssString):
        raise CanInputError(f"{where}: unknown VSS path (not a signal Volant declares in "
                            "kernel/topics.py)")
    payload = spec.payload
    datatype = node.get("datatype")
    if datatype is not None and VSS_DATATYPES.get(datatype) is not payload:
        raise CanInputError(f"{where}: datatype {datatype!r} does not fit Volant's "
                            f"{payload.__name__} for this path")
    if "dbc" in node and "dbc2vss" in node:
        raise CanInputError(f"{where}: both dbc and dbc2vss given (dbc is its synonym)")
    raw = node.get("dbc2vss", node.get("dbc"))
    if raw is not None:
        field = "dbc2vss" if "dbc2vss" in node else "dbc"
        d = _convert(raw, Dbc2VssSpec, f"{where}: {field}")
        mapping.dbc2vss.append(_dbc2vss(vss_path, d, payload, dbc, f"{where}: {field}"))
    if "vss2dbc" in node:
        v = _convert(node["vss2dbc"], Vss2DbcSpec, f"{where}: vss2dbc")
        mapping.vss2dbc.append(_vss2dbc(vss_path, v, dbc, f"{where}: vss2dbc"))


def _convert(raw: Any, kind: type, where: str) -> Any:
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        text = str(exc)
        if " - at `$" in text:
            message, at = text.rsplit(" - at `$", 1)
            raise CanInputError(f"{where}{at.rstrip('`')}: {message}") from None
        raise CanInputError(f"{where}: {text}") from None


def _signal(dbc: Dbc, name: str, where: str):
    messages = dbc.signal_messages.get(name)
    if not messages:
        raise CanInputError(f"{where}.signal: DBC signal {name!r} not in {dbc.path.name}")
    return messages


def _dbc2vss(vss_path: str, d: Dbc2VssSpec, payload: type, dbc: Dbc, where: str) -> Dbc2Vss:
    messages = _signal(dbc, d.signal, where)
    for i, mux in enumerate(d.multiplexer):
        if not any(mux.signal in {s.name for s in m.signals} for m in messages):
            raise CanInputError(f"{where}.multiplexer[{i}].signal: {mux.signal!r} is not in the "
                                f"frame of {d.signal!r} ({messages[0].name})")
    if d.interval_ms is None and d.on_change is None:
        interval_ms, on_change = DEFAULT_INTERVAL_MS, False
    elif d.interval_ms is None:
        interval_ms, on_change = (0 if d.on_change else DEFAULT_INTERVAL_MS), bool(d.on_change)
    else:
        interval_ms, on_change = d.interval_ms, bool(d.on_change)
    choices = _choices(messages, d.signal)
    transform = _transform(d.transform, choices, where, from_dbc=True)
    timeout_ms = d.timeout_ms or max(MIN_TIMEOUT_MS, 3 * interval_ms)
    return Dbc2Vss(vss_path, d.signal, interval_ms / 1000.0, on_change, timeout_ms / 1000.0,
                   tuple((m.signal, m.value) for m in d.multiplexer),
                   _to_payload(transform, payload))


def _vss2dbc(vss_path: str, v: Vss2DbcSpec, dbc: Dbc, where: str) -> Vss2Dbc:
    messages = _signal(dbc, v.signal, where)
    transform = _transform(v.transform, _choices(messages, v.signal), where, from_dbc=False)
    return Vss2Dbc(vss_path, v.signal, messages[0].name, transform)


def _choices(messages, signal: str) -> set[str]:
    names: set[str] = set()
    for message in messages:
        for choice in (message.get_signal_by_name(signal).choices or {}).values():
            names.add(str(choice))
    return names


def _transform(spec: TransformSpec | None, choices: set[str], where: str,
               *, from_dbc: bool) -> Callable[[Any], Any]:
    if spec is None or (spec.math is None and spec.mapping is None):
        return _plain
    if spec.math is not None and spec.mapping is not None:
        raise CanInputError(f"{where}.transform: math and mapping both given (one only)")
    if spec.math is not None:
        try:
            fn = compile_math(spec.math)
        except ExpressionError as exc:
            raise CanInputError(f"{where}.transform.math: {spec.math!r} refused: {exc}") from None
        return lambda value: fn(_number(value))
    table: dict[Any, Any] = {}
    for i, entry in enumerate(spec.mapping or ()):
        key, to = entry.from_, entry.to
        checked = key if from_dbc else to
        if isinstance(checked, str) and choices and checked not in choices:
            side = "from" if from_dbc else "to"
            raise CanInputError(f"{where}.transform.mapping[{i}].{side}: {checked!r} is not "
                                f"in the signal's value table ({', '.join(sorted(choices))})")
        table.setdefault(key, to)
    return lambda value: _lookup(table, value)


def _plain(value: Any) -> Any:
    return value


def _number(value: Any) -> float:
    return value.value if isinstance(value, NamedSignalValue) else value


def _lookup(table: dict, value: Any) -> Any:
    if isinstance(value, NamedSignalValue):
        found = table.get(value.name, NO_VALUE)
        return found if found is not NO_VALUE else table.get(value.value, NO_VALUE)
    return table.get(value, NO_VALUE)


def _to_payload(transform: Callable[[Any], Any], payload: type) -> Callable[[Any], Any]:
    """Decoded value -> the topic's payload; NO_VALUE when the transform fails (KUKSA: the
    signal is then ignored) or the value does not fit the datatype."""
    if payload is VssFloat:
        def cast(v: Any) -> Any:
            v = float(_number(v))
            return VssFloat(v) if math.isfinite(v) else NO_VALUE
    elif payload is VssInt:
        def cast(v: Any) -> Any:
            v = _number(v)
            return VssInt(v if type(v) is int else round(v))
    elif payload is VssBool:
        def cast(v: Any) -> Any:
            return VssBool(bool(_number(v)))
    else:
        def cast(v: Any) -> Any:
            return VssString(v.name if isinstance(v, NamedSignalValue) else str(v))

    def convert(value: Any) -> Any:
        try:
            value = transform(value)
            return NO_VALUE if value is NO_VALUE else cast(value)
        except (ArithmeticError, ValueError, TypeError):
            return NO_VALUE
    return convert
