"""A portfolio for any folder: assess every system file in it and write the overview page.

`aisec assess DIR` finds each system description (`*.yaml` / `*.yml` with `id` and `models`,
not `*.assessment.yaml`), its assessment (`<stem>.assessment.yaml` beside it) and its evidence
(`evidence/<system id>-*.json` or `<stem>.evidence/*.json`), assesses all of them first, then
writes each report and `index.html`, so a bad file stops the run before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aisec.common.errors import InputError
from aisec.common.fileio import atomic_write_text
from aisec.common.yamlio import load_yaml_file
from aisec.service import AssessmentRun, ReportFormat, run_assessment, write_reports

MAX_SYSTEMS = 1000


@dataclass(frozen=True)
class PortfolioEntry:
    system: Path
    assessment: Path | None
    evidence: tuple[Path, ...]


def _is_system(path: Path) -> bool:
    data = load_yaml_file(path).data
    return isinstance(data, dict) and "models" in data and "id" in data and "system" not in data


def discover(folder: Path) -> tuple[list[PortfolioEntry], list[str]]:
    """Entries found in `folder` and one line per YAML file skipped (with why)."""
    if not folder.is_dir():
        raise InputError("not a folder", source=str(folder))
    entries, skipped = [], []
    candidates = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    for path in candidates:
        if path.name.endswith((".assessment.yaml", ".assessment.yml")) or not path.is_file():
            continue
        if not _is_system(path):
            skipped.append(f"{path.name}: not a system description (no 'id' and 'models')")
            continue
        stem = path.name.rsplit(".", 1)[0]
        assessment = next(
            (
                a
                for a in (folder / f"{stem}.assessment.yaml", folder / f"{stem}.assessment.yml")
                if a.is_file()
            ),
            None,
        )
        system_id = load_yaml_file(path).data["id"]
        evidence = (
            sorted((folder / "evidence").glob(f"{system_id}-*.json"))
            if isinstance(system_id, str)
            else []
        )
        evidence += sorted((folder / f"{stem}.evidence").glob("*.json"))
        entries.append(PortfolioEntry(path, assessment, tuple(evidence)))
    if len(entries) > MAX_SYSTEMS:
        raise InputError(f"more than {MAX_SYSTEMS} system files", source=str(folder))
    return entries, skipped


def run_portfolio(
    entries: Iterable[PortfolioEntry],
    overlays: Sequence[Path] = (),
    trusted_keys: Sequence[Path] = (),
    now: datetime | None = None,
    allow_weakening: bool = False,
) -> list[AssessmentRun]:
    runs = [
        run_assessment(
            e.system,
            e.assessment,
            e.evidence,
            overlays,
            now,
            trusted_keys,
            allow_weakening=allow_weakening,
        )
        for e in entries
    ]
    ids = [r.result.system_id for r in runs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(
            f"two system files share the id {dupes[0]!r}: their reports would overwrite each other"
        )
    return runs


def write_portfolio(
    runs: Sequence[AssessmentRun], out: Path, formats: Sequence[ReportFormat]
) -> list[Path]:
    """Each system's reports, then the overview page linking them (`index.html`)."""
    from aisec.reports.index_page import render_index

    written: list[Path] = []
    page = render_index([(r.result.system_id, r.result) for r in runs])
    for run in runs:
        written += write_reports(run.report, out, formats)
    index = out / "index.html"
    atomic_write_text(index, page)
    written.append(index)
    return written
