"""SARIF 2.1.0 export of a scan, for code-scanning dashboards and CI annotations.

Each non-pass finding becomes a result (rule, level, location, stable fingerprint); every
scanned file is listed as an artifact with its SHA-256 so the log also records what was clean.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from aisec.probes.artifacts.result import ScanResult
from aisec.probes.record import Finding, Verdict

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {
    Verdict.MALICIOUS: "error",
    Verdict.FAIL: "error",
    Verdict.SUSPICIOUS: "warning",
    Verdict.ERROR: "warning",
    Verdict.NOT_SCANNED: "note",
}


def file_uri(path: str) -> str:
    """A SARIF artifact URI: relative paths stay relative, absolute ones become file URIs."""
    p = PurePath(path)
    if p.is_absolute():
        return Path(path).as_uri()
    return quote(p.as_posix(), safe="/._-~")


def _split(location: str) -> tuple[str, str | None]:
    file, _, member = location.partition("!")
    return file, member or None


def fingerprint(f: Finding) -> str:
    key = "\x1f".join((f.rule_id, f.location, f.sha256 or "", str(f.details.get("callable", ""))))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    file, member = _split(f.location)
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": file_uri(file)}}}
    if member:
        location["logicalLocations"] = [{"fullyQualifiedName": f.location, "kind": "member"}]
    return {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": _LEVEL.get(f.verdict, "note"),
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {"aisecFinding/v1": fingerprint(f)},
        "properties": {
            "verdict": f.verdict.value,
            "severity": f.severity.value,
            "sha256": f.sha256,
            "threat_ids": f.threat_ids,
            "control_ids": f.control_ids,
        },
    }


def to_sarif(result: ScanResult, tool_version: str) -> dict[str, Any]:
    findings = [f for f in result.all_findings() if f.verdict is not Verdict.PASS]
    rule_ids = sorted({f.rule_id for f in findings})
    index = {r: i for i, r in enumerate(rule_ids)}
    by_rule = {f.rule_id: f for f in findings}
    rules = [
        {
            "id": r,
            "name": r.replace(".", "-"),
            "shortDescription": {"text": r},
            "properties": {"tags": by_rule[r].threat_ids + by_rule[r].control_ids},
        }
        for r in rule_ids
    ]
    artifacts = [
        {
            "location": {"uri": file_uri(f.path)},
            "length": f.size,
            **({"hashes": {"sha-256": f.sha256}} if f.sha256 else {}),
            "properties": {"verdict": f.verdict.value},
        }
        for f in result.files
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aisec-scan",
                        "version": tool_version,
                        "semanticVersion": tool_version,
                        "rules": rules,
                    }
                },
                "artifacts": artifacts,
                "results": [_result(f, index[f.rule_id]) for f in findings],
                "invocations": [{"executionSuccessful": True}],
                "properties": {"verdict": result.verdict.value, "verdicts": result.counts()},
            }
        ],
    }
