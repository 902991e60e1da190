"""A minimal protobuf wire-format walker, so SavedModel and ONNX need no protobuf library.

Only the wire layer is decoded: tags, varints, fixed-width values and length-delimited payloads
given as (start, end) offsets into a `WindowReader`. Callers descend into the sub-messages they
care about and never read the payloads they skip (tensor contents), so memory stays bounded.
Anything that does not fit the wire format (bad wire type, field 0, overlong varint, a length
past its parent) raises `ScanAbort`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from aisec.probes.artifacts.formats.binreader import WindowReader
from aisec.probes.artifacts.interface import ImpossibleLength, ScanAbort

VARINT, I64, LEN, SGROUP, EGROUP, I32 = 0, 1, 2, 3, 4, 5
MAX_FIELD = (1 << 29) - 1


class Field(NamedTuple):
    number: int
    wire: int
    value: int  # the number for VARINT/I64/I32, the payload length for LEN
    start: int  # payload start offset (LEN) or value offset
    end: int  # offset just after the field


def _varint(buf: bytes, i: int, limit: int) -> tuple[int, int]:
    """Decode a varint at buf[i] not extending to or past buf index `limit`."""
    value = shift = 0
    stop = min(limit, i + 10)
    while i < stop:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7
    raise ScanAbort("protobuf: malformed or truncated varint")


def read_varint(r: WindowReader, pos: int, end: int) -> tuple[int, int]:
    buf, base = r.span(pos, end)
    value, i = _varint(buf, pos - base, min(end, base + len(buf)) - base)
    return value, base + i


def iter_fields(r: WindowReader, start: int, end: int) -> Iterator[Field]:
    """Yield the fields of the message occupying [start, end)."""
    pos = start
    buf, base = r.span(pos, end)
    blen = len(buf)
    limit = min(end, base + blen) - base
    while pos < end:
        i = pos - base
        if i + 24 > blen and base + blen < end:  # near the window's end: slide it
            buf, base = r.span(pos, end)
            blen = len(buf)
            limit = min(end, base + blen) - base
            i = pos - base
        if i < limit and buf[i] < 0x80:
            key, i = buf[i], i + 1
        else:
            key, i = _varint(buf, i, limit)
        number, wire = key >> 3, key & 7
        if number == 0 or number > MAX_FIELD:
            raise ScanAbort(f"protobuf: invalid field number {number} at offset {pos}")
        if wire == LEN:
            if i < limit and buf[i] < 0x80:
                length, j = buf[i], i + 1
            else:
                length, j = _varint(buf, i, limit)
            body = base + j
            nxt = body + length
            if nxt > end:
                raise ImpossibleLength(f"protobuf: field {number} overruns its message at {body}")
            yield Field(number, wire, length, body, nxt)
        elif wire == VARINT:
            value, j = _varint(buf, i, limit)
            nxt = base + j
            yield Field(number, wire, value, base + i, nxt)
        elif wire in (I64, I32):
            width = 8 if wire == I64 else 4
            nxt = base + i + width
            if nxt > end:
                raise ScanAbort(f"protobuf: truncated fixed-width field {number}")
            value = int.from_bytes(r.read_at(base + i, width), "little")
            yield Field(number, wire, value, base + i, nxt)
        else:
            raise ScanAbort(f"protobuf: unsupported wire type {wire} (field {number})")
        pos = nxt
        if pos > base + blen:  # skipped past the window (a large payload)
            buf, base = r.span(min(pos, end), end)
            blen = len(buf)
            limit = min(end, base + blen) - base


def payload(r: WindowReader, f: Field, limit: int) -> bytes:
    """The bytes of a LEN field, truncated to `limit` (never reads more than that)."""
    if f.wire != LEN:
        raise ScanAbort(f"protobuf: field {f.number} should be length-delimited")
    return r.read_at(f.start, min(f.value, limit))


def text(r: WindowReader, f: Field, limit: int = 4096) -> str:
    return payload(r, f, limit).decode("utf-8", errors="replace")


def submessage(f: Field) -> tuple[int, int]:
    if f.wire != LEN:
        raise ScanAbort(f"protobuf: field {f.number} should be a message")
    return f.start, f.end


def string_map_entry(r: WindowReader, f: Field, limit: int = 4096) -> tuple[str, str]:
    """Decode a map<string,string> entry or a StringStringEntryProto (key=1, value=2)."""
    key = value = ""
    for sub in iter_fields(r, *submessage(f)):
        if sub.number == 1 and sub.wire == LEN:
            key = text(r, sub, limit)
        elif sub.number == 2 and sub.wire == LEN:
            value = text(r, sub, limit)
    return key, value


def leading_fields(head: bytes, count: int) -> list[Field]:
    """Up to `count` leading fields of `head` (for detection); stops quietly at the head's end.

    LEN fields whose payload extends past the head are still returned (with `end` beyond it),
    as the last element."""
    r = WindowReader.of_bytes(head)
    out: list[Field] = []
    pos = 0
    try:
        while pos < len(head) and len(out) < count:
            key, pos = read_varint(r, pos, len(head))
            number, wire = key >> 3, key & 7
            if number == 0 or wire not in (VARINT, I64, LEN, I32):
                return []
            if wire == VARINT:
                value, nxt = read_varint(r, pos, len(head))
                out.append(Field(number, wire, value, pos, nxt))
            elif wire == LEN:
                length, body = read_varint(r, pos, len(head))
                nxt = body + length
                out.append(Field(number, wire, length, body, nxt))
                if nxt > len(head):
                    break
            else:
                nxt = pos + (8 if wire == I64 else 4)
                out.append(Field(number, wire, 0, pos, nxt))
            pos = nxt
    except ScanAbort:
        return out
    return out


def is_identifier_text(data: bytes, extra: bytes = b"_./-:>") -> bool:
    """Non-empty ASCII letters/digits plus a few separators (node/op/domain names)."""
    return (
        bool(data)
        and all(chr(b).isalnum() or b in extra for b in data if b < 128)
        and all(b < 128 for b in data)
    )
