"""The YAML shown in the documentation is valid: users copy it."""

from __future__ import annotations

import re
from pathlib import Path

from aisec.catalog import build_catalog, default_catalog
from aisec.system.assessment import load_assessment

DOCS = Path(__file__).resolve().parents[2] / "docs"


def yaml_blocks(page: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (DOCS / page).read_text(), flags=re.S)


def test_overlay_example_validates(tmp_path: Path) -> None:
    (block,) = yaml_blocks("overlays.md")
    path = tmp_path / "overlay.yaml"
    path.write_text(block)
    catalog = build_catalog([path])
    assert "egress-proxy" in catalog.controls
    assert catalog.threats["evasion"].iso27090.status.value == "confirmed"


def test_assessment_example_validates(tmp_path: Path) -> None:
    (block,) = yaml_blocks("assessment.md")
    path = tmp_path / "assessment.yaml"
    path.write_text(block)
    assessment = load_assessment(path, set(default_catalog().controls))
    assert assessment.risk.bands.high == 16
    assert not assessment.controls["model-watermarking"].applicable


def test_every_docs_page_is_indexed() -> None:
    index = (DOCS / "README.md").read_text()
    for page in DOCS.glob("*.md"):
        if page.name != "README.md":
            assert f"({page.name})" in index, page.name
