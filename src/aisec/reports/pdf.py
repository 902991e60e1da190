"""PDF of any aisec HTML report, with WeasyPrint, offline.

The HTML templates stay as they are; a print stylesheet of our own is passed next to them and
adds what paper needs: a running header naming the system, its revision and date on every page,
and "page N of M" at the foot. Nothing is fetched: only `data:` URIs may load (reports are
self-contained), so a hostile string in a report can never make the renderer reach the network
or the file system.
"""

from __future__ import annotations

from dataclasses import dataclass

from aisec.common.errors import MissingExtraError
from aisec.reports.context import ReportInput

PAGE_SIZE = "A4"


@dataclass(frozen=True)
class PageHeader:
    """What every page says about the document it belongs to."""

    system: str
    revision: str
    date: str


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and control characters escaped, length bound."""
    out = []
    for ch in text[:160]:
        if ch in ('"', "\\") or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def print_stylesheet(header: PageHeader) -> str:
    """The @page rules: margins, running header and footer with page numbers."""
    left = _css_string(header.system)
    right = _css_string(f"{header.revision} - {header.date}")
    return f"""
@page {{
  size: {PAGE_SIZE};
  margin: 22mm 16mm 20mm 16mm;
  @top-left {{ content: {left}; font: 8pt sans-serif; color: #444; }}
  @top-right {{ content: {right}; font: 8pt sans-serif; color: #444; }}
  @bottom-left {{ content: "aisec - alignment with ISO/IEC 27090 guidance, not certification";
                  font: 7pt sans-serif; color: #777; }}
  @bottom-right {{ content: "page " counter(page) " of " counter(pages);
                   font: 8pt sans-serif; color: #444; }}
}}
html, body {{ background: white !important; }}
nav, .no-print, button, details > summary::marker {{ display: none !important; }}
details {{ display: block; }}
/* Print what a browser prints: a collapsed appendix shows its summary line, and the always-shown
   per-framework item strip carries each item's status; the tables stay in the HTML and JSON. */
details:not([open]) > :not(summary) {{ display: none !important; }}
li {{ list-style-position: inside; }}  /* WeasyPrint cannot lay out outside ::marker in cells */
h1, h2, h3 {{ break-after: avoid; }}
figure, svg {{ break-inside: avoid; }}
a[href^="http"]::after {{ content: ""; }}
"""


def html_to_pdf(html: str, header: PageHeader) -> bytes:
    """Render one report to PDF bytes (pure: no file is read or written)."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher
    except ImportError as exc:
        raise MissingExtraError("pdf", "weasyprint") from exc
    fetcher = URLFetcher(allowed_protocols=["data"], allow_redirects=False, timeout=5)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    stylesheet = CSS(string=print_stylesheet(header), url_fetcher=fetcher)
    data: bytes = document.write_pdf(stylesheets=[stylesheet])
    return data


def revision_of(hashes: list[str]) -> str:
    """A short, stable revision label from the SHA-256 of the inputs (same inputs, same label)."""
    import hashlib

    return "rev " + hashlib.sha256("".join(hashes).encode()).hexdigest()[:12]


def report_pdf(report: ReportInput) -> bytes:
    """The assessment report as PDF, headed with system, input revision and assessment date."""
    from aisec.reports.html import render_html

    result = report.result
    day = result.assessment_date or result.generated_at.date()
    header = PageHeader(
        system=f"{result.system_name} ({result.system_id})",
        revision=revision_of([i.sha256 for i in result.inputs]),
        date=day.isoformat(),
    )
    return html_to_pdf(render_html(report), header)
