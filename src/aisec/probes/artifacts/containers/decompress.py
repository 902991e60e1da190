"""Bounded decompression: output is produced in slices and stopped at a ratio or size cap, so a
compression bomb becomes a finding instead of exhausting memory or disk."""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from aisec.probes.artifacts.blob import Blob, as_stream, from_chunks

_IN = 1 << 16
_OUT = 1 << 20
RATIO_FLOOR = 1 << 20  # below this many output bytes, no ratio is a bomb


class Bomb(Exception):
    """Output exceeded `ratio` x input: reported as a compression bomb."""


class Corrupt(Exception):
    """The compressed stream is damaged or uses an unsupported codec."""


def _codec(kind: str, props: bytes = b"") -> Any:
    if kind == "deflate":
        return zlib.decompressobj(-15)
    if kind == "zlib":
        return zlib.decompressobj()
    if kind == "gzip":
        return zlib.decompressobj(31)
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    if kind == "lzma-raw":  # ZIP method 14: raw LZMA1 with properties in the member header
        filt = lzma._decode_filter_properties(lzma.FILTER_LZMA1, props)  # type: ignore[attr-defined]
        return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[filt])
    if kind in ("xz", "lzma"):
        return lzma.LZMADecompressor(lzma.FORMAT_AUTO)
    if kind == "lz4":
        import lz4.frame  # imported only when an LZ4 file is met

        return lz4.frame.LZ4FrameDecompressor()
    raise Corrupt(f"unsupported codec {kind}")


def _zstd_chunks(src: Blob, ratio: int) -> Iterator[bytes]:
    """zstd's streaming reader bounds each read itself (its decompressobj cannot)."""
    import zstandard  # imported only when a zstd file is met

    budget = max(src.size * ratio, RATIO_FLOOR)
    total = 0
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(as_stream(src), read_across_frames=True)
        while chunk := reader.read(_OUT):
            total += len(chunk)
            if total > budget:
                raise Bomb(f"expands beyond {ratio}x its compressed size")
            yield chunk
    except zstandard.ZstdError as exc:
        raise Corrupt(str(exc)) from None


def _chunks(src: Blob, make: Callable[[], Any], ratio: int) -> Iterator[bytes]:
    d = make()
    is_zlib = hasattr(d, "unconsumed_tail")
    total = 0
    budget = max(src.size * ratio, RATIO_FLOOR)
    off = 0
    try:
        while not d.eof:
            data = src.read_at(off, _IN)
            if not data:
                raise Corrupt("compressed stream ends early")
            off += len(data)
            while True:
                out = d.decompress(data, _OUT)
                total += len(out)
                if total > budget:
                    raise Bomb(f"expands beyond {ratio}x its compressed size")
                if out:
                    yield out
                if d.eof:
                    break
                if is_zlib:
                    data = d.unconsumed_tail
                    if not data:
                        break
                elif d.needs_input:
                    break
                else:
                    data = b""
    except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError, RuntimeError) as exc:
        raise Corrupt(str(exc)) from None


def decompress(src: Blob, kind: str, cap: int, ratio: int, props: bytes = b"") -> tuple[Blob, bool]:
    """Decompress `src`; (blob, hit_cap). Raises Bomb or Corrupt."""
    if kind == "zstd":
        return from_chunks(_zstd_chunks(src, ratio), cap)
    return from_chunks(_chunks(src, lambda: _codec(kind, props), ratio), cap)
