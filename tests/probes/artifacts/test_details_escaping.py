"""Scanned text inside finding details (callable names) is escaped like locations and messages,
also on the fast path that skips details needing no change."""

from __future__ import annotations

import json
from pathlib import Path

from aisec.probes.artifacts.service import scan_paths


def _details(tmp_path: Path, module: bytes) -> dict:
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x02c" + module + b"\nrun\nq\x00)R.")
    result = scan_paths([path]).files[0]
    hit = next(f for f in result.findings if f.details.get("callable"))
    json.dumps(hit.to_json())  # serialisable whatever the pickle names
    return hit.details


def test_control_characters_in_callable_names_are_escaped(tmp_path: Path) -> None:
    assert _details(tmp_path, b"evil\x1b[31m")["callable"] == "evil\\x1b[31m.run"


def test_plain_names_pass_unchanged(tmp_path: Path) -> None:
    details = _details(tmp_path, b"evil_mod")
    assert details["callable"] == "evil_mod.run" and isinstance(details["imports"], list)
