"""Single-stream compression handlers — gzip, bzip2, xz, zlib, legacy lzma, LZ4 frames, zstd
and joblib's legacy `ZF` zlib container: every wrapper `joblib.load`, tar.gz or a model hub
opens transparently. Expand within a ratio and size cap and route the content through the
engine, so a pickle inside any of them is judged like a bare one."""

from __future__ import annotations

from typing import BinaryIO

from aisec.probes.artifacts.blob import as_stream, from_stream
from aisec.probes.artifacts.containers.decompress import Bomb, Corrupt, decompress
from aisec.probes.artifacts.interface import ScanContext
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.record import Severity, Verdict


def _zlib_header(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0


def _lzma_alone(head: bytes) -> bool:
    if len(head) < 13 or head[0] != 0x5D or head[1] != 0:
        return False
    dict_size = int.from_bytes(head[1:5], "little")
    return 1 << 12 <= dict_size <= 1 << 30


ZF_HEADER = 21  # b"ZF" + hex length left-justified in 19 bytes (joblib < 0.10)


def _joblib_zf(head: bytes) -> bool:
    field = head[2:ZF_HEADER]
    if head[:2] != b"ZF" or len(field) < ZF_HEADER - 2:
        return False
    try:
        return int(field.strip(b" ").decode("ascii"), 16) >= 0
    except (UnicodeDecodeError, ValueError):
        return False


def zf_payload_offset(head: bytes) -> int:
    """Where the zlib stream of a ZF file starts (old writers put one more space)."""
    return ZF_HEADER + 1 if head[ZF_HEADER : ZF_HEADER + 1] == b" " else ZF_HEADER


_FIRST_BYTES = b"\x04\x28Z\x1fB\xfd\x78\x5d"  # the first byte of every format below


def kind_of(head: bytes) -> str | None:
    if not head or head[0] not in _FIRST_BYTES:  # most files: one test, not eight
        return None
    if head[:4] == b"\x04\x22\x4d\x18":
        return "lz4"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if _joblib_zf(head):
        return "zf"
    if head[:3] == b"\x1f\x8b\x08":
        return "gzip"
    if head[:3] == b"BZh" and head[3:4] in b"123456789" and head[4:10] == b"1AY&SY":
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if _zlib_header(head):
        return "zlib"
    if _lzma_alone(head):
        return "lzma"
    return None


class CompressedHandler:
    name = "compressed"

    def detect(self, head: bytes, size: int) -> bool:
        return kind_of(head) is not None

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        blob, _ = from_stream(stream, ctx.limits.max_total_bytes)
        kind = kind_of(blob.head(32)) or "gzip"
        if kind == "zf":
            at = zf_payload_offset(blob.head(32))
            blob, kind = blob.window(at, blob.size - at), "zlib"

        def add(rule: Rule, verdict: Verdict, sev: Severity, msg: str) -> None:
            ctx.add(
                finding(
                    rule,
                    verdict,
                    sev,
                    ctx.location,
                    msg,
                    sha256=ctx.sha256,
                    details={"compression": kind},
                )
            )

        try:
            out, hit_cap = decompress(blob, kind, ctx.extract_cap() + 1, ctx.limits.max_ratio)
        except Bomb as exc:
            add(Rule.ZIP_BOMB, Verdict.SUSPICIOUS, Severity.HIGH, f"{kind} bomb: {exc}")
            return
        except Corrupt as exc:
            add(
                Rule.ARCHIVE_MALFORMED,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"{kind} stream could not be expanded: {exc}",
            )
            return
        try:
            if hit_cap:
                add(
                    Rule.ARCHIVE_LIMIT,
                    Verdict.ERROR,
                    Severity.MEDIUM,
                    f"{kind} content exceeds the size budget; only the start was examined",
                )
            if ctx.scan_child is not None:
                ctx.scan_child(f"<{kind}>", as_stream(out), out.size)
        finally:
            out.close()
