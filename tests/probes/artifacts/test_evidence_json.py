"""The scanner's evidence file written without pydantic is the file pydantic writes: the same
bytes for what scans produce, the same document otherwise, and readable by `EvidenceReport`."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from archives import zip_bytes
from pickles import call, g, s, wrap

from aisec.probes.artifacts.result import ScanResult
from aisec.probes.artifacts.service import scan_paths
from aisec.probes.envelope import timestamp
from aisec.probes.finding import EvidenceReport

EVIL = wrap(call(g("os", "system"), s("id")))


@pytest.fixture
def result(tmp_path: Path) -> ScanResult:
    root = tmp_path / "mödels"
    root.mkdir()
    (root / "evil.pkl").write_bytes(EVIL)
    (root / "clean.pkl").write_bytes(wrap(b"}"))
    (root / "nested.zip").write_bytes(zip_bytes([("a/evil.pkl", EVIL)]))
    (root / "notes \u202e.txt").write_text("kein Modell\n")
    (root / "bad\x1bname.pt").write_bytes(b"\x80\x02garbage")
    return scan_paths([root])


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 5, 9, 38, 4, 123456, tzinfo=UTC),
        datetime(2026, 12, 5, 9, 38, 4, tzinfo=UTC),
        datetime(2026, 12, 5, 9, 38, 4, 5, tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_the_same_bytes_as_pydantic(result: ScanResult, moment: datetime) -> None:
    fast = result.evidence_json(moment, "1.2.3")
    assert fast == result.to_evidence(moment, "1.2.3").model_dump_json(indent=2)
    back = EvidenceReport.model_validate_json(fast)
    assert back.findings == result.all_findings() and back.generated_at == moment


def test_a_value_json_cannot_write_as_pydantic_does_goes_to_pydantic(result: ScanResult) -> None:
    odd = replace(result.files[0].findings[0], details={"ratio": math.nan, "x": 1.5e-5})
    bent = replace(result, files=(replace(result.files[0], findings=(odd,)),))
    moment = datetime(2026, 12, 5, tzinfo=UTC)
    text = bent.evidence_json(moment, "1")
    assert text == bent.to_evidence(moment, "1").model_dump_json(indent=2)
    assert json.loads(text)["findings"][0]["details"]["ratio"] is None


def test_timestamps_follow_pydantic() -> None:
    assert timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    naive = datetime(2026, 1, 2, 3, 4, 5, 600)
    assert timestamp(naive) == "2026-01-02T03:04:05.000600"
