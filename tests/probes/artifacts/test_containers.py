"""Containers: the permissive ZIP reader against each header trick, bombs and limits as
findings, tar/compressed/7z routing, torch layouts, and content (not name) routing."""

from __future__ import annotations

import bz2
import gzip
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from archives import raw_zip, tar_bytes, torch_zip, zip_bytes
from benign import torch_like_data_pkl
from helpers import rules, scan_bytes
from pickles import call, g, s, wrap

from aisec.probes.artifacts.blob import Blob
from aisec.probes.artifacts.containers.zipread import read_index
from aisec.probes.artifacts.result import FileVerdict

EVIL = wrap(call(g("os", "system"), s("touch /tmp/x")))
BENIGN = wrap(b"}")


@pytest.mark.parametrize(
    ("kwargs", "anomaly"),
    [
        ({"flags": 0x1}, "flag bit encrypted"),
        ({"flags": 0x20}, "flag bit patched-data"),
        ({"flags": 0x40}, "flag bit strong-encryption"),
        ({"local_names": {"a/data.pkl": "zzz"}}, "local header names"),
        ({"prepend": b"X" * 77}, "77 bytes of data before the archive"),
        ({"drop_central": True}, "no end-of-central-directory"),
    ],
)
def test_reader_indexes_tampered_archives(kwargs: dict, anomaly: str) -> None:
    data = raw_zip([("a/data.pkl", EVIL)], **kwargs)
    index = read_index(Blob(data, 0, len(data)), 100)
    notes = index.anomalies + [n for e in index.entries for n in e.anomalies]
    assert any(anomaly in n for n in notes), notes
    entry = index.entries[0]
    assert data[entry.data_offset : entry.data_offset + entry.csize] == EVIL


def test_python_zipfile_rejects_what_we_read() -> None:
    data = raw_zip([("a/data.pkl", EVIL)], bad_crc=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf, pytest.raises(zipfile.BadZipFile):
        zf.read("a/data.pkl")
    index = read_index(Blob(data, 0, len(data)), 10)
    assert index.entries[0].name == "a/data.pkl"


def test_clean_torch_archive_skips_storages(tmp_path: Path) -> None:
    result = scan_bytes(tmp_path, torch_zip(torch_like_data_pkl(), storages=5), "model.pt")
    assert result.verdict is FileVerdict.CLEAN
    archive = next(f for f in result.findings if f.rule_id == "archive.clean")
    assert archive.details["storages_skipped"] == 5
    assert archive.details["torch"] is True


def test_storage_named_member_outside_torch_layout_is_scanned(tmp_path: Path) -> None:
    result = scan_bytes(tmp_path, zip_bytes([("data/0", EVIL)]), "x.zip")
    assert result.verdict is FileVerdict.MALICIOUS


def test_deflate_bomb_by_declared_ratio(tmp_path: Path) -> None:
    data = zip_bytes([("big.bin", b"\0" * (20 << 20))], deflate=True)
    result = scan_bytes(tmp_path, data, "bomb.zip")
    assert "zip.bomb" in rules(result)
    assert result.verdict is FileVerdict.SUSPICIOUS


def test_bomb_with_lying_sizes_is_stopped_while_inflating(tmp_path: Path) -> None:
    payload = b"\0" * (20 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = comp.compress(payload) + comp.flush()
    name = b"x.bin"
    crc = zlib.crc32(payload)
    local = (
        struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), 10, len(name), 0)
        + name
        + raw
    )
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(raw),
            10,
            len(name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + name
    )
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local), 0)
    result = scan_bytes(tmp_path, local + central + eocd, "liar.zip")
    assert "zip.bomb" in rules(result)


def test_member_limit(tmp_path: Path) -> None:
    data = zip_bytes([(f"m{i}.pkl", BENIGN) for i in range(12)])
    result = scan_bytes(tmp_path, data, "many.zip", max_members=5)
    assert "archive.limit-exceeded" in rules(result)
    assert result.verdict is FileVerdict.SUSPICIOUS


def test_nesting_depth_limit(tmp_path: Path) -> None:
    data = EVIL
    for _ in range(5):
        data = zip_bytes([("inner", data)])
    result = scan_bytes(tmp_path, data, "deep.zip", max_depth=3)
    assert "archive.limit-exceeded" in rules(result)
    assert result.verdict is not FileVerdict.CLEAN


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (tar_bytes([("a/model.pkl", EVIL)]), "a.tar"),
        (tar_bytes([("a/model.pkl", EVIL)], "w:gz"), "a.tgz"),
        (tar_bytes([("a/model.pkl", EVIL)], "w:bz2"), "a.tbz"),
        (tar_bytes([("a/model.pkl", EVIL)], "w:xz"), "a.txz"),
        (gzip.compress(EVIL), "a.gz"),
        (bz2.compress(EVIL), "a.bz2"),
        (zlib.compress(EVIL), "a.z"),
    ],
)
def test_compressed_and_tar_members_are_routed(tmp_path: Path, data: bytes, name: str) -> None:
    assert scan_bytes(tmp_path, data, name).verdict is FileVerdict.MALICIOUS


def test_tar_path_traversal_is_reported(tmp_path: Path) -> None:
    result = scan_bytes(tmp_path, tar_bytes([("../../etc/x.pkl", BENIGN)]), "t.tar")
    assert "archive.path-traversal" in rules(result)


def test_gzip_bomb(tmp_path: Path) -> None:
    result = scan_bytes(tmp_path, gzip.compress(b"\0" * (30 << 20)), "b.gz")
    assert "zip.bomb" in rules(result)


def test_corrupt_gzip_is_not_clean(tmp_path: Path) -> None:
    data = gzip.compress(EVIL * 50)[:40]
    result = scan_bytes(tmp_path, data, "c.gz")
    assert result.verdict is not FileVerdict.CLEAN


def test_seven_zip(tmp_path: Path) -> None:
    py7zr = pytest.importorskip("py7zr")
    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w") as archive:
        archive.writestr(EVIL, "archive/data.pkl")
        archive.writestr(BENIGN, "ok.pkl")
    result = scan_bytes(tmp_path, buf.getvalue(), "m.7z")
    assert result.verdict is FileVerdict.MALICIOUS


def test_pickle_with_zip_appended_is_a_polyglot(tmp_path: Path) -> None:
    result = scan_bytes(tmp_path, BENIGN + zip_bytes([("data.pkl", EVIL)]), "poly.pkl")
    assert "format.polyglot" in rules(result)
    assert result.verdict is FileVerdict.MALICIOUS


@pytest.mark.parametrize("name", ["model.safetensors", "README.md", "noext", "config.json"])
def test_routing_ignores_the_file_name(tmp_path: Path, name: str) -> None:
    assert scan_bytes(tmp_path, EVIL, name).verdict is FileVerdict.MALICIOUS


@pytest.mark.parametrize(
    "data", [b"hello world, plain text\n", bytes(range(256)) * 4, b"\x00" * 100]
)
def test_unknown_content_is_not_scanned_never_clean(tmp_path: Path, data: bytes) -> None:
    result = scan_bytes(tmp_path, data, "notes.xyz")
    assert result.verdict is FileVerdict.NOT_SCANNED
    assert "format.unsupported" in rules(result)


@pytest.mark.parametrize(
    "name", ["model.pkl", "model.safetensors", "model.gguf", "model.onnx", "w.npy", "m.bin"]
)
@pytest.mark.parametrize(
    "data", [b"hello world, plain text\n", bytes(range(256)) * 4, b"\x00" * 100]
)
def test_model_named_file_no_handler_parses_is_an_error(
    tmp_path: Path, data: bytes, name: str
) -> None:
    result = scan_bytes(tmp_path, data, name)
    # an error, or suspicious when a declared length cannot fit in the file (parser confusion)
    assert result.verdict in (FileVerdict.ERROR, FileVerdict.SUSPICIOUS), result.findings
    assert "format.malformed-for-name" in rules(result)


def test_empty_file_is_never_clean(tmp_path: Path) -> None:
    assert scan_bytes(tmp_path, b"", "empty.pkl").verdict is FileVerdict.ERROR
    assert scan_bytes(tmp_path, b"", "empty.txt").verdict is FileVerdict.NOT_SCANNED


def test_empty_archive_member_is_harmless(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/empty.txt", b"")
        zf.writestr("archive/data.pkl", b"\x80\x04K\x01.")
    assert scan_bytes(tmp_path, buf.getvalue(), "weights.zip").verdict is FileVerdict.CLEAN


@pytest.mark.parametrize("prepend", [b"", b"Z" * 33])
def test_zip64_end_records_are_followed(tmp_path: Path, prepend: bytes) -> None:
    from archives import with_zip64_end

    data = prepend + with_zip64_end(raw_zip([("a/data.pkl", EVIL), ("a/x", BENIGN)]))
    index = read_index(Blob(data, 0, len(data)), 10)
    assert [e.name for e in index.entries] == ["a/data.pkl", "a/x"]
    assert index.source == "central-directory"
    assert bool(index.anomalies) is bool(prepend)
    assert scan_bytes(tmp_path, data, "m.pt").verdict is FileVerdict.MALICIOUS


def test_time_budget_stops_member_loop_with_one_finding(tmp_path: Path) -> None:
    data = zip_bytes([(f"m{i}.pkl", BENIGN) for i in range(50)])
    path = tmp_path / "many.zip"
    path.write_bytes(data)
    from aisec.probes.artifacts.engine import Engine
    from aisec.probes.artifacts.interface import Limits
    from aisec.probes.artifacts.registry import default_handlers

    engine = Engine(default_handlers(), Limits(timeout_s=0.0))
    findings = engine.scan_blob(Blob(data, 0, len(data)), "many.zip", None)
    assert len([f for f in findings if f.rule_id == "scanner.timeout"]) == 1


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_zip_compression_methods(tmp_path: Path, method: int) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        zf.writestr("archive/data.pkl", EVIL)
    assert scan_bytes(tmp_path, buf.getvalue(), "m.zip").verdict is FileVerdict.MALICIOUS


def test_size_budget_counts_expanded_bytes_only(tmp_path: Path) -> None:
    from aisec.probes.artifacts.interface import Limits
    from aisec.probes.artifacts.service import scan_paths as scan

    for i in range(3):
        (tmp_path / f"plain{i}.pkl").write_bytes(BENIGN * 1500)
    (tmp_path / "stored.zip").write_bytes(zip_bytes([("a.pkl", BENIGN)]))
    (tmp_path / "packed.gz").write_bytes(gzip.compress(BENIGN * 5000))
    result = scan([tmp_path], Limits(max_total_bytes=10_000))
    verdicts = {Path(f.path).name: f.verdict for f in result.files}
    assert verdicts["stored.zip"] is FileVerdict.CLEAN
    assert all(verdicts[f"plain{i}.pkl"] is FileVerdict.CLEAN for i in range(3))
    assert verdicts["packed.gz"] is FileVerdict.ERROR  # 20 kB expanded: over budget
