"""NumPy .npy/.npz: header parsing without evaluation, object arrays walked as pickles."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from helpers import rules, scan_bytes
from recipes import npy_object

from aisec.probes.artifacts.numpy_npy import NpyError, has_object, parse_header
from aisec.probes.artifacts.result import FileVerdict


def npy(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("descr", "obj"),
    [("<f8", False), ("|O", True), ([("a", "<i4"), ("b", "|O")], True), ([("a", "<f4")], False)],
)
def test_object_detection(descr: object, obj: bool) -> None:
    assert has_object(descr) is obj


@pytest.mark.parametrize(
    "data",
    [
        b"\x93NUMPY\x09\x00" + b"\x00" * 20,
        b"\x93NUMPY\x01\x00\x10\x00{'descr': __imp",
        b"\x93NUMPY\x01\x00\x20\x00" + b"__import__('os')              ",
        b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}",
    ],
)
def test_bad_headers_raise(data: bytes) -> None:
    with pytest.raises(NpyError):
        parse_header(data)


def test_size_mismatch_is_reported(tmp_path: Path) -> None:
    data = npy(np.arange(10, dtype=np.int64))[:-8]
    result = scan_bytes(tmp_path, data, "short.npy")
    assert "numpy.malformed" in rules(result)


def test_object_array_of_ints_is_clean(tmp_path: Path) -> None:
    result = scan_bytes(tmp_path, npy(np.array([1, 2], dtype=object), True), "o.npy")
    assert result.verdict is FileVerdict.CLEAN


def test_malicious_object_array(tmp_path: Path) -> None:
    from pickles import call, g, s, wrap

    result = scan_bytes(
        tmp_path, npy_object(wrap(call(g("socket", "create_connection"), s("h")))), "dns.npy"
    )
    assert result.verdict is FileVerdict.MALICIOUS
