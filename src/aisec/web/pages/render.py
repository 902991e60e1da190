"""Server-rendered pages: one Jinja2 environment over the web templates and the report partials.

The system page reuses the report's own partials (threats, controls, roadmap...), so what the
browser shows and what `aisec assess` writes stay one text. Autoescape is on for everything; the
only script the pages load is the static `app.js`, so the Content-Security-Policy can forbid inline
scripts outright.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Hashable
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

from aisec.common.lru import LRU
from aisec.reports.charts import band_of, readiness_colour
from aisec.reports.environment import pct

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@cache
def page_env() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [PackageLoader("aisec.web", "templates"), PackageLoader("aisec.reports", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["isodate"] = isodate
    env.globals["band_of"] = band_of
    env.globals["readiness_colour"] = readiness_colour
    return env


def isodate(value: Any) -> str:
    """Dates and times as ISO 8601 (minutes, UTC); None as an empty string."""
    if value is None:
        return ""
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return str(value.strftime("%Y-%m-%d %H:%M"))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def render_page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = page_env().get_template(template).render(**context)
    response = HTMLResponse(html, status_code=status_code)
    secure(response)
    return response


class FragmentCache:
    """Bounded LRU of rendered HTML fragments keyed by what they are a pure function of
    (stored revisions never change, so a revision id is a complete key)."""

    def __init__(self, size: int = 2048) -> None:
        # zlib level 1 keeps a 120 KB report page in ~22 KB: 2,048 pages in ~45 MB
        self._items: LRU[Hashable, bytes] = LRU(entries=size)

    def get(self, key: Hashable, make: Callable[[], str]) -> Markup:
        hit = self._items.get(key)
        if hit is not None:
            text = zlib.decompress(hit).decode("utf-8")
            return Markup(text)  # noqa: S704 - output of an autoescaping template
        text = make()
        self._items.put(key, zlib.compress(text.encode("utf-8"), 1))
        return Markup(text)  # noqa: S704 - output of an autoescaping template


FRAGMENTS = FragmentCache()


def render_fragment(template: str, **context: Any) -> str:
    return page_env().get_template(template).render(**context)


@cache
def report_css() -> str:
    """The report's stylesheet, served once so pages and reports share their look."""
    return page_env().get_template("_style.css.j2").render()


@cache
def static_file(name: str) -> tuple[bytes, str] | None:
    """A packaged static asset by plain file name (no paths), or None."""
    suffix = name[name.rfind(".") :] if "." in name else ""
    if "/" in name or "\\" in name or name.startswith(".") or suffix not in STATIC_TYPES:
        return None
    path = resources.files("aisec.web").joinpath("static", name)
    if not path.is_file():
        return None
    return path.read_bytes(), STATIC_TYPES[suffix]
