"""Bounded random access over a seekable stream.

Format parsers need small reads at arbitrary offsets (varints, length prefixes) and must skip
large payloads (tensor bytes) without reading them. `WindowReader` serves small reads from one
cached window of the stream, so memory stays bounded whatever the file size, and every read past
the declared end raises `ScanAbort` instead of returning short data.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO

from aisec.probes.artifacts.interface import ImpossibleLength, ScanAbort

WINDOW = 1 << 20


class WindowReader:
    """Reads within [0, size) of `stream`; a cursor `pos` supports sequential parsing."""

    def __init__(self, stream: BinaryIO, size: int, *, window: int = WINDOW) -> None:
        self._stream = stream
        self.size = size
        self._window = window
        self._start = 0
        self._buf = b""
        self.pos = 0

    @classmethod
    def of_bytes(cls, data: bytes) -> WindowReader:
        return cls(io.BytesIO(data), len(data))

    def read_at(self, pos: int, n: int) -> bytes:
        if pos < 0 or n < 0 or pos + n > self.size:
            raise ImpossibleLength(
                f"truncated: {n} bytes needed at offset {pos}, size is {self.size}"
            )
        if n > self._window:
            return self._direct(pos, n)
        off = pos - self._start
        if off < 0 or off + n > len(self._buf):
            self._stream.seek(pos)
            self._buf = self._stream.read(min(self._window, self.size - pos))
            self._start = pos
            off = 0
            if len(self._buf) < n:
                raise ScanAbort(f"stream ended early at offset {pos + len(self._buf)}")
        return self._buf[off : off + n]

    def span(self, pos: int, end: int, margin: int = 32) -> tuple[bytes, int]:
        """The cached window and its start offset, holding at least [pos, min(end, pos+margin))
        (fewer bytes only when the stream itself ends first)."""
        need = min(end, self.size, pos + margin)
        if not (self._start <= pos and need <= self._start + len(self._buf)):
            self._stream.seek(pos)
            self._buf = self._stream.read(min(self._window, max(0, self.size - pos)))
            self._start = pos
        return self._buf, self._start

    def _direct(self, pos: int, n: int) -> bytes:
        self._stream.seek(pos)
        data = self._stream.read(n)
        if len(data) != n:
            raise ScanAbort(f"stream ended early at offset {pos + len(data)}")
        return data

    # sequential cursor -------------------------------------------------------------------
    def take(self, n: int) -> bytes:
        data = self.read_at(self.pos, n)
        self.pos += n
        return data

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > self.size:
            raise ImpossibleLength(f"truncated: cannot skip {n} bytes at offset {self.pos}")
        self.pos += n

    def unpack(self, fmt: str) -> tuple[int | float, ...]:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))

    def uint(self, fmt: str) -> int:
        """One unsigned integer in struct format `fmt` (e.g. '<I', '>Q')."""
        value = struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
        if not isinstance(value, int):
            raise ScanAbort(f"format {fmt!r} does not read an integer")
        return value

    @property
    def remaining(self) -> int:
        return self.size - self.pos
