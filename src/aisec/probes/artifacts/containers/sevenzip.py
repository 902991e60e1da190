"""7z handler (the nullifAI packing trick): needs the optional `py7zr` (extra `scan`); without it
the archive is reported `not-scanned`. Members are expanded in memory within the size budget."""

from __future__ import annotations

from typing import Any, BinaryIO

from aisec.probes.artifacts.blob import Blob, as_stream, from_stream
from aisec.probes.artifacts.containers.zip import _suspicious_path
from aisec.probes.artifacts.interface import ScanContext
from aisec.probes.artifacts.rules import Rule, member_reporter
from aisec.probes.record import Severity, Verdict

MAGIC = b"7z\xbc\xaf\x27\x1c"
MAX_MEMBER = 512 * 1024 * 1024


class SevenZipHandler:
    name = "7z"

    def detect(self, head: bytes, size: int) -> bool:
        return head.startswith(MAGIC)

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        blob, _ = from_stream(stream, ctx.limits.max_total_bytes)

        add = member_reporter(ctx)

        try:
            import py7zr
            import py7zr.io
        except ImportError:
            add(
                Rule.UNSUPPORTED,
                Verdict.NOT_SCANNED,
                Severity.MEDIUM,
                "7z archive not examined: install aisec[scan] (py7zr)",
            )
            return
        lim = ctx.limits
        try:
            with py7zr.SevenZipFile(as_stream(blob), mode="r") as archive:
                if archive.needs_password():
                    add(
                        Rule.UNSUPPORTED,
                        Verdict.NOT_SCANNED,
                        Severity.MEDIUM,
                        "password-protected 7z archive; content not examined",
                    )
                    return
                infos = [i for i in archive.list() if not i.is_directory]
                declared = sum(int(i.uncompressed or 0) for i in infos)
                if len(infos) > lim.max_members:
                    add(
                        Rule.ARCHIVE_LIMIT,
                        Verdict.SUSPICIOUS,
                        Severity.MEDIUM,
                        f"{len(infos)} members exceed the limit of {lim.max_members}",
                    )
                    return
                if declared > max(blob.size * lim.max_ratio, 1 << 20) or declared > MAX_MEMBER * 2:
                    add(
                        Rule.ZIP_BOMB,
                        Verdict.SUSPICIOUS,
                        Severity.HIGH,
                        f"7z declares {declared} bytes from {blob.size}: compression bomb",
                    )
                    return
                if declared > ctx.extract_cap():
                    add(
                        Rule.ARCHIVE_LIMIT,
                        Verdict.ERROR,
                        Severity.MEDIUM,
                        f"7z declares {declared} bytes, beyond the scan's extraction budget "
                        "(--max-extract-ratio / --max-extract-gb); not expanded",
                    )
                    return
                factory = py7zr.io.BytesIOFactory(MAX_MEMBER)
                archive.extractall(factory=factory)
                products: dict[str, Any] = factory.products
        except Exception as exc:  # py7zr raises many types on hostile input
            add(
                Rule.ARCHIVE_MALFORMED,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"7z archive could not be expanded: {type(exc).__name__}: {exc}"[:400],
            )
            return
        problems = 0
        for name, product in sorted(products.items()):
            if _suspicious_path(name):
                problems += 1
                add(
                    Rule.ARCHIVE_PATH,
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    "member path escapes the extraction folder",
                    name,
                )
            product.seek(0)
            data = product.read()
            if ctx.scan_child is not None:
                ctx.scan_child(name, as_stream(Blob(data, 0, len(data))), len(data))
        if not problems:
            add(
                Rule.ARCHIVE_CLEAN,
                Verdict.PASS,
                Severity.INFO,
                f"7z archive expanded: {len(products)} member(s)",
            )
