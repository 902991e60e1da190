"""GGUF (llama.cpp) model files: bounded header parse and chat-template inspection.

GGUF carries no code, but its metadata holds the Jinja2 chat template inference servers render
on every request, and its header drives native parsers that have had memory-safety bugs. The
header is parsed with every count and length bounded by what the file can hold; tensor
descriptors are checked against the file; templates go to `chat_template`. Tensor data is
never read.
"""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.formats.binreader import WindowReader
from aisec.probes.artifacts.interface import ImpossibleLength, ScanAbort, ScanContext
from aisec.probes.record import Severity, Verdict

MAGIC = b"GGUF"
MAX_COUNT = 10_000_000
MAX_KEY = 65_536
MAX_DIMS = 8  # ggml uses 4; allow a little slack before calling it malformed
KEPT_STRING = 1 << 20  # longest value kept for inspection; longer ones are skipped
KEPT_TOTAL = 16 << 20  # all kept values together; templates past it are reported, not read
KEPT_KEYS = frozenset({"general.architecture", "general.alignment", "general.name"})
MAX_SEEN = 1 << 18  # keys remembered for the duplicate check
SCALARS = {
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
STRING, ARRAY = 8, 9
# ggml tensor type -> (elements per block, bytes per block)
GGML_SIZES = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
    9: (32, 36), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210),
    15: (256, 292), 16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18),
    21: (256, 110), 22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4),
    27: (1, 8), 28: (1, 8), 29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66),
    39: (32, 17),
}  # fmt: skip


class _Parser:
    def __init__(self, r: WindowReader, endian: str, version: int, ctx: ScanContext) -> None:
        self.r, self.e, self.version, self.ctx = r, endian, version, ctx
        self.len_fmt = endian + ("I" if version == 1 else "Q")

    def count(self, what: str, minimum_bytes: int = 1) -> int:
        n = self.r.uint(self.len_fmt)
        if n > MAX_COUNT or n * minimum_bytes > self.r.remaining:
            raise ImpossibleLength(f"gguf: {what} {n} cannot fit in the file")
        return n

    def string(self, limit: int) -> str | None:
        """Read a string; returns None (after skipping it) when it is longer than `limit`."""
        n = self.count("string length")
        if n > limit:
            self.r.skip(n)
            return None
        return self.r.take(n).decode("utf-8", errors="replace")

    def value(self, vtype: int, keep: bool, depth: int = 0) -> Any:
        if vtype in SCALARS:
            return self.r.unpack(self.e + SCALARS[vtype])[0]
        if vtype == STRING:
            return self.string(KEPT_STRING if keep else 0)
        if vtype == ARRAY and depth < 2:
            item_type = self.r.uint(self.e + "I")
            n = self.count("array length")
            if item_type in SCALARS:
                self.r.skip(n * struct.calcsize(SCALARS[item_type]))
                return None
            for i in range(n):
                if i % 65536 == 0:
                    fx.check_deadline(self.ctx)
                self.value(item_type, False, depth + 1)
            return None
        raise ScanAbort(f"gguf: unknown or too deeply nested metadata value type {vtype}")


class GgufHandler:
    name = "gguf"

    def detect(self, head: bytes, size: int) -> bool:
        return len(head) >= 8 and head[:4] == MAGIC and self._endian(head) is not None

    @staticmethod
    def _endian(head: bytes) -> tuple[str, int] | None:
        for endian in ("<", ">"):
            (version,) = struct.unpack(endian + "I", head[4:8])
            if 1 <= version <= 3:
                return endian, version
        return None

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        r = WindowReader(stream, size)
        found = self._endian(r.read_at(0, 8))
        if found is None or r.read_at(0, 4) != MAGIC:
            raise ScanAbort("gguf: bad magic or unsupported version")
        endian, version = found
        r.pos = 8
        p = _Parser(r, endian, version, ctx)
        n_tensors = p.count("tensor count", 8)
        n_kv = p.count("metadata count", 8)
        before = len(ctx.findings)
        meta: dict[str, Any] = {}  # only the keys inspected below
        seen: set[str] = set()
        kept = 0
        for i in range(n_kv):
            if i % 65536 == 0:
                fx.check_deadline(ctx)
            key = p.string(MAX_KEY)
            if key is None:
                raise ScanAbort("gguf: metadata key longer than 64 KiB")
            vtype = r.uint(endian + "I")
            wanted = key in KEPT_KEYS or key.startswith("tokenizer.chat_template")
            value = p.value(vtype, keep=wanted and kept < KEPT_TOTAL)
            if key in seen:
                self._problem(ctx, "gguf.duplicate-key", f"metadata key {key!r} appears twice")
            elif len(seen) < MAX_SEEN:
                seen.add(key)
            if wanted:  # a repeated template key keeps both copies: loaders differ on which wins
                meta[key if key not in meta else f"{key} (repeat {i})"] = value
                kept += len(value) if isinstance(value, str) else 8
        templates = {k: v for k, v in meta.items() if k.startswith("tokenizer.chat_template")}
        for key, source in templates.items():
            self._template(ctx, key, source)
        unchecked = self._tensors(p, n_tensors, meta, ctx)
        if not fx.has_problem(ctx, before):
            details = {
                "version": version,
                "tensors": n_tensors,
                "metadata_keys": n_kv,
                "architecture": meta.get("general.architecture"),
                "chat_templates": sorted(templates),
                "unchecked_tensor_types": sorted(unchecked),
            }
            fx.passed(
                ctx,
                "gguf.ok",
                "GGUF header and chat templates look benign",
                details,
                threats=fx.WITH_BACKDOOR,
            )

    def _template(self, ctx: ScanContext, key: str, source: Any) -> None:
        if not isinstance(source, str):
            self._problem(
                ctx,
                "gguf.template-invalid",
                f"{key} is not a string of at most {KEPT_STRING} bytes",
            )
            return
        from aisec.probes.artifacts.formats.chat_template import analyse_template  # jinja2: lazy

        for issue in analyse_template(source, "gguf"):
            fx.report(ctx, issue, where=key)

    def _tensors(self, p: _Parser, n: int, meta: dict[str, Any], ctx: ScanContext) -> set[int]:
        """Check the tensor table; returns the tensor types whose sizes could not be checked."""
        r = p.r
        alignment = meta.get("general.alignment", 32)
        if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
            self._problem(ctx, "gguf.alignment-invalid", f"general.alignment {alignment!r}")
            alignment = 32
        spans: list[tuple[int, int, str]] = []
        bad: dict[str, list[str]] = {}
        unchecked: set[int] = set()
        for i in range(n):
            if i % 4096 == 0:
                fx.check_deadline(ctx)
            name = p.string(MAX_KEY) or "?"
            n_dims = r.uint(p.e + "I")
            if n_dims > MAX_DIMS:
                raise ScanAbort(f"gguf: tensor {name!r} has {n_dims} dimensions")
            dims = r.unpack(p.e + ("I" if p.version == 1 else "Q") * n_dims)
            ttype, offset = (int(v) for v in r.unpack(p.e + "IQ"))
            elements = 1
            for d in dims:
                elements *= int(d)
            block = GGML_SIZES.get(ttype)
            if block and elements % block[0] == 0:
                spans.append((offset, offset + elements // block[0] * block[1], name))
            elif block:
                bad.setdefault("partial-block", []).append(name)
            elif len(unchecked) < 32:
                unchecked.add(ttype)  # a ggml type newer than this table: size not checked
            if offset % alignment:
                bad.setdefault("misaligned", []).append(name)
        data_start = -(-r.pos // alignment) * alignment
        spans.sort()
        for idx, (begin, end, name) in enumerate(spans):
            if data_start + end > r.size:
                bad.setdefault("out-of-range", []).append(name)
            if idx and begin < spans[idx - 1][1]:
                bad.setdefault("overlap", []).append(f"{spans[idx - 1][2]} / {name}")
        messages = {
            "partial-block": ("gguf.tensor-invalid", "element counts do not fill whole blocks"),
            "misaligned": ("gguf.tensor-invalid", "tensor offsets break general.alignment"),
            "out-of-range": ("gguf.tensor-out-of-range", "tensor data lies past the end of file"),
            "overlap": ("gguf.tensor-overlap", "tensors share bytes"),
        }
        for key, names in bad.items():
            rule, message = messages[key]
            verdict = Verdict.SUSPICIOUS if key == "misaligned" else Verdict.MALICIOUS
            self._problem(ctx, rule, message, verdict, fx.examples(names))
        return unchecked

    @staticmethod
    def _problem(
        ctx: ScanContext,
        rule: str,
        message: str,
        verdict: Verdict = Verdict.SUSPICIOUS,
        details: dict[str, Any] | None = None,
    ) -> None:
        sev = Severity.HIGH if verdict is Verdict.MALICIOUS else Severity.MEDIUM
        ctx.add(fx.make(ctx, rule, verdict, sev, f"gguf: {message}", details=details))
