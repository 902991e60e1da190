"""Report sections contributed by probe families, keyed by `EvidenceReport.tool`.

Each module exposes `TITLE: str` and `render_html(reports: Sequence[EvidenceReport]) -> Markup`
returning a self-contained, escaped HTML fragment (inline SVG charts, no external URLs). The core
report includes one section per tool that appears among the evidence it was given.
"""

from __future__ import annotations

from types import ModuleType

from aisec.reports.sections import artifacts, llm, ml

SECTIONS: dict[str, ModuleType] = {
    "aisec-scan": artifacts,
    "aisec-probe": llm,
    "aisec-mltest": ml,
}
