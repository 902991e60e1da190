"""`aisec scan`: exit codes, --fail-on, JSON evidence, SARIF 2.1.0 structure, report section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pickles import call, g, s, wrap

from aisec.cli import main
from aisec.probes.finding import EvidenceReport
from aisec.reports.sections import artifacts as section

EVIL = wrap(call(g("os", "system"), s("x")))
UNKNOWN = wrap(call(g("mylib", "helper"), s("x")))
BENIGN = wrap(b"}")


def tree(tmp_path: Path, **files: bytes) -> Path:
    root = tmp_path / "models"
    root.mkdir()
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


@pytest.mark.parametrize(
    ("files", "fail_on", "code"),
    [
        ({"a.pkl": BENIGN}, "suspicious", 0),
        ({"a.pkl": EVIL}, "suspicious", 1),
        ({"a.pkl": UNKNOWN}, "suspicious", 1),
        ({"a.pkl": UNKNOWN}, "malicious", 0),
        ({"a.pkl": BENIGN, "r.md": b"readme"}, "suspicious", 0),
        ({"a.pkl": BENIGN, "r.md": b"readme"}, "not-scanned", 1),
        ({"a.pkl": BENIGN + b"\x80\x02" + b"N0" * 5}, "error", 1),
    ],
)
def test_exit_codes(tmp_path: Path, files: dict[str, bytes], fail_on: str, code: int) -> None:
    root = tree(tmp_path, **files)
    assert main(["scan", str(root), "--fail-on", fail_on, "-q"]) == code


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    assert main(["scan", str(tmp_path / "nope")]) == 2


def test_empty_folder_is_nothing_assessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["scan", str(tmp_path / "empty")]) == 4
    assert "no issues" not in capsys.readouterr().out


def test_summary_never_says_no_issues_when_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(tmp_path, **{"a.pkl": BENIGN, "b.xyz": b"\x01\x02unknown"})
    main(["scan", str(root), "-q"])
    out = capsys.readouterr().out
    assert "not-scanned" in out and "no issues" not in out


def test_json_is_evidence_for_assess(tmp_path: Path) -> None:
    root = tree(tmp_path, **{"a.pkl": EVIL, "b.pkl": BENIGN, "c.txt": b"plain"})
    out = tmp_path / "scan.json"
    assert main(["scan", str(root), "--json", str(out), "-q"]) == 1
    report = EvidenceReport.model_validate_json(out.read_text())
    assert report.tool == "aisec-scan"
    assert report.summary["verdicts"]["malicious"] == 1
    bad = [f for f in report.findings if f.verdict == "malicious"]
    assert bad and {"supply-model-poisoning", "backdoor"} <= set(bad[0].threat_ids)
    passes = [f for f in report.findings if f.verdict == "pass"]
    assert passes and all("model-artifact-scanning" in f.control_ids for f in passes)
    assert any("c.txt" in item for item in report.skipped)


def test_sarif_structure(tmp_path: Path) -> None:
    root = tree(tmp_path, **{"a.pkl": EVIL, "b b.pkl": UNKNOWN, "c.pkl": BENIGN})
    out = tmp_path / "scan.sarif"
    main(["scan", str(root), "--sarif", str(out), "-q"])
    log = json.loads(out.read_text())
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    assert {"pickle.dangerous-callable", "pickle.unknown-callable"} <= set(rule_ids)
    assert len(run["results"]) >= 2
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in {"error", "warning", "note", "none"}
        assert res["message"]["text"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("file:///") and " " not in uri
        assert len(res["partialFingerprints"]["aisecFinding/v1"]) == 64
    assert len(run["artifacts"]) == 3
    assert all(len(a["hashes"]["sha-256"]) == 64 for a in run["artifacts"])


def test_write_manifest_then_verify(tmp_path: Path) -> None:
    root = tree(tmp_path, **{"a.pkl": BENIGN})
    man = tmp_path / "m.sha256"
    assert main(["scan", str(root), "--write-manifest", str(man), "-q"]) == 0
    assert main(["scan", str(root), "--manifest", str(man), "-q"]) == 0
    (root / "a.pkl").write_bytes(wrap(b"]"))
    assert main(["scan", str(root), "--manifest", str(man), "-q"]) == 1


def test_report_section_escapes_and_counts(tmp_path: Path) -> None:
    root = tree(tmp_path, **{"<script>x.pkl": EVIL, "ok.pkl": BENIGN})
    out = tmp_path / "scan.json"
    main(["scan", str(root), "--json", str(out), "-q"])
    html = str(section.render_html([EvidenceReport.model_validate_json(out.read_text())]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "pickle.dangerous-callable" in html
    assert "malicious" in html and section.TITLE


def test_progress_bar_only_on_a_terminal_for_big_jobs() -> None:
    import io

    from rich.console import Console

    from aisec.probes.artifacts.console import progress

    tty = Console(file=io.StringIO(), force_terminal=True)
    many = [(Path(f"f{i}"), 10) for i in range(20)]
    with progress(many, tty) as advance:
        assert advance is not None
        for path, size in many:
            advance(path, size)
    with progress([(Path("a"), 1)], tty) as advance:
        assert advance is None
    with progress(many, Console(file=io.StringIO(), force_terminal=False)) as advance:
        assert advance is None
