"""The generators behind two bundled data files work on source-shaped input."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import yaml

from aisec.catalog.frameworks import parse_framework
from aisec.common.yamlio import load_yaml_text

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


ATLAS = {
    "id": "ATLAS",
    "version": "9.9.9",
    "matrices": [
        {
            "id": "ATLAS",
            "tactics": [{"id": "AML.TA0005", "name": "Execution"}],
            "techniques": [
                {"id": "AML.T0051", "name": "LLM Prompt Injection", "tactics": ["AML.TA0005"]},
                {"id": "AML.T0051.001", "name": "Indirect", "subtechnique-of": "AML.T0051"},
            ],
            "mitigations": [
                {
                    "id": "AML.M0015",
                    "name": "Adversarial Input Detection",
                    "techniques": [{"id": "AML.T0051.001", "use": "not kept"}],
                }
            ],
        }
    ],
}


def test_atlas_generator_keeps_ids_names_parents_and_mitigation_relations(tmp_path: Path) -> None:
    source = tmp_path / "ATLAS.yaml"
    source.write_text(yaml.safe_dump(ATLAS), encoding="utf-8")
    out = tmp_path / "atlas.yaml"
    assert _tool("gen_atlas_framework").main([str(source), "-o", str(out), "--tag", "v9"]) == 0
    framework = parse_framework(load_yaml_text(out.read_text(encoding="utf-8"), "atlas.yaml"))
    assert framework.version == "9.9.9" and "tag v9" in framework.source
    assert framework.items["atlas:AML.T0051"].group == "Execution"
    assert framework.items["atlas:AML.T0051.001"].parent == "atlas:AML.T0051"
    mitigation = framework.items["atlas:AML.M0015"]
    assert mitigation.addresses == ["atlas:AML.T0051.001"] and framework.shape_of(mitigation.id)
    assert "not kept" not in out.read_text(encoding="utf-8")  # descriptions are dropped


def test_periodic_table_parser_expands_groups(tmp_path: Path) -> None:
    page = tmp_path / "overview.md"
    page.write_text(
        "### Periodic table of AI security\n<table><tbody>\n"
        '<tr><td>Model</td><td><a href="/go/modelexfiltration/">Model exfiltration</a></td>'
        '<td><a href="/go/ratelimit/">rate limit</a>, <a href="/go/datalimit/">limit</a></td></tr>\n'
        "</tbody></table>\n",
        encoding="utf-8",
    )
    out = tmp_path / "table.yaml"
    assert (
        _tool("gen_owasp_periodic_table").main([str(page), "--commit", "abc", "-o", str(out)]) == 0
    )
    rows = yaml.safe_load(out.read_text(encoding="utf-8"))["threats"]
    assert rows == {
        "modelexfiltration": ["ratelimit", "dataminimize", "shortretain", "obfuscatetrainingdata"]
    }
