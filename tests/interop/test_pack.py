"""Evidence pack: a pack made by the vendor verifies at the integrator; tampering is named."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.demo import scan_evidence
from aisec.evidence.pack import CLAIMED, VERIFIED, apply_packs, verify_pack
from aisec.system import load_system

Example = Callable[[str], tuple[Path, Path | None]]


@pytest.fixture(scope="module")
def vendor_pack(tmp_path_factory: pytest.TempPathFactory, example: Example) -> dict[str, Path]:
    """The vendor side, through the CLI: key pair, scan evidence, signed pack."""
    root = tmp_path_factory.mktemp("vendor")
    assert main(["pack", "keygen", "-o", str(root / "keys")]) == 0
    system_path, assessment = example("fraud-classifier")
    evidence = scan_evidence(load_system(system_path), system_path, root)
    assert evidence is not None
    pack = root / "pack"
    args = ["pack", "create", str(system_path), "-a", str(assessment), "-e", str(evidence)]
    assert main([*args, "--key", str(root / "keys/aisec-pack-key.pem"), "-o", str(pack)]) == 0
    return {"pack": pack, "public": root / "keys/aisec-pack-key.pub.pem", "root": root}


def _swap_for_link(path: Path) -> None:
    target = path.with_name("elsewhere.json")
    path.rename(target)
    path.symlink_to(target)


def _copy(vendor_pack: dict[str, Path], tmp_path: Path) -> Path:
    target = tmp_path / "received"
    shutil.copytree(vendor_pack["pack"], target)
    return target


def test_pack_holds_component_definition_evidence_and_hashes(vendor_pack: dict[str, Path]) -> None:
    pack = vendor_pack["pack"]
    manifest = json.loads((pack / "pack.json").read_text())
    names = {f["path"] for f in manifest["files"]}
    assert {"component-definition.json", "evidence/fraud-classifier-scan.json"} <= names
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])
    assert (pack / "pack.sig").is_file()
    provided = [c for c in manifest["controls"] if c["responsibility"] == "provided"]
    assert provided
    assert any(
        c["evidence"] == ["evidence/fraud-classifier-scan.json"] for c in manifest["controls"]
    )
    assert oct((vendor_pack["root"] / "keys/aisec-pack-key.pem").stat().st_mode & 0o777) == "0o600"


def test_integrator_verifies_with_the_pinned_key(
    vendor_pack: dict[str, Path], tmp_path: Path
) -> None:
    check = verify_pack(vendor_pack["pack"], [vendor_pack["public"]])
    assert check.verified and check.key_trusted and check.problems == []
    report = tmp_path / "check.json"
    args = ["pack", "verify", str(vendor_pack["pack"]), "--key", str(vendor_pack["public"])]
    assert main([*args, "--json", str(report)]) == 0
    document = json.loads(report.read_text())
    assert document["verified"] and document["problems"] == []
    assert document["provided"] == [c.id for c in check.provided]


def test_unpinned_key_is_claimed_not_verified(vendor_pack: dict[str, Path]) -> None:
    check = verify_pack(vendor_pack["pack"])
    assert check.signature_valid and not check.key_trusted and not check.verified
    assert "did not pin" in check.why_not
    assert main(["pack", "verify", str(vendor_pack["pack"])]) == 1


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (
            lambda p: (p / "evidence/fraud-classifier-scan.json").write_text("{}"),
            "evidence/fraud-classifier-scan.json: SHA-256 differs",
        ),
        (
            lambda p: (p / "component-definition.json").unlink(),
            "component-definition.json: listed in the manifest but missing",
        ),
        (
            lambda p: (p / "evidence/extra.json").write_text("{}"),
            "evidence/extra.json: not in the manifest",
        ),
        (
            lambda p: (p / "pack.json").write_text(
                (p / "pack.json").read_text().replace('"provided"', '"shared"', 1)
            ),
            "pack.json: signature does not verify",
        ),
        (
            lambda p: _swap_for_link(p / "component-definition.json"),
            "component-definition.json: is a symbolic link",
        ),
    ],
    ids=["changed-evidence", "removed-file", "added-file", "edited-manifest", "symlink"],
)
def test_tampering_is_detected_and_named(
    vendor_pack: dict[str, Path],
    tmp_path: Path,
    tamper: Callable[[Path], object],
    named: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pack = _copy(vendor_pack, tmp_path)
    tamper(pack)
    check = verify_pack(pack, [vendor_pack["public"]])
    assert not check.verified
    assert any(p.startswith(named) for p in check.problems), check.problems
    assert main(["pack", "verify", str(pack), "--key", str(vendor_pack["public"])]) == 1
    assert named.split(":")[0] in capsys.readouterr().out


def test_wrong_key_is_rejected(vendor_pack: dict[str, Path], tmp_path: Path) -> None:
    assert main(["pack", "keygen", "-o", str(tmp_path)]) == 0
    check = verify_pack(vendor_pack["pack"], [tmp_path / "aisec-pack-key.pub.pem"])
    assert not check.signature_valid and not check.verified


def test_supplier_controls_marked_in_the_assessment(
    vendor_pack: dict[str, Path], tmp_path: Path, example: Example
) -> None:
    integrator, _ = example("rag-assistant")
    system_id = load_system(integrator).id
    good, checks = apply_packs(None, system_id, [vendor_pack["pack"]], [vendor_pack["public"]])
    provided = {c.id: c for c in checks[0].provided}
    marked = {cid: s for cid, s in good.controls.items() if s.supplier_provided}
    assert set(marked) == set(provided)
    for cid, state in marked.items():
        if provided[cid].status in ("implemented", "verified"):
            assert state.supplier_evidence[0].startswith(VERIFIED)
        else:  # the vendor's own gap stays open: no attestation
            assert not state.supplier_evidence and "open item" in (state.notes or "")

    bad_pack = _copy(vendor_pack, tmp_path)
    (bad_pack / "evidence/fraud-classifier-scan.json").write_text("{}")
    bad, _ = apply_packs(None, system_id, [bad_pack], [vendor_pack["public"]])
    states = [s for s in bad.controls.values() if s.supplier_provided]
    assert states and all(not s.supplier_evidence for s in states)  # nothing counts
    assert all(CLAIMED in (s.notes or "") for s in states)
    assert "fraud-classifier-scan.json" in (states[0].notes or "")


def test_assess_with_supplier_pack_reports_the_supplier_share(
    vendor_pack: dict[str, Path], tmp_path: Path, example: Example
) -> None:
    system, assessment = example("rag-assistant")
    out = tmp_path / "out"
    args = ["assess", str(system), "-a", str(assessment), "-o", str(out), "-f", "json"]
    key = ["--supplier-key", str(vendor_pack["public"])]
    assert main([*args, "--supplier-pack", str(vendor_pack["pack"]), *key]) == 0
    document = json.loads((out / "rag-assistant.json").read_text())
    result = document.get("result", document)
    supplier = [c for c in result["controls"] if c["supplier_provided"]]
    assert any(
        c["supplier_evidence"] and c["supplier_evidence"][0].startswith(VERIFIED) for c in supplier
    )
    assert any("supplier pack pack from" in n and ": verified;" in n for n in result["notes"])

    tampered = _copy(vendor_pack, tmp_path)
    (tampered / "component-definition.json").write_text("{}")
    assert main([*args, "--supplier-pack", str(tampered), *key]) == 0
    result = json.loads((out / "rag-assistant.json").read_text())
    result = result.get("result", result)
    note = next(n for n in result["notes"] if "supplier pack received" in n)
    assert "NOT verified" in note and "component-definition.json" in note
    assert not any(c["supplier_evidence"] for c in result["controls"] if c["supplier_provided"])


def test_not_a_pack_is_an_input_error(tmp_path: Path) -> None:
    assert main(["pack", "verify", str(tmp_path)]) == 2


def test_ssp_shows_supplier_provided_controls_as_inherited(
    vendor_pack: dict[str, Path], example: Example
) -> None:
    from datetime import UTC, datetime

    from aisec.reports.exporters.oscal_system import ssp_document
    from aisec.service import run_assessment

    system, assessment = example("rag-assistant")
    run = run_assessment(
        system,
        assessment,
        supplier_packs=[vendor_pack["pack"]],
        supplier_keys=[vendor_pack["public"]],
    )
    ssp = json.loads(ssp_document(run.system, run.result, datetime.now(UTC)))[
        "system-security-plan"
    ]
    supplier = next(
        c
        for c in ssp["system-implementation"]["components"]
        if c["title"] == "Model or service supplier"
    )
    inherited = [
        b
        for r in ssp["control-implementation"]["implemented-requirements"]
        for b in r["by-components"]
        if b["component-uuid"] == supplier["uuid"]
    ]
    assert inherited and all(
        b["inherited"][0]["description"].startswith("Provided by") for b in inherited
    )
