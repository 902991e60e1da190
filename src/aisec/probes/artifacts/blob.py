"""Read-only byte sources the scanner works on: a memory map of a file, a window into another
source, or decompressed bytes (in memory when small, spilled to an anonymous temp file when big).

Everything a handler sees is a seekable `BlobStream`; the pickle walker and the ZIP reader use
the underlying buffer directly so that skipped regions (tensor bytes) are never read or copied.
"""

from __future__ import annotations

import io
import mmap
from collections.abc import Iterable
from typing import IO, Any, BinaryIO, cast

IN_MEMORY_MAX = 8 * 1024 * 1024  # decompressed bytes beyond this spill to a mapped temp file


class Blob:
    """`size` bytes of `buf` (bytes or mmap) starting at `start`."""

    def __init__(
        self, buf: Any, start: int, size: int, owner: Any = None, is_window: bool = False
    ) -> None:
        self.buf = buf
        self.start = start
        self.size = size
        self.is_window = is_window  # a view into another blob: no new bytes
        self.cache: dict[str, Any] = {}  # parse results detectors share (e.g. a JSON tree)
        self._owner = owner  # file object or temp file kept alive with the map

    @property
    def end(self) -> int:
        return self.start + self.size

    def head(self, n: int) -> bytes:
        return bytes(self.buf[self.start : self.start + min(n, self.size)])

    def read_at(self, offset: int, n: int) -> bytes:
        """Up to `n` bytes at `offset` (relative to this blob)."""
        if offset < 0 or offset >= self.size:
            return b""
        a = self.start + offset
        return bytes(self.buf[a : a + min(n, self.size - offset)])

    def window(self, offset: int, size: int) -> Blob:
        size = max(0, min(size, self.size - offset))
        return Blob(self.buf, self.start + offset, size, is_window=True)

    def close(self) -> None:
        if isinstance(self.buf, mmap.mmap) and self._owner is not None:
            self.buf.close()
        if self._owner is not None:
            self._owner.close()
            self._owner = None


def from_file(fh: IO[bytes]) -> Blob:
    """Memory-map an open regular file (empty files become an empty blob)."""
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    if size == 0:
        return Blob(b"", 0, 0)
    mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return Blob(mm, 0, size, owner=_Closer(mm))


class _Closer:
    def __init__(self, mm: mmap.mmap) -> None:
        self.mm = mm

    def close(self) -> None:
        self.mm.close()


def from_chunks(chunks: Iterable[bytes], cap: int) -> tuple[Blob, bool]:
    """Collect decompressed chunks up to `cap` bytes; True in the result means the cap was hit."""
    parts: list[bytes] = []
    total = 0
    spill: IO[bytes] | None = None
    truncated = False
    for chunk in chunks:
        if total + len(chunk) > cap:
            chunk = chunk[: cap - total]
            truncated = True
        total += len(chunk)
        if spill is None and total > IN_MEMORY_MAX:
            import tempfile  # only when a member spills to disk (start-up)

            spill = tempfile.TemporaryFile()  # noqa: SIM115  (closed by Blob.close)
            for p in parts:
                spill.write(p)
            parts = []
        if spill is not None:
            spill.write(chunk)
        else:
            parts.append(chunk)
        if truncated:
            break
    if spill is None:
        data = b"".join(parts)
        return Blob(data, 0, len(data)), truncated
    spill.flush()
    mm = mmap.mmap(spill.fileno(), 0, access=mmap.ACCESS_READ)
    return Blob(mm, 0, total, owner=_Both(mm, spill)), truncated


class _Both:
    def __init__(self, mm: mmap.mmap, fh: IO[bytes]) -> None:
        self.mm, self.fh = mm, fh

    def close(self) -> None:
        self.mm.close()
        self.fh.close()


def from_stream(stream: BinaryIO, cap: int) -> tuple[Blob, bool]:
    """A blob for any stream a handler passes back (zero-copy when it is a BlobStream)."""
    if isinstance(stream, BlobStream):
        return stream.blob, False

    def chunks() -> Iterable[bytes]:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                return
            yield chunk

    return from_chunks(chunks(), cap)


class BlobStream(io.RawIOBase):
    """Seekable read-only stream over a Blob."""

    def __init__(self, blob: Blob) -> None:
        super().__init__()
        self.blob = blob
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.blob.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, b: Any) -> int:
        data = self.blob.read_at(self._pos, len(b))
        n = len(data)
        b[:n] = data
        self._pos += n
        return n

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.blob.size - self._pos
        data = self.blob.read_at(self._pos, size)
        self._pos += len(data)
        return data


def as_stream(blob: Blob) -> BinaryIO:
    """The blob as the binary stream type handlers are declared to take."""
    return cast(BinaryIO, BlobStream(blob))
