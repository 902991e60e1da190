"""Static pickle walker: decodes opcodes and emulates stack and memo, never executes anything.

It resolves every callable a pickle imports (GLOBAL, STACK_GLOBAL with operands from literals or
the memo, INST) and every call site (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST, BUILD), and steps over
large byte payloads by offset instead of copying them. The buffer is `bytes` or an `mmap`, so a
multi-gigabyte file costs only the pages the opcodes live on. Hand-written rather than built on
`pickletools.genops`, which allocates a tuple per opcode and is several times slower.
"""

from __future__ import annotations

import re
from struct import Struct, unpack_from
from struct import error as struct_error
from typing import Any

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.pickle import joblib_arrays
from aisec.probes.artifacts.pickle.cold import cold_op
from aisec.probes.artifacts.pickle.resolve import (
    call_result,
    import_global,
    resolve_build,
)
from aisec.probes.artifacts.pickle.state import (
    BudgetExceeded,
    Issue,
    Malformed,
    WalkState,
    check_budget,
    line,
    memo_put,
    need,
    pop_mark,
    setitem,
    text,
    utf8,
)
from aisec.probes.artifacts.pickle.values import (
    BYTES,
    FLOAT,
    LIST,
    Global,
    Obj,
)

MAX_NESTED = 4  # joblib object arrays nest pickles in the stream
_CHUNK = 1 << 16
_U32 = Struct("<I").unpack_from  # compiled once: BINBYTES/BINUNICODE lengths
# Consecutive BINFLOATs (opcode G, 8 bytes each): matched at once instead of one loop turn each.
_FLOAT_RUN = lazy_compile(rb"(?:G.{8})+", re.DOTALL)
_DECODE_ERRORS = (IndexError, KeyError, UnicodeDecodeError, ValueError, OverflowError, struct_error)
_REASONS: dict[type[Exception], str] = {
    IndexError: "stack underflow or truncated argument",
    KeyError: "memo key missing",
}


def walk_one(data: Any, pos: int, end: int, st: WalkState, depth: int = 0) -> int:  # noqa: C901
    """Walk one pickle starting at `pos`; return the offset just after its STOP."""
    stack: list[Any] = []
    marks: list[int] = []
    memo: list[Any] = []  # dense memo keys 0..n-1; `sparse` holds any key put beyond them
    sparse: dict[int, Any] = {}
    memo_append = memo.append
    mark = marks.append
    u32 = _U32
    append = stack.append
    pop = stack.pop
    float_run = _FLOAT_RUN.match
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
                check_budget(st)
                if st.release is not None:
                    st.release(pos)
                limit = min(end, pos + _CHUNK)
            op = data[pos]
            pos += 1
            if op == 0x68:  # BINGET
                try:
                    append(memo[data[pos]])
                except IndexError:
                    append(sparse[data[pos]])
                pos += 1
            elif op == 0x4B:  # BININT1
                append(data[pos])
                pos += 1
            elif op == 0x85:  # TUPLE1
                stack[-1] = (stack[-1],)
                if data[pos] == 0x94 and not sparse:  # MEMOIZE fused: one dispatch less
                    memo_append(stack[-1])
                    pos += 1
            elif op == 0x28:  # MARK
                mark(len(stack))
            elif op == 0x52:  # REDUCE
                args = pop()
                func = stack[-1]
                if type(func) is Global and not func.kind:
                    stack[-1] = Obj(func, args)
                else:
                    stack[-1] = call_result(func, args, pos - 1, st)
                if data[pos] == 0x94 and not sparse:  # MEMOIZE fused: one dispatch less
                    memo_append(stack[-1])
                    pos += 1
            elif op == 0x87:  # TUPLE3
                c = pop()
                b = pop()
                stack[-1] = (stack[-1], b, c)
                if data[pos] == 0x94 and not sparse:  # MEMOIZE fused: one dispatch less
                    memo_append(stack[-1])
                    pos += 1
            elif op == 0x74:  # TUPLE
                if not marks:
                    raise Malformed(pos, "no MARK on the stack")
                k = marks.pop()
                t = tuple(stack[k:])
                del stack[k:]
                append(t)
                if data[pos] == 0x94 and not sparse:  # MEMOIZE fused: one dispatch less
                    memo_append(stack[-1])
                    pos += 1
            elif op == 0x62:  # BUILD
                state = pop()
                target = stack[-1]
                if type(target) is Obj:
                    target.state = state
                    func = target.func
                    if func.__class__ is Global and func.kind == 2:
                        skip = joblib_arrays.payload(target, state)
                        if skip is not None:
                            pos = _skip_joblib(data, pos, end, st, skip, depth)
                else:
                    resolve_build(target, state, pos - 1, st)
            elif op == 0x89:  # NEWFALSE
                append(False)
            elif op == 0x42:  # BINBYTES
                n = u32(data, pos)[0]
                pos += 4 + n
                st.skipped_bytes += n
                append(BYTES)
                if data[pos] == 0x94 and not sparse:  # MEMOIZE fused: one dispatch less
                    memo_append(stack[-1])
                    pos += 1
            elif op == 0x94:  # MEMOIZE
                if sparse:
                    memo_put(memo, sparse, len(memo) + len(sparse), stack[-1])
                else:
                    memo_append(stack[-1])
            elif op == 0x71:  # BINPUT
                if data[pos] == len(memo) and not sparse:
                    memo_append(stack[-1])
                else:
                    memo_put(memo, sparse, data[pos], stack[-1])
                pos += 1
            elif op == 0x86:  # TUPLE2
                b = pop()
                stack[-1] = (stack[-1], b)
                if data[pos] == 0x94 and not sparse:  # MEMOIZE fused: one dispatch less
                    memo_append(stack[-1])
                    pos += 1
            elif op == 0x8C:  # SHORT_BINUNICODE (length checks inlined: it is frequent)
                n = data[pos] if pos < end else -1
                if n < 0 or pos + 1 + n > end:
                    raise Malformed(pos if n < 0 else pos + 1, "truncated argument")
                append(data[pos + 1 : pos + 1 + n].decode("utf-8", "surrogatepass"))
                pos += 1 + n
            elif op == 0x58:  # BINUNICODE
                need(pos, 4, end)
                n = u32(data, pos)[0]
                need(pos + 4, n, end)
                append(text(data, pos + 4, n))
                pos += 4 + n
            elif op == 0x43:  # SHORT_BINBYTES
                pos += 1 + data[pos]
                append(BYTES)
            elif op == 0x47:  # BINFLOAT: lists of them are common (metrics, small tensors)
                run = float_run(data, pos - 1, end)  # the whole run in one step, in C
                if run is None:
                    raise Malformed(pos, "truncated argument")
                count = (run.end() - pos + 1) // 9
                stack.extend([FLOAT] * count)
                pos = run.end()
            elif op == 0x4D:  # BININT2
                need(pos, 2, end)
                append(data[pos] | (data[pos + 1] << 8))
                pos += 2
            elif op == 0x4A:  # BININT
                need(pos, 4, end)
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
                if type(stack[-1]) is not dict:
                    st.misuse(stack[-1], "SETITEM", pos - 1)
                setitem(stack[-1], k, v)
            elif op == 0x75:  # SETITEMS
                items = pop_mark(stack, marks, pos)
                if not stack or len(items) % 2:
                    raise Malformed(pos, "bad SETITEMS")
                target = stack[-1]
                if type(target) is not dict:
                    st.misuse(target, "SETITEMS", pos - 1)
                for i in range(0, min(len(items), 128), 2):
                    setitem(target, items[i], items[i + 1])
            elif op == 0x61:  # APPEND
                if len(stack) < 2:
                    raise Malformed(pos, "stack underflow")
                pop()
                if stack[-1] is not LIST:
                    st.misuse(stack[-1], "APPEND", pos - 1)
            elif op == 0x65:  # APPENDS
                pop_mark(stack, marks, pos)
                if not stack:
                    raise Malformed(pos, "stack underflow")
                if stack[-1] is not LIST:
                    st.misuse(stack[-1], "APPENDS", pos - 1)
            elif op == 0x95:  # FRAME
                need(pos, 8, end)
                pos += 8
            elif op in (0x8D, 0x8E, 0x96):  # BINUNICODE8, BINBYTES8, BYTEARRAY8
                need(pos, 8, end)
                n = unpack_from("<Q", data, pos)[0]
                need(pos + 8, n, end)
                append(text(data, pos + 8, n) if op == 0x8D else BYTES)
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
                raw_mod, pos = line(data, pos, end)
                raw_name, pos = line(data, pos, end)
                append(import_global(utf8(raw_mod, pos), utf8(raw_name, pos), 0, pos, st))
            elif op == 0x80:  # PROTO
                need(pos, 1, end)
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
            else:
                pos = cold_op(op, data, pos, end, stack, marks, memo, sparse, st)
    except _DECODE_ERRORS as exc:
        reason = _REASONS.get(type(exc), f"undecodable argument ({type(exc).__name__})")
        raise Malformed(pos, reason) from None
    finally:
        st.ops += pos - last


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
        need(pos, 1, end)
        pad = data[pos]
        pos += 1 + pad
    need(pos, nbytes, end)
    st.skipped_bytes += nbytes
    return pos + nbytes


__all__ = ["BudgetExceeded", "Issue", "Malformed", "WalkState", "walk_one"]
