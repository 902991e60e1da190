"""Reference ID lists: complete, namespaced, licensed, and rejected with a location when broken."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from textwrap import dedent

import pytest

from aisec.catalog.frameworks import (
    FRAMEWORK_KEYS,
    Shape,
    default_frameworks,
    framework_of,
    known_ref,
    parse_framework,
)
from aisec.common.errors import CatalogError, InputError
from aisec.common.yamlio import load_yaml_text

REFERENCE = Path("/work/shared/reference")


def _count(key: str, pattern: str) -> int:
    return sum(1 for i in default_frameworks()[key].items if re.fullmatch(pattern, i))


@pytest.mark.parametrize("key", FRAMEWORK_KEYS)
def test_every_registered_framework_loads_with_provenance(key: str) -> None:
    framework = default_frameworks()[key]
    assert framework.key == key
    assert framework.source and framework.licence
    assert all(item_id.startswith(framework.namespace) for item_id in framework.items)


@pytest.mark.parametrize(
    ("key", "pattern", "expected"),
    [
        ("iso42001", r"iso42001:2023:A\.\d+\.\d+(\.\d+)?", 38),
        ("iso27001", r"iso27001:2022:A\.5\.\d+", 37),
        ("iso27001", r"iso27001:2022:A\.6\.\d+", 8),
        ("iso27001", r"iso27001:2022:A\.7\.\d+", 14),
        ("iso27001", r"iso27001:2022:A\.8\.\d+", 34),
        ("nist-ai-rmf", r"nist-ai-rmf:1\.0:GOVERN-\d+\.\d+", 19),
        ("nist-ai-rmf", r"nist-ai-rmf:1\.0:MAP-\d+\.\d+", 18),
        ("nist-ai-rmf", r"nist-ai-rmf:1\.0:MEASURE-\d+\.\d+", 22),
        ("nist-ai-rmf", r"nist-ai-rmf:1\.0:MANAGE-\d+\.\d+", 13),
        ("nist-ai-600-1", r"nist-ai-600-1:2024:[a-z-]+", 12),
        ("anssi-genai", r"anssi-genai:2024:R\d+", 35),
        ("uk-ai-cop", r"uk-ai-cop:2025:P\d+", 13),
        ("atlas", r"atlas:AML\.T\d{4}", 101),
        ("atlas", r"atlas:AML\.T\d{4}\.\d{3}", 69),
        ("atlas", r"atlas:AML\.M\d{4}", 35),
        ("owasp-llm", r"owasp-llm:2025:LLM(0[1-9]|10)", 10),
        ("owasp-ml", r"owasp-ml:2023:ML(0[1-9]|10)", 10),
        ("owasp-agentic", r"owasp-agentic:2026:ASI(0[1-9]|10)", 10),
    ],
)
def test_lists_are_complete(key: str, pattern: str, expected: int) -> None:
    assert _count(key, pattern) == expected


def test_iso42001_has_the_clauses_we_cite() -> None:
    items = default_frameworks()["iso42001"].items
    for clause in ("6.1.2", "6.1.3", "6.1.4", "8.4", "9.1", "10.2"):
        assert f"iso42001:2023:{clause}" in items


def test_ai_act_lists_every_article_in_scope() -> None:
    items = default_frameworks()["eu-ai-act"].items
    for article in (
        "9",
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "15(5)",
        "17",
        "26",
        "27",
        "50",
        "53",
        "55",
        "72",
        "73",
    ):
        assert f"eu-ai-act:2024:Art.{article}" in items


@pytest.mark.parametrize("key", ["iso42001", "iso27001", "anssi-genai"])
def test_copyrighted_sources_carry_only_our_labels(key: str) -> None:
    framework = default_frameworks()[key]
    assert all(item.label_is_own for item in framework.items.values())


@pytest.mark.skipif(not (REFERENCE / "frameworks.md").exists(), reason="shared reference absent")
@pytest.mark.parametrize("key", ["iso42001", "iso27001"])
def test_iso_labels_are_not_the_official_titles(key: str) -> None:
    text = (REFERENCE / "frameworks.md").read_text(encoding="utf-8")
    titles = re.finditer(r"\| [A\d][\d.]* \| ([^|]+?) ?(?=\|)", text)
    official = {m.group(1).strip().lower() for m in titles}
    assert {"ai policy", "secure coding", "clock synchronization"} <= official
    labels = {item.title.lower() for item in default_frameworks()[key].items.values()}
    assert labels.isdisjoint(official)


@pytest.mark.skipif(not (REFERENCE / "atlas_ids.tsv").exists(), reason="shared reference absent")
def test_atlas_list_matches_the_source_table() -> None:
    with (REFERENCE / "atlas_ids.tsv").open(encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle, delimiter="\t")
            if r["kind"] in ("technique", "sub-technique", "mitigation")
        ]
    atlas = default_frameworks()["atlas"]
    assert {f"atlas:{r['id']}": r["name"] for r in rows} == {
        i: item.title for i, item in atlas.items.items()
    }
    shapes = Counter(atlas.shape_of(i) for i in atlas.items)
    assert shapes == {Shape.THREAT: 170, Shape.CONTROL: 35}


def test_nist_aml_index_has_the_confirmed_classes_with_sections() -> None:
    items = default_frameworks()["nist-ai-100-2"].items
    assert not any(item.unverified for item in items.values())
    for suffix in ("011", "012", "014", "021", "022", "025", "026", "031", "032", "033", "034"):
        assert f"nist-ai-100-2:2025:NISTAML.{suffix}" in items, suffix
    evasion = items["nist-ai-100-2:2025:NISTAML.022"]
    assert evasion.title == "Evasion" and evasion.paragraphs and "2.2" in evasion.paragraphs
    # the three 'Model Poisoning' classes stay distinguishable
    titles = [items[f"nist-ai-100-2:2025:NISTAML.{s}"].title for s in ("011", "026", "051")]
    assert len(set(titles)) == 3


@pytest.mark.parametrize(
    ("ref", "key", "known"),
    [
        ("atlas:AML.T0051.000", "atlas", True),
        ("atlas:AML.T9999", "atlas", False),
        ("iso42001:2023:A.6.2.4", "iso42001", True),
        ("iso27001:2022:A.8.35", "iso27001", False),
        ("nist-ai-rmf:1.0:MEASURE-2.7", "nist-ai-rmf", True),
        ("eu-ai-act:2024:Art.15(5)", "eu-ai-act", True),
        ("made-up:1:X", None, False),
    ],
)
def test_framework_of_and_known_ref(ref: str, key: str | None, known: bool) -> None:
    assert framework_of(ref) == key
    assert known_ref(ref) is known


GOOD = """\
key: demo
name: Demo list
version: "1"
namespace: "demo:1:"
shape: control
source: test
licence: test
own_labels_required: true
items:
  - {id: "demo:1:A", title: "first", label_is_own: true}
  - {id: "demo:1:B", title: "second", label_is_own: true, parent: "demo:1:A"}
"""


def test_parse_framework_accepts_a_valid_file() -> None:
    framework = parse_framework(load_yaml_text(GOOD, "demo.yaml"))
    assert list(framework.items) == ["demo:1:A", "demo:1:B"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id: "demo:1:B"', 'id: "other:1:B"', "not in namespace"),
        ('id: "demo:1:B"', 'id: "demo:1:A"', "duplicate id"),
        ('title: "second", label_is_own: true', 'title: "second"', "needs our own label"),
        ('parent: "demo:1:A"', 'parent: "demo:1:Z"', "unknown parent"),
        ("shape: control", "shape: sideways", "shape"),
        ("licence: test\n", "", "required field is missing"),
    ],
)
def test_parse_framework_rejects_with_location(old: str, new: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_framework(load_yaml_text(GOOD.replace(old, new), "demo.yaml"))
    assert message in str(caught.value)
    assert "demo.yaml:" in str(caught.value)


def test_parse_framework_checks_the_declared_key(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(dedent(GOOD), encoding="utf-8")
    with pytest.raises(CatalogError, match="expected 'other'"):
        parse_framework(load_yaml_text(path.read_text(), str(path)), expected_key="other")
