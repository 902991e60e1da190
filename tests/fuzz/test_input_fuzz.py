"""Property-based fuzzing of every file aisec reads (issue 14, "Done means").

Mutated system descriptions, assessments and evidence files must either load and then assess
and render (JSON, Markdown, HTML) without error, or be refused with an `InputError` (exit 2) —
never an internal error, a hang or a report that fails to render. The example budget is bounded
for CI (AISEC_FUZZ_EXAMPLES, default 40 per property; all properties together well under 60 s);
raise it locally for a longer hunt.
"""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisec.analysis.assess import assess
from aisec.catalog import default_catalog
from aisec.common.errors import InputError
from aisec.evidence.load import parse_evidence
from aisec.probes.finding import EVIDENCE_FORMAT
from aisec.reports.context import ReportInput
from aisec.reports.html import render_html
from aisec.reports.json_report import render_json
from aisec.reports.markdown import render_markdown
from aisec.system.assessment import parse_assessment_text
from aisec.system.loader import load_system_text

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
BUDGET = int(os.environ.get("AISEC_FUZZ_EXAMPLES", "40"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FUZZ = settings(
    max_examples=BUDGET,
    deadline=None,
    derandomize=True,  # CI sees the same cases every run; set AISEC_FUZZ_EXAMPLES to explore
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SYSTEM_SEEDS = {
    p.stem: p.read_text("utf-8")
    for p in sorted(EXAMPLES.glob("*.yaml"))
    if not p.name.endswith(".assessment.yaml")
}
ASSESSMENT_SEEDS = {
    p.name: p.read_text("utf-8") for p in sorted(EXAMPLES.glob("*.assessment.yaml"))
}

# Values an attacker or a careless editor puts anywhere.
HOSTILE_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        [
            "\x1b[2J\x1b]0;pwned\x07",
            "[red]markup[/red] :100:",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "\u202eevil",
            "a" * 5000,
            "../../etc/passwd",
            "employement",
            "",
        ]
    ),
)
HOSTILE_VALUES = st.recursive(
    HOSTILE_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def mutated_tree(draw: st.DrawFn, seed: Any) -> Any:
    """Replace, delete or duplicate 1-3 nodes of a parsed document."""
    data = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)[1:]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "duplicate"]))
        key = path[-1]
        if action == "replace":
            parent[key] = draw(HOSTILE_VALUES)
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[f"{key}_copy"] = copy.deepcopy(parent[key])
    return data


@st.composite
def mutated_text(draw: st.DrawFn, seed: str) -> str:
    """Byte-level damage: cut, splice random text, or swap lines."""
    lines = seed.splitlines()
    action = draw(st.sampled_from(["cut", "splice", "swap"]))
    if action == "cut":
        return seed[: draw(st.integers(0, len(seed)))]
    if action == "splice":
        at = draw(st.integers(0, len(seed)))
        return seed[:at] + draw(st.text(max_size=30)) + seed[at:]
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, UnicodeEncodeError, ValueError):
        return "{}"


def _assess_and_render(system_text: str, assessment_text: str | None = None) -> None:
    """Load; if accepted, the whole pipeline must complete and every report render."""
    catalog = default_catalog()
    try:
        system = load_system_text(system_text, "fuzz.yaml")
        assessment = (
            parse_assessment_text(
                assessment_text, "fuzz.assessment.yaml", set(catalog.controls), set(catalog.threats)
            )
            if assessment_text is not None
            else None
        )
        if assessment is not None and assessment.system != system.id:
            return
    except InputError:
        return
    result = assess(catalog, system, assessment, NOW)
    report = ReportInput(result=result)
    json.loads(render_json(result))
    render_markdown(report).encode("utf-8")
    render_html(report).encode("utf-8")


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(SYSTEM_SEEDS)))
def test_mutated_system_files(data: st.DataObject, name: str) -> None:
    seed = SYSTEM_SEEDS[name]
    if data.draw(st.booleans()):
        text = _dump(data.draw(mutated_tree(yaml.safe_load(seed))))
    else:
        text = data.draw(mutated_text(seed))
    _assess_and_render(text)


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(ASSESSMENT_SEEDS)))
def test_mutated_assessment_files(data: st.DataObject, name: str) -> None:
    seed = ASSESSMENT_SEEDS[name]
    system = SYSTEM_SEEDS[name.removesuffix(".assessment.yaml")]
    if data.draw(st.booleans()):
        text = _dump(data.draw(mutated_tree(yaml.safe_load(seed))))
    else:
        text = data.draw(mutated_text(seed))
    _assess_and_render(system, text)


EVIDENCE_SEED = {
    "format": EVIDENCE_FORMAT,
    "tool": "aisec-scan",
    "tool_version": "0.1",
    "generated_at": "2025-12-01T10:00:00+00:00",
    "subject": "models/fraud.skops",
    "findings": [
        {
            "tool": "aisec-scan",
            "rule_id": "pickle.dangerous-global",
            "verdict": "pass",
            "severity": "high",
            "location": "models/fraud.skops",
            "message": "no dangerous global",
            "control_ids": ["model-artifact-scanning"],
        }
    ],
    "skipped": [],
    "errors": [],
    "summary": {},
}


@FUZZ
@given(data=st.data())
def test_mutated_evidence_files(data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        tree = data.draw(mutated_tree(EVIDENCE_SEED))
        raw = json.dumps(tree, ensure_ascii=data.draw(st.booleans()), allow_nan=True)
        raw_bytes = raw.encode("utf-8", "surrogatepass")
    else:
        raw_bytes = data.draw(mutated_text(json.dumps(EVIDENCE_SEED, indent=1))).encode(
            "utf-8", "surrogatepass"
        )
    try:
        report = parse_evidence(raw_bytes, Path("fuzz.json"), NOW)
    except InputError:
        return
    # Accepted evidence must serialise and print: no lone surrogate or huge number survives.
    report.model_dump_json().encode("utf-8")
    for finding in report.findings:
        finding.message.encode("utf-8")
