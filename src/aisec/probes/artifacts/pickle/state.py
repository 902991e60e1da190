"""Shared state and argument decoding of the pickle walker (the hot loop lives in walker.py,
rare opcodes in cold.py)."""

from __future__ import annotations

import codecs
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

from aisec.probes.artifacts.pickle.values import BIGSTR

# Strings longer than this are not decoded: module and attribute names are short, and long
# strings (protocol-2 array bytes travel as text) would cost a decode each for nothing.
BIG = 512


class Malformed(Exception):
    """The stream is not a valid pickle at `offset` (a loader would stop there)."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"offset {offset}: {reason}")
        self.offset = offset
        self.reason = reason


class BudgetExceeded(Exception):
    """The opcode budget or the wall-clock deadline ran out."""


@dataclass
class Issue:
    """Something the walk noticed besides imports (misuse of an opcode, an odd call)."""

    rule: str
    message: str
    offset: int
    severity: str = "medium"


@dataclass
class WalkState:
    """What a walk learned; shared by every pickle of one stream."""

    max_ops: int
    deadline: float | None = None
    ops: int = 0  # opcode bytes walked (payload bytes stepped over are in skipped_bytes)
    pickles: int = 0
    protocol: int = 0
    persistent_ids: int = 0
    first_persistent: int = -1  # offset of the first PERSID/BINPERSID
    skipped_bytes: int = 0
    imports: dict[str, tuple[Any, int]] = field(default_factory=dict)  # qualname -> (status, off)
    issues: list[Issue] = field(default_factory=list)
    storages: dict[str, int] = field(default_factory=dict)  # torch storage key -> bytes
    release: Any = None  # called with the walk position: drops mapped pages already walked

    def misuse(self, target: Any, op: str, offset: int) -> None:
        """Record SETITEM(S)/APPEND(S) on an object torch.save never applies them to."""
        from aisec.probes.artifacts.pickle.torchsem import container_misuse

        why = container_misuse(target, op)
        if why is not None and len(self.issues) < 1000:
            self.issues.append(
                Issue(
                    "pickle.container-misuse",
                    f"{why}: a loader (also torch's weights-only one) calls that object's "
                    "methods with pickle-chosen arguments",
                    offset,
                    "high",
                )
            )


def check_budget(st: WalkState) -> None:
    if st.ops - st.skipped_bytes > st.max_ops:
        raise BudgetExceeded(f"more than {st.max_ops} opcode bytes")
    if st.deadline is not None and time.monotonic() > st.deadline:
        raise BudgetExceeded("time budget exhausted")


# Opcodes a protocol 0/1 pickle (which has no PROTO) can start with.
FIRST_OPS = frozenset(b"(cNIJKLMFGSTUVX]}lditgpo)")
MAX_LINE = 65_536  # text arguments (GLOBAL names, protocol-0 literals) longer than this are hostile


def line(data: Any, pos: int, end: int) -> tuple[bytes, int]:
    nl = data.find(b"\n", pos, min(end, pos + MAX_LINE))
    if nl < 0:
        raise Malformed(pos, "unterminated or overlong line argument")
    return data[pos:nl], nl + 1


def literal_line(data: Any, pos: int, end: int) -> tuple[bytes | None, int]:
    """A protocol-0 literal: any length, but only short ones are copied (None otherwise)."""
    nl = data.find(b"\n", pos, end)
    if nl < 0:
        raise Malformed(pos, "unterminated line argument")
    return (data[pos:nl] if nl - pos < BIG else None), nl + 1


def need(pos: int, n: int, end: int) -> None:
    if n < 0 or pos + n > end:
        raise Malformed(pos, "truncated argument")


def pop_mark(stack: list[Any], marks: list[int], pos: int) -> list[Any]:
    if not marks:
        raise Malformed(pos, "no MARK on the stack")
    k = marks.pop()
    items = stack[k:]
    del stack[k:]
    return items


def decode_string(raw: bytes) -> str:
    """A protocol-0 STRING argument as the unpickler reads it (`codecs.escape_decode`). An
    invalid escape in hostile data makes that warn (DeprecationWarning); the warning says
    nothing about the file, so it is silenced here rather than printed by the scanner."""
    if len(raw) >= 2 and raw[:1] in (b"'", b'"') and raw[-1:] == raw[:1]:
        raw = raw[1:-1]
    if b"\\" not in raw:
        return raw.decode("latin-1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return codecs.escape_decode(raw)[0].decode("latin-1")


def utf8(raw: bytes, offset: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed(offset, "GLOBAL name is not UTF-8") from None


def text(data: Any, pos: int, n: int) -> Any:
    if n >= BIG:
        return BIGSTR
    return data[pos : pos + n].decode("utf-8", "surrogatepass")


def memo_put(memo: list[Any], sparse: dict[int, Any], key: int, value: Any) -> None:
    """memo[key] = value with the unpickler's dict semantics, stored as a dense list (the keys
    MEMOIZE and ordinary PUTs use: 0, 1, 2, ...) plus a dict of keys beyond it. A list slot costs
    8 bytes where a dict entry with its int key costs ~80, which bounds the emulator's memory on
    pickles with hundreds of thousands of memoised objects."""
    if key < 0:
        raise Malformed(key, "negative memo key")
    n = len(memo)
    if key < n:
        memo[key] = value
    elif key == n:
        memo.append(value)
        while sparse and len(memo) in sparse:  # keys put ahead of time become dense
            memo.append(sparse.pop(len(memo)))
    else:
        sparse[key] = value


def memo_get(memo: list[Any], sparse: dict[int, Any], key: int) -> Any:
    """memo[key]; KeyError when the key was never put."""
    if 0 <= key < len(memo):
        return memo[key]
    return sparse[key]


def setitem(target: Any, key: Any, value: Any) -> None:
    if type(target) is dict and len(target) < 64:
        try:
            target[key] = value
        except TypeError:
            pass
