"""`aisec scan PATH...`: the Typer declaration of the options (what `--help` shows); the work is
`aisec.cli.scan_run.run_scan`, which the fast path (`aisec.cli.scan_fast`) calls as well."""

from __future__ import annotations

from pathlib import Path

import typer

from aisec.cli.app import app
from aisec.cli.options import FailLevel, fail_on_option
from aisec.cli.scan_run import ScanOptions, run_scan

# The old --fail-on words stay one release (with a note on standard error).
LEGACY_FAIL_ON = {
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
        legacy=LEGACY_FAIL_ON,
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
    jobs: int | None = typer.Option(
        None,
        "--jobs",
        "-j",
        min=1,
        help="Processes scanning files in parallel (default: one per core when there are "
        "several files and at least 128 MB; 1 when a progress bar is shown).",
    ),
) -> int:
    """Scan model artifacts for code execution, tampering and unsupported content.

    Exit codes: 1 when a file is at least --fail-on bad (default: suspicious), 3 when a file
    could not be examined (error), 4 when nothing was examined, 0 otherwise."""

    return run_scan(
        ScanOptions(
            paths=paths,
            json_out=json_out,
            sarif_out=sarif_out,
            manifest=manifest,
            write_manifest=write_manifest,
            fail_on=fail_on,
            max_depth=max_depth,
            max_extract_ratio=max_extract_ratio,
            max_extract_gb=max_extract_gb,
            timeout=timeout,
            quiet=quiet,
            signature=signature,
            public_key=public_key,
            no_hash=no_hash,
            jobs=jobs,
        )
    )
