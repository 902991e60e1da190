"""PDF reports: an example report becomes a paged PDF with headers and page numbers, and the
renderer never fetches anything."""

from __future__ import annotations

import http.server
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from aisec.cli import main
from aisec.reports.pdf import PageHeader, _css_string, html_to_pdf, print_stylesheet, report_pdf
from aisec.service import AssessmentRun


def test_example_report_pdf_has_numbered_pages_with_headers(vendor_run: AssessmentRun) -> None:
    # The whole report, crosswalk appendix included: a board reads it on fewer than 12 A4 pages
    # (collapsed appendix tables print as their summary line, as in a browser).
    result = vendor_run.result
    pdf = PdfReader(io.BytesIO(report_pdf(vendor_run.report)))
    pages = len(pdf.pages)
    assert 3 <= pages < 12
    text = "".join(page.extract_text() for page in pdf.pages)
    for heading in ("Decisions needed", "Risk register", "Inputs (SHA-256)", "Gaps and roadmap"):
        assert heading in text, heading
    second = pdf.pages[1].extract_text()
    assert f"{result.system_name} ({result.system_id})" in second
    day = (result.assessment_date or result.generated_at.date()).isoformat()
    assert re.search(rf"rev [0-9a-f]{{12}} - {day}", second)
    assert f"page 2 of {pages}" in second
    assert f"page {pages} of {pages}" in pdf.pages[-1].extract_text()


def test_header_text_cannot_break_out_of_the_stylesheet() -> None:
    hostile = 'x"; } @page { margin: 0 } a { content: "\\'
    literal = _css_string(hostile)
    assert literal.count('"') == 2 and "\n" not in literal
    import tinycss2  # WeasyPrint's own CSS parser

    rules = tinycss2.parse_stylesheet(print_stylesheet(PageHeader(hostile, "r", "d")))
    at_rules = [r for r in rules if r.type == "at-rule"]
    assert [r.lower_at_keyword for r in at_rules] == ["page"]  # no rule smuggled out
    top_left = next(
        r for r in tinycss2.parse_blocks_contents(at_rules[0].content) if r.type == "at-rule"
    )
    strings = [t.value for t in top_left.content if t.type == "string"]
    assert strings == [hostile]


@pytest.fixture()
def listener() -> Iterator[list[str]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hits.append(f"http://127.0.0.1:{server.server_port}")
    yield hits
    server.shutdown()


def test_renderer_fetches_nothing(listener: list[str], tmp_path: Path) -> None:
    base = listener.pop()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/x.css">'
        f'<link rel="stylesheet" href="file://{secret}"></head>'
        f'<body><img src="{base}/y.png"><p>hello</p></body></html>'
    )
    pdf = html_to_pdf(html, PageHeader("s", "r", "d"))
    assert pdf.startswith(b"%PDF") and listener == []


def test_cli_converts_a_written_html_report(tmp_path: Path) -> None:
    report = tmp_path / "index.html"
    report.write_text(
        "<html><head><title>aisec demo</title></head><body><h1>Index</h1></body></html>"
    )
    out = tmp_path / "index.pdf"
    assert main(["export", "pdf", "--html", str(report), "-o", str(out)]) == 0
    text = PdfReader(out).pages[0].extract_text()
    assert "aisec demo" in text and re.search(r"rev [0-9a-f]{12}", text)
    assert main(["export", "pdf", "-o", str(out)]) == 2  # neither SYSTEM nor --html
    assert main(["export", "pdf", "--html", str(report), "-o", "-"]) == 2
