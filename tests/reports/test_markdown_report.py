"""The Markdown report: same content as the HTML minus charts, safe to paste into a wiki."""

from __future__ import annotations

import re

import pytest
from report_factory import XSS, make_result

from aisec.reports.context import ReportInput
from aisec.reports.environment import md_text
from aisec.reports.markdown import render_markdown


@pytest.fixture(scope="module")
def md() -> str:
    return render_markdown(ReportInput(result=make_result()))


HEADINGS = [
    "## 1. Executive summary",
    "## 2. Readiness",
    "## 3. Inherent and residual risk",
    "## 4. Threats that apply",
    "### Threats that do not apply",
    "## 5. Controls: statement of applicability",
    "## 6. Gaps and roadmap",
    "## 7. Interaction warnings",
    "## 8. Practice readiness questions",
    "## 9. Evidence",
    "## 10. Appendix: method and risk register",
]


@pytest.mark.parametrize("heading", HEADINGS)
def test_sections_present(md: str, heading: str) -> None:
    assert md.count(heading + "\n") == 1


def test_alignment_line_and_no_svg(md: str) -> None:
    assert "Alignment with ISO/IEC 27090 guidance, not certification." in md
    assert "<svg" not in md and "<script" not in md.lower()


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_every_table_row_has_the_header_column_count(md: str) -> None:
    lines = md.splitlines()
    tables = 0
    for n, line in enumerate(lines):
        if re.fullmatch(r"\|(\s*-*:?-+:?\s*\|)+", line):
            tables += 1
            width = _unescaped_pipes(lines[n - 1])
            assert width == _unescaped_pipes(line)
            row = n + 1
            while row < len(lines) and lines[row].startswith("|"):
                assert _unescaped_pipes(lines[row]) == width, lines[row]
                row += 1
    assert tables >= 12


def test_user_text_neutralised(md: str) -> None:
    assert XSS not in md
    assert "Team \\| Ops &lt;script&gt;" in md
    assert "Pipes \\| stay \\| in cells." in md


def test_heat_map_grid_counts(md: str) -> None:
    block = md[md.index("| Residual: L") :].splitlines()
    assert block[2] == "| **5** | . | . | . | . | . |"
    assert block[3] == "| **4** | . | . | . | 1 | . |"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a|b", "a\\|b"),
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ("line\nbreak  here", "line break here"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
        ("AT&T &amp; co", "AT&T &amp;amp; co"),
        (None, ""),
    ],
)
def test_md_text(raw: object, expected: str) -> None:
    assert md_text(raw) == expected
