"""Contract between the scan engine (routing, containers, limits) and format handlers.

The engine opens each file or archive member, reads its first bytes and asks every registered
handler, in registry order, whether the content is theirs (magic bytes and structure, never the
file name). The first handler that claims it scans the stream and reports findings through the
context; embedded payloads (a pickle inside a zip, a config inside a Keras archive) go back to the
engine through `ScanContext.scan_child` so limits and routing apply to them too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from aisec.probes.finding import Finding

HEAD_BYTES = 4096  # how much of a stream handlers see in detect()


class ScanAbort(Exception):
    """A handler hit a limit or a malformed structure and cannot go on with this stream."""


@dataclass(frozen=True)
class Limits:
    max_depth: int = 6  # nesting of archives / embedded payloads
    max_members: int = 10_000  # per archive
    max_total_bytes: int = 64 * 1024**3  # uncompressed bytes examined per scan
    max_ratio: int = 200  # compression ratio above which a member is a bomb
    max_pickle_ops: int = 50_000_000  # opcode budget per pickle stream
    max_json_bytes: int = 64 * 1024 * 1024  # configs, headers, templates
    timeout_s: float = 300.0  # wall-clock budget per top-level file


@dataclass
class ScanContext:
    """What a handler needs: where it is, the limits, a sink for findings, and recursion."""

    location: str  # 'model.pt' or 'model.pt!archive/data.pkl'
    depth: int
    limits: Limits
    sha256: str | None = None  # of the top-level file
    findings: list[Finding] = field(default_factory=list)
    scan_child: Callable[[str, BinaryIO, int], None] | None = None  # (member name, stream, size)
    deadline: float | None = None  # time.monotonic() value after which handlers should abort

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)


class FormatHandler(Protocol):
    """One file format. Implementations live in one module each and never execute content."""

    name: str  # e.g. 'pickle', 'safetensors', 'gguf'

    def detect(self, head: bytes, size: int) -> bool:
        """True if `head` (first HEAD_BYTES bytes of a `size`-byte stream) is this format."""
        ...

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        """Examine the stream (seekable, positioned at 0); report every result via ctx.add,
        including a `pass` finding when the format was fully examined and nothing was wrong.
        Raise ScanAbort for malformed input the handler cannot continue with (the engine turns
        it into an `error`/`suspicious` finding, never a clean verdict)."""
        ...
