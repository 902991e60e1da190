"""Rare pickle opcodes, kept out of the walker's hot loop so that the common ones (memo, tuples,
calls, byte payloads) are dispatched with as few comparisons as possible."""

from __future__ import annotations

from struct import unpack_from
from typing import Any

from aisec.probes.artifacts.pickle.resolve import call_result, import_global
from aisec.probes.artifacts.pickle.state import (
    BIG,
    Issue,
    Malformed,
    WalkState,
    decode_string,
    line,
    literal_line,
    memo_get,
    memo_put,
    need,
    pop_mark,
    setitem,
    utf8,
)
from aisec.probes.artifacts.pickle.torchsem import MAX_STORAGES, storage_declaration
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
)


def cold_op(  # noqa: C901
    op: int,
    data: Any,
    pos: int,
    end: int,
    stack: list[Any],
    marks: list[int],
    memo: list[Any],
    sparse: dict[int, Any],
    st: WalkState,
) -> int:
    """Apply one rare opcode; return the position after its argument."""
    append = stack.append
    pop = stack.pop
    if op == 0x81:  # NEWOBJ
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
        items = pop_mark(stack, marks, pos)
        if not items:
            raise Malformed(pos, "OBJ without a class")
        append(call_result(items[0], tuple(items[1:]), pos, st))
    elif op == 0x69:  # INST
        raw_mod, pos = line(data, pos, end)
        raw_name, pos = line(data, pos, end)
        cls = import_global(utf8(raw_mod, pos), utf8(raw_name, pos), 0, pos, st)
        append(call_result(cls, tuple(pop_mark(stack, marks, pos)), pos, st))
    elif op == 0x30:  # POP
        if stack:
            pop()
        elif marks:
            pop_mark(stack, marks, pos)
        else:
            raise Malformed(pos, "stack underflow")
    elif op == 0x31:  # POP_MARK
        pop_mark(stack, marks, pos)
    elif op == 0x32:  # DUP
        if not stack:
            raise Malformed(pos, "stack underflow")
        append(stack[-1])
    elif op == 0x6A:  # LONG_BINGET
        need(pos, 4, end)
        try:
            append(memo_get(memo, sparse, unpack_from("<I", data, pos)[0]))
        except KeyError:
            raise Malformed(pos, "memo key missing") from None
        pos += 4
    elif op == 0x72:  # LONG_BINPUT
        need(pos, 4, end)
        if not stack:
            raise Malformed(pos, "stack underflow")
        memo_put(memo, sparse, unpack_from("<I", data, pos)[0], stack[-1])
        pos += 4
    elif op == 0x67 or op == 0x70:  # GET / PUT
        raw, pos = line(data, pos, end)
        try:
            key = int(raw)
        except ValueError:
            raise Malformed(pos, "bad memo key") from None
        if op == 0x70:
            if not stack:
                raise Malformed(pos, "stack underflow")
            if key < 0:
                raise Malformed(pos, "negative PUT argument")
            memo_put(memo, sparse, key, stack[-1])
        else:
            try:
                append(memo_get(memo, sparse, key))
            except KeyError:
                raise Malformed(pos, "memo key missing") from None
    elif op == 0x47:  # BINFLOAT
        need(pos, 8, end)
        pos += 8
        append(FLOAT)
    elif op == 0x8A:  # LONG1
        need(pos, 1, end)
        n = data[pos]
        need(pos + 1, n, end)
        append(int.from_bytes(data[pos + 1 : pos + 1 + n], "little", signed=True))
        pos += 1 + n
    elif op == 0x8B:  # LONG4
        need(pos, 4, end)
        n = unpack_from("<i", data, pos)[0]
        need(pos + 4, n, end)
        big = n > 64
        append(BIGINT if big else int.from_bytes(data[pos + 4 : pos + 4 + n], "little"))
        pos += 4 + n
    elif op == 0x49 or op == 0x4C:  # INT / LONG
        lit, pos = literal_line(data, pos, end)
        try:
            append(int(lit.rstrip(b"L")) if lit is not None and len(lit) < 64 else BIGINT)
        except ValueError:
            raise Malformed(pos, "bad integer literal") from None
    elif op == 0x46:  # FLOAT
        _, pos = literal_line(data, pos, end)
        append(FLOAT)
    elif op == 0x53:  # STRING
        lit, pos = literal_line(data, pos, end)
        append(decode_string(lit) if lit is not None else BIGSTR)
    elif op == 0x54:  # BINSTRING
        need(pos, 4, end)
        n = unpack_from("<i", data, pos)[0]
        need(pos + 4, n, end)
        append(data[pos + 4 : pos + 4 + n].decode("latin-1") if n < BIG else BIGSTR)
        pos += 4 + n
    elif op == 0x55:  # SHORT_BINSTRING
        need(pos, 1, end)
        n = data[pos]
        need(pos + 1, n, end)
        append(data[pos + 1 : pos + 1 + n].decode("latin-1"))
        pos += 1 + n
    elif op == 0x56:  # UNICODE
        lit, pos = literal_line(data, pos, end)
        append(lit.decode("raw-unicode-escape") if lit is not None else BIGSTR)
    elif op == 0x6C or op == 0x64:  # LIST / DICT
        items = pop_mark(stack, marks, pos)
        if op == 0x64:
            d: dict[Any, Any] = {}
            for i in range(0, min(len(items) - 1, 128), 2):
                setitem(d, items[i], items[i + 1])
            append(d)
        else:
            append(LIST)
    elif op == 0x8F:  # EMPTY_SET
        append(SET)
    elif op == 0x90:  # ADDITEMS
        pop_mark(stack, marks, pos)
        if not stack:
            raise Malformed(pos, "stack underflow")
    elif op == 0x91:  # FROZENSET
        pop_mark(stack, marks, pos)
        append(SET)
    elif op == 0x50:  # PERSID
        if st.first_persistent < 0:
            st.first_persistent = pos
        _, pos = literal_line(data, pos, end)
        st.persistent_ids += 1
        append(PERSISTENT)
    elif op == 0x51:  # BINPERSID
        if not stack:
            raise Malformed(pos, "stack underflow")
        pid = pop()
        if st.first_persistent < 0:
            st.first_persistent = pos
        st.persistent_ids += 1
        declared = storage_declaration(pid)
        if declared is not None and len(st.storages) < MAX_STORAGES:
            st.storages[declared[0]] = declared[1]
        # Legacy torch.save stores module classes as ('module', cls, file, source): the loader
        # returns cls itself, which the pickle then calls; cls was graded when imported.
        if type(pid) is tuple and len(pid) >= 2 and pid[0] == "module" and type(pid[1]) is Global:
            append(pid[1])
        else:
            append(PERSISTENT)
    elif op in (0x82, 0x83, 0x84):  # EXT1/2/4
        width = {0x82: 1, 0x83: 2, 0x84: 4}[op]
        need(pos, width, end)
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
    return pos
