"""ZIP handler (PyTorch v1.3+ archives, .npz, plain zips): index permissively, report header
tampering and bombs, skip raw tensor storages, and send every other member back to the engine.

PyTorch archives keep tensor bytes in `<prefix>/data/<key>` members that the loader only ever
reads as raw memory, never unpickles; they are skipped (and counted), not parsed.
"""

from __future__ import annotations

import re
import zlib
from typing import Any, BinaryIO

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.blob import Blob, as_stream, from_stream
from aisec.probes.artifacts.containers.decompress import Bomb, Corrupt, decompress
from aisec.probes.artifacts.containers.zipread import ZipEntry, ZipError, read_index
from aisec.probes.artifacts.interface import ScanContext
from aisec.probes.artifacts.limits import out_of_time
from aisec.probes.artifacts.rules import Rule, member_reporter
from aisec.probes.record import Severity, Verdict

_METHODS = {8: "deflate", 12: "bz2", 14: "lzma-raw"}
_TORCH_META = frozenset(
    {
        "version",
        ".data/version",
        "byteorder",
        ".data/serialization_id",
        ".format_version",
        ".storage_alignment",
    }
)
_STORAGE = lazy_compile(r"(?:^|/)data/\d+$")
_META_MAX = 64


def _suspicious_path(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"^[A-Za-z]:", name))


def torch_prefixes(names: list[str]) -> set[str]:
    """Archive prefixes that hold a PyTorch `data.pkl` (so `data/<n>` members are storages)."""
    return {n[: -len("data.pkl")] for n in names if n.endswith("data.pkl")}


def member_blob(blob: Blob, entry: ZipEntry, cap: int, ratio: int) -> tuple[Blob, bool]:
    """The member's uncompressed bytes (zero-copy when stored). Raises Bomb or Corrupt."""
    raw = blob.window(entry.data_offset, entry.csize)
    if raw.size < entry.csize:
        raise Corrupt("member data runs past the end of the archive")
    if entry.method == 0:
        return raw, False
    kind = _METHODS.get(entry.method)
    if kind is None:
        raise Corrupt(f"compression method {entry.method} not supported")
    props = b""
    if kind == "lzma-raw":
        head = raw.read_at(0, 4)
        psize = int.from_bytes(head[2:4], "little")
        props = raw.read_at(4, psize)
        raw = raw.window(4 + psize, raw.size)
    return decompress(raw, kind, cap, ratio, props)


def _crc(blob: Blob) -> int:
    crc = 0
    for off in range(0, blob.size, 1 << 20):
        crc = zlib.crc32(blob.read_at(off, 1 << 20), crc)
    return crc


class ZipHandler:
    name = "zip"

    def detect(self, head: bytes, size: int) -> bool:
        return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        blob, _ = from_stream(stream, ctx.limits.max_total_bytes)
        lim = ctx.limits

        add = member_reporter(ctx)

        try:
            index = read_index(blob, lim.max_members)
        except ZipError as exc:
            add(
                Rule.ZIP_MALFORMED,
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"ZIP signature but no readable member: {exc}",
            )
            return
        problems = 0
        for note in index.anomalies:
            problems += 1
            add(Rule.ZIP_TAMPERED, Verdict.SUSPICIOUS, Severity.MEDIUM, f"ZIP anomaly: {note}")
        if index.truncated:
            problems += 1
            add(
                Rule.ARCHIVE_LIMIT,
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"more than {lim.max_members} members; the rest was not examined",
            )
        names = [e.name for e in index.entries]
        prefixes = torch_prefixes(names)
        seen: dict[str, int] = {}
        storages = 0
        for entry in index.entries:
            if out_of_time(ctx):
                problems += 1
                add(
                    Rule.TIMEOUT,
                    Verdict.ERROR,
                    Severity.MEDIUM,
                    "time budget exhausted; remaining members not examined",
                )
                break
            count = seen.get(entry.name, 0)
            seen[entry.name] = count + 1
            label = entry.name if not count else f"{entry.name}#{count + 1}"
            if count == 1:
                problems += 1
                add(
                    Rule.ZIP_TAMPERED,
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    "duplicate member name: loaders disagree on which copy they read",
                    entry.name,
                )
            for note in entry.anomalies:
                problems += 1
                add(
                    Rule.ZIP_TAMPERED,
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    f"ZIP header anomaly: {note}",
                    label,
                )
            if _suspicious_path(entry.name):
                problems += 1
                add(
                    Rule.ARCHIVE_PATH,
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    "member path escapes the extraction folder",
                    label,
                )
            if entry.is_dir or entry.data_offset < 0:
                continue
            prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
            if prefix is not None:
                rest = entry.name[len(prefix) :]
                if _STORAGE.match(rest) and "/" not in rest[5:]:
                    storages += 1
                    continue
                if rest in _TORCH_META and entry.usize <= _META_MAX:
                    continue
            if entry.usize > lim.max_ratio * max(entry.csize, 1) and entry.usize > 1 << 20:
                problems += 1
                add(
                    Rule.ZIP_BOMB,
                    Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    f"declared size {entry.usize} is {entry.usize // max(entry.csize, 1)}x the "
                    "compressed size (compression bomb); not expanded",
                    label,
                )
                continue
            try:
                cap = ctx.extract_cap()
                if entry.method != 0 and entry.usize > cap:  # stored members cost nothing
                    problems += 1
                    add(
                        Rule.ARCHIVE_LIMIT,
                        Verdict.ERROR,
                        Severity.MEDIUM,
                        f"member declares {entry.usize} bytes, beyond the {cap} bytes left in the "
                        "scan's extraction budget (--max-extract-ratio / --max-extract-gb); "
                        "not expanded",
                        label,
                    )
                    continue
                member, hit_cap = member_blob(blob, entry, cap + 1, lim.max_ratio)
            except Bomb as exc:
                problems += 1
                add(
                    Rule.ZIP_BOMB,
                    Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    f"compression bomb: {exc}; not expanded",
                    label,
                )
                continue
            except Corrupt as exc:
                problems += 1
                add(
                    Rule.ZIP_MALFORMED,
                    Verdict.ERROR,
                    Severity.MEDIUM,
                    f"member could not be read: {exc}",
                    label,
                )
                continue
            try:
                if _crc(member) != entry.crc:
                    problems += 1
                    add(
                        Rule.ZIP_TAMPERED,
                        Verdict.SUSPICIOUS,
                        Severity.MEDIUM,
                        "CRC mismatch: strict readers reject this member, torch.load reads it",
                        label,
                    )
                if ctx.scan_child is not None:
                    ctx.scan_child(label, as_stream(member), member.size)
            finally:
                if member.buf is not blob.buf:
                    member.close()
        problems += _storage_sizes(ctx, index.entries, prefixes, add)
        if not problems:
            add(
                Rule.ARCHIVE_CLEAN,
                Verdict.PASS,
                Severity.INFO,
                f"ZIP archive indexed: {len(index.entries)} member(s), {storages} raw tensor "
                "storage(s) skipped",
                members=len(index.entries),
                storages_skipped=storages,
                torch=bool(prefixes),
            )


def _storage_sizes(ctx: ScanContext, entries: list[Any], prefixes: set[str], add: Any) -> int:
    """Compare each storage size the archive's data.pkl declares with its data member: torch
    trusts the declaration when it maps the bytes, so a disagreement is a parser-confusion
    attempt (the storage-size class of weights-only advisories)."""
    sizes = {e.name: e.usize for e in entries if not e.is_dir}
    problems = 0
    for prefix in sorted(prefixes):
        where = f"{ctx.location}!{prefix}data.pkl"
        declared: dict[str, int] = {}
        for f in ctx.findings:
            if f.location == where and isinstance(f.details.get("storages"), dict):
                declared = f.details["storages"]
                break
        for key, nbytes in sorted(declared.items())[:10_000]:
            member = f"{prefix}data/{key}"
            actual = sizes.get(member)
            if actual is None or (nbytes >= 0 and actual != nbytes):
                problems += 1
                what = "is missing" if actual is None else f"holds {actual} bytes"
                add(
                    Rule.ZIP_TAMPERED,
                    Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    f"data.pkl declares storage {key!r} of {nbytes} bytes but the member {what}",
                    member,
                    declared=nbytes,
                    actual=actual,
                )
                if problems >= 20:
                    return problems
    return problems
