"""Second-wave regression corpus: one case per bypass technique, grouped by root cause; each
must be flagged (never clean, never silently not-scanned)."""

from __future__ import annotations

import pickletools
from pathlib import Path

import pytest
from corpus import CASES, MALICIOUS, NOT_CLEAN, Case

from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths

FLAGGED = {FileVerdict.MALICIOUS, FileVerdict.SUSPICIOUS}


@pytest.mark.parametrize("case", CASES, ids=[f"rc{c.root_cause}-{c.id}" for c in CASES])
def test_case_is_flagged(case: Case, tmp_path: Path) -> None:
    result = scan_paths([case.write(tmp_path)]).files[0]
    if case.expect == MALICIOUS:
        assert result.verdict is FileVerdict.MALICIOUS, result.findings
    elif case.expect == NOT_CLEAN:
        assert result.verdict not in (FileVerdict.CLEAN, FileVerdict.NOT_SCANNED), result.findings
    else:
        assert result.verdict in FLAGGED, result.findings


@pytest.mark.parametrize(
    "cid", ["gguf-magic-then-pickle", "tar-header-then-pickle", "pickle-first-op-protocol4"]
)
def test_polyglot_pickles_are_what_a_loader_reads(cid: str) -> None:
    """The fixtures are real: the standard library's opcode decoder (which executes nothing)
    reads the whole pickle from byte 0, as pickle.load would."""
    data = next(c for c in CASES if c.id == cid).build()
    ops = [op.name for op, _, _ in pickletools.genops(data)]
    assert ops[-1] == "STOP" and "REDUCE" in ops
