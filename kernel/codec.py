"""JSON form of bus payloads, with strict validation for input from outside the process.

Recordings, replays and (later) bridges cross this boundary; anything that does not fit the
declared payload type is rejected with a message naming the field and what was expected.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any


class PayloadError(ValueError):
    """External data that does not fit a payload type."""


def to_json(payload: Any) -> Any:
    """Plain JSON-able data for a payload (dataclasses become objects, tuples lists)."""
    if dataclasses.is_dataclass(payload):
        return {f.name: to_json(getattr(payload, f.name)) for f in dataclasses.fields(payload)}
    if isinstance(payload, tuple | list):
        return [to_json(x) for x in payload]
    if isinstance(payload, dict):
        return {str(k): to_json(v) for k, v in payload.items()}
    return payload


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_json(cls: type, data: Any, where: str = "payload") -> Any:
    """Build `cls` from JSON data, checking every field; raises PayloadError naming the field."""
    return _convert(cls, data, where)


def _convert(tp: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise PayloadError(f"{where}: expected an object for {tp.__name__}, "
                               f"got {type(data).__name__}")
        hints = _hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(data) - names
        if unknown:
            raise PayloadError(f"{where}: unknown field(s) {sorted(unknown)} for {tp.__name__}")
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise PayloadError(f"{where}: missing field {f.name!r} of {tp.__name__}")
        return tp(**kwargs)
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(data, list):
            raise PayloadError(f"{where}: expected a list, got {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], x, f"{where}[{i}]") for i, x in enumerate(data))
        if len(args) != len(data):
            raise PayloadError(f"{where}: expected {len(args)} items, got {len(data)}")
        pairs = enumerate(zip(args, data, strict=True))
        return tuple(_convert(a, x, f"{where}[{i}]") for i, (a, x) in pairs)
    if origin in (types.UnionType, typing.Union):
        for arg in typing.get_args(tp):
            try:
                return _convert(arg, data, where)
            except PayloadError:
                continue
        raise PayloadError(f"{where}: {data!r} fits none of {tp}")
    if tp is type(None):
        if data is not None:
            raise PayloadError(f"{where}: expected null, got {data!r}")
        return None
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise PayloadError(f"{where}: expected a number, got {data!r}")
        return float(data)
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise PayloadError(f"{where}: expected an integer, got {data!r}")
        return data
    if tp in (str, bool):
        if type(data) is not tp:
            raise PayloadError(f"{where}: expected {tp.__name__}, got {data!r}")
        return data
    raise PayloadError(f"{where}: unsupported payload field type {tp}")
