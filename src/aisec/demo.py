"""Evidence for the bundled demo: what an ML/platform engineer's CI would feed back.

For each example system, `aisec demo` runs the probes that fit it, offline and on this machine:
the artifact scanner over the model files the system declares, the LLM probes against aisec's
reference target (in its *guarded* mode: the vulnerable model behind a keyword filter, which is
what the e-mail agent's assessment claims) for systems with tools, and the classic-ML tests on
the fraud model when the `ml` extra is installed. Each run writes an EvidenceReport that the
assessment then takes in, so the demo reports show claims checked against evidence.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from aisec import __version__
from aisec.common.errors import MissingExtraError
from aisec.common.fileio import atomic_write_text
from aisec.probes.finding import EvidenceReport
from aisec.system.schema import AISystem, ModelKind

Say = Callable[[str], None]
REFERENCE_SUBJECT = "aisec-reference:guarded"


def _write(report: EvidenceReport, path: Path) -> Path:
    atomic_write_text(path, report.model_dump_json(indent=2) + "\n")
    return path


def scan_evidence(system: AISystem, system_path: Path, out: Path) -> Path | None:
    """Scan the model files the system declares (paths relative to the system file)."""
    from aisec.probes.artifacts.service import scan_paths

    paths = [system_path.parent / a for m in system.models for a in m.artifacts]
    if not paths:
        return None
    result = scan_paths(paths)
    return _write(
        result.to_evidence(datetime.now(UTC), __version__), out / f"{system.id}-scan.json"
    )


def llm_evidence(system: AISystem, system_path: Path, out: Path) -> Path | None:
    """Probe an agent-like system against the guarded reference target on 127.0.0.1."""
    if not system.tools or not any(m.kind is ModelKind.GENAI for m in system.models):
        return None
    from aisec.probes.llm.evidence import to_evidence
    from aisec.probes.llm.factory import TargetSettings, build_target
    from aisec.probes.llm.families import load_families
    from aisec.probes.llm.reference.server import start_reference_target
    from aisec.probes.llm.runner import ProbeOptions, run_probes

    url, stop = start_reference_target("guarded")
    try:
        target = build_target(TargetSettings(url=url, model="reference", api_key_env=None))
        run = run_probes(target, load_families(), system, ProbeOptions(seed=7, concurrency=8))
    finally:
        stop()
    return _write(_as_reference(to_evidence(run), url), out / f"{system.id}-probe.json")


def _as_reference(report: EvidenceReport, url: str) -> EvidenceReport:
    """Name the built-in target for what it is (not a random localhost port), so the report
    says the evidence is simulated and the system can declare it as a stand-in endpoint."""
    name = REFERENCE_SUBJECT
    findings = [replace(f, location=f.location.replace(url, name)) for f in report.findings]
    summary = {**report.summary, "reference_target": "guarded"}
    return report.model_copy(update={"subject": name, "findings": findings, "summary": summary})


def _paired_data(model_file: Path) -> tuple[Path, Path, str] | None:
    """`<stem>-train.csv` and `<stem>-test.csv` beside a model file, label in the last column."""
    train = model_file.with_name(f"{model_file.stem}-train.csv")
    test = model_file.with_name(f"{model_file.stem}-test.csv")
    if not (train.is_file() and test.is_file()):
        return None
    with train.open(encoding="utf-8") as handle:
        header = next(csv.reader([handle.readline()]), [])
    return (train, test, header[-1]) if header else None


def ml_evidence(system: AISystem, system_path: Path, out: Path) -> Path | None:
    """Classic-ML tests of each predictive model shipped as .skops with its data beside it,
    when the `ml` extra is installed."""
    jobs = [
        (model_file, data)
        for m in system.models
        if m.kind is ModelKind.PREDICTIVE
        for model_file in (system_path.parent / a for a in m.artifacts if a.endswith(".skops"))
        if model_file.is_file() and (data := _paired_data(model_file)) is not None
    ]
    if not jobs:
        return None
    from aisec.probes.ml.deps import require_ml

    model_file, (train, test, label) = jobs[0]  # one evidence file per system in the demo
    target = out / f"{system.id}-mltest.json"
    try:
        require_ml()
    except MissingExtraError as exc:
        # Not silent: the report lists this evidence file and says what was skipped and why.
        return _write(_skipped("aisec-mltest", str(model_file), exc), target)
    from aisec.probes.ml.runner import run
    from aisec.probes.ml.setup import Request, prepare

    request = Request(model=model_file, data=train, test=test, label_column=label)
    return _write(run(prepare(request)), target)


def _skipped(tool: str, subject: str, exc: MissingExtraError) -> EvidenceReport:
    """An evidence file with no findings that records which checks did not run and how to get
    them, so every report of the demo says what it lacks (a missing extra is not a pass)."""
    return EvidenceReport(
        tool=tool,
        tool_version=__version__,
        generated_at=datetime.now(UTC),
        subject=subject,
        skipped=[f"not run: {exc.message}; to collect it: {exc.hint}, then run the demo again"],
        summary={"skipped_reason": exc.message, "install": exc.hint},
    )


PRODUCERS: dict[str, Callable[[AISystem, Path, Path], Path | None]] = {
    "aisec scan": scan_evidence,
    "aisec probe": llm_evidence,
    "aisec mltest": ml_evidence,
}


def evidence_files(folder: Path, system_id: str) -> list[Path]:
    """The evidence an earlier `aisec demo` run wrote for one system (its `evidence/` folder),
    in the order the demo produced and assessed it."""
    kinds = ("scan", "probe", "mltest")  # the file names the producers above write
    return [p for k in kinds if (p := folder / f"{system_id}-{k}.json").is_file()]


def demo_evidence(system: AISystem, system_path: Path, out: Path, say: Say) -> list[Path]:
    """Run every producer that fits; a missing optional extra is reported, not fatal."""
    paths = []
    for name, producer in PRODUCERS.items():
        say(f"  {name}: running ...")  # progress per step: a probe run takes seconds
        started = time.perf_counter()
        try:
            path = producer(system, system_path, out)
        except MissingExtraError as exc:
            say(f"  {name}: skipped ({exc.message}; {exc.hint})")
            continue
        took = time.perf_counter() - started
        if path is None:
            say(f"  {name}: nothing to check for this system")
            continue
        skipped = EvidenceReport.model_validate_json(path.read_bytes()).skipped
        if skipped:
            say(f"  {name}: SKIPPED, recorded in the report: {'; '.join(skipped)}")
        else:
            say(f"  {name}: evidence {path} ({took:.1f} s)")
        paths.append(path)
    return paths
