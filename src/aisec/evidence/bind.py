"""Bind evidence to the system it claims to be about: its subject must be something declared.

An evidence file is only as good as what it examined. A scan counts when every scanned path is a
model artifact the system declares (same path, or the same trailing path components); a probe run
counts when its target is a declared model endpoint (same URL or a URL below it); a test of a
dataset counts when it names a declared dataset. Anything else "does not count", with the
reason in the report. Pure: compares strings, reads no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from aisec.probes.finding import EvidenceReport
from aisec.system.schema import AISystem

REFERENCE_PREFIX = "aisec-reference:"


@dataclass(frozen=True)
class Binding:
    bound_to: str | None  # what it matched, None when it does not count
    reason: str
    report: EvidenceReport | None = None  # the findings that count, when only some do


def is_reference_target(report: EvidenceReport) -> bool:
    """Evidence from aisec's built-in simulated target (`aisec probe --reference`, the demo)."""
    return report.subject.startswith(REFERENCE_PREFIX) or bool(
        report.summary.get("reference_target")
    )


def _parts(path: str) -> tuple[str, ...]:
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return tuple(p for p in parts if p not in (".", "/"))


def _path_matches(subject: str, declared: str) -> bool:
    got, want = _parts(subject), _parts(declared)
    want = tuple(p for p in want if p != "..") or want
    if not got or not want:
        return False
    n = min(len(got), len(want))
    return got[-n:] == want[-n:]


def _url_key(url: str) -> tuple[str, str, str] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    host = parts.hostname.lower() + (f":{port}" if port else "")
    return parts.scheme.lower(), host, parts.path.rstrip("/")


def _url_matches(subject: str, endpoint: str) -> bool:
    if subject.startswith(REFERENCE_PREFIX) or endpoint.startswith(REFERENCE_PREFIX):
        return subject.strip() == endpoint.strip()
    got, want = _url_key(subject), _url_key(endpoint)
    if got is None or want is None or got[:2] != want[:2]:
        return False
    return got[2] == want[2] or got[2].startswith(want[2] + "/")


def bind(report: EvidenceReport, system: AISystem) -> Binding:
    """Does this evidence's subject name something the system declares?"""
    subject = report.subject.strip()
    if not subject:
        return Binding(None, "the evidence names no subject")
    endpoints = [(m.id, e) for m in system.models for e in m.endpoints]
    for model_id, endpoint in endpoints:
        if _url_matches(subject, endpoint):
            return Binding(f"{model_id} endpoint {endpoint}", "probe target is a declared endpoint")
    if _url_key(subject) is not None or subject.startswith(REFERENCE_PREFIX):
        return Binding(
            None,
            f"target {subject} is not an endpoint the system declares (models[].endpoints)",
        )
    artifacts = [(m.id, a) for m in system.models for a in m.artifacts]
    matched = []
    for part in (p.strip() for p in subject.split(",") if p.strip()):
        hit = next((f"{mid}: {a}" for mid, a in artifacts if _path_matches(part, a)), None)
        if hit is None:
            hit = next(
                (f"dataset {d.id}" for d in system.datasets if part in (d.id, d.name)),
                None,
            )
        if hit is None:
            return _by_finding(report, artifacts) or Binding(
                None,
                f"{part} is not a model artifact or dataset this system declares "
                "(models[].artifacts, datasets[].id)",
            )
        matched.append(hit)
    return Binding("; ".join(dict.fromkeys(matched)), "subject is declared by the system")


def _file_of(location: str) -> str:
    """`models/a.zip!inner.pkl` or `path#check` -> the file examined."""
    return location.split("!", 1)[0].split("#", 1)[0]


def _by_finding(report: EvidenceReport, artifacts: list[tuple[str, str]]) -> Binding | None:
    """A scan of a folder: keep only the findings about declared artifacts (the rest of the
    folder may hold other systems' models, whose passing checks must not verify ours)."""
    kept, matched = [], []
    for finding in report.findings:
        location = _file_of(finding.location)
        hit = next((f"{mid}: {a}" for mid, a in artifacts if _path_matches(location, a)), None)
        if hit is not None:
            kept.append(finding)
            matched.append(hit)
    if not kept:
        return None
    return Binding(
        "; ".join(dict.fromkeys(matched)),
        f"{len(kept)} of {len(report.findings)} findings concern declared artifacts; "
        "only those count",
        report.model_copy(update={"findings": kept}),
    )
