"""Routing and limits: hands every file and embedded payload to each handler that claims its
content and to the handler a loader would choose from its name, and turns depth, size and time
limits, handler aborts and crashes into findings.

A blob is judged under every reading a real loader could apply and the worst verdict wins: the
first claimer does not decide alone (a tar header or GGUF magic in front of a pickle, a valid
safetensors header that is also a pickle), and a parse error of one reading never stops the
others. Anything no reading examined is `not-scanned` — or an `error` when its name says a model
loader would open it — never clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import BinaryIO

from aisec.probes.artifacts import blob as blobs
from aisec.probes.artifacts import routing
from aisec.probes.artifacts.containers.zipread import ZipError, find_eocd, read_central
from aisec.probes.artifacts.interface import (
    HEAD_BYTES,
    FormatHandler,
    ImpossibleLength,
    Limits,
    ScanAbort,
    ScanContext,
)
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.record import Finding, Severity, Verdict

Add = Callable[..., None]
_PROBLEMS = (Verdict.MALICIOUS, Verdict.SUSPICIOUS, Verdict.FAIL)


class Engine:
    """Scans one top-level blob at a time with a fixed, ordered list of handlers."""

    def __init__(self, handlers: Sequence[FormatHandler], limits: Limits) -> None:
        self.handlers = list(handlers)
        self.detectors = routing.detectors(self.handlers)
        self.zip_handler = next((h for h in self.handlers if h.name == "zip"), None)
        self.limits = limits
        self.bytes_examined = 0  # bytes produced by decompression, across the whole run
        self.extract_budget = limits.max_total_bytes
        self.budget_reported = False

    def set_input_size(self, total: int, share: float = 1.0) -> None:
        """Bound extraction for the whole scan relative to what was given, under the cap.
        A worker of a parallel scan (`share` < 1) gets its part of the ratio budget and of the
        absolute cap, so all workers together stay under the cap."""
        ratio = self.limits.max_extract_ratio * total * share
        relative = max(self.limits.min_extract_bytes, int(ratio))
        self.extract_budget = min(int(self.limits.max_total_bytes * share), relative)

    def remaining(self) -> int:
        return max(0, self.extract_budget - self.bytes_examined)

    def scan_blob(self, blob: blobs.Blob, location: str, sha256: str | None) -> list[Finding]:
        findings: list[Finding] = []
        deadline = time.monotonic() + self.limits.timeout_s
        self._scan(blob, location, 0, findings, sha256, deadline)
        return findings

    def _scan(
        self,
        blob: blobs.Blob,
        location: str,
        depth: int,
        findings: list[Finding],
        sha256: str | None,
        deadline: float,
    ) -> None:
        def add(rule: Rule, verdict: Verdict, sev: Severity, msg: str, **details: object) -> None:
            findings.append(
                finding(rule, verdict, sev, location, msg, sha256=sha256, details=dict(details))
            )

        if depth > self.limits.max_depth:
            add(
                Rule.ARCHIVE_LIMIT,
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"nested deeper than {self.limits.max_depth} levels; content not examined",
            )
            return
        if time.monotonic() > deadline:
            add(
                Rule.TIMEOUT,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"time budget of {self.limits.timeout_s:.0f}s exhausted; not examined",
            )
            return
        charged = bool(depth) and not blob.is_window  # expanded content; windows are free
        if charged:
            self.bytes_examined += blob.size
        if charged and self.bytes_examined > self.extract_budget:
            add(
                Rule.ARCHIVE_LIMIT,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"extraction budget of the scan ({self.extract_budget} bytes: "
                f"{self.limits.max_extract_ratio}x the input, at most "
                f"{self.limits.max_total_bytes}) exhausted; content not examined",
                budget=self.extract_budget,
            )
            return
        if blob.size == 0:
            self._empty(location, depth, add)
            return
        head = blob.head(HEAD_BYTES)
        claimed = routing.claims(self.detectors, head, blob, self.limits)
        zip_handler = self.zip_handler
        if zip_handler is not None and zip_handler not in claimed and not head.startswith(b"PK"):
            if _has_trailing_zip(blob):
                if claimed:
                    add(
                        Rule.POLYGLOT,
                        Verdict.SUSPICIOUS,
                        Severity.MEDIUM,
                        "also a ZIP archive (central directory at the end) besides "
                        f"{claimed[0].name}; both readings are scanned",
                    )
                claimed.append(zip_handler)
        named = routing.named_handler(self.handlers, location, claimed)
        if not claimed and named is None:
            self._unrecognised(location, head, add)
            return
        readings: list[tuple[FormatHandler, list[Finding]]] = []
        for handler in claimed:
            sub: list[Finding] = []
            self._run(handler, blob, location, depth, sub, sha256, deadline)
            readings.append((handler, sub))
        self._merge(readings, findings, add)
        if named is not None:
            self._named_reading(named, blob, location, depth, findings, sha256, deadline, claimed)

    def _named_reading(
        self,
        named: FormatHandler,
        blob: blobs.Blob,
        location: str,
        depth: int,
        findings: list[Finding],
        sha256: str | None,
        deadline: float,
        claimed: list[FormatHandler],
    ) -> None:
        """The reading a loader takes because of the name although the content did not claim
        it: what it can still reach (imports, impossible lengths) is kept, its complaints that
        the bytes are not that format become one `error` naming the reason."""
        sub: list[Finding] = []
        self._run(named, blob, location, depth, sub, sha256, deadline)
        reasons = []
        for f in sub:
            broken = f.verdict in (Verdict.ERROR, Verdict.NOT_SCANNED) or f.rule_id.endswith(
                "malformed"
            )
            if broken:
                reasons.append(f.message)
            elif f.verdict is not Verdict.PASS:
                findings.append(f)
        seen = ", ".join(h.name for h in claimed) or "no known format"
        why = f": {reasons[0]}" if reasons else ""
        findings.append(
            finding(
                Rule.NAME_MISMATCH,
                Verdict.ERROR,
                Severity.MEDIUM,
                location,
                f"named like a {named.name} file (a loader would open it as one) but the content "
                f"is not valid {named.name} (content reads as: {seen}){why}"[:600],
                sha256=sha256,
                details={"expected": named.name},
            )
        )

    def _merge(
        self,
        readings: list[tuple[FormatHandler, list[Finding]]],
        findings: list[Finding],
        add: Add,
    ) -> None:
        """Keep every problem of every reading; a secondary reading's own failure to parse
        counts only when no reading examined the blob completely."""
        if len(readings) == 1:  # the usual case: one reading, nothing to weigh
            findings.extend(readings[0][1])
            return
        examined = any(_complete(sub) for _, sub in readings)
        for i, (_handler, sub) in enumerate(readings):
            if i == 0 or not examined:
                findings.extend(sub)
            else:
                findings.extend(f for f in sub if f.verdict is not Verdict.ERROR)
        binary = [h.name for h, sub in readings if h.name == "pickle" and sub]
        if binary and len(readings) > 1:
            others = ", ".join(h.name for h, _ in readings if h.name != "pickle")
            add(
                Rule.POLYGLOT,
                Verdict.SUSPICIOUS,
                Severity.HIGH,
                f"also readable as a pickle, besides {others}: a loader that unpickles it "
                "runs what the pickle imports; every reading is scanned",
            )

    def _empty(self, location: str, depth: int, add: Add) -> None:
        """An empty member of an archive is harmless; an empty file given to the scanner was not
        assessed (nothing assessed is never a pass), and one named like a model is malformed."""
        if depth:
            add(Rule.EMPTY, Verdict.PASS, Severity.INFO, "empty archive member")
            return
        loader = routing.weak_loader(location)
        if loader is not None:
            add(
                Rule.EMPTY,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"empty file named like a model file ({loader} would fail to open it); "
                "nothing to examine",
            )
            return
        add(Rule.EMPTY, Verdict.NOT_SCANNED, Severity.LOW, "empty file; nothing to examine")

    def _unrecognised(self, location: str, head: bytes, add: Add) -> None:
        loader = routing.weak_loader(location)
        if loader is not None:
            add(
                Rule.NAME_MISMATCH,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"named like a model file ({loader} would open it) but no handler could parse "
                "the content; not examined",
                head=head[:16].hex(),
            )
            return
        add(
            Rule.UNSUPPORTED,
            Verdict.NOT_SCANNED,
            Severity.LOW,
            "format not recognised by any handler; not examined",
            head=head[:16].hex(),
        )

    def _run(
        self,
        handler: FormatHandler,
        blob: blobs.Blob,
        location: str,
        depth: int,
        findings: list[Finding],
        sha256: str | None,
        deadline: float,
    ) -> None:
        def add(rule: Rule, verdict: Verdict, sev: Severity, msg: str, **details: object) -> None:
            findings.append(
                finding(rule, verdict, sev, location, msg, sha256=sha256, details=dict(details))
            )

        def scan_child(name: str, stream: BinaryIO, size: int) -> None:
            child, truncated = blobs.from_stream(stream, max(1, self.remaining()))
            try:
                self._scan(child, f"{location}!{name}", depth + 1, findings, sha256, deadline)
            finally:
                if child is not blob and not isinstance(stream, blobs.BlobStream):
                    child.close()

        ctx = ScanContext(
            location=location,
            depth=depth,
            limits=self.limits,
            sha256=sha256,
            findings=findings,
            scan_child=scan_child,
            deadline=deadline,
            remaining=self.remaining,
        )
        try:
            handler.scan(blobs.as_stream(blob), blob.size, ctx)
        except ImpossibleLength as exc:
            add(
                Rule.IMPOSSIBLE_LENGTH,
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"{handler.name}: {exc} (a declared length that cannot fit is a parser-"
                "confusion attempt: readers disagree on what follows)",
                handler=handler.name,
            )
        except ScanAbort as exc:
            add(
                Rule.HANDLER_ERROR,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"{handler.name} scan stopped: {exc}",
                handler=handler.name,
            )
        except TimeoutError:
            add(
                Rule.TIMEOUT,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"{handler.name} scan exceeded the time budget",
                handler=handler.name,
            )
        except RecursionError:
            add(
                Rule.HANDLER_ERROR,
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"{handler.name}: structure nested too deeply to examine",
                handler=handler.name,
            )
        except Exception as exc:  # a crashing handler is recorded, never a dead run
            add(
                Rule.HANDLER_ERROR,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"{handler.name} handler failed: {type(exc).__name__}: {exc}"[:500],
                handler=handler.name,
            )


def _complete(sub: list[Finding]) -> bool:
    """A reading that examined its blob: it passed something and hit no error."""
    return any(f.verdict is Verdict.PASS for f in sub) and not any(
        f.verdict in (Verdict.ERROR, Verdict.NOT_SCANNED) for f in sub
    )


def _has_trailing_zip(blob: blobs.Blob) -> bool:
    """A ZIP whose central directory sits at the end, whatever precedes it (polyglots,
    prepended data): loaders that look for the directory from the end will read it."""
    eocd = find_eocd(blob)
    if eocd is None:
        return False
    try:
        index = read_central(blob, eocd, 16)
    except (ZipError, ValueError, OverflowError):
        return False
    return any(e.data_offset >= 0 for e in index.entries)
