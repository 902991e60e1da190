"""Tar handler: walks member headers (no extraction), reports links, devices and escaping paths,
and routes regular members by content through the engine, zero-copy."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from aisec.probes.artifacts.blob import as_stream, from_stream
from aisec.probes.artifacts.containers.zip import _suspicious_path
from aisec.probes.artifacts.interface import ScanContext
from aisec.probes.artifacts.limits import out_of_time
from aisec.probes.artifacts.rules import Rule, member_reporter
from aisec.probes.record import Severity, Verdict

if TYPE_CHECKING:
    import tarfile

# Legacy torch (v0.1.1) tar: 'storages' and 'tensors' interleave small pickles with raw bytes.
_TORCH_TAR = {"sys_info", "pickle", "storages", "tensors"}
_TORCH_RAW = {"storages", "tensors"}


def _checksum_ok(head: bytes) -> bool:
    if len(head) < 512 or head[:1] == b"\0":
        return False
    try:
        stored = int(head[148:156].rstrip(b" \0").decode("ascii") or "x", 8)
    except ValueError:
        return False
    calc = sum(head[:148]) + 8 * 32 + sum(head[156:512])
    return stored == calc


class TarHandler:
    name = "tar"

    def detect(self, head: bytes, size: int) -> bool:
        return head[257:262] == b"ustar" or _checksum_ok(head)

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        import tarfile  # only for tar files: start-up is most of a small scan

        blob, _ = from_stream(stream, ctx.limits.max_total_bytes)

        add = member_reporter(ctx)

        members: list[tarfile.TarInfo] = []
        problems = 0
        try:
            with tarfile.open(fileobj=as_stream(blob), mode="r:") as tf:  # noqa: SIM117
                while True:
                    info = tf.next()
                    if info is None:
                        break
                    if len(members) >= ctx.limits.max_members:
                        problems += 1
                        add(
                            Rule.ARCHIVE_LIMIT,
                            Verdict.SUSPICIOUS,
                            Severity.MEDIUM,
                            f"more than {ctx.limits.max_members} members; rest not examined",
                        )
                        break
                    members.append(info)
        except (tarfile.TarError, EOFError, OSError, ValueError, UnicodeError) as exc:
            problems += 1
            add(
                Rule.ARCHIVE_MALFORMED,
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"tar structure broken after {len(members)} member(s): {exc}",
            )
        torch_legacy = _TORCH_TAR <= {m.name for m in members}
        skipped = 0
        for info in members:
            if out_of_time(ctx):
                problems += 1
                add(
                    Rule.TIMEOUT,
                    Verdict.ERROR,
                    Severity.MEDIUM,
                    "time budget exhausted; remaining members not examined",
                )
                break
            if (
                _suspicious_path(info.name)
                or (info.issym() or info.islnk())
                and _suspicious_path(info.linkname)
            ):
                problems += 1
                add(
                    Rule.ARCHIVE_PATH,
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    "member or link target escapes the extraction folder",
                    info.name,
                    link=info.linkname,
                )
            if info.isdev() or info.isfifo():
                problems += 1
                add(
                    Rule.ARCHIVE_PATH,
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    "device or FIFO member",
                    info.name,
                )
            if not info.isreg():
                continue
            if torch_legacy and info.name in _TORCH_RAW:
                skipped += 1
                continue
            member = blob.window(info.offset_data, info.size)
            if member.size < info.size:
                problems += 1
                add(
                    Rule.ARCHIVE_MALFORMED,
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    "member data runs past the end of the archive",
                    info.name,
                )
            if ctx.scan_child is not None:
                ctx.scan_child(info.name, as_stream(member), member.size)
        if not problems:
            add(
                Rule.ARCHIVE_CLEAN,
                Verdict.PASS,
                Severity.INFO,
                f"tar archive indexed: {len(members)} member(s)",
                members=len(members),
                torch_legacy_raw_skipped=skipped,
            )
