"""Hashes and manifests: mismatch and missing files are `fail` findings; formats round-trip."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from aisec.common.errors import InputError
from aisec.probes.artifacts.integrity import load_manifest, write_manifest
from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths


def make_files(tmp_path: Path) -> dict[str, bytes]:
    files = {"a.pkl": b"\x80\x02}.", "sub/b.pkl": b"\x80\x02].", "c.txt": b"text"}
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return files


def test_scan_records_sha256_of_every_file(tmp_path: Path) -> None:
    files = make_files(tmp_path)
    result = scan_paths([tmp_path])
    got = {Path(f.path).relative_to(tmp_path).as_posix(): f.sha256 for f in result.files}
    assert got == {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}


@pytest.mark.parametrize("style", ["sha256sum", "json-map", "json-files", "json-list"])
def test_manifest_formats_verify(tmp_path: Path, style: str) -> None:
    files = make_files(tmp_path)
    hashes = {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
    man = tmp_path / "MANIFEST"
    if style == "sha256sum":
        man.write_text("".join(f"{h}  {n}\n" for n, h in hashes.items()))
    elif style == "json-map":
        man.write_text(json.dumps(hashes))
    elif style == "json-files":
        man.write_text(json.dumps({"files": hashes}))
    else:
        man.write_text(json.dumps([{"path": n, "sha256": h} for n, h in hashes.items()]))
    result = scan_paths([tmp_path / "a.pkl", tmp_path / "sub"], manifest=man)
    assert {f.rule_id for f in result.integrity} == {"integrity.hash-match"}
    assert result.verdict is FileVerdict.CLEAN


def test_mismatch_missing_and_unlisted(tmp_path: Path) -> None:
    make_files(tmp_path)
    man = tmp_path / "m.sha256"
    write_manifest(
        man,
        [
            (tmp_path / "a.pkl", hashlib.sha256(b"x\x80\x02}.").hexdigest()),
            (tmp_path / "gone.pkl", "0" * 64),
        ],
    )
    result = scan_paths([tmp_path / "a.pkl", tmp_path / "sub"], manifest=man)
    by_rule = {f.rule_id: f for f in result.integrity}
    assert set(by_rule) == {
        "integrity.hash-mismatch",
        "integrity.missing-file",
        "integrity.unlisted-file",
    }
    assert all(f.verdict == "fail" for f in result.integrity)
    assert "model-provenance" in by_rule["integrity.hash-mismatch"].control_ids
    assert result.verdict is FileVerdict.SUSPICIOUS


def test_write_manifest_round_trip(tmp_path: Path) -> None:
    make_files(tmp_path)
    result = scan_paths([tmp_path])
    man = tmp_path / "out" / "manifest.txt"
    write_manifest(man, [(Path(f.path), f.sha256 or "") for f in result.files])
    loaded = load_manifest(man)
    assert loaded == {Path(f.path).resolve(): f.sha256 for f in result.files}


@pytest.mark.parametrize("text", ["not a manifest line", '{"a": "xyz"}', "[1, 2", "\udcff"])
def test_bad_manifest_is_an_input_error(tmp_path: Path, text: str) -> None:
    man = tmp_path / "m"
    man.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(InputError):
        load_manifest(man)


def test_hash_of_a_multi_chunk_file_matches_and_reaches_findings(tmp_path: Path) -> None:
    data = b"\x80\x04K\x01." + bytes(range(256)) * (3 * 4096 + 1)  # > 3 MiB: several pread chunks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    (result,) = scan_paths([path]).files
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.findings and all(f.sha256 == result.sha256 for f in result.findings)
