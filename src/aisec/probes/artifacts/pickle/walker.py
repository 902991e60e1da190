"""Static pickle walker: decodes opcodes and emulates stack and memo, never executes anything.

It resolves every callable a pickle imports (GLOBAL, STACK_GLOBAL with operands from literals or
the memo, INST) and every call site (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST, BUILD), and steps over
large byte payloads by offset instead of copying them. The buffer is `bytes` or an `mmap`, so a
multi-gigabyte file costs only the pages the opcodes live on. Hand-written rather than built on
`pickletools.genops`, which allocates a tuple per opcode and is several times slower.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from struct import error as struct_error
from struct import unpack_from
from typing import Any

from aisec.probes.artifacts.pickle import joblib_arrays
from aisec.probes.artifacts.pickle.resolve import (
    call_result,
    import_global,
    resolve_build,
)
from aisec.probes.artifacts.pickle.values import (
    BIGINT,
    BIGSTR,
    BYTES,
    EXTENSION,
    FLOAT,
    LIST,
    PERSISTENT,
    SET,
    Global,
    Obj,
)

MAX_NESTED = 4  # joblib object arrays nest pickles in the stream
_BIG = 1 << 20
_CHUNK = 1 << 16
_DECODE_ERRORS = (IndexError, KeyError, UnicodeDecodeError, ValueError, OverflowError, struct_error)
_REASONS: dict[type[Exception], str] = {
    IndexError: "stack underflow or truncated argument",
    KeyError: "memo key missing",
}  # strings longer than this are not decoded


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
    skipped_bytes: int = 0
    imports: dict[str, tuple[Any, int]] = field(default_factory=dict)  # qualname -> (status, off)
    issues: list[Issue] = field(default_factory=list)


def _line(data: Any, pos: int, end: int) -> tuple[bytes, int]:
    nl = data.find(b"\n", pos, end)
    if nl < 0:
        raise Malformed(pos, "unterminated line argument")
    return data[pos:nl], nl + 1


def _need(pos: int, n: int, end: int) -> None:
    if n < 0 or pos + n > end:
        raise Malformed(pos, "truncated argument")


def _pop_mark(stack: list[Any], marks: list[int], pos: int) -> list[Any]:
    if not marks:
        raise Malformed(pos, "no MARK on the stack")
    k = marks.pop()
    items = stack[k:]
    del stack[k:]
    return items


def _decode_string(raw: bytes) -> str:
    if len(raw) >= 2 and raw[:1] in (b"'", b'"') and raw[-1:] == raw[:1]:
        raw = raw[1:-1]
    import codecs

    return codecs.escape_decode(raw)[0].decode("latin-1")


def walk_one(data: Any, pos: int, end: int, st: WalkState, depth: int = 0) -> int:  # noqa: C901
    """Walk one pickle starting at `pos`; return the offset just after its STOP."""
    stack: list[Any] = []
    marks: list[int] = []
    memo: dict[int, Any] = {}
    append = stack.append
    pop = stack.pop
    protocol = 0
    # Budget checks run once per chunk of the stream, not per opcode (every opcode is at least
    # one byte, so opcode bytes walked bound the opcode count).
    limit = pos
    last = pos
    try:
        while True:
            if pos >= limit:
                if pos >= end:
                    raise Malformed(pos, "stream ends before STOP")
                st.ops += pos - last
                last = pos
                _check_budget(st)
                limit = min(end, pos + _CHUNK)
            op = data[pos]
            pos += 1
            if op == 0x94:  # MEMOIZE
                memo[len(memo)] = stack[-1]
            elif op == 0x68:  # BINGET
                append(memo[data[pos]])
                pos += 1
            elif op == 0x4B:  # BININT1
                append(data[pos])
                pos += 1
            elif op == 0x85:  # TUPLE1
                stack[-1] = (stack[-1],)
            elif op == 0x28:  # MARK
                marks.append(len(stack))
            elif op == 0x87:  # TUPLE3
                c = pop()
                b = pop()
                stack[-1] = (stack[-1], b, c)
            elif op == 0x52:  # REDUCE
                args = pop()
                func = stack[-1]
                if type(func) is Global and not func.kind:
                    stack[-1] = Obj(func, args)
                else:
                    stack[-1] = call_result(func, args, pos - 1, st)
            elif op == 0x89:  # NEWFALSE
                append(False)
            elif op == 0x74:  # TUPLE
                append(tuple(_pop_mark(stack, marks, pos)))
            elif op == 0x62:  # BUILD
                state = pop()
                target = stack[-1]
                if type(target) is Obj:
                    target.state = state
                    if target.func.__class__ is Global and target.func.kind == 2:
                        skip = joblib_arrays.payload(target, state)
                        if skip is not None:
                            pos = _skip_joblib(data, pos, end, st, skip, depth)
                else:
                    resolve_build(target, state, pos - 1, st)
            elif op == 0x42:  # BINBYTES
                n = unpack_from("<I", data, pos)[0]
                pos += 4 + n
                st.skipped_bytes += n
                append(BYTES)
            elif op == 0x71:  # BINPUT
                memo[data[pos]] = stack[-1]
                pos += 1
            elif op == 0x86:  # TUPLE2
                b = pop()
                stack[-1] = (stack[-1], b)
            elif op == 0x43:  # SHORT_BINBYTES
                pos += 1 + data[pos]
                append(BYTES)
            elif op == 0x8C:  # SHORT_BINUNICODE
                _need(pos, 1, end)
                n = data[pos]
                _need(pos + 1, n, end)
                append(data[pos + 1 : pos + 1 + n].decode("utf-8", "surrogatepass"))
                pos += 1 + n
            elif op == 0x4D:  # BININT2
                _need(pos, 2, end)
                append(data[pos] | (data[pos + 1] << 8))
                pos += 2
            elif op == 0x4A:  # BININT
                _need(pos, 4, end)
                append(unpack_from("<i", data, pos)[0])
                pos += 4
            elif op == 0x29:  # EMPTY_TUPLE
                append(())
            elif op == 0x88:  # NEWTRUE
                append(True)
            elif op == 0x4E:  # NONE
                append(None)
            elif op == 0x7D:  # EMPTY_DICT
                append({})
            elif op == 0x5D:  # EMPTY_LIST
                append(LIST)
            elif op == 0x73:  # SETITEM
                if len(stack) < 3:
                    raise Malformed(pos, "stack underflow")
                v = pop()
                k = pop()
                _setitem(stack[-1], k, v)
            elif op == 0x75:  # SETITEMS
                items = _pop_mark(stack, marks, pos)
                if not stack or len(items) % 2:
                    raise Malformed(pos, "bad SETITEMS")
                target = stack[-1]
                for i in range(0, min(len(items), 128), 2):
                    _setitem(target, items[i], items[i + 1])
            elif op == 0x61:  # APPEND
                if len(stack) < 2:
                    raise Malformed(pos, "stack underflow")
                pop()
            elif op == 0x65:  # APPENDS
                _pop_mark(stack, marks, pos)
                if not stack:
                    raise Malformed(pos, "stack underflow")
            elif op == 0x95:  # FRAME
                _need(pos, 8, end)
                pos += 8
            elif op == 0x58:  # BINUNICODE
                _need(pos, 4, end)
                n = unpack_from("<I", data, pos)[0]
                _need(pos + 4, n, end)
                append(_text(data, pos + 4, n))
                pos += 4 + n
            elif op in (0x8D, 0x8E, 0x96):  # BINUNICODE8, BINBYTES8, BYTEARRAY8
                _need(pos, 8, end)
                n = unpack_from("<Q", data, pos)[0]
                _need(pos + 8, n, end)
                append(_text(data, pos + 8, n) if op == 0x8D else BYTES)
                if op != 0x8D:
                    st.skipped_bytes += n
                pos += 8 + n
            elif op == 0x93:  # STACK_GLOBAL
                if len(stack) < 2:
                    raise Malformed(pos, "stack underflow")
                name = pop()
                module = pop()
                if type(module) is not str or type(name) is not str:
                    raise Malformed(pos, "STACK_GLOBAL operands are not strings")
                append(import_global(module, name, protocol, pos, st))
            elif op == 0x63:  # GLOBAL
                raw_mod, pos = _line(data, pos, end)
                raw_name, pos = _line(data, pos, end)
                append(import_global(_utf8(raw_mod, pos), _utf8(raw_name, pos), 0, pos, st))
            elif op == 0x80:  # PROTO
                _need(pos, 1, end)
                protocol = data[pos]
                st.protocol = max(st.protocol, protocol)
                if protocol > 5:
                    raise Malformed(pos, f"unsupported protocol {protocol}")
                pos += 1
            elif op == 0x2E:  # STOP
                if not stack:
                    raise Malformed(pos, "STOP on empty stack")
                st.pickles += 1
                return pos
            elif op == 0x81:  # NEWOBJ
                if len(stack) < 2:
                    raise Malformed(pos, "stack underflow")
                args = pop()
                stack[-1] = call_result(stack[-1], args, pos, st)
            elif op == 0x92:  # NEWOBJ_EX
                if len(stack) < 3:
                    raise Malformed(pos, "stack underflow")
                kwargs = pop()
                args = pop()
                stack[-1] = call_result(stack[-1], (args, kwargs), pos, st)
            elif op == 0x6F:  # OBJ
                items = _pop_mark(stack, marks, pos)
                if not items:
                    raise Malformed(pos, "OBJ without a class")
                append(call_result(items[0], tuple(items[1:]), pos, st))
            elif op == 0x69:  # INST
                raw_mod, pos = _line(data, pos, end)
                raw_name, pos = _line(data, pos, end)
                cls = import_global(_utf8(raw_mod, pos), _utf8(raw_name, pos), 0, pos, st)
                append(call_result(cls, tuple(_pop_mark(stack, marks, pos)), pos, st))
            elif op == 0x30:  # POP
                if stack:
                    pop()
                elif marks:
                    _pop_mark(stack, marks, pos)
                else:
                    raise Malformed(pos, "stack underflow")
            elif op == 0x31:  # POP_MARK
                _pop_mark(stack, marks, pos)
            elif op == 0x32:  # DUP
                if not stack:
                    raise Malformed(pos, "stack underflow")
                append(stack[-1])
            elif op == 0x6A:  # LONG_BINGET
                _need(pos, 4, end)
                try:
                    append(memo[unpack_from("<I", data, pos)[0]])
                except KeyError:
                    raise Malformed(pos, "memo key missing") from None
                pos += 4
            elif op == 0x72:  # LONG_BINPUT
                _need(pos, 4, end)
                if not stack:
                    raise Malformed(pos, "stack underflow")
                memo[unpack_from("<I", data, pos)[0]] = stack[-1]
                pos += 4
            elif op == 0x67 or op == 0x70:  # GET / PUT
                raw, pos = _line(data, pos, end)
                try:
                    key = int(raw)
                except ValueError:
                    raise Malformed(pos, "bad memo key") from None
                if op == 0x70:
                    if not stack:
                        raise Malformed(pos, "stack underflow")
                    memo[key] = stack[-1]
                elif key in memo:
                    append(memo[key])
                else:
                    raise Malformed(pos, "memo key missing")
            elif op == 0x47:  # BINFLOAT
                _need(pos, 8, end)
                pos += 8
                append(FLOAT)
            elif op == 0x8A:  # LONG1
                _need(pos, 1, end)
                n = data[pos]
                _need(pos + 1, n, end)
                append(int.from_bytes(data[pos + 1 : pos + 1 + n], "little", signed=True))
                pos += 1 + n
            elif op == 0x8B:  # LONG4
                _need(pos, 4, end)
                n = unpack_from("<i", data, pos)[0]
                _need(pos + 4, n, end)
                big = n > 64
                append(BIGINT if big else int.from_bytes(data[pos + 4 : pos + 4 + n], "little"))
                pos += 4 + n
            elif op == 0x49 or op == 0x4C:  # INT / LONG
                raw, pos = _line(data, pos, end)
                try:
                    append(int(raw.rstrip(b"L")) if len(raw) < 64 else BIGINT)
                except ValueError:
                    raise Malformed(pos, "bad integer literal") from None
            elif op == 0x46:  # FLOAT
                _, pos = _line(data, pos, end)
                append(FLOAT)
            elif op == 0x53:  # STRING
                raw, pos = _line(data, pos, end)
                append(_decode_string(raw) if len(raw) < _BIG else BIGSTR)
            elif op == 0x54:  # BINSTRING
                _need(pos, 4, end)
                n = unpack_from("<i", data, pos)[0]
                _need(pos + 4, n, end)
                append(data[pos + 4 : pos + 4 + n].decode("latin-1") if n < _BIG else BIGSTR)
                pos += 4 + n
            elif op == 0x55:  # SHORT_BINSTRING
                _need(pos, 1, end)
                n = data[pos]
                _need(pos + 1, n, end)
                append(data[pos + 1 : pos + 1 + n].decode("latin-1"))
                pos += 1 + n
            elif op == 0x56:  # UNICODE
                raw, pos = _line(data, pos, end)
                append(raw.decode("raw-unicode-escape") if len(raw) < _BIG else BIGSTR)
            elif op == 0x6C or op == 0x64:  # LIST / DICT
                items = _pop_mark(stack, marks, pos)
                if op == 0x64:
                    d: dict[Any, Any] = {}
                    for i in range(0, min(len(items) - 1, 128), 2):
                        _setitem(d, items[i], items[i + 1])
                    append(d)
                else:
                    append(LIST)
            elif op == 0x8F:  # EMPTY_SET
                append(SET)
            elif op == 0x90:  # ADDITEMS
                _pop_mark(stack, marks, pos)
                if not stack:
                    raise Malformed(pos, "stack underflow")
            elif op == 0x91:  # FROZENSET
                _pop_mark(stack, marks, pos)
                append(SET)
            elif op == 0x50:  # PERSID
                _, pos = _line(data, pos, end)
                st.persistent_ids += 1
                append(PERSISTENT)
            elif op == 0x51:  # BINPERSID
                if not stack:
                    raise Malformed(pos, "stack underflow")
                pop()
                st.persistent_ids += 1
                append(PERSISTENT)
            elif op in (0x82, 0x83, 0x84):  # EXT1/2/4
                width = {0x82: 1, 0x83: 2, 0x84: 4}[op]
                _need(pos, width, end)
                code = int.from_bytes(data[pos : pos + width], "little")
                pos += width
                st.issues.append(Issue("pickle.extension-registry", f"EXT{width} code {code}", pos))
                append(EXTENSION)
            elif op == 0x97:  # NEXT_BUFFER
                append(BYTES)
            elif op == 0x98:  # READONLY_BUFFER
                if not stack:
                    raise Malformed(pos, "stack underflow")
            else:
                raise Malformed(pos, f"invalid opcode 0x{op:02x}")
    except _DECODE_ERRORS as exc:
        reason = _REASONS.get(type(exc), f"undecodable argument ({type(exc).__name__})")
        raise Malformed(pos, reason) from None
    finally:
        st.ops += pos - last


def _check_budget(st: WalkState) -> None:
    if st.ops - st.skipped_bytes > st.max_ops:
        raise BudgetExceeded(f"more than {st.max_ops} opcode bytes")
    if st.deadline is not None and time.monotonic() > st.deadline:
        raise BudgetExceeded("time budget exhausted")


def _utf8(raw: bytes, offset: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed(offset, "GLOBAL name is not UTF-8") from None


def _text(data: Any, pos: int, n: int) -> Any:
    if n >= _BIG:
        return BIGSTR
    return data[pos : pos + n].decode("utf-8", "surrogatepass")


def _setitem(target: Any, key: Any, value: Any) -> None:
    if type(target) is dict and len(target) < 64:
        try:
            target[key] = value
        except TypeError:
            pass


def _skip_joblib(
    data: Any, pos: int, end: int, st: WalkState, spec: tuple[int, bool], depth: int
) -> int:
    """Step over a joblib array payload written into the stream right after its wrapper."""
    nbytes, aligned = spec
    if nbytes == joblib_arrays.OBJECT:
        if depth >= MAX_NESTED:
            raise Malformed(pos, "joblib object arrays nested too deep")
        return walk_one(data, pos, end, st, depth + 1)
    if aligned:
        _need(pos, 1, end)
        pad = data[pos]
        pos += 1 + pad
    _need(pos, nbytes, end)
    st.skipped_bytes += nbytes
    return pos + nbytes
