"""Legacy Keras HDF5 files written with h5py in tmp_path."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from aisec.probes.artifacts.formats import Hdf5Handler
from aisec.probes.artifacts.interface import ScanAbort
from aisec.probes.finding import Verdict

from . import keras_samples as ks
from .builders import assert_clean, context, rules, scan

h5py = pytest.importorskip("h5py")
np = pytest.importorskip("numpy")
H = Hdf5Handler()


def write_h5(path: Path, model_config=None, *, weights: bool = True, **extra) -> bytes:
    with h5py.File(path, "w") as f:
        if model_config is not None:
            f.attrs["model_config"] = json.dumps(model_config)
            f.attrs["keras_version"] = "2.15.0"
            f.attrs["backend"] = "tensorflow"
        if weights:
            g = f.create_group("model_weights/dense")
            g.create_dataset("kernel:0", data=np.zeros((4, 2), dtype="float32"))
            g.attrs["weight_names"] = [b"kernel:0"]
        if "external_link" in extra:
            f["linked"] = h5py.ExternalLink(extra["external_link"], "/data")
        if "external_storage" in extra:
            f.create_dataset("raw", shape=(4,), dtype="u1",
                             external=[(extra["external_storage"], 0, 4)])  # fmt: skip
        if "training_config" in extra:
            f.attrs["training_config"] = json.dumps(extra["training_config"])
    return path.read_bytes()


def test_benign_legacy_model_passes(tmp_path: Path) -> None:
    found = scan(H, write_h5(tmp_path / "m.h5", ks.legacy(ks.LEGACY_DENSE)))
    assert_clean(found, "hdf5.ok")
    assert found[0].details["keras_configs"] == ["model_config"]


def test_weights_only_file_passes(tmp_path: Path) -> None:
    assert_clean(scan(H, write_h5(tmp_path / "w.h5")), "hdf5.ok")


@pytest.mark.parametrize(
    ("config", "verdict"),
    [(ks.legacy(ks.LEGACY_DENSE, ks.legacy_lambda(ks.EVIL_SOURCE)), Verdict.MALICIOUS),
     (ks.legacy(ks.legacy_lambda(ks.PLAIN_SOURCE)), Verdict.SUSPICIOUS)],
)  # fmt: skip
def test_lambda_layers_are_flagged(tmp_path: Path, config, verdict) -> None:
    found = scan(H, write_h5(tmp_path / "l.h5", config))
    hits = [f for f in found if f.rule_id == "keras.lambda-layer"]
    assert hits and hits[0].verdict is verdict
    assert hits[0].details["where"] == "attribute model_config"
    assert "hdf5.ok" not in rules(found)


def test_training_config_references_are_checked(tmp_path: Path) -> None:
    training = {"loss": ks.fn("subprocess", "check_output")}
    found = scan(H, write_h5(tmp_path / "t.h5", ks.legacy(ks.LEGACY_DENSE),
                             training_config=training))  # fmt: skip
    assert "keras.untrusted-module" in rules(found)


@pytest.mark.parametrize(
    "extra", [{"external_link": "/etc/secrets.h5"}, {"external_storage": "../outside.bin"}]
)
def test_references_outside_the_file_are_flagged(tmp_path: Path, extra) -> None:
    found = scan(H, write_h5(tmp_path / "x.h5", weights=False, **extra))
    assert "hdf5.external-reference" in rules(found)
    assert not (tmp_path / "outside.bin").exists()


def test_user_block_offset_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "ub.h5"
    with h5py.File(path, "w", userblock_size=512) as f:
        f.attrs["x"] = 1
    data = path.read_bytes()
    assert data[:8] != b"\x89HDF\r\n\x1a\n"
    assert_clean(scan(H, data), "hdf5.ok")


def test_truncated_file_aborts(tmp_path: Path) -> None:
    data = write_h5(tmp_path / "t.h5", ks.legacy(ks.LEGACY_DENSE))
    with pytest.raises(ScanAbort):
        scan(H, data[:600])


def test_non_json_model_config_aborts(tmp_path: Path) -> None:
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = "{not json"
    with pytest.raises(ScanAbort):
        scan(H, path.read_bytes())


def test_missing_h5py_reports_not_scanned(tmp_path: Path, monkeypatch) -> None:
    data = write_h5(tmp_path / "m.h5", ks.legacy(ks.LEGACY_DENSE))
    monkeypatch.setitem(sys.modules, "h5py", None)
    found = scan(H, data)
    assert [(f.rule_id, f.verdict) for f in found] == [("hdf5.not-scanned", Verdict.NOT_SCANNED)]
    assert "scan" in found[0].message


def test_mutated_files_only_abort_or_report(tmp_path: Path) -> None:
    """libhdf5 crashes on some of these (seed 90 did): the reader child must absorb it."""
    import random

    from aisec.probes.artifacts.formats.hdf5 import Hdf5Handler as Handler

    seed = write_h5(tmp_path / "seed.h5", ks.legacy(ks.LEGACY_DENSE), training_config={"a": 1})
    for n in range(86, 96):
        rnd = random.Random(n)
        data = bytearray(seed)
        for _ in range(rnd.randint(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        sample = bytes(data[: rnd.randint(64, len(data))]) if n % 4 == 0 else bytes(data)
        try:
            found = scan(Handler(), sample, must_detect=False)
        except ScanAbort:
            continue
        assert found


def test_reader_crash_becomes_a_finding(tmp_path: Path, monkeypatch) -> None:
    from aisec.probes.artifacts.formats import hdf5

    crasher = tmp_path / "crash.py"
    crasher.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    monkeypatch.setattr(hdf5, "READER", crasher)
    found = scan(H, write_h5(tmp_path / "m.h5", ks.legacy(ks.LEGACY_DENSE)))
    assert [(f.rule_id, f.verdict) for f in found] == [("hdf5.parser-crash", Verdict.SUSPICIOUS)]


def test_reader_runs_without_plugins_or_inherited_environment(tmp_path: Path, monkeypatch) -> None:
    from aisec.probes.artifacts.formats import hdf5

    spy = tmp_path / "spy.py"
    spy.write_text(
        "import json, os, sys\n"
        "print(json.dumps({'ok': True, 'configs': {}, 'refs': [], 'env': dict(os.environ),"
        " 'flags': sys.flags.isolated}))\n"
    )
    monkeypatch.setattr(hdf5, "READER", spy)
    monkeypatch.setenv("PYTHONPATH", "/nowhere")
    result = H._run_reader(tmp_path / "x.h5", tmp_path, context())
    assert result is not None and result["flags"] == 1
    assert result["env"]["HDF5_PLUGIN_PRELOAD"] == "::"
    assert "PYTHONPATH" not in result["env"]


# Pickles PyTables/pandas would load: built as opcode bytes, never unpickled.
EVIL_P0 = b"cos\nsystem\n(S'touch /tmp/aisec-canary'\ntR."
EVIL_P2 = b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."
BENIGN_P0 = b"(dp0\nVa\np1\nI1\ns."


def pytables_like(path: Path, title=None, rows=None) -> Path:
    with h5py.File(path, "w") as f:
        g = f.create_group("table")
        g.attrs["CLASS"] = b"GROUP"
        if title is not None:
            g.attrs["TITLE"] = title
        if rows is not None:
            ds = f.create_dataset("objects", (len(rows),), dtype=h5py.vlen_dtype(np.uint8))
            for i, row in enumerate(rows):
                ds[i] = np.frombuffer(row, dtype=np.uint8)
            ds.attrs["PSEUDOATOM"] = b"object"
    return path


@pytest.mark.parametrize(
    "kwargs",
    [{"title": np.bytes_(EVIL_P0)}, {"title": np.void(EVIL_P2)}, {"rows": [BENIGN_P0, EVIL_P2]}],
)
def test_embedded_pickles_are_reported_without_an_engine(tmp_path: Path, kwargs) -> None:
    found = scan(H, pytables_like(tmp_path / "p.h5", **kwargs).read_bytes())
    assert [f.rule_id for f in found] == ["hdf5.embedded-pickle"]
    assert found[0].verdict is Verdict.SUSPICIOUS


def test_sentences_ending_in_a_period_are_not_taken_for_pickles(tmp_path: Path) -> None:
    data = pytables_like(tmp_path / "s.h5", title=np.bytes_(b"A small model.")).read_bytes()
    found = scan(H, data)
    assert_clean(found, "hdf5.ok")
    assert found[0].details["embedded_pickles"] == 0


def test_embedded_pickles_go_to_the_engine(tmp_path: Path) -> None:
    from aisec.probes.artifacts.result import FileVerdict
    from aisec.probes.artifacts.service import scan_paths

    pytables_like(tmp_path / "evil.h5", rows=[BENIGN_P0, EVIL_P2])
    pytables_like(tmp_path / "good.h5", title=np.bytes_(BENIGN_P0))
    result = {Path(r.path).name: r for r in scan_paths([tmp_path]).files}
    assert result["good.h5"].verdict is FileVerdict.CLEAN
    evil = result["evil.h5"]
    assert evil.verdict is FileVerdict.MALICIOUS
    assert any(f.location.endswith("!/objects[1]") and f.verdict is Verdict.MALICIOUS
               for f in evil.findings)  # fmt: skip
    assert not Path("/tmp/aisec-canary").exists()
