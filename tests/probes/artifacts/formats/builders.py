"""Sample builders for the format-handler tests: every file is generated in code, never stored."""

from __future__ import annotations

import io
import json
import struct
from typing import Any

from aisec.probes.artifacts.interface import HEAD_BYTES, FormatHandler, Limits, ScanContext
from aisec.probes.finding import Finding, Verdict


# --- running handlers -------------------------------------------------------------------
def context(location: str = "sample") -> ScanContext:
    return ScanContext(location=location, depth=0, limits=Limits(), sha256="0" * 64)


def scan(handler: FormatHandler, data: bytes, *, must_detect: bool = True) -> list[Finding]:
    if must_detect:
        assert handler.detect(data[:HEAD_BYTES], len(data)), "handler did not claim the sample"
    ctx = context()
    handler.scan(io.BytesIO(data), len(data), ctx)
    return ctx.findings


def rules(found: list[Finding]) -> set[str]:
    return {f.rule_id for f in found}


def verdicts(found: list[Finding]) -> set[Verdict]:
    return {f.verdict for f in found}


def assert_clean(found: list[Finding], rule: str) -> None:
    assert [(f.rule_id, f.verdict) for f in found] == [(rule, Verdict.PASS)], found
    assert found[0].tool == "aisec-scan"
    assert "model-artifact-scanning" in found[0].control_ids


# --- protobuf wire encoding --------------------------------------------------------------
def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb_int(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def pb_bytes(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return varint(number << 3 | 2) + varint(len(data)) + data


def pb_msg(number: int, *parts: bytes) -> bytes:
    return pb_bytes(number, b"".join(parts))


# --- safetensors -------------------------------------------------------------------------
def safetensors(header: dict[str, Any] | str, data: bytes, pad: bool = True) -> bytes:
    raw = (header if isinstance(header, str) else json.dumps(header)).encode()
    if pad:
        raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


def tensor(dtype: str, shape: list[int], begin: int, end: int) -> dict[str, Any]:
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


# --- GGUF --------------------------------------------------------------------------------
def _gstr(s: str | bytes, v: int) -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<I" if v == 1 else "<Q", len(b)) + b


def gguf(
    kv: list[tuple[str, int, Any]],
    tensors: list[tuple[str, list[int], int, int]] | None = None,
    *,
    version: int = 3,
    data: bytes | None = None,
) -> bytes:
    """kv: (key, value type, value); tensors: (name, dims, ggml type, offset)."""
    tensors = tensors or []
    cnt = "<I" if version == 1 else "<Q"
    out = bytearray(b"GGUF" + struct.pack("<I", version))
    out += struct.pack(cnt, len(tensors)) + struct.pack(cnt, len(kv))
    for key, vtype, value in kv:
        out += _gstr(key, version) + struct.pack("<I", vtype) + _gvalue(vtype, value, version)
    for name, dims, ttype, offset in tensors:
        out += _gstr(name, version) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack(cnt, d) for d in dims) + struct.pack("<IQ", ttype, offset)
    out += b"\0" * (-len(out) % 32)
    if data is None:
        data = b"\0" * sum(_size(d, t) for _, d, t, _ in tensors)
    return bytes(out + data)


def _size(dims: list[int], ttype: int) -> int:
    n = 1
    for d in dims:
        n *= d
    return n * {0: 4, 1: 2}.get(ttype, 1)


def _gvalue(vtype: int, value: Any, v: int) -> bytes:
    fmt = {
        0: "B",
        1: "b",
        2: "H",
        3: "h",
        4: "I",
        5: "i",
        6: "f",
        7: "?",
        10: "Q",
        11: "q",
        12: "d",
    }
    if vtype in fmt:
        return struct.pack("<" + fmt[vtype], value)
    if vtype == 8:
        return _gstr(value, v)
    item_type, items = value
    cnt = "<I" if v == 1 else "<Q"
    return (
        struct.pack("<I", item_type)
        + struct.pack(cnt, len(items))
        + b"".join(_gvalue(item_type, i, v) for i in items)
    )


STRING, ARRAY, UINT32 = 8, 9, 4
