"""Overlays are named with their SHA-256 and changes in every report; overlays that weaken the
bundled catalogue need --allow-weakening and are flagged (issue 14 item 15)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from aisec.catalog import default_catalog
from aisec.catalog.overlay_diff import diff_overlay
from aisec.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
SYSTEM = str(EXAMPLES / "email-agent.yaml")


def _boosting_overlay(tmp_path: Path) -> Path:
    """A bundled control re-declared with every effect at the maximum."""
    catalog = default_catalog()
    control = next(c for c in catalog.controls.values() if any(e.likelihood < 3 for e in c.effects))
    data = control.model_dump(mode="json", exclude_none=True)
    for effect in data["effects"]:
        effect["likelihood"], effect["impact"] = 3, 2
    path = tmp_path / "boost.yaml"
    path.write_text(yaml.safe_dump({"controls": [data]}, sort_keys=False), encoding="utf-8")
    return path


def test_weakening_overlay_is_refused_without_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = _boosting_overlay(tmp_path)
    code = main(["assess", SYSTEM, "--overlay", str(overlay), "-o", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "weakens the bundled catalogue" in err and "--allow-weakening" in err
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_allowed_weakening_is_flagged_in_json_and_markdown(tmp_path: Path) -> None:
    overlay = _boosting_overlay(tmp_path)
    digest = hashlib.sha256(overlay.read_bytes()).hexdigest()
    out = tmp_path / "o"
    argv = ["assess", SYSTEM, "--overlay", str(overlay), "--allow-weakening", "-o", str(out)]
    assert main([*argv, "-f", "json,md,html"]) in (0, 1)
    doc = json.loads((out / "email-agent.json").read_text(encoding="utf-8"))
    note = next(n for n in doc["notes"] if "Catalogue overlay" in n)
    assert digest in note and "WEAKENS" in note and "claims a larger effect" in note
    for name in ("email-agent.md", "email-agent.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert digest in text and "WEAKENS" in text


def test_additive_overlay_is_listed_not_refused(tmp_path: Path) -> None:
    overlay = tmp_path / "iso.yaml"
    threat = next(iter(default_catalog().threats))
    overlay.write_text(
        f"iso27090:\n  {threat}: {{clause: '5.1', status: confirmed, label: own words}}\n",
        encoding="utf-8",
    )
    diff = diff_overlay(overlay)
    assert diff.weakening == []
    assert f"replaced iso27090 {threat}" in diff.note()
    assert diff.sha256 == hashlib.sha256(overlay.read_bytes()).hexdigest()


def test_catalog_validate_shows_what_an_overlay_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = _boosting_overlay(tmp_path)
    assert main(["catalog", "validate", "--overlay", str(overlay)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "WEAKENS" in out and "--allow-weakening" in out
    assert hashlib.sha256(overlay.read_bytes()).hexdigest()[:16] in out.replace(" ", "")
