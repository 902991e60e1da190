"""`aisec verify` and `aisec sign`: check a report's inputs, sign an evidence file.

Thin edge over `aisec.record` (hash manifest) and `aisec.evidence.signature` (model-signing
envelope for evidence files).
"""

from __future__ import annotations

from pathlib import Path

import typer

from aisec.cli.app import app
from aisec.cli.outputs import make_console
from aisec.common.exitcodes import ExitCode

console = make_console(soft_wrap=True)


@app.command("verify")
def verify_cmd(
    report: Path = typer.Argument(..., help="JSON report written by aisec assess."),
    inputs: Path | None = typer.Option(
        None,
        "--inputs",
        metavar="DIR",
        help="Folder holding the inputs (matched by file name); default: the recorded paths.",
    ),
) -> int:
    """Recompute the SHA-256 of every input a report lists; exit 1 if any differs or is missing."""
    from aisec.record import verify_inputs

    checks = verify_inputs(report, inputs)
    for check in checks:
        mark = {
            "match": "[green]ok[/]",
            "mismatch": "[red]CHANGED[/]",
            "missing": "[red]MISSING[/]",
        }
        console.print(f"{mark[check.state]} {check.entry.kind}: ", end="", highlight=False)
        console.print(f"{check.checked} sha256 {check.entry.sha256[:16]}", markup=False)
    bad = [c for c in checks if not c.ok]
    if not checks:
        console.print("[yellow]the report lists no inputs[/]")
        return int(ExitCode.NOTHING_ASSESSED)
    if bad:
        console.print(f"[red]{len(bad)} of {len(checks)} inputs do not match the report[/]")
        return int(ExitCode.FINDINGS)
    console.print(f"all {len(checks)} inputs match the report", highlight=False)
    return int(ExitCode.OK)


@app.command("sign")
def sign_cmd(
    evidence: Path = typer.Argument(..., help="Evidence JSON to sign."),
    key: Path = typer.Option(..., "--key", metavar="PEM", help="EC private key (PEM)."),
) -> int:
    """Sign an evidence file (writes EVIDENCE.json.sig, an OpenSSF model-signing bundle)."""
    from aisec.evidence.signature import sign_evidence

    sig = sign_evidence(evidence, key)
    console.print(f"wrote {sig}", markup=False, highlight=False)
    return int(ExitCode.OK)
