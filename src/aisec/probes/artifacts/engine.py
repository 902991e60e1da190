"""Routing and limits: hands every file and embedded payload to the handler that claims its
content, and turns depth, size and time limits, handler aborts and crashes into findings.

Routing looks only at bytes (magic numbers and structure), never at names, so a renamed file is
scanned the same way. Anything no handler claims is reported `not-scanned`, never clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import BinaryIO

from aisec.probes.artifacts import blob as blobs
from aisec.probes.artifacts.containers.zipread import ZipError, find_eocd, read_central
from aisec.probes.artifacts.interface import (
    HEAD_BYTES,
    FormatHandler,
    Limits,
    ScanAbort,
    ScanContext,
)
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.finding import Finding, Severity, Verdict


class Engine:
    """Scans one top-level blob at a time with a fixed, ordered list of handlers."""

    def __init__(self, handlers: Sequence[FormatHandler], limits: Limits) -> None:
        self.handlers = list(handlers)
        self.limits = limits
        self.bytes_examined = 0  # bytes produced by decompression, across the whole run

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
        if depth and not blob.is_window:
            self.bytes_examined += blob.size  # expanded content; windows into files are free
        if self.bytes_examined > self.limits.max_total_bytes:
            add(
                Rule.ARCHIVE_LIMIT,
                Verdict.ERROR,
                Severity.MEDIUM,
                "total size budget of the scan exhausted; content not examined",
            )
            return
        if blob.size == 0:
            add(Rule.EMPTY, Verdict.PASS, Severity.INFO, "empty file or member")
            return
        head = blob.head(HEAD_BYTES)
        handler = self._route(head, blob.size)
        hidden_zip = not head.startswith(b"PK") and _has_trailing_zip(blob)
        if hidden_zip:
            zip_handler = next((h for h in self.handlers if h.name == "zip"), None)
            if handler is not None:
                add(
                    Rule.POLYGLOT,
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    f"also a ZIP archive (central directory at the end) besides {handler.name}; "
                    "both readings are scanned",
                )
                if zip_handler is not None:
                    self._run(zip_handler, blob, location, depth, findings, sha256, deadline, add)
            else:
                handler = zip_handler
        if handler is None:
            add(
                Rule.UNSUPPORTED,
                Verdict.NOT_SCANNED,
                Severity.LOW,
                "format not recognised by any handler; not examined",
                head=head[:16].hex(),
            )
            return

        self._run(handler, blob, location, depth, findings, sha256, deadline, add)

    def _run(
        self,
        handler: FormatHandler,
        blob: blobs.Blob,
        location: str,
        depth: int,
        findings: list[Finding],
        sha256: str | None,
        deadline: float,
        add: Callable[..., None],
    ) -> None:
        def scan_child(name: str, stream: BinaryIO, size: int) -> None:
            child, truncated = blobs.from_stream(stream, self.limits.max_total_bytes)
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
        )
        try:
            handler.scan(blobs.as_stream(blob), blob.size, ctx)
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

    def _route(self, head: bytes, size: int) -> FormatHandler | None:
        for handler in self.handlers:
            try:
                if handler.detect(head, size):
                    return handler
            except Exception:  # noqa: S112  (a detector that crashes does not claim the file)
                continue
        return None


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
