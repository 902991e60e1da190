"""NumPy `.npy` handler: parses the header without evaluating it as code and, for object
arrays, walks the pickle that follows (object arrays are stored as a pickle of the array)."""

from __future__ import annotations

import ast
from math import prod
from typing import Any, BinaryIO

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.blob import from_stream
from aisec.probes.artifacts.interface import ScanContext
from aisec.probes.artifacts.pickle.analyse import analyse
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.record import Severity, Verdict

MAGIC = b"\x93NUMPY"
MAX_HEADER = 65_536
_SIMPLE = lazy_compile(r"^[<>|=]?([a-zA-Z])(\d*)$")


class NpyError(Exception):
    pass


def parse_header(head: bytes) -> tuple[dict[str, Any], int]:
    """(header dict, data offset) of an .npy stream; raises NpyError."""
    if head[:6] != MAGIC or len(head) < 10:
        raise NpyError("not an .npy stream")
    major = head[6]
    if major == 1:
        hlen, start = int.from_bytes(head[8:10], "little"), 10
    elif major in (2, 3):
        hlen, start = int.from_bytes(head[8:12], "little"), 12
    else:
        raise NpyError(f"unknown .npy version {major}")
    if hlen > MAX_HEADER:
        raise NpyError(f"header of {hlen} bytes exceeds {MAX_HEADER}")
    raw = head[start : start + hlen]
    if len(raw) < hlen:
        raise NpyError("truncated header")
    try:
        text = raw.decode("utf-8" if major == 3 else "latin-1")
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError) as exc:
        raise NpyError(f"header is not a literal: {type(exc).__name__}") from None
    if not isinstance(header, dict) or not {"descr", "fortran_order", "shape"} <= header.keys():
        raise NpyError("header lacks descr/fortran_order/shape")
    return header, start + hlen


def has_object(descr: Any) -> bool:
    """True if the dtype description resolves to Python objects anywhere (a nested pickle).

    Decided the way the loader decides: NumPy's own `descr_to_dtype` (which builds a dtype
    from text and never runs code) and `hasobject`, so 'O', '|O8', 'object', structured
    dtypes with an object field and sub-arrays of objects all count. A descriptor NumPy
    rejects is malformed; without NumPy, anything that is not a plain numeric or text type
    counts as objects."""
    try:
        from numpy.lib import format as npformat
    except ImportError:
        return _has_object_fallback(descr)
    try:
        return bool(npformat.descr_to_dtype(descr).hasobject)
    except (TypeError, ValueError, KeyError, IndexError, RecursionError, SyntaxError) as exc:
        raise NpyError(f"dtype descriptor NumPy rejects: {str(exc)[:120]}") from None


def _has_object_fallback(descr: Any) -> bool:
    if isinstance(descr, str):
        m = _SIMPLE.match(descr)
        return not (m and m.group(1) in "bBhHiIlLqQpPefdgFDGSUVmM?b")
    if isinstance(descr, list | tuple):
        return any(_has_object_fallback(d) for d in descr if not isinstance(d, int))
    return True


def itemsize(descr: Any) -> int | None:
    if isinstance(descr, str):
        m = _SIMPLE.match(descr)
        if m and m.group(2):
            size = int(m.group(2))
            return size * 4 if m.group(1) == "U" else size
    return None


class NpyHandler:
    name = "numpy"

    def detect(self, head: bytes, size: int) -> bool:
        return head.startswith(MAGIC)

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        blob, _ = from_stream(stream, ctx.limits.max_total_bytes)

        def add(rule: Rule, verdict: Verdict, sev: Severity, msg: str, **details: Any) -> None:
            ctx.add(
                finding(rule, verdict, sev, ctx.location, msg, sha256=ctx.sha256, details=details)
            )

        try:
            header, data_at = parse_header(blob.read_at(0, MAX_HEADER + 12))
        except NpyError as exc:
            add(Rule.NUMPY_MALFORMED, Verdict.SUSPICIOUS, Severity.MEDIUM, f"bad .npy: {exc}")
            return
        descr, shape = header["descr"], header["shape"]
        try:
            objects = has_object(descr)
        except NpyError as exc:
            add(Rule.NUMPY_MALFORMED, Verdict.SUSPICIOUS, Severity.MEDIUM, f"bad .npy: {exc}")
            return
        if objects:
            analyse(blob.buf, blob.start + data_at, blob.end, ctx, kind="numpy-object-array")
            return
        isz = itemsize(descr)
        if isinstance(shape, tuple) and all(isinstance(d, int) and d >= 0 for d in shape) and isz:
            expected = prod(shape) * isz
            if expected != blob.size - data_at:
                add(
                    Rule.NUMPY_MALFORMED,
                    Verdict.SUSPICIOUS,
                    Severity.LOW,
                    f"array data is {blob.size - data_at} bytes, header implies {expected}",
                    descr=str(descr),
                    shape=list(shape),
                )
                return
        add(
            Rule.NUMPY_CLEAN,
            Verdict.PASS,
            Severity.INFO,
            "NumPy array of plain data (no Python objects)",
            descr=str(descr),
            shape=list(shape) if isinstance(shape, tuple) else str(shape),
        )
