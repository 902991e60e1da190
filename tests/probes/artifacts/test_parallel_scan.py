"""Scanning files in several forked workers gives the one-process result, in order; a worker
that dies turns only the files it did not finish into errors; the extraction cap holds for the
whole scan."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from archives import tar_bytes, zip_bytes
from pickles import call, g, s, wrap

from aisec.cli import main
from aisec.probes.artifacts import parallel
from aisec.probes.artifacts.engine import Engine
from aisec.probes.artifacts.interface import Limits
from aisec.probes.artifacts.registry import default_handlers
from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths

EVIL = wrap(call(g("os", "system"), s("id")))
UNKNOWN = wrap(call(g("mylib", "helper"), s("x")))
CLEAN = wrap(b"}")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "models"
    (root / "sub").mkdir(parents=True)
    files = {
        "a-clean.pkl": CLEAN,
        "b-evil.pkl": EVIL,
        "c-unknown.pt": UNKNOWN,
        "d.zip": zip_bytes([("inner/evil.pkl", EVIL), ("ok.pkl", CLEAN)]),
        "e.tar": tar_bytes([("x.pkl", UNKNOWN)]),
        "f-readme.md": b"# card\n",
        "sub/g-big.pkl": wrap(s("x" * 200_000)),
        "sub/h-empty.bin": b"",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def _view(result: object) -> list[tuple[str, str, str | None, list[dict[str, object]]]]:
    return [
        (f.path, f.verdict.value, f.sha256, [x.to_json() for x in f.findings])
        for f in result.files  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("jobs", [2, 3, 8])
def test_workers_give_the_one_process_result_in_order(folder: Path, jobs: int) -> None:
    one = scan_paths([folder], jobs=1)
    many = scan_paths([folder], jobs=jobs)
    assert _view(many) == _view(one)
    assert [f.fs_path for f in many.files] == [f.fs_path for f in one.files]
    assert many.verdict is FileVerdict.MALICIOUS and many.counts() == one.counts()


def test_a_worker_that_dies_loses_only_its_unfinished_files(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = parallel.scan_file

    def dying(engine: Engine, path: Path, hash_files: bool = True) -> object:
        if os.getpid() != parent and path.name == "c-unknown.pt":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(engine, path, hash_files)

    monkeypatch.setattr(parallel, "scan_file", dying)
    files = [(p, p.stat().st_size) for p in sorted(folder.rglob("*")) if p.is_file()]
    shares = parallel.deal([size for _, size in files], 2)
    doomed = next(i for i, (p, _) in enumerate(files) if p.name == "c-unknown.pt")
    assert doomed in shares[1], "the test needs the file in the child's share"
    result = scan_paths([folder], jobs=2)
    by_name = {Path(f.path).name: f for f in result.files}
    lost = [i for i in shares[1] if i >= shares[1][shares[1].index(doomed)]]
    for i in lost:  # the child scans its share in order: the rest after the kill is lost
        f = by_name[files[i][0].name]
        assert f.verdict is FileVerdict.ERROR
        assert "killed by SIGKILL" in f.findings[0].message
    done = [i for i in range(len(files)) if i not in lost]
    one = {Path(f.path).name: f for f in scan_paths([folder], jobs=1).files}
    for i in done:
        name = files[i][0].name
        assert by_name[name].verdict == one[name].verdict, name


def test_deal_balances_by_size_and_keeps_planned_order() -> None:
    sizes = [10, 500, 20, 480, 30, 5, 0]
    shares = parallel.deal(sizes, 2)
    assert sorted(i for share in shares for i in share) == list(range(len(sizes)))
    assert all(share == sorted(share) for share in shares)
    loads = [sum(max(sizes[i], 4096) for i in share) for share in shares]
    assert abs(loads[0] - loads[1]) <= 4096 + 20
    assert {1, 3} - set(shares[0]) and {1, 3} - set(shares[1])  # the two big ones split


def test_auto_jobs_starts_workers_only_for_heavy_scans(tmp_path: Path) -> None:
    small = [(tmp_path / f"{i}.pkl", 4096) for i in range(500)]
    assert parallel.auto_jobs(small) == 1  # start-up and bookkeeping would dominate
    heavy = [(tmp_path / f"{i}.pt", 200 << 20) for i in range(4)]
    cores = len(os.sched_getaffinity(0))
    assert parallel.auto_jobs(heavy) == max(1, min(cores, 4))
    assert parallel.auto_jobs(heavy[:1]) == 1  # one file cannot be split


def test_each_worker_gets_its_share_of_the_extraction_cap() -> None:
    limits = Limits(max_total_bytes=1000 << 20, max_extract_ratio=20, min_extract_bytes=1 << 20)
    whole, half = Engine(default_handlers(), limits), Engine(default_handlers(), limits)
    whole.set_input_size(100 << 20)
    half.set_input_size(100 << 20, share=0.5)
    assert whole.extract_budget == 1000 << 20  # 20 x 100 MB = 2 GB, capped at 1000 MB
    assert half.extract_budget == 500 << 20  # half the cap: the workers together keep it
    small = Engine(default_handlers(), limits)
    small.set_input_size(10 << 20, share=0.25)
    assert small.extract_budget == 50 << 20  # 20 x its 2.5 MB of input


def test_cli_jobs_writes_the_same_evidence(folder: Path, tmp_path: Path) -> None:
    codes = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.json"
        codes.append(main(["scan", str(folder), "-q", "-j", jobs, "--json", str(out)]))
    assert codes == [1, 1]
    left, right = (json.loads((tmp_path / f"j{j}.json").read_text()) for j in ("1", "2"))
    left.pop("generated_at"), right.pop("generated_at")
    assert left == right
