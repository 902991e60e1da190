"""Report section for this probe family (owned by the family's implementer)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from aisec.probes.finding import EvidenceReport

TITLE = "Evidence"


def render_html(reports: Sequence[EvidenceReport]) -> Markup:
    """Placeholder until the family renders its own summary."""
    del reports
    return Markup("")
