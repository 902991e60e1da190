"""Contract between the scan engine (routing, containers, limits) and format handlers.

The engine opens each file or archive member, reads its first bytes and asks every registered
handler whether the content is theirs (magic bytes and structure); handlers that need more than
the head to decide (a pickle whose first argument is long, a JSON config with padding, an HDF5
superblock after a user block) also offer `detect_full`. Every handler that claims the content
scans it, and so does the handler a loader would pick from the file name, so a polyglot is
judged under every reading and the worst one wins (see engine.py); embedded payloads (a pickle inside a zip, a config inside a Keras archive) go back to the
engine through `ScanContext.scan_child` so limits and routing apply to them too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from aisec.probes.record import Finding

HEAD_BYTES = 4096  # how much of a stream handlers see in detect()


class ScanAbort(Exception):
    """A handler hit a limit or a malformed structure and cannot go on with this stream."""


class ImpossibleLength(ScanAbort):
    """A count or length the stream declares cannot fit in it: beyond a parse error, a
    parser-confusion attempt (readers differ on what follows), so the engine rates it
    suspicious rather than a mere error."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one scan (depth, sizes, ratios, time): hostile files must not exhaust it."""

    max_depth: int = 6  # nesting of archives / embedded payloads
    max_members: int = 10_000  # per archive
    max_total_bytes: int = 16 * 1024**3  # absolute cap on bytes extracted per scan
    max_extract_ratio: int = 20  # extracted bytes per scan, relative to the input's size
    min_extract_bytes: int = 512 * 1024**2  # extraction always allowed up to this much
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
    remaining: Callable[[], int] | None = None  # extraction budget left in this scan

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extract_cap(self) -> int:
        """Most bytes a handler may decompress now (the scan-wide extraction budget left)."""
        left = self.remaining() if self.remaining is not None else self.limits.max_total_bytes
        return max(0, min(left, self.limits.max_total_bytes))


class FormatHandler(Protocol):
    """One file format. Implementations live in one module each and never execute content."""

    name: str  # e.g. 'pickle', 'safetensors', 'gguf'

    def detect(self, head: bytes, size: int) -> bool:
        """True if `head` (first HEAD_BYTES bytes of a `size`-byte stream) is this format.
        Optionally a handler also has `detect_full(blob, limits) -> bool`, asked when `detect`
        said no, for formats whose signal can sit anywhere in the stream."""
        ...

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        """Examine the stream (seekable, positioned at 0); report every result via ctx.add,
        including a `pass` finding when the format was fully examined and nothing was wrong.
        Raise ScanAbort for malformed input the handler cannot continue with (the engine turns
        it into an `error`/`suspicious` finding, never a clean verdict)."""
        ...
