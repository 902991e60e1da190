"""skops `schema.json` handler: grades every type and function a skops file names.

skops persists scikit-learn models as a zip of `.npy` arrays plus a JSON tree whose nodes name
the Python types and functions to rebuild (`__module__`, `__class__`, `__loader__`); the loader
imports each one it is told to trust. Every reference is graded with the same allow-list and
deny-list as pickle imports, so a skops file is never trusted more than a pickle would be.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.interface import ScanAbort, ScanContext
from aisec.probes.artifacts.pickle.policy import Status, classify
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.record import Severity, Verdict

_MARKERS = lazy_compile(rb'"__(loader|module|class)__"\s*:')
_MAX_NODES = 1_000_000
# Types skops writes for plain data (its own default trusted set), beyond the pickle allow-list.
SKOPS_TYPES = frozenset(
    {f"builtins.{n}" for n in "str int float bool dict list tuple NoneType complex slice".split()}
    | {
        f"numpy.{n}"
        for n in (
            "int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64 "
            "complex64 complex128 bool_ str_ bytes_ dtype ndarray"
        ).split()
    }
    | {
        "numpy.random.mtrand.RandomState",
        "numpy.random._generator.Generator",
        "scipy.sparse._csr.csr_matrix",
        "scipy.sparse._csc.csc_matrix",
    }
)


def references(tree: Any) -> list[tuple[str, str, str]]:
    """(module, name, loader) of every node, walked iteratively (no recursion on hostile depth)."""
    out: list[tuple[str, str, str]] = []
    todo = [tree]
    seen = 0
    while todo:
        node = todo.pop()
        seen += 1
        if seen > _MAX_NODES:
            raise ScanAbort(f"skops schema has more than {_MAX_NODES} nodes")
        if isinstance(node, dict):
            mod, cls = node.get("__module__"), node.get("__class__")
            if isinstance(mod, str) and isinstance(cls, str):
                out.append((mod, cls, str(node.get("__loader__", ""))))
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return out


class SkopsSchemaHandler:
    name = "skops-schema"

    def detect(self, head: bytes, size: int) -> bool:
        text = head.lstrip()
        return text.startswith(b"{") and len({m.group(1) for m in _MARKERS.finditer(text)}) == 3

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        if size > ctx.limits.max_json_bytes:
            raise ScanAbort(f"skops schema of {size} bytes exceeds the JSON size limit")
        stream.seek(0)
        try:
            tree = json.loads(stream.read(size))
        except (ValueError, RecursionError) as exc:
            raise ScanAbort(f"skops schema is not valid JSON: {type(exc).__name__}") from None
        refs = references(tree)
        graded: dict[str, tuple[Status, str]] = {}
        for mod, cls, loader in refs:
            q = f"{mod}.{cls}"
            if q not in graded:
                status = Status.ALLOWED if q in SKOPS_TYPES else classify(mod, cls)
                graded[q] = (status, loader)
        bad = 0
        for q, (status, loader) in sorted(graded.items()):
            if status is Status.ALLOWED:
                continue
            bad += 1
            dangerous = status is Status.DANGEROUS
            ctx.add(
                finding(
                    Rule.PICKLE_DANGEROUS if dangerous else Rule.PICKLE_UNKNOWN,
                    Verdict.MALICIOUS if dangerous else Verdict.SUSPICIOUS,
                    Severity.CRITICAL if dangerous else Severity.MEDIUM,
                    ctx.location,
                    f"skops schema references {q} ({loader or 'node'}), "
                    + ("a callable that can run code" if dangerous else "not on the allow-list"),
                    sha256=ctx.sha256,
                    details={"callable": q, "loader": loader},
                )
            )
        if not bad:
            ctx.add(
                finding(
                    Rule.PICKLE_CLEAN,
                    Verdict.PASS,
                    Severity.INFO,
                    ctx.location,
                    f"skops schema: {len(graded)} referenced type(s), all on the allow-list",
                    sha256=ctx.sha256,
                    details={"format": "skops", "types": sorted(graded)},
                )
            )
