"""The Jinja2 environments of the human-facing reports, built once.

HTML templates autoescape everything (system descriptions, owners and rationales are user text
and may be hostile). The Markdown environment cannot use HTML autoescaping, so its templates pass
every value through the `md` / `cell` filters, which neutralise HTML and table syntax.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup, escape

from aisec.common.textsafe import terminal_safe
from aisec.reports.charts import band_of, readiness_colour

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def md_text(value: Any) -> str:
    """Inline Markdown text: one line, HTML and emphasis/link/table syntax made literal."""
    text = terminal_safe(" ".join(str(value if value is not None else "").split()))
    text = _ENTITY.sub("&amp;", text)
    return _MD_SPECIAL.sub(
        lambda m: {"<": "&lt;", ">": "&gt;"}.get(m.group(1), "\\" + m.group(1)), text
    )


def _common(env: Environment) -> Environment:
    env.filters["pct"] = pct
    env.globals["band_of"] = band_of
    env.globals["readiness_colour"] = readiness_colour
    return env


def _loader() -> BaseLoader:
    return PackageLoader("aisec.reports", "templates")


@cache
def html_env() -> Environment:
    env = Environment(
        loader=_loader(),
        autoescape=select_autoescape(
            enabled_extensions=("html", "j2"), default=True, default_for_string=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return _common(env)


@cache
def lenient_html_env() -> Environment:
    """For partials written by other modules (crosswalk, obligations): missing variables render
    empty instead of failing the whole report."""
    env = Environment(loader=_loader(), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return _common(env)


@cache
def markdown_env() -> Environment:
    # Markdown is not HTML: autoescaping would garble it. Every value goes through `md`/`cell`.
    env = Environment(
        loader=_loader(),
        autoescape=False,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_text
    env.filters["cell"] = md_text
    return _common(env)


def optional_partial(env: Environment, name: str, context: dict[str, Any]) -> Markup | None:
    """Render a partial another module may or may not have shipped; a broken one becomes a
    visible note rather than a missing report."""
    try:
        template = env.get_template(name)
    except TemplateNotFound:
        return None
    try:
        return Markup(template.render(**context))  # noqa: S704 - autoescaped template output
    except Exception as exc:  # a contributed partial must not take the report down
        return Markup('<p class="fail">This section could not be rendered: {}</p>').format(
            escape(f"{type(exc).__name__}: {exc}")
        )
