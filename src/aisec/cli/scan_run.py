"""What `aisec scan` does once its options are known, shared by the Typer command
(`aisec.cli.scan`) and the Typer-free fast path (`aisec.cli.scan_fast`).

Start-up is most of a small scan (issue 15), so nothing heavy is imported here at module level:
Rich only when something is drawn for a terminal or the table is printed, the SARIF writer only
for `--sarif`, and pydantic not at all (`--json` is written by `aisec.probes.envelope`). A quiet
run in CI prints its one summary line as plain text, exactly what Rich would print to a pipe.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from aisec.common.exitcodes import ExitCode

if TYPE_CHECKING:
    from aisec.probes.artifacts.result import ScanResult

# One --fail-on vocabulary (docs/cli.md) mapped onto file verdicts.
VERDICT_AT: dict[str, str | None] = {
    "critical": "malicious",
    "high": "malicious",
    "medium": "suspicious",
    "low": "error",
    "info": "not-scanned",
    "never": None,
}


@dataclass(frozen=True)
class ScanOptions:
    """`aisec scan`'s options, defaults as `aisec scan --help` shows them."""

    paths: list[Path]
    json_out: Path | None = None
    sarif_out: Path | None = None
    manifest: Path | None = None
    write_manifest: Path | None = None
    fail_on: str | None = "medium"  # a FailLevel value, already validated
    max_depth: int = 6
    max_extract_ratio: int = 20
    max_extract_gb: float = 16.0
    timeout: float = 300.0
    quiet: bool = False
    signature: Path | None = None
    public_key: Path | None = None
    no_hash: bool = False
    jobs: int | None = None  # None: one process per core for folders of many files


def run_scan(opts: ScanOptions) -> int:
    """Scan, write the outputs asked for, print the table or summary; return the exit code."""
    from aisec import __version__
    from aisec.cli.outputs import check_output_file, check_output_files, write_output
    from aisec.common.errors import InputError, ProbeError
    from aisec.probes.artifacts import integrity
    from aisec.probes.artifacts.interface import Limits
    from aisec.probes.artifacts.service import plan, scan_paths

    to_stdout = check_output_files([("--json", opts.json_out), ("--sarif", opts.sarif_out)])
    if opts.write_manifest is not None:
        check_output_file(opts.write_manifest, "--write-manifest")
    limits = Limits(
        max_depth=opts.max_depth,
        timeout_s=opts.timeout,
        max_extract_ratio=opts.max_extract_ratio,
        max_total_bytes=int(opts.max_extract_gb * 1024**3),
    )
    if opts.no_hash and opts.write_manifest is not None:
        raise InputError("--write-manifest needs file hashes", hint="drop --no-hash")
    if (opts.signature is None) != (opts.public_key is None):
        raise InputError(
            "--signature and --public-key go together",
            hint="keyless Sigstore verification needs the network and is not supported",
        )
    sig = (
        (opts.signature, opts.public_key)
        if opts.signature is not None and opts.public_key is not None
        else None
    )
    files = plan(opts.paths)  # raises InputError for a missing path
    progress: AbstractContextManager[Callable[[Path, int], None] | None] = nullcontext(None)
    if looks_like_terminal(sys.stderr):  # else Rich would draw no bar: skip importing it
        from aisec.cli.outputs import make_console
        from aisec.probes.artifacts import console as render

        progress = render.progress(files, make_console(stderr=True))
    try:
        with progress as progress_cb:
            result = scan_paths(
                opts.paths,
                limits,
                opts.manifest,
                progress=progress_cb,
                hash_files=not opts.no_hash,
                signature=sig,
                planned=files,
                jobs=opts.jobs,
            )
    except (OSError, MemoryError, RuntimeError) as exc:
        raise ProbeError(f"scan failed: {type(exc).__name__}: {exc}") from exc
    if opts.json_out is not None:
        from datetime import UTC, datetime

        write_output(opts.json_out, result.evidence_json(datetime.now(UTC), __version__))
    if opts.sarif_out is not None:
        from aisec.probes.artifacts import sarif  # only for --sarif

        write_output(opts.sarif_out, json.dumps(sarif.to_sarif(result, __version__), indent=2))
    if opts.write_manifest is not None:
        integrity.write_manifest(
            opts.write_manifest,
            [(f.fs_path or Path(f.path), f.sha256) for f in result.files if f.sha256],
        )
    _print_result(result, opts.quiet, sys.stderr if to_stdout else sys.stdout)
    sys.stdout.flush()
    return exit_code(result, VERDICT_AT.get(opts.fail_on or "never"))


def _print_result(result: ScanResult, quiet: bool, stream: TextIO) -> None:
    """The summary line (quiet) or the table; stdout carries machine output when one is '-'."""
    if quiet and not looks_like_terminal(stream):
        stream.write(result.summary() + "\n")
        return
    from aisec.cli.outputs import make_console
    from aisec.probes.artifacts import console as render

    out = make_console(stderr=stream is sys.stderr)
    if quiet:
        out.print(render.summary_line(result), soft_wrap=True)
    else:
        render.render(result, out)


def looks_like_terminal(stream: TextIO) -> bool:
    """Whether Rich could treat `stream` as a terminal (colours, progress bars, folding).

    False only when Rich certainly would not: no TTY_COMPATIBLE or FORCE_COLOR override in the
    environment and the stream is not a TTY. When in doubt, True: the caller then lets Rich
    decide, so the output is always what Rich prints.
    """
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced stream: Rich decides
        return True


def exit_code(result: ScanResult, fail_on: str | None) -> int:
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
