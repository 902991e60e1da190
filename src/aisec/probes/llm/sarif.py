"""SARIF 2.1.0 export of a probe run, for CI dashboards.

One rule per probe family; one result per family with `kind` fail/pass/notApplicable, so a
dashboard shows what held as well as what failed. Locations are logical (target and family):
the weakness is in the running application, not in a source file.
"""

from __future__ import annotations

from typing import Any

from aisec import __version__
from aisec.probes.finding import Severity, Verdict
from aisec.probes.llm.evidence import family_finding, leak_finding
from aisec.probes.llm.results import ProbeRun

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_KIND = {
    Verdict.FAIL: "fail",
    Verdict.PASS: "pass",
    Verdict.NOT_SCANNED: "notApplicable",
    Verdict.ERROR: "review",
}


def to_sarif(run: ProbeRun) -> dict[str, Any]:
    rules, results = [], []
    for family_result in run.families:
        fam = family_result.family
        finding = family_finding(run, family_result)
        rules.append(
            {
                "id": finding.rule_id,
                "name": fam.id,
                "shortDescription": {"text": fam.title},
                "fullDescription": {"text": fam.description or fam.title},
                "defaultConfiguration": {"level": _LEVEL[fam.severity]},
                "properties": {"tags": [*fam.refs, *fam.threat_ids], "controls": fam.control_ids},
            }
        )
        result: dict[str, Any] = {
            "ruleId": finding.rule_id,
            "kind": _KIND.get(finding.verdict, "review"),
            "message": {"text": finding.message},
            "locations": [
                {
                    "logicalLocations": [
                        {"name": fam.id, "fullyQualifiedName": finding.location, "kind": "module"}
                    ]
                }
            ],
            "properties": {
                k: finding.details[k]
                for k in ("n", "successes", "asr", "asr_ci95", "false_refusal_rate")
            },
        }
        if finding.verdict is Verdict.FAIL:
            result["level"] = _LEVEL[fam.severity]
        else:
            result["level"] = "none"
        if finding.sha256:
            result["partialFingerprints"] = {"transcriptSha256": finding.sha256}
        results.append(result)
    leak = leak_finding(run)
    if leak is not None:
        rules.append(
            {
                "id": leak.rule_id,
                "name": "leak-check",
                "shortDescription": {"text": "Disclosure on any reply, outside its family's goal"},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": leak.threat_ids, "controls": leak.control_ids},
            }
        )
        results.append(
            {
                "ruleId": leak.rule_id,
                "kind": _KIND.get(leak.verdict, "review"),
                "level": _LEVEL[leak.severity] if leak.verdict is Verdict.FAIL else "none",
                "message": {"text": leak.message},
                "locations": [
                    {
                        "logicalLocations": [
                            {"name": "leak-check", "fullyQualifiedName": leak.location}
                        ]
                    }
                ],
                "properties": {
                    k: leak.details[k] for k in ("replies_checked", "replies_leaking", "by_family")
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "aisec-probe", "version": __version__, "rules": rules}},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "startTimeUtc": run.started_at.isoformat(),
                        "endTimeUtc": run.finished_at.isoformat(),
                    }
                ],
                "properties": {"seed": run.seed, "target": run.target},
                "results": results,
            }
        ],
    }
