"""Registers a CISO opens in Excel, and the printed report's length, on real files."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.exitcodes import ExitCode

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
HOSTILE = '=HYPERLINK("http://x.example","click")'


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """rag-assistant with a formula as its name and '@SUM(1)' as the risk owner."""
    tmp = tmp_path_factory.mktemp("registers")
    system = tmp / "rag-assistant.yaml"
    text = (EXAMPLES / "rag-assistant.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("name:"))
    lines[index] = "name: '" + HOSTILE.replace("'", "''") + "'"
    system.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assessment = tmp / "rag-assistant.assessment.yaml"
    assessment.write_text(
        (EXAMPLES / "rag-assistant.assessment.yaml")
        .read_text(encoding="utf-8")
        .replace("risk_owner: HR Director", "risk_owner: '@SUM(1)'", 1),
        encoding="utf-8",
    )
    out = tmp / "out"
    code = main(["assess", str(system), "-a", str(assessment), "-o", str(out), "-f", "csv,xlsx"])
    assert code == ExitCode.OK
    return out


def test_csv_opens_in_excel_with_formulas_neutralised(hostile_out: Path) -> None:
    raw = (hostile_out / "rag-assistant-risk-register.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows
    for column in ("system_name", "assessment_date", "decision", "risk_owner", "review_by"):
        assert column in rows[0]
    assert rows[0]["system_name"] == "'" + HOSTILE
    assert rows[0]["assessment_date"] == "2026-11-18"
    owners = {r["risk_owner"] for r in rows}
    assert "'@SUM(1)" in owners
    for row in rows:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r", value
    decided = [r for r in rows if r["decision"]]
    assert decided and all(r["decision_state"] for r in rows)
    assert any("(" in r["controls_in_place"] for r in rows)  # names next to ids


def test_xlsx_register_and_statement_of_applicability_read_back(hostile_out: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(hostile_out / "rag-assistant-register.xlsx")
    assert wb.sheetnames == ["Risk register", "Statement of applicability"]
    reg = wb["Risk register"]
    assert reg.freeze_panes == "A2"
    assert reg.auto_filter.ref and reg.auto_filter.ref.startswith("A1:")
    header = [c.value for c in reg[1]]
    assert header[:3] == ["risk_id", "system", "system_name"]
    assert reg.cell(row=2, column=3).value == "'" + HOSTILE
    assert reg.cell(row=2, column=3).data_type == "s"  # text, never a formula
    band_col = header.index("residual_band") + 1
    fills = {
        reg.cell(row=r, column=band_col).value: reg.cell(row=r, column=band_col).fill.fgColor.rgb
        for r in range(2, reg.max_row + 1)
    }
    assert len(set(fills.values())) == len(fills) >= 2  # one colour per band
    soa = wb["Statement of applicability"]
    assert soa.freeze_panes == "A2" and soa.auto_filter.ref
    soa_header = [c.value for c in soa[1]]
    assert {"assurance", "supplier_provided", "owner", "due"} <= set(soa_header)
    assert soa.max_row > 10


def _chromium() -> str:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("headless Chromium not installed (apt-get install -y chromium)")


@pytest.mark.browser
def test_example_report_prints_on_fewer_than_12_a4_pages(tmp_path: Path) -> None:
    from pypdf import PdfReader

    binary = _chromium()
    out = tmp_path / "out"
    argv = [
        "assess",
        str(EXAMPLES / "email-agent.yaml"),
        "-a",
        str(EXAMPLES / "email-agent.assessment.yaml"),
        "-o",
        str(out),
        "-f",
        "html",
    ]
    assert main(argv) in (ExitCode.OK, ExitCode.FINDINGS)
    html = out / "email-agent.html"
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    reader = PdfReader(pdf)
    assert 3 <= len(reader.pages) < 12
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595) < 3 and abs(float(box.height) - 842) < 3  # A4
    text = "".join(page.extract_text() for page in reader.pages)
    for heading in ("Decisions needed", "Risk register", "Inputs (SHA-256)", "Gaps and roadmap"):
        assert heading in text, heading
    # every risk of the register is printed
    rows = html.read_text(encoding="utf-8").count('class="decision-state')
    assert rows >= 10


def test_not_applicable_and_outside_scope_look_different() -> None:
    """The crosswalk legend: 'not applicable' and 'outside scope' are distinct colours."""
    import re

    from aisec.reports.environment import html_env

    env = html_env()
    css = env.get_template("_style.css.j2").render()
    chips = dict(re.findall(r"\.chip-([a-z-]+) \{ background:(#[0-9a-f]{6})", css))
    assert chips["not-applicable"] != chips["outside-scope"]
    assert len(set(chips.values())) == len(chips)  # every status its own colour
    source = env.loader.get_source(env, "crosswalk.html.j2")[0]  # type: ignore[union-attr]
    palette = dict(re.findall(r'\("([a-z-]+)", "(#[0-9a-f]{6})"', source))
    assert palette["not-applicable"] != palette["outside-scope"]
    assert len(set(palette.values())) == len(palette)
