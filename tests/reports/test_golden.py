"""Golden files pin the exact HTML, Markdown and portfolio output of one hand-made result.

A deliberate change to a template shows up as a diff to review; regenerate with
`AISEC_UPDATE_GOLDEN=1 pytest tests/reports/test_golden.py` and commit the new files.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from report_factory import make_result

from aisec.reports.context import ReportInput
from aisec.reports.html import render_html
from aisec.reports.index_page import render_index
from aisec.reports.markdown import render_markdown

GOLDEN = Path(__file__).parent / "golden"
RENDERERS: dict[str, Callable[[], str]] = {
    "report.html": lambda: render_html(ReportInput(result=make_result())),
    "report.md": lambda: render_markdown(ReportInput(result=make_result())),
    "index.html": lambda: render_index([("test-bot", make_result())]),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_golden(name: str) -> None:
    rendered = RENDERERS[name]()
    path = GOLDEN / name
    if os.environ.get("AISEC_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if rendered != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True),
                rendered.splitlines(True),
                f"golden/{name}",
                "rendered",
                n=1,
            )
        )
        pytest.fail(
            f"{name} differs from its golden file (AISEC_UPDATE_GOLDEN=1 to accept):\n"
            + diff[:4000]
        )


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_rendering_is_deterministic(name: str) -> None:
    assert RENDERERS[name]() == RENDERERS[name]()
