"""The `math` transforms of a mapping: a small arithmetic language over `x`, never Python `eval`.

An expression is parsed once with `ast` and every node is checked against a whitelist
(numbers, `x`, + - * / // % **, unary -, comparisons, `and`/`or`/`not`, `a if c else b`, and
the functions in FUNCTIONS); anything else is refused with the offending construct named. The
checked tree is then turned into nested closures, so evaluating a frame walks no AST.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

Fn = Callable[[float], float]

FUNCTIONS: dict[str, Callable[..., float]] = {
    "floor": math.floor, "ceil": math.ceil, "abs": abs, "min": min, "max": max,
    "round": round, "sqrt": math.sqrt, "exp": math.exp, "log": math.log,
    "sin": math.sin, "cos": math.cos, "tan": math.tan,
}
CONSTANTS = {"PI": math.pi, "E": math.e}
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
          ast.Pow: operator.pow}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
           ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}
MAX_LENGTH = 500
MAX_EXPONENT = 1000  # x ** 1e9 would hang the decoder


class ExpressionError(ValueError):
    """An expression outside the language; the message names what was refused."""


def compile_math(text: str) -> Fn:
    """The expression as a function of x; raises ExpressionError for anything not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}") from None
    return _build(tree.body)


def _pow(a: float, b: float) -> float:
    if abs(b) > MAX_EXPONENT:
        raise OverflowError(f"exponent {b} too large")
    return a ** b


def _build(node: ast.AST) -> Fn:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        return lambda _x: value
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x: x
        if node.id in CONSTANTS:
            value = CONSTANTS[node.id]
            return lambda _x: value
        raise ExpressionError(f"unknown name {node.id!r} (only x, {', '.join(CONSTANTS)})")
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        op = _pow if isinstance(node.op, ast.Pow) else BINARY[type(node.op)]
        left, right = _build(node.left), _build(node.right)
        return lambda x: op(left(x), right(x))
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
        uop, operand = UNARY[type(node.op)], _build(node.operand)
        return lambda x: uop(operand(x))
    if isinstance(node, ast.Compare):
        ops = [COMPARE.get(type(op)) for op in node.ops]
        if None in ops:
            raise ExpressionError("only < <= > >= == != comparisons are allowed")
        terms = [_build(node.left), *(_build(c) for c in node.comparators)]
        pairs = list(zip(ops, terms, terms[1:], strict=False))
        return lambda x: all(op(a(x), b(x)) for op, a, b in pairs)
    if isinstance(node, ast.BoolOp):
        values = [_build(v) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda x: all(v(x) for v in values)
        return lambda x: any(v(x) for v in values)
    if isinstance(node, ast.IfExp):
        test, body, orelse = _build(node.test), _build(node.body), _build(node.orelse)
        return lambda x: body(x) if test(x) else orelse(x)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(f"calling {ast.unparse(node.func)!r} is not allowed (only "
                                  f"{', '.join(FUNCTIONS)})")
        if node.func.id not in FUNCTIONS:
            raise ExpressionError(f"function {node.func.id!r} is not allowed (only "
                                  f"{', '.join(FUNCTIONS)})")
        if node.keywords or not node.args:
            raise ExpressionError(f"{node.func.id}() takes positional arguments only")
        fn, args = FUNCTIONS[node.func.id], [_build(a) for a in node.args]
        return lambda x: fn(*(a(x) for a in args))
    raise ExpressionError(f"{type(node).__name__} ({ast.unparse(node)!r}) is not allowed")
