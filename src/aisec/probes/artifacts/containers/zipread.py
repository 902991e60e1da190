"""A permissive ZIP reader, at least as tolerant as the loaders attackers target.

`torch.load` ignores CRC errors and flag bits and finds members through the central directory,
while Python's `zipfile` rejects some of those archives; a scanner that gives up where the
loader carries on is bypassed (CVE-2025-1944, CVE-2025-1945, CVE-2025-10156). This reader parses
the central directory itself, tolerates prepended data, records every anomaly instead of
failing on it, and falls back to walking local headers when the directory is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from struct import unpack_from

from aisec.probes.artifacts.blob import Blob

EOCD = b"PK\x05\x06"
EOCD64_LOCATOR = b"PK\x06\x07"
EOCD64 = b"PK\x06\x06"
CENTRAL = b"PK\x01\x02"
LOCAL = b"PK\x03\x04"
_TAIL = 65_557  # EOCD (22) + longest comment (65535)
MAX_DIRECTORY = 256 * 1024 * 1024  # a million members need ~100 MB
ODD_FLAGS = {0x1: "encrypted", 0x20: "patched-data", 0x40: "strong-encryption"}


class ZipError(Exception):
    """Not a ZIP archive this reader can index."""


@dataclass
class ZipEntry:
    """One member as a ZIP record declares it (the data is read separately)."""

    name: str
    method: int
    flags: int
    crc: int
    csize: int
    usize: int
    data_offset: int  # relative to the blob
    local_name: str | None = None
    anomalies: list[str] = field(default_factory=list)

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/") and self.usize == 0


@dataclass
class ZipIndex:
    """The members of an archive and what looked wrong while listing them."""

    entries: list[ZipEntry]
    source: str  # "central-directory" or "local-headers"
    anomalies: list[str] = field(default_factory=list)
    truncated: bool = False  # more members than the limit


def _name(raw: bytes, flags: int) -> str:
    return raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")


def find_eocd(blob: Blob) -> int | None:
    """Offset of the end-of-central-directory record, if any."""
    tail_start = max(0, blob.size - _TAIL)
    tail = blob.read_at(tail_start, blob.size - tail_start)
    pos = tail.rfind(EOCD)
    while pos >= 0:
        if pos + 22 <= len(tail):
            return tail_start + pos
        pos = tail.rfind(EOCD, 0, pos)
    return None


def read_index(blob: Blob, max_members: int) -> ZipIndex:
    """Index the archive; raise ZipError only when no member can be located at all."""
    eocd = find_eocd(blob)
    if eocd is not None:
        try:
            return read_central(blob, eocd, max_members)
        except ZipError as exc:
            index = _from_local(blob, max_members)
            index.anomalies.append(f"central directory unreadable ({exc}); local headers used")
            return index
    index = _from_local(blob, max_members)
    index.anomalies.append("no end-of-central-directory record; local headers used")
    return index


def read_central(blob: Blob, eocd: int, max_members: int) -> ZipIndex:
    rec = blob.read_at(eocd, 22)
    _, _, _, _, total, cd_size, cd_offset, _ = unpack_from("<4sHHHHIIH", rec)
    anomalies: list[str] = []
    cd_end = eocd
    loc = blob.read_at(eocd - 20, 20) if eocd >= 20 else b""
    if len(loc) == 20 and loc[:4] == EOCD64_LOCATOR:
        # Zip64 (torch always writes it): the directory ends at the zip64 record, found right
        # before its locator, or where the locator says if data was prepended differently.
        (off64,) = unpack_from("<Q", loc, 8)
        for at in (eocd - 20 - 56, off64):
            rec64 = blob.read_at(at, 56)
            if len(rec64) == 56 and rec64[:4] == EOCD64:
                total64, size64, offset64 = unpack_from("<QQQ", rec64, 32)
                if total == 0xFFFF:
                    total = total64
                if cd_size == 0xFFFFFFFF:
                    cd_size = size64
                if cd_offset == 0xFFFFFFFF:
                    cd_offset = offset64
                cd_end = at
                break
        else:
            anomalies.append("zip64 locator without a zip64 end record")
    elif total == 0xFFFF and cd_offset == 0xFFFFFFFF:
        raise ZipError("zip64 end record missing")
    delta = cd_end - cd_size - cd_offset  # bytes prepended to the archive
    if delta < 0:
        raise ZipError("central directory offset beyond its end record")
    if delta:
        anomalies.append(f"{delta} bytes of data before the archive")
    if cd_size > MAX_DIRECTORY:
        raise ZipError(f"central directory of {cd_size} bytes exceeds {MAX_DIRECTORY}")
    cd = blob.read_at(cd_offset + delta, cd_size)
    entries: list[ZipEntry] = []
    pos = 0
    truncated = False
    while pos + 46 <= len(cd) and cd[pos : pos + 4] == CENTRAL:
        if len(entries) >= max_members:
            truncated = True
            break
        (flags, method, crc, csize, usize, nlen, xlen, clen) = unpack_from(
            "<HH4xIIIHHH", cd, pos + 8
        )
        (lho,) = unpack_from("<I", cd, pos + 42)
        name = _name(cd[pos + 46 : pos + 46 + nlen], flags)
        extra = cd[pos + 46 + nlen : pos + 46 + nlen + xlen]
        usize, csize, lho = _zip64(extra, usize, csize, lho)
        pos += 46 + nlen + xlen + clen
        entries.append(_locate(blob, name, flags, method, crc, csize, usize, lho, delta))
    if not entries and total:
        raise ZipError("no central directory entries")
    if len(entries) != total and not truncated:
        anomalies.append(f"end record announces {total} members, directory holds {len(entries)}")
    return ZipIndex(entries, "central-directory", anomalies, truncated)


def _zip64(extra: bytes, usize: int, csize: int, lho: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        if tag == 1:
            vals = [unpack_from("<Q", body, i)[0] for i in range(0, len(body) - 7, 8)]
            if usize == 0xFFFFFFFF and vals:
                usize = vals.pop(0)
            if csize == 0xFFFFFFFF and vals:
                csize = vals.pop(0)
            if lho == 0xFFFFFFFF and vals:
                lho = vals.pop(0)
        pos += 4 + size
    return usize, csize, lho


def _locate(
    blob: Blob,
    name: str,
    flags: int,
    method: int,
    crc: int,
    csize: int,
    usize: int,
    lho: int,
    delta: int,
) -> ZipEntry:
    entry = ZipEntry(name, method, flags, crc, csize, usize, -1)
    for off in (lho + delta, lho):
        hdr = blob.read_at(off, 30)
        if len(hdr) == 30 and hdr[:4] == LOCAL:
            lflags, lmethod = unpack_from("<HH", hdr, 6)
            nlen, xlen = unpack_from("<HH", hdr, 26)
            entry.local_name = _name(blob.read_at(off + 30, nlen), lflags)
            entry.data_offset = off + 30 + nlen + xlen
            if entry.local_name != name:
                entry.anomalies.append(
                    f"local header names {entry.local_name!r}, central directory {name!r}"
                )
            if lmethod != method:
                entry.anomalies.append(f"local method {lmethod} != central method {method}")
            break
    else:
        entry.anomalies.append("local header not found")
    for bit, label in ODD_FLAGS.items():
        if flags & bit:
            entry.anomalies.append(f"flag bit {label} set")
    return entry


def _from_local(blob: Blob, max_members: int) -> ZipIndex:
    """Walk local headers front to back (archives without a usable central directory)."""
    entries: list[ZipEntry] = []
    pos = 0
    truncated = False
    buf, start, end = blob.buf, blob.start, blob.end
    while True:
        hit = buf.find(LOCAL, start + pos, end)
        if hit < 0:
            break
        pos = hit - start
        hdr = blob.read_at(pos, 30)
        if len(hdr) < 30:
            break
        if len(entries) >= max_members:
            truncated = True
            break
        flags, method, _, _, crc, csize, usize, nlen, xlen = unpack_from("<HHHHIIIHH", hdr, 6)
        name = _name(blob.read_at(pos + 30, nlen), flags)
        data = pos + 30 + nlen + xlen
        if flags & 0x8 and csize == 0:
            nxt = buf.find(LOCAL, start + data, end)
            stop = (nxt - start) if nxt >= 0 else blob.size
            csize = stop - data
            for dd in (16, 24):  # data descriptor (zip64: 24 bytes) before the next header
                if stop - dd >= data and blob.read_at(stop - dd, 4) == b"PK\x07\x08":
                    csize = stop - dd - data
                    break
        entry = ZipEntry(name, method, flags, crc, csize, usize, data, local_name=name)
        entries.append(entry)
        pos = max(data + csize, pos + 4) if 0 <= csize else pos + 4
    if not entries:
        raise ZipError("no ZIP members found")
    return ZipIndex(entries, "local-headers", [], truncated)
