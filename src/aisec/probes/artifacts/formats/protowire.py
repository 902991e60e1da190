"""A minimal protobuf wire-format walker, so SavedModel and ONNX need no protobuf library.

Only the wire layer is decoded: tags, varints, fixed-width values and length-delimited payloads
given as (start, end) offsets into a `WindowReader`. Callers descend into the sub-messages they
care about and never read the payloads they skip (tensor contents), so memory stays bounded.
Anything that does not fit the wire format (bad wire type, field 0, overlong varint, a length
past its parent) raises `ScanAbort`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aisec.probes.artifacts.formats.binreader import WindowReader
from aisec.probes.artifacts.interface import ScanAbort

VARINT, I64, LEN, SGROUP, EGROUP, I32 = 0, 1, 2, 3, 4, 5
MAX_FIELD = (1 << 29) - 1


@dataclass(frozen=True, slots=True)
class Field:
    number: int
    wire: int
    value: int  # the number for VARINT/I64/I32, the payload length for LEN
    start: int  # payload start offset (LEN) or value offset
    end: int  # offset just after the field


def read_varint(r: WindowReader, pos: int, end: int) -> tuple[int, int]:
    chunk = r.read_at(pos, min(10, end - pos)) if end > pos else b""
    value = 0
    for i, byte in enumerate(chunk):
        value |= (byte & 0x7F) << (7 * i)
        if byte < 0x80:
            return value, pos + i + 1
    raise ScanAbort(f"protobuf: malformed or truncated varint at offset {pos}")


def iter_fields(r: WindowReader, start: int, end: int) -> Iterator[Field]:
    """Yield the fields of the message occupying [start, end)."""
    pos = start
    while pos < end:
        key, pos = read_varint(r, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0 or number > MAX_FIELD:
            raise ScanAbort(f"protobuf: invalid field number {number} at offset {pos}")
        if wire == VARINT:
            value, nxt = read_varint(r, pos, end)
            yield Field(number, wire, value, pos, nxt)
        elif wire == LEN:
            length, body = read_varint(r, pos, end)
            nxt = body + length
            if nxt > end:
                raise ScanAbort(f"protobuf: field {number} overruns its message at {body}")
            yield Field(number, wire, length, body, nxt)
        elif wire in (I64, I32):
            width = 8 if wire == I64 else 4
            nxt = pos + width
            if nxt > end:
                raise ScanAbort(f"protobuf: truncated fixed-width field {number}")
            value = int.from_bytes(r.read_at(pos, width), "little")
            yield Field(number, wire, value, pos, nxt)
        else:
            raise ScanAbort(f"protobuf: unsupported wire type {wire} (field {number})")
        pos = nxt


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
