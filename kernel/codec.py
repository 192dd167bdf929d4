"""Payload schemas: the checks derived once per payload class from its type hints, used for
JSON from outside the process (recordings, replays, bridges) and for payloads at publish.

Rules every payload obeys, whichever door it comes through: each field has its declared type
(an int is accepted where a float is declared, a bool never is; subclasses of int and float
such as numpy's float64 are numbers too), a float is finite and within
±MAX_FLOAT, an int within ±MAX_INT, and a field declared `Annotated[..., Pattern(...)]` or
`Annotated[..., Range(...)]` (see kernel.topics) matches it. Anything else is refused with the
field path and what was expected.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

MAX_FLOAT = 1e11  # larger than any quantity on the bus (m, W, s, km, unix time): beyond, garbage
MAX_INT = 2**53  # exact in a JSON number


class PayloadError(ValueError):
    """External data that does not fit a payload type."""


class FieldTypeError(TypeError):
    """A payload field of the wrong type, at publish."""


class FieldValueError(ValueError):
    """A payload field of the right type with a value out of its declared bounds, at publish."""


@dataclasses.dataclass(frozen=True, slots=True)
class Pattern:
    """A str field must match `regex` whole (e.g. a language code, which is never a path)."""

    regex: str

    def check(self, value: str) -> str | None:
        if re.fullmatch(self.regex, value) is None:
            return f"{value[:40]!r} does not match {self.regex}"
        return None


@dataclasses.dataclass(frozen=True, slots=True)
class Range:
    """A number field must lie within lo..hi (inclusive)."""

    lo: float
    hi: float

    def check(self, value: float) -> str | None:
        if not self.lo <= value <= self.hi:
            return f"{value!r} is outside {self.lo}..{self.hi}"
        return None


class _Bad(Exception):
    """Internal: a field failed; `path` grows as the error climbs out of nested values."""

    def __init__(self, kind: type[Exception], text: str) -> None:
        self.kind, self.text, self.path = kind, text, ""


def _fail(kind: type[Exception], text: str) -> typing.NoReturn:
    raise _Bad(kind, text)


Check = Callable[[Any], None]


# -- checks of Python values (publish) ------------------------------------------------------
def _check_float(v: Any) -> None:
    if type(v) is float or type(v) is int or _number(v, float):
        if -MAX_FLOAT <= v <= MAX_FLOAT:  # NaN fails every comparison
            return
        _fail(FieldValueError, f"{v!r} is not a finite number within ±{MAX_FLOAT:g}")
    _fail(FieldTypeError, f"expected float, got {type(v).__name__} {_short(v)}")


def _check_int(v: Any) -> None:
    if type(v) is int or _number(v, int):
        if -MAX_INT <= v <= MAX_INT:
            return
        _fail(FieldValueError, f"integer beyond ±2**53 ({len(str(abs(v)))} digits)")
    _fail(FieldTypeError, f"expected int, got {type(v).__name__} {_short(v)}")


def _number(v: Any, kind: type) -> bool:
    """Subclasses (numpy's float64, an IntEnum) are numbers JSON writes as such; bool is not."""
    return isinstance(v, kind) and not isinstance(v, bool)


def _exact(tp: type) -> Check:
    def check(v: Any) -> None:
        if type(v) is not tp:
            _fail(FieldTypeError, f"expected {tp.__name__}, got {type(v).__name__} {_short(v)}")
    return check


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


@cache
def checker(tp: Any) -> Callable[[Any, str], None]:
    """The check of a value of type `tp` (a payload class, usually): raises FieldTypeError or
    FieldValueError naming the field path, e.g. `payload.maneuvers[2].lat`."""
    if dataclasses.is_dataclass(tp):  # one frame less on the publish path
        hints = _hints(tp)
        fields = tuple((f.name, _compile(hints[f.name])) for f in dataclasses.fields(tp))

        def check_payload(value: Any, where: str = "payload") -> None:
            if type(value) is not tp:
                raise FieldTypeError(f"{where}: expected {tp.__name__}, "
                                     f"got {type(value).__name__}")
            for name, field_check in fields:
                try:
                    field_check(getattr(value, name))
                except _Bad as bad:
                    raise bad.kind(f"{where}.{name}{bad.path}: {bad.text}") from None
        return check_payload
    inner = _compile(tp)

    def check(value: Any, where: str = "payload") -> None:
        try:
            inner(value)
        except _Bad as bad:
            raise bad.kind(f"{where}{bad.path}: {bad.text}") from None
    return check


def _compile(tp: Any) -> Check:
    base, rules = _unwrap(tp)
    check = _compile_base(base)
    if not rules:
        return check

    def constrained(v: Any) -> None:
        check(v)
        for rule in rules:
            if (text := rule.check(v)) is not None:
                _fail(FieldValueError, text)
    return constrained


def _unwrap(tp: Any) -> tuple[Any, tuple[Pattern | Range, ...]]:
    if typing.get_origin(tp) is typing.Annotated:
        base, *meta = typing.get_args(tp)
        return base, tuple(m for m in meta if isinstance(m, Pattern | Range))
    return tp, ()


def _compile_base(tp: Any) -> Check:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return _compile_dataclass(tp)
    if origin is tuple:
        return _compile_tuple(tp)
    if origin in (types.UnionType, typing.Union):
        options = [_compile(arg) for arg in typing.get_args(tp)]

        def union(v: Any) -> None:
            for option in options:
                try:
                    return option(v)
                except _Bad:
                    continue
            _fail(FieldTypeError, f"{_short(v)} fits none of {tp}")
        return union
    if tp is float:
        return _check_float
    if tp is int:
        return _check_int
    if tp in (str, bool, type(None)):
        return _exact(tp)
    raise TypeError(f"unsupported payload field type {tp}")


def _compile_dataclass(cls: type) -> Check:
    hints = _hints(cls)
    fields = tuple((f.name, _compile(hints[f.name])) for f in dataclasses.fields(cls))

    def check(v: Any) -> None:
        if type(v) is not cls:
            _fail(FieldTypeError, f"expected {cls.__name__}, got {type(v).__name__}")
        for name, field_check in fields:
            try:
                field_check(getattr(v, name))
            except _Bad as bad:
                bad.path = f".{name}{bad.path}"
                raise
    return check


def _compile_tuple(tp: Any) -> Check:
    args = typing.get_args(tp)
    homogeneous = len(args) == 2 and args[1] is Ellipsis
    items = [_compile(a) for a in (args[:1] if homogeneous else args)]

    def check(v: Any) -> None:
        if type(v) is not tuple:
            _fail(FieldTypeError, f"expected a tuple, got {type(v).__name__}")
        if not homogeneous and len(v) != len(items):
            _fail(FieldTypeError, f"expected {len(items)} items, got {len(v)}")
        for i, x in enumerate(v):
            try:
                (items[0] if homogeneous else items[i])(x)
            except _Bad as bad:
                bad.path = f"[{i}]{bad.path}"
                raise
    return check


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


# -- JSON ----------------------------------------------------------------------------------
def to_json(payload: Any) -> Any:
    """Plain JSON-able data for a payload (dataclasses become objects, tuples lists)."""
    if dataclasses.is_dataclass(payload):
        return {f.name: to_json(getattr(payload, f.name)) for f in dataclasses.fields(payload)}
    if isinstance(payload, tuple | list):
        return [to_json(x) for x in payload]
    if isinstance(payload, dict):
        return {str(k): to_json(v) for k, v in payload.items()}
    return payload


def from_json(cls: type, data: Any, where: str = "payload") -> Any:
    """Build `cls` from JSON data, checking every field as a publish would; raises
    PayloadError naming the field."""
    value = _convert(cls, data, where)
    try:
        checker(cls)(value, where)
    except (TypeError, ValueError) as exc:
        raise PayloadError(str(exc)) from None
    return value


def _convert(tp: Any, data: Any, where: str) -> Any:
    tp, _ = _unwrap(tp)  # the rules are checked on the built value
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise PayloadError(f"{where}: expected an object for {tp.__name__}, "
                               f"got {type(data).__name__}")
        hints = _hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(data) - names
        if unknown:
            raise PayloadError(f"{where}: unknown field(s) {sorted(unknown)[:5]} for "
                               f"{tp.__name__}")
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
        raise PayloadError(f"{where}: {_short(data)} fits none of {tp}")
    if tp is type(None):
        if data is not None:
            raise PayloadError(f"{where}: expected null, got {_short(data)}")
        return None
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise PayloadError(f"{where}: expected a number, got {_short(data)}")
        if not -MAX_FLOAT <= data <= MAX_FLOAT:  # before float(): a 400-digit int overflows
            raise PayloadError(f"{where}: {_short(data)} is not a finite number within "
                               f"±{MAX_FLOAT:g}")
        return float(data)
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise PayloadError(f"{where}: expected an integer, got {_short(data)}")
        return data
    if tp in (str, bool):
        if type(data) is not tp:
            raise PayloadError(f"{where}: expected {tp.__name__}, got {_short(data)}")
        return data
    raise PayloadError(f"{where}: unsupported payload field type {tp}")
