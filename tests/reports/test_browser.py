"""The report as a browser shows and prints it: headless Chromium screenshot and PDF.

Skipped when Chromium is not installed (CI installs it). Chromium runs with networking features
off and a throw-away profile; the report itself must not need the network.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from report_factory import make_result

from aisec.reports.context import ReportInput
from aisec.reports.html import render_html

pytestmark = pytest.mark.browser

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser")


def _chromium() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "headless Chromium not installed (apt-get install -y chromium); .ci/run installs it"
    )


def _run(binary: str, profile: Path, *args: str) -> None:
    cmd = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def png_rows(data: bytes, max_rows: int) -> tuple[int, int, list[bytes]]:
    """Minimal PNG decoder (8-bit RGB/RGBA, non-interlaced): width, height, first rows unfiltered."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, bytearray(), b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(min(height, max_rows)):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "test-bot.html"
    path.write_text(render_html(ReportInput(result=make_result())), encoding="utf-8")
    return path


def test_screenshot_shows_a_rendered_page(report_file: Path, tmp_path: Path) -> None:
    binary = _chromium()
    png = tmp_path / "shot.png"
    _run(
        binary,
        tmp_path / "profile",
        f"--screenshot={png}",
        "--window-size=1280,2000",
        report_file.as_uri(),
    )
    data = png.read_bytes()
    assert len(data) > 30_000
    width, height, rows = png_rows(data, 320)
    assert (width, height) == (1280, 2000)
    bpp = len(rows[0]) // width
    colours = {row[x : x + 3] for row in rows for x in range(0, len(row), bpp * 7)}
    assert len(colours) > 20  # navy cover, white page, anti-aliased text: not a blank page
    navy = bytes.fromhex("1d2b3a")
    assert navy in colours  # the cover band is painted, so the inline CSS applied


def test_print_to_pdf_paginates(report_file: Path, tmp_path: Path) -> None:
    binary = _chromium()
    pdf = tmp_path / "report.pdf"
    _run(
        binary,
        tmp_path / "profile",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        report_file.as_uri(),
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert 2 <= pages < 12  # compact print CSS: sections flow, nothing starts a blank page
