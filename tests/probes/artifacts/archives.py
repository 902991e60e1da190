"""ZIP / tar / compressed builders for fixtures, including the header tricks loaders tolerate
(bad CRC, odd flag bits, local/central name mismatch, prepended data, duplicate names)."""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib


def zip_bytes(members: list[tuple[str, bytes]], *, deflate: bool = False) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def raw_zip(
    members: list[tuple[str, bytes]],
    *,
    flags: int = 0,
    bad_crc: bool = False,
    local_names: dict[str, str] | None = None,
    prepend: bytes = b"",
    drop_central: bool = False,
) -> bytes:
    """A stored ZIP written by hand so every header field can be tampered with."""
    local_names = local_names or {}
    body = bytearray()
    central = bytearray()
    for name, data in members:
        crc = zlib.crc32(data) ^ (0xDEADBEEF if bad_crc else 0)
        lname = local_names.get(name, name).encode()
        cname = name.encode()
        offset = len(body)
        body += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            flags,
            0,
            0,
            0,
            crc,
            len(data),
            len(data),
            len(lname),
            0,
        )
        body += lname + data
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            flags,
            0,
            0,
            0,
            crc,
            len(data),
            len(data),
            len(cname),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += cname
    if drop_central:
        return prepend + bytes(body)
    eocd = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0
    )
    return prepend + bytes(body) + bytes(central) + eocd


def tar_bytes(members: list[tuple[str, bytes]], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def torch_zip(data_pkl: bytes, storages: int = 2, prefix: str = "archive") -> bytes:
    """The layout torch.save writes: data.pkl, version, byteorder, data/<n> raw storages."""
    members = [
        (f"{prefix}/data.pkl", data_pkl),
        (f"{prefix}/byteorder", b"little"),
        (f"{prefix}/version", b"3\n"),
        (f"{prefix}/.data/serialization_id", b"1234"),
    ]
    # 16 bytes: the FloatStorage of 4 elements benign.torch_like_data_pkl declares as key 0
    members += [(f"{prefix}/data/{i}", bytes(range(16))) for i in range(storages)]
    return zip_bytes(members)


def with_zip64_end(data: bytes) -> bytes:
    """Insert a zip64 end record and locator before the EOCD, as torch's writer always does."""
    eocd = data.rfind(b"PK\x05\x06")
    _, _, _, n_disk, n_total, cd_size, cd_off, _ = struct.unpack_from("<4sHHHHIIH", data, eocd)
    rec64 = struct.pack(
        "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, n_disk, n_total, cd_size, cd_off
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, eocd, 1)
    return data[:eocd] + rec64 + locator + data[eocd:]
