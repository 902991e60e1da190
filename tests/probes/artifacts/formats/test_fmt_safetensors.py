"""safetensors header checks on files built in memory."""

from __future__ import annotations

import pytest

from aisec.probes.artifacts.formats import SafetensorsHandler
from aisec.probes.artifacts.interface import ScanAbort
from aisec.probes.finding import Verdict

from .builders import assert_clean, rules, safetensors, scan, tensor

H = SafetensorsHandler()


def test_benign_file_passes_with_metadata() -> None:
    header = {
        "__metadata__": {"format": "pt"},
        "a.weight": tensor("F32", [2, 3], 0, 24),
        "a.bias": tensor("BF16", [3], 24, 30),
        "mask": tensor("BOOL", [2], 30, 32),
    }
    assert_clean(scan(H, safetensors(header, bytes(32))), "safetensors.ok")


def test_empty_header_passes() -> None:
    assert_clean(scan(H, safetensors({}, b"")), "safetensors.ok")


def test_tensor_bytes_are_never_needed(tmp_path) -> None:
    # a file whose data section is huge but sparse: the scan only reads the header
    path = tmp_path / "big.safetensors"
    n = 64 * 1024 * 1024
    head = safetensors({"w": tensor("U8", [n], 0, n)}, b"")
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(len(head) + n)

    class CountingFile:
        def __init__(self, fh):
            self.fh, self.read_bytes = fh, 0

        def read(self, n=-1):
            data = self.fh.read(n)
            self.read_bytes += len(data)
            return data

        def seek(self, *a):
            return self.fh.seek(*a)

    from .builders import context

    with path.open("rb") as fh:
        counting = CountingFile(fh)
        ctx = context()
        H.scan(counting, len(head) + n, ctx)
    assert counting.read_bytes < 4096
    assert_clean(ctx.findings, "safetensors.ok")


@pytest.mark.parametrize(
    ("header", "data_len", "rule", "verdict"),
    [
        ({"a": tensor("F32", [2], 0, 8), "b": tensor("F32", [2], 4, 12)}, 12,
         "safetensors.offsets-overlap", Verdict.MALICIOUS),
        ({"a": tensor("F32", [2], 0, 8)}, 4, "safetensors.offsets-out-of-range",
         Verdict.MALICIOUS),
        ({"a": tensor("F32", [3], 0, 8)}, 8, "safetensors.dtype-shape-mismatch",
         Verdict.MALICIOUS),
        ({"a": tensor("F32", [2], 8, 4)}, 8, "safetensors.offsets-invalid", Verdict.MALICIOUS),
        ({"a": tensor("F32", [2], 0, 8)}, 16, "safetensors.offsets-gap", Verdict.SUSPICIOUS),
        ({"a": tensor("F32", [2], 8, 16)}, 16, "safetensors.offsets-gap", Verdict.SUSPICIOUS),
        ({"a": tensor("Q4", [2], 0, 8)}, 8, "safetensors.dtype-unknown", Verdict.SUSPICIOUS),
        ({"a": tensor("F32", [-2], 0, 8)}, 8, "safetensors.shape-invalid", Verdict.SUSPICIOUS),
        ({"a": tensor("F32", [True, 2], 0, 8)}, 8, "safetensors.shape-invalid",
         Verdict.SUSPICIOUS),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "x": 1}}, 8,
         "safetensors.entry-invalid", Verdict.SUSPICIOUS),
        ({"a": [1, 2]}, 8, "safetensors.entry-invalid", Verdict.SUSPICIOUS),
        ({"__metadata__": {"k": 1}, "a": tensor("U8", [1], 0, 1)}, 1,
         "safetensors.metadata-invalid", Verdict.SUSPICIOUS),
        ({"a": tensor("F4", [3], 0, 2)}, 2, "safetensors.dtype-shape-mismatch",
         Verdict.MALICIOUS),
    ],
)  # fmt: skip
def test_crafted_headers_are_flagged(header, data_len, rule, verdict) -> None:
    found = scan(H, safetensors(header, bytes(data_len)))
    assert rule in rules(found)
    assert any(f.verdict is verdict for f in found if f.rule_id == rule)
    assert "safetensors.ok" not in rules(found)


def test_duplicate_keys_are_flagged() -> None:
    entry = '{"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}'
    raw = '{"a": ' + entry + ', "a": ' + entry + "}"
    found = scan(H, safetensors(raw, b"\0"))
    assert "safetensors.duplicate-key" in rules(found)


def test_sub_byte_dtype_is_accepted() -> None:
    assert_clean(scan(H, safetensors({"a": tensor("F4", [4], 0, 2)}, bytes(2))), "safetensors.ok")


@pytest.mark.parametrize(
    "data",
    [
        safetensors("{not json", b"", pad=False),
        safetensors('{"a": 1', b"", pad=False),
        safetensors("[1, 2]", b"", pad=False)[:8] + b"{" + b"[1,2]"[1:],
        b"\x10\0\0\0\0\0\0\0{\xff\xfe" + b" " * 13,
        safetensors({"a": tensor("U8", [1], 0, 1)}, b"\0")[:20],
        b"\x0a\0\0\0\0\0\0\0{" + b"[" * 5000 + b"]",
    ],
)
def test_malformed_headers_abort(data: bytes) -> None:
    with pytest.raises(ScanAbort):
        scan(H, data, must_detect=False)


def test_oversized_header_is_flagged_and_aborts() -> None:
    data = (200_000_000).to_bytes(8, "little") + b'{"' + b" " * 100
    assert not H.detect(data, len(data))  # larger than the file: not claimed...
    with pytest.raises(ScanAbort):
        scan(H, data, must_detect=False)  # ...and refused if forced


@pytest.mark.parametrize(
    "data",
    [b"", b"\x08\0\0\0\0\0\0\0", b"PK\x03\x04" + bytes(60), b"\x80\x04\x95" + bytes(40),
     b"\x05\0\0\0\0\0\0\0hello world"],
)  # fmt: skip
def test_detect_rejects_other_content(data: bytes) -> None:
    assert not H.detect(data, len(data))


def test_keys_that_look_like_internal_markers_are_ordinary_entries() -> None:
    found = scan(H, safetensors({"\u0000duplicates": True}, b""))  # found by hypothesis
    assert "safetensors.entry-invalid" in rules(found)


def test_leading_blanks_in_header_are_claimed_and_flagged() -> None:
    data = safetensors("  " + '{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}', b"\0")
    assert "safetensors.header-start" in rules(scan(H, data))
