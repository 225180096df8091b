"""Xero's ``where=`` filter language (a subset), ``order=`` and paging.

Supported, as documented by Xero for the accounting API:
``Name=="Sam Lee"``, ``Status!="DELETED"``, ``AmountDue>=10.5``,
``Contact.ContactID==guid("...")``, ``Date>=DateTime(2026, 1, 31)``,
``Name.Contains("Lee")``, ``.StartsWith``, ``.EndsWith``, ``.ToLower()``,
``.ToUpper()``, ``AND``/``&&``, ``OR``/``||``, ``NOT``/``!``, parentheses,
``true``/``false``/``null``. String comparison is case-sensitive, as in
Xero (use ``.ToLower()`` for case-insensitive matching).

Filters run against a *filter view* of each entity: a dict of native values
(``str``, ``Decimal``, ``date``, ``bool``...) built by ``accounting.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>==|!=|>=|<=|&&|\|\||[<>!().,])
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)


class FilterError(ValueError):
    """The where/order text could not be understood."""


@dataclass(frozen=True)
class Guid:
    value: str


Node = tuple[Any, ...]


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise FilterError(f"cannot parse where clause near {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise FilterError("unexpected end of where clause")
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.take()
        if tok[1] != value:
            raise FilterError(f"expected {value!r}, got {tok[1]!r}")

    def is_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1].upper() in words and tok[0] in ("ident", "op")

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise FilterError(f"unexpected {self.peek()[1]!r} in where clause")  # type: ignore[index]
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.is_word("OR", "||"):
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.is_word("AND", "&&"):
            self.take()
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.is_word("NOT", "!"):
            self.take()
            return ("not", self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in ("==", "!=", ">", ">=", "<", "<="):
            self.take()
            return ("cmp", tok[1], left, self.operand())
        return left

    def operand(self) -> Node:
        node = self.primary()
        while self.peek() and self.peek()[1] == ".":  # type: ignore[index]
            self.take()
            kind, name = self.take()
            if kind != "ident":
                raise FilterError(f"expected a name after '.', got {name!r}")
            if self.peek() and self.peek()[1] == "(":  # type: ignore[index]
                node = ("call", name, node, self.args())
            else:
                node = ("attr", node, name)
        return node

    def args(self) -> list[Node]:
        self.expect("(")
        out: list[Node] = []
        if self.peek() and self.peek()[1] == ")":  # type: ignore[index]
            self.take()
            return out
        while True:
            out.append(self.or_expr())
            tok = self.take()
            if tok[1] == ")":
                return out
            if tok[1] != ",":
                raise FilterError(f"expected ',' or ')', got {tok[1]!r}")

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "string":
            return ("lit", json.loads(text))
        if kind == "number":
            return ("lit", Decimal(text))
        if kind == "op" and text == "(":
            node = self.or_expr()
            self.expect(")")
            return node
        if kind == "ident":
            upper = text.upper()
            if upper == "TRUE":
                return ("lit", True)
            if upper == "FALSE":
                return ("lit", False)
            if upper == "NULL":
                return ("lit", None)
            if upper in ("GUID", "DATETIME") and self.peek() and self.peek()[1] == "(":  # type: ignore[index]
                return ("ctor", upper, self.args())
            if upper == "DATETIME" and self.peek() and self.peek()[1] == ".":  # type: ignore[index]
                self.take()
                method = self.take()[1]
                if method.upper() != "PARSE":
                    raise FilterError(f"unsupported DateTime.{method}")
                return ("ctor", "DATETIME.PARSE", self.args())
            return ("field", text)
        raise FilterError(f"unexpected {text!r} in where clause")


def compile_where(text: str) -> Callable[[dict[str, Any]], bool]:
    """Compile a where clause into a predicate over filter views."""
    tree = _Parser(text).parse()

    def predicate(view: dict[str, Any]) -> bool:
        return bool(_truthy(_eval(tree, view)))

    return predicate


def _lookup(view: Any, name: str) -> Any:
    if not isinstance(view, dict):
        return None
    if name in view:
        return view[name]
    lowered = name.lower()
    for key, value in view.items():
        if key.lower() == lowered:
            return value
    return None


def _truthy(value: Any) -> bool:
    return bool(value)


def _eval(node: Node, view: dict[str, Any]) -> Any:
    op = node[0]
    if op == "lit":
        return node[1]
    if op == "field":
        return _lookup(view, node[1])
    if op == "attr":
        return _lookup(_eval(node[1], view), node[2])
    if op == "and":
        return _truthy(_eval(node[1], view)) and _truthy(_eval(node[2], view))
    if op == "or":
        return _truthy(_eval(node[1], view)) or _truthy(_eval(node[2], view))
    if op == "not":
        return not _truthy(_eval(node[1], view))
    if op == "ctor":
        args = [_eval(a, view) for a in node[2]]
        return _construct(node[1], args)
    if op == "call":
        target = _eval(node[2], view)
        args = [_eval(a, view) for a in node[3]]
        return _call(node[1], target, args)
    if op == "cmp":
        return _compare(node[1], _eval(node[2], view), _eval(node[3], view))
    raise FilterError(f"unknown node {op}")


def _construct(kind: str, args: list[Any]) -> Any:
    if kind == "GUID":
        if len(args) != 1 or not isinstance(args[0], str):
            raise FilterError("guid() takes one string")
        return Guid(args[0].lower())
    if kind == "DATETIME.PARSE":
        if len(args) != 1 or not isinstance(args[0], str):
            raise FilterError("DateTime.Parse() takes one string")
        try:
            return datetime.fromisoformat(args[0])
        except ValueError as exc:
            raise FilterError(str(exc)) from exc
    try:
        parts = [int(a) for a in args]
        return datetime(*parts)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise FilterError(f"bad DateTime({args})") from exc


def _call(name: str, target: Any, args: list[Any]) -> Any:
    method = name.lower()
    if method in ("tolower", "toupper"):
        if target is None:
            return None
        return str(target).lower() if method == "tolower" else str(target).upper()
    if method in ("contains", "startswith", "endswith"):
        if target is None:
            return False
        if len(args) != 1:
            raise FilterError(f"{name}() takes one argument")
        text, arg = str(target), str(args[0])
        if method == "contains":
            return arg in text
        return text.startswith(arg) if method == "startswith" else text.endswith(arg)
    raise FilterError(f"unsupported method {name}()")


def _norm_pair(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, Guid) or isinstance(b, Guid):
        a = a.value if isinstance(a, Guid) else (a.lower() if isinstance(a, str) else a)
        b = b.value if isinstance(b, Guid) else (b.lower() if isinstance(b, str) else b)
        return a, b
    if isinstance(a, datetime) or isinstance(b, datetime):
        return _as_dt(a), _as_dt(b)
    return a, b


def _as_dt(value: Any) -> Any:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


def _compare(op: str, left: Any, right: Any) -> bool:
    left, right = _norm_pair(left, right)
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        if op == ">":
            return bool(left > right)
        if op == ">=":
            return bool(left >= right)
        if op == "<":
            return bool(left < right)
        return bool(left <= right)
    except TypeError as exc:
        raise FilterError(f"cannot compare {left!r} with {right!r}") from exc


def apply_order(views: list[dict[str, Any]], order: str | None) -> list[dict[str, Any]]:
    """``order=Field [ASC|DESC][, Field2 ...]`` (stable; None sorts first)."""
    if not order:
        return views
    result = list(views)
    clauses = [c.strip() for c in order.split(",") if c.strip()]
    for clause in reversed(clauses):
        parts = clause.split()
        field = parts[0]
        desc = len(parts) > 1 and parts[1].upper() == "DESC"
        path = field.split(".")

        def key(view: dict[str, Any], path: list[str] = path) -> tuple[int, Any]:
            value: Any = view
            for name in path:
                value = _lookup(value, name)
            if isinstance(value, (date, datetime)):
                value = _as_dt(value)
            return (0, "") if value is None else (1, value)

        try:
            result.sort(key=key, reverse=desc)
        except TypeError as exc:
            raise FilterError(f"cannot order by {field}") from exc
    return result
