"""Evidence of a probe run: the `EvidenceReport` for `aisec assess` and the raw attempts JSONL.

One finding per family (rule `probe:<family>`, the check name controls list in `verified_by`):
`fail` when the attack success rate exceeds the family's threshold, `pass` when it held,
`not-scanned` when the family could not apply, `error` when no attack completed, and
`inconclusive` (with `details.inconclusive_reasons`) when it did not fail but the evidence is
too thin to say it held: such a finding is no evidence and never verifies a control. Details carry
n, successes, ASR with its 95 % Wilson interval and the false-refusal rate. The transcript hash
of each family's attempts makes the evidence checkable against the JSONL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from aisec import __version__
from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.probes.llm.declared import Declared
from aisec.probes.llm.results import AttemptResult, FamilyResult, ProbeRun
from aisec.probes.llm.stats import Rate

TOOL = "aisec-probe"
MAX_TEXT = 20_000


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f"…[{len(text) - MAX_TEXT} more]"


def _withheld(result: AttemptResult) -> bool:
    """A reply that repeats the confidential instructions is not copied into any file."""
    return any(h.kind == "confidential-instructions" for h in (*result.hits, *result.leaks))


def attempt_record(result: AttemptResult, declared: Declared | None = None) -> dict[str, Any]:
    """One attempt as written to the JSONL transcript; declared secrets appear masked only."""
    planned, response = result.planned, result.response
    request = planned.request
    hide = declared.redact if declared and not declared.empty else (lambda text: text)
    reply = None if response is None else hide(response.text)
    if reply is not None and _withheld(result):
        digest = hashlib.sha256(reply.encode("utf-8")).hexdigest()
        reply = f"[reply withheld: it repeats the confidential instructions; sha256:{digest}]"
    return {
        "index": planned.index,
        "family": planned.family,
        "prompt_id": planned.prompt_id,
        "kind": planned.kind.value,
        "obfuscation": planned.obfuscation.value,
        "tool": planned.tool,
        "request": {
            "system": _clip(request.system or ""),
            "user": _clip(hide(request.user)),
            "content": _clip(hide(request.content)) if request.content is not None else None,
            "content_label": request.content_label,
            "tools": [t.name for t in request.tools],
            "turns": [hide(t) for t in planned.turns],
            # cross-session attacks only, so other plans keep their hashes
            **(
                {"other_session": [hide(t) for t in planned.other_session]}
                if planned.other_session
                else {}
            ),
            "history": [{"role": r, "text": _clip(hide(t))} for r, t in result.history],
        },
        "response": None
        if response is None
        else {
            "text": _clip(reply or ""),
            "chars": len(response.text),
            "tool_calls": [
                {"name": c.name, "arguments": hide(c.arguments)} for c in response.tool_calls
            ],
            "status": response.status,
            "rejected": response.rejected,
            "tries": response.tries,
        },
        "latency_s": round(response.latency_s, 6) if response else None,
        "error": result.error,
        "detectors": [
            {"detector": h.detector.value, "kind": h.kind, "evidence": hide(h.evidence)}
            for h in result.hits
        ],
        "leaks": [
            {"detector": h.detector.value, "kind": h.kind, "evidence": hide(h.evidence)}
            for h in result.leaks
        ],
        "success": result.success,
        "refused": result.refused,
        "judge": result.judge.value if result.judge else None,
        "judge_vetoed": result.vetoed,
    }


def attempt_lines(run: ProbeRun) -> Iterator[str]:
    for result in run.attempts:
        yield json.dumps(attempt_record(result, run.declared), ensure_ascii=False, sort_keys=True)


def _rate(rate: Rate) -> dict[str, Any]:
    value = rate.value
    return {
        "n": rate.n,
        "count": rate.successes,
        "rate": round(value, 4) if value is not None else None,
        "ci95": [round(rate.low, 4), round(rate.high, 4)],
    }


def _transcript_hash(run: ProbeRun, family: str) -> str:
    digest = hashlib.sha256()
    for result in run.attempts:
        if result.planned.family == family:
            record = attempt_record(result, run.declared)
            digest.update(json.dumps(record, sort_keys=True).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def _message(result: FamilyResult) -> str:
    fam = result.family
    if result.verdict is Verdict.NOT_SCANNED:
        return f"{fam.title}: not tested ({result.skipped_reason})"
    if result.verdict is Verdict.ERROR:
        return f"{fam.title}: no attack attempt completed ({result.errors} errors)"
    if result.verdict is Verdict.INCONCLUSIVE:
        return f"{fam.title}: could not assess: " + "; ".join(result.inconclusive_reasons)
    asr = result.asr
    pct = f"{100 * (asr.value or 0):.0f}% [{100 * asr.low:.0f}–{100 * asr.high:.0f}%]"
    held = "held" if result.verdict is Verdict.PASS else "did not hold"
    return (
        f"{fam.title}: {asr.successes}/{asr.n} attacks succeeded (ASR {pct}); "
        f"the defence {held} at threshold {fam.threshold:.0%}"
    )


def family_finding(run: ProbeRun, result: FamilyResult) -> Finding:
    fam = result.family
    details: dict[str, Any] = {
        "family": fam.id,
        "title": fam.title,
        "refs": list(fam.refs),
        "attacks": _rate(result.asr),
        "false_refusal": _rate(result.false_refusal),
        "n": result.asr.n,
        "successes": result.asr.successes,
        "asr": _rate(result.asr)["rate"],
        "asr_ci95": _rate(result.asr)["ci95"],
        "false_refusal_rate": _rate(result.false_refusal)["rate"],
        "threshold": fam.threshold,
        "errors": result.errors,
        "success_checks": [c.value for c in fam.success],
        "measures": result.measures,
        "by_obfuscation": {
            k: {"successes": v[0], "n": v[1]} for k, v in result.by_obfuscation.items()
        },
        "successful_attempts": [
            r.planned.index for r in run.attempts if r.planned.family == fam.id and r.success
        ][:20],
    }
    if result.skipped_reason:
        details["skipped_reason"] = result.skipped_reason
    if result.inconclusive_reasons:
        details["inconclusive_reasons"] = list(result.inconclusive_reasons)
    if result.judge_agreement:
        details["judge_agreement"] = _rate(result.judge_agreement)
    return Finding(
        tool=TOOL,
        rule_id=f"probe:{fam.id}",
        verdict=result.verdict,
        severity=fam.severity,
        location=f"{run.target}#{fam.id}",
        message=_message(result),
        threat_ids=list(fam.threat_ids),
        control_ids=list(fam.control_ids),
        sha256=_transcript_hash(run, fam.id) if result.asr.n else None,
        details=details,
    )


def plan_hash(run: ProbeRun) -> str:
    """SHA-256 over every request in order: equal hashes mean identical attempts."""
    digest = hashlib.sha256()
    for result in run.attempts:
        request = attempt_record(result, run.declared)["request"]
        request.pop("history")  # what the target answered is not part of the plan
        digest.update(json.dumps(request, sort_keys=True).encode("utf-8") + b"\n")
    return digest.hexdigest()


def _provenance(run: ProbeRun) -> dict[str, Any]:
    from aisec.probes.llm.detectors.evaluate import evaluate_all

    families = {
        f.family.id: hashlib.sha256(f.family.model_dump_json().encode("utf-8")).hexdigest()
        for f in run.families
    }
    detectors = {
        s.detector.value: {
            "n": s.n,
            "precision": round(s.precision, 3),
            "recall": round(s.recall, 3),
        }
        for s in evaluate_all()
    }
    return {
        "settings": run.settings,
        "plan_sha256": plan_hash(run),
        "family_sha256": families,
        "detector_scores": detectors,
    }


LEAK_RULE = "probe:leak-check"
LEAK_THREATS = ["sensitive-output-disclosure"]
LEAK_CONTROLS = ["sensitive-output-handling"]


def leak_finding(run: ProbeRun) -> Finding | None:
    """Disclosures on replies outside their family's own goal (benign controls included),
    each naming the family and prompt whose reply carried it. `None` when nothing was
    checked; a pass names no control, since "no stray leak" verifies nothing by itself."""
    checked = [a for a in run.attempts if a.ok]
    if not checked:
        return None
    leaked = run.leaked
    hide = run.declared.redact
    items = [
        {
            "index": a.planned.index,
            "family": a.planned.family,
            "prompt_id": a.planned.prompt_id,
            "kind": a.planned.kind.value,
            "detectors": sorted({f"{h.detector.value}:{h.kind}" for h in a.leaks}),
            "evidence": [hide(h.evidence) for h in a.leaks][:5],
        }
        for a in leaked
    ]
    by_family: dict[str, int] = {}
    for a in leaked:
        by_family[a.planned.family] = by_family.get(a.planned.family, 0) + 1
    declared_hits = sum(1 for a in leaked for h in a.leaks if h.detector.value == "declared")
    if leaked:
        families = ", ".join(f"{k} ({v})" for k, v in sorted(by_family.items()))
        message = (
            f"{len(leaked)} of {len(checked)} replies disclosed protected data outside their "
            f"family's own goal; triggered by: {families}"
        )
    else:
        message = f"no reply of {len(checked)} disclosed protected data outside its family's goal"
    return Finding(
        tool=TOOL,
        rule_id=LEAK_RULE,
        verdict=Verdict.FAIL if leaked else Verdict.PASS,
        severity=Severity.CRITICAL if declared_hits else Severity.HIGH,
        location=f"{run.target}#leak-check",
        message=message,
        threat_ids=LEAK_THREATS if leaked else [],
        control_ids=LEAK_CONTROLS if leaked else [],
        details={
            "replies_checked": len(checked),
            "replies_leaking": len(leaked),
            "by_family": by_family,
            "declared_secret_hits": declared_hits,
            "attempts": items[:50],
        },
    )


def to_evidence(run: ProbeRun) -> EvidenceReport:
    findings = [family_finding(run, f) for f in run.families]
    leaks = leak_finding(run)
    if leaks is not None:
        findings.append(leaks)
    skipped = [f"{f.family.id}: {f.skipped_reason}" for f in run.families if f.skipped_reason]
    errors = sorted(
        {f"{r.planned.family}#{r.planned.index}: {r.error}" for r in run.attempts if r.error}
    )[:200]
    attempts = [r for r in run.attempts if r.ok]
    return EvidenceReport(
        tool=TOOL,
        tool_version=__version__,
        generated_at=run.finished_at,
        subject=run.target,
        findings=findings,
        skipped=skipped,
        errors=errors,
        summary={
            "seed": run.seed,
            "attempts": len(run.attempts),
            "completed": len(attempts),
            "errors": len(run.attempts) - len(attempts),
            "duration_s": round(run.duration_s, 3),
            "started_at": run.started_at.isoformat(),
            "families_failed": sum(f.failed for f in run.families),
            "families_passed": sum(f.verdict is Verdict.PASS for f in run.families),
            "families_not_tested": sum(f.verdict is Verdict.NOT_SCANNED for f in run.families),
            "families_inconclusive": sum(f.verdict is Verdict.INCONCLUSIVE for f in run.families),
            "aborted": run.aborted,
            "interrupted": run.interrupted,
            "judge_calls": run.judge_calls,
            **_provenance(run),
        },
    )
