"""`aisec scan PATH...`: parse options, call the scanner service, write outputs, map the
overall verdict to an exit code."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from aisec.cli.app import app
from aisec.cli.options import FailLevel, fail_on_option
from aisec.common.exitcodes import ExitCode

if TYPE_CHECKING:
    from aisec.probes.artifacts.result import ScanResult


class FailOn(StrEnum):
    MALICIOUS = "malicious"
    SUSPICIOUS = "suspicious"
    ERROR = "error"
    NOT_SCANNED = "not-scanned"


# One --fail-on vocabulary (docs/cli.md) mapped onto file verdicts; the old words stay one release.
_VERDICT_AT: dict[str, str | None] = {
    "critical": "malicious",
    "high": "malicious",
    "medium": "suspicious",
    "low": "error",
    "info": "not-scanned",
    "never": None,
}
_LEGACY_FAIL_ON = {
    "malicious": FailLevel.CRITICAL,
    "suspicious": FailLevel.MEDIUM,
    "error": FailLevel.LOW,
    "not-scanned": FailLevel.INFO,
}


@app.command("scan")
def scan_command(
    paths: list[Path] = typer.Argument(..., help="Files or folders to scan (recursively)."),
    json_out: Path | None = typer.Option(
        None, "--json", help="Write the EvidenceReport JSON ('-' for standard output)."
    ),
    sarif_out: Path | None = typer.Option(
        None, "--sarif", help="Write a SARIF 2.1.0 log ('-' for standard output)."
    ),
    manifest: Path | None = typer.Option(
        None, "--manifest", help="Verify files against expected SHA-256 (JSON or sha256sum)."
    ),
    write_manifest: Path | None = typer.Option(
        None, "--write-manifest", help="Write a sha256sum-style manifest of the scanned files."
    ),
    fail_on: str | None = fail_on_option(
        "medium",
        legacy=_LEGACY_FAIL_ON,
        what="a file's verdict (critical/high: malicious, medium: suspicious, low: error, "
        "info: not-scanned)",
    ),
    max_depth: int = typer.Option(6, "--max-depth", min=0, help="Archive nesting limit."),
    max_extract_ratio: int = typer.Option(
        20,
        "--max-extract-ratio",
        min=1,
        help="Bytes decompressed per scan, at most this many times the input size.",
    ),
    max_extract_gb: float = typer.Option(
        16.0, "--max-extract-gb", min=0.001, help="Absolute cap on bytes decompressed per scan."
    ),
    timeout: float = typer.Option(300.0, "--timeout", min=1.0, help="Seconds per file."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the summary line."),
    signature: Path | None = typer.Option(
        None, "--signature", help="model-signing signature of the (single) model path."
    ),
    public_key: Path | None = typer.Option(
        None, "--public-key", help="EC public key (PEM) that verifies --signature, offline."
    ),
    no_hash: bool = typer.Option(
        False, "--no-hash", help="Skip SHA-256 of each file (not with manifests)."
    ),
) -> int:
    """Scan model artifacts for code execution, tampering and unsupported content.

    Exit codes: 1 when a file is at least --fail-on bad (default: suspicious), 3 when a file
    could not be examined (error), 4 when nothing was examined, 0 otherwise."""

    from aisec import __version__
    from aisec.cli.outputs import check_output_file, check_output_files, make_console, write_output
    from aisec.common.errors import InputError, ProbeError
    from aisec.probes.artifacts import console as render
    from aisec.probes.artifacts import integrity
    from aisec.probes.artifacts.interface import Limits
    from aisec.probes.artifacts.service import plan, scan_paths

    to_stdout = check_output_files([("--json", json_out), ("--sarif", sarif_out)])
    if write_manifest is not None:
        check_output_file(write_manifest, "--write-manifest")
    out = make_console(stderr=to_stdout)  # stdout carries the machine output when one is '-'
    err = make_console(stderr=True)
    limits = Limits(
        max_depth=max_depth,
        timeout_s=timeout,
        max_extract_ratio=max_extract_ratio,
        max_total_bytes=int(max_extract_gb * 1024**3),
    )
    if no_hash and write_manifest is not None:
        raise InputError("--write-manifest needs file hashes", hint="drop --no-hash")
    if (signature is None) != (public_key is None):
        raise InputError(
            "--signature and --public-key go together",
            hint="keyless Sigstore verification needs the network and is not supported",
        )
    sig = (signature, public_key) if signature is not None and public_key is not None else None
    files = plan(paths)  # raises InputError for a missing path
    try:
        with render.progress(files, err) as progress_cb:
            result = scan_paths(
                paths,
                limits,
                manifest,
                progress=progress_cb,
                hash_files=not no_hash,
                signature=sig,
            )
    except (OSError, MemoryError, RuntimeError) as exc:
        raise ProbeError(f"scan failed: {type(exc).__name__}: {exc}") from exc
    version = __version__
    if json_out is not None:
        report = result.to_evidence(datetime.now(UTC), version)
        write_output(json_out, report.model_dump_json(indent=2))
    if sarif_out is not None:
        from aisec.probes.artifacts import sarif  # only for --sarif

        write_output(sarif_out, json.dumps(sarif.to_sarif(result, version), indent=2))
    if write_manifest is not None:
        integrity.write_manifest(
            write_manifest,
            [(f.fs_path or Path(f.path), f.sha256) for f in result.files if f.sha256],
        )
    if quiet:
        out.print(render.summary_line(result))
    else:
        render.render(result, out)
    sys.stdout.flush()
    return _exit_code(result, _VERDICT_AT.get(fail_on or "never"))


def _exit_code(result: ScanResult, fail_on: str | None) -> int:
    """README's exit codes: 1 when anything reaches --fail-on; 4 when no file was examined at
    all (never a pass); 3 when a file could not be examined (an error is not a pass); else 0.
    A file of an unknown format beside examined ones is listed as not-scanned and exits 0
    unless --fail-on not-scanned: a model folder holds READMEs and licences."""
    from aisec.probes.artifacts.result import FileVerdict

    if fail_on is not None and result.files and result.verdict.rank <= FileVerdict(fail_on).rank:
        return int(ExitCode.FINDINGS)
    if result.examined_nothing:
        return int(ExitCode.NOTHING_ASSESSED)
    if any(f.verdict is FileVerdict.ERROR for f in result.files):
        return int(ExitCode.INTERNAL_ERROR)
    return int(ExitCode.OK)
