"""Constant folding of Jinja2 string-building expressions, for the chat-template checks.

Template injections hide the names they reach (`__class__`, `__globals__`) by building them at
render time: concatenation, repetition, `join`, `replace`, `reverse`, `%c` formatting, slicing.
`Folder` evaluates such expressions over constants only, with our own small implementation of
each operation (never Python's `str.format`, never rendering), so the checks can see the name.
Anything it cannot evaluate folds to None.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import nodes

from aisec.common.lazyre import lazy_compile

MAX_FOLD = 256  # longest string the folder builds
PERCENT_ONLY = lazy_compile(r"(?:[^%]|%[cs%])*", re.S)
BRACE_FIELD = lazy_compile(r"\{(\d*)\}")
CASE_METHODS = ("lower", "upper", "title", "capitalize", "strip", "lstrip", "rstrip")


class Folder:
    def __init__(self) -> None:
        self.env: dict[str, str] = {}  # template variables assigned a constant string

    def fold(self, node: nodes.Node) -> str | None:
        value = self._fold(node)
        return value if isinstance(value, str) and len(value) <= MAX_FOLD else None

    def _fold(self, node: nodes.Node) -> Any:
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, nodes.Name):
            return self.env.get(node.name)
        if isinstance(node, nodes.Concat):
            parts = [self.fold(n) for n in node.nodes]
            return None if None in parts else "".join(p for p in parts if p is not None)
        if isinstance(node, nodes.Add):
            left, right = self.fold(node.left), self.fold(node.right)
            return left + right if left is not None and right is not None else None
        if isinstance(node, nodes.Mul):
            text, times = self.fold(node.left), self._fold(node.right)
            ok = text is not None and isinstance(times, int) and 0 <= times <= 64
            return text * times if ok else None
        if isinstance(node, nodes.List | nodes.Tuple):
            return [self._fold(n) for n in node.items]
        if isinstance(node, nodes.Dict):  # iterating a mapping (|join, |list) yields its keys
            return [self._fold(pair.key) for pair in node.items]
        if (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name == "dict"
            and not node.args
        ):
            return [kw.key for kw in node.kwargs]  # dict(__class__=1): the keys are names
        if isinstance(node, nodes.Getitem):
            return self._index(self.fold(node.node), node.arg)
        if isinstance(node, nodes.Filter) and node.node is not None:
            return self.apply(node.name, self._fold(node.node), node.args)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            return self.apply(node.node.attr, self._fold(node.node.node), node.args)
        return None

    def _index(self, text: str | None, arg: nodes.Node) -> str | None:
        if text is None:
            return None
        if isinstance(arg, nodes.Slice):
            bounds = [None if p is None else self._fold(p) for p in (arg.start, arg.stop, arg.step)]
            if all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds):
                if bounds[2] != 0:
                    return text[slice(*bounds)]
            return None
        index = self._fold(arg)
        if (
            isinstance(index, int)
            and not isinstance(index, bool)
            and -len(text) <= index < len(text)
        ):
            return text[index]
        return None

    def apply(self, name: str, value: Any, args: list[nodes.Expr]) -> Any:
        """A filter or string method over constants; None when not evaluable."""
        folded = [self._fold(a) for a in args]
        strings = all(isinstance(f, str) for f in folded)
        if name == "join":
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return (folded[0] if folded and isinstance(folded[0], str) else "").join(value)
            if isinstance(value, str) and len(folded) == 1 and isinstance(folded[0], list):
                items = folded[0]
                return value.join(items) if all(isinstance(i, str) for i in items) else None
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return self._list_op(name, value)
        if not isinstance(value, str):
            return None
        if name == "list":
            return list(value)
        if name in ("first", "last") and value:
            return value[0] if name == "first" else value[-1]
        if name in CASE_METHODS or name in ("trim", "string"):
            return {"trim": value.strip(), "string": value}.get(name) or getattr(value, name)()
        if name == "reverse":
            return value[::-1]
        if name == "replace" and len(folded) >= 2 and strings:
            return value.replace(folded[0], folded[1])
        if name == "format":
            return self._format(value, folded)
        return None

    @staticmethod
    def _list_op(name: str, items: list[str]) -> Any:
        """Filters and methods over a list of constant strings (also a mapping's keys)."""
        if name in ("keys", "list"):
            return items
        if name in ("first", "last"):
            return (items[0] if name == "first" else items[-1]) if items else None
        if name == "reverse":
            return items[::-1]
        if name == "sort":
            return sorted(items)
        return None

    @staticmethod
    def _format(template: str, args: list[Any]) -> str | None:
        if not all(isinstance(a, str | int) and not isinstance(a, bool) for a in args):
            return None
        if "%" in template and PERCENT_ONLY.fullmatch(template):  # the |format filter
            try:
                return template % tuple(args)
            except (TypeError, ValueError, OverflowError):
                return None
        position = iter(range(len(args)))  # str.format with plain {} / {n} fields only

        def field(match: re.Match[str]) -> str:
            index = int(match.group(1)) if match.group(1) else next(position, len(args))
            return str(args[index]) if index < len(args) else ""

        if re.search(r"\{[^}]*[.\[!:]", template):
            return None
        return BRACE_FIELD.sub(field, template)
