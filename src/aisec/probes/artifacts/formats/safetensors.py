"""safetensors header sanity checks, without reading a single tensor byte.

safetensors cannot carry code, but its header can still be crafted to exploit loaders that
trust it (offsets out of range or overlapping, shapes that disagree with the byte length, a
gigantic header) or to hide data in gaps between tensors. The reference loader rejects most of
these, so their presence means the file was built by hand.
"""

from __future__ import annotations

import json
import math
from typing import Any, BinaryIO

from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.interface import ScanAbort, ScanContext
from aisec.probes.record import Severity, Verdict

MAX_HEADER = 100_000_000  # the reference implementation's limit
# element size in bits
DTYPE_BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64, "F64": 64, "C64": 64,
    "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}  # fmt: skip
TENSOR_KEYS = {"dtype", "shape", "data_offsets"}
M, S = Verdict.MALICIOUS, Verdict.SUSPICIOUS


def _load(raw: bytes) -> tuple[Any, list[str]]:
    """Parse the header, also returning keys that appear twice in one object."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    return json.loads(raw.decode("utf-8"), object_pairs_hook=pairs), duplicates


def _is_uint(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class SafetensorsHandler:
    name = "safetensors"

    def detect(self, head: bytes, size: int) -> bool:
        if len(head) < 10 or size < 10:
            return False
        n = int.from_bytes(head[:8], "little")
        if not 2 <= n <= size - 8:
            return False
        body = head[8 : 8 + min(n, 64)].lstrip(b" \t\r\n")  # older loaders allow leading blanks
        return body[:1] == b"{" and body[1:2] in b'"} \t\r\n'

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        stream.seek(0)
        n = int.from_bytes(stream.read(8), "little")
        if n > min(MAX_HEADER, ctx.limits.max_json_bytes) or n > size - 8:
            ctx.add(
                fx.make(
                    ctx,
                    "safetensors.header-oversized",
                    S,
                    Severity.HIGH,
                    f"header length {n} exceeds the {MAX_HEADER}-byte limit or the file",
                    details={"header_bytes": n, "size": size},
                )
            )
            raise ScanAbort("safetensors header too large to examine")
        raw = stream.read(n)
        if len(raw) != n:
            raise ScanAbort("safetensors header truncated")
        try:
            header, dups = _load(raw)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ScanAbort(f"safetensors header is not valid UTF-8 JSON: {exc}") from None
        if not isinstance(header, dict):
            raise ScanAbort("safetensors header is not a JSON object")
        before = len(ctx.findings)
        if not raw.startswith(b"{"):
            self._add(
                ctx,
                "safetensors.header-start",
                S,
                Severity.MEDIUM,
                "header starts with blanks: current loaders reject it, older ones accept it",
                ["header"],
            )
        self._check(header, dups, size - 8 - n, ctx)
        if not fx.has_problem(ctx, before):
            tensors = [k for k in header if k != "__metadata__"]
            fx.passed(
                ctx,
                "safetensors.ok",
                f"header of {len(tensors)} tensors is consistent",
                {"tensors": len(tensors), "header_bytes": n},
            )

    def _check(
        self, header: dict[str, Any], dups: list[str], data_len: int, ctx: ScanContext
    ) -> None:
        if dups:
            self._add(
                ctx,
                "safetensors.duplicate-key",
                S,
                Severity.HIGH,
                "duplicate keys in the header: parsers disagree on which one wins",
                dups,
            )
        meta = header.get("__metadata__")
        if meta is not None and not (
            isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())
        ):
            self._add(
                ctx,
                "safetensors.metadata-invalid",
                S,
                Severity.MEDIUM,
                "__metadata__ must map strings to strings",
                ["__metadata__"],
            )
        bad: dict[str, list[str]] = {}
        spans: list[tuple[int, int, str]] = []
        for name, info in header.items():
            if name == "__metadata__":
                continue
            problem = self._tensor_problem(info, data_len)
            if problem:
                bad.setdefault(problem, []).append(name)
            if isinstance(info, dict) and self._offsets_ok(info.get("data_offsets")):
                begin, end = info["data_offsets"]
                if end <= data_len:
                    spans.append((begin, end, name))
        rules = {
            "entry-invalid": (S, Severity.HIGH, "tensor entries are not dtype/shape/data_offsets"),
            "dtype-unknown": (S, Severity.MEDIUM, "tensors use an unknown dtype"),
            "shape-invalid": (S, Severity.HIGH, "tensor shapes are not lists of non-negative ints"),
            "offsets-invalid": (M, Severity.HIGH, "data_offsets are not [begin, end], begin<=end"),
            "offsets-out-of-range": (M, Severity.HIGH, "tensor data lies outside the file"),
            "dtype-shape-mismatch": (
                M,
                Severity.HIGH,
                "byte length disagrees with shape x dtype size",
            ),
        }
        for key, names in bad.items():
            verdict, sev, msg = rules[key]
            self._add(ctx, f"safetensors.{key}", verdict, sev, msg, names)
        self._check_layout(sorted(spans), data_len, ctx)

    @staticmethod
    def _offsets_ok(offsets: Any) -> bool:
        return (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(_is_uint(v) for v in offsets)
            and offsets[0] <= offsets[1]
        )

    def _tensor_problem(self, info: Any, data_len: int) -> str | None:
        if not isinstance(info, dict) or set(info) != TENSOR_KEYS:
            return "entry-invalid"
        if not self._offsets_ok(info["data_offsets"]):
            return "offsets-invalid"
        begin, end = info["data_offsets"]
        if end > data_len:
            return "offsets-out-of-range"
        dtype, shape = info["dtype"], info["shape"]
        if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
            return "dtype-unknown"
        if not isinstance(shape, list) or not all(_is_uint(d) for d in shape) or len(shape) > 64:
            return "shape-invalid"
        bits = math.prod(shape) * DTYPE_BITS[dtype]
        if bits % 8 or bits // 8 != end - begin:
            return "dtype-shape-mismatch"
        return None

    def _check_layout(
        self, spans: list[tuple[int, int, str]], data_len: int, ctx: ScanContext
    ) -> None:
        overlaps: list[str] = []
        gaps: list[str] = []
        cursor, prev = 0, "start of data"
        for begin, end, name in spans:
            if begin < cursor:
                overlaps.append(f"{prev} / {name}")
            elif begin > cursor:
                gaps.append(f"{begin - cursor} bytes before {name}")
            if end > cursor:
                cursor, prev = end, name
        if cursor < data_len:
            gaps.append(f"{data_len - cursor} trailing bytes after {prev}")
        if overlaps:
            self._add(
                ctx,
                "safetensors.offsets-overlap",
                M,
                Severity.HIGH,
                "tensors share bytes: aliasing data regions is a known parser attack",
                overlaps,
            )
        if gaps:
            self._add(
                ctx,
                "safetensors.offsets-gap",
                S,
                Severity.MEDIUM,
                "bytes not covered by any tensor (hidden data or a crafted layout)",
                gaps,
            )

    @staticmethod
    def _add(
        ctx: ScanContext, rule: str, verdict: Verdict, sev: Severity, msg: str, names: list[str]
    ) -> None:
        ctx.add(fx.make(ctx, rule, verdict, sev, f"safetensors: {msg}", details=fx.examples(names)))
