"""The scanner's one entry point, shared by the CLI, the web app and the Python API:
`scan_paths(paths, limits, manifest)` walks files and folders, hashes and scans each file,
verifies a manifest when given, and returns a `ScanResult`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from aisec.common.errors import InputError
from aisec.probes.artifacts import integrity, parallel
from aisec.probes.artifacts.engine import Engine
from aisec.probes.artifacts.filescan import scan_file
from aisec.probes.artifacts.interface import FormatHandler, Limits
from aisec.probes.artifacts.names import escape_path
from aisec.probes.artifacts.registry import default_handlers
from aisec.probes.artifacts.result import ScanResult
from aisec.probes.record import Finding

Progress = Callable[[Path, int], None]  # called before each file with (path, size)


def iter_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files under `paths` in a stable order; folders are walked without following symlinks
    (a symlink loop is then one entry whose scan reports the loop, not an endless walk)."""
    for root in paths:
        if not os.path.lexists(root):
            raise InputError("no such file or directory", source=str(root))
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames.sort()
                for name in sorted(filenames):
                    yield Path(os.path.join(dirpath, name))  # one parse per file, not two
        else:
            yield root


def plan(paths: Sequence[Path]) -> list[tuple[Path, int]]:
    out = []
    for p in iter_files(paths):
        try:
            out.append((p, p.stat().st_size))
        except (OSError, RuntimeError):  # a dangling link or a loop: scan_file reports it
            out.append((p, 0))
    return out


def scan_paths(
    paths: Sequence[Path],
    limits: Limits | None = None,
    manifest: Path | None = None,
    *,
    progress: Progress | None = None,
    handlers: Sequence[FormatHandler] | None = None,
    hash_files: bool = True,
    signature: tuple[Path, Path] | None = None,
    planned: list[tuple[Path, int]] | None = None,
    jobs: int | None = 1,
) -> ScanResult:
    """Scan every file under `paths`; raise InputError for a missing path or bad manifest.
    `hash_files=False` skips SHA-256 (faster on huge tensors) and cannot verify a manifest.
    `signature=(signature file, public key)` verifies a model-signing signature over the one
    path given (offline, key-based). `planned` is `plan(paths)` when the caller already made it.
    `jobs` processes scan files in parallel (None: one per core for folders of many files; a
    progress callback keeps one process, as it reports each file in order)."""
    if signature is not None and len(paths) != 1:
        raise InputError("signature verification needs exactly one model path")
    if manifest is not None and not hash_files:
        raise InputError("a manifest needs file hashes", hint="drop --no-hash")
    expected = integrity.load_manifest(manifest) if manifest is not None else None
    files = planned if planned is not None else plan(paths)
    total = sum(size for _, size in files)
    found = list(handlers) if handlers is not None else default_handlers()

    def make_engine(share: float = 1.0) -> Engine:
        engine = Engine(found, limits or Limits())
        engine.set_input_size(total, share)
        return engine

    workers = parallel.auto_jobs(files) if jobs is None else max(1, jobs)
    if workers > 1 and progress is None and parallel.USE_FORK and len(files) > 1:
        results = parallel.scan_files(files, make_engine, hash_files, min(workers, len(files)))
    else:
        engine = make_engine()
        results = []
        for path, size in files:
            if progress is not None:
                progress(path, size)
            results.append(scan_file(engine, path, hash_files))
    checks: tuple[Finding, ...] = ()
    if expected is not None:
        real = [(r, r.fs_path or Path(r.path)) for r in results]
        actual = {p.resolve(): r.sha256 for r, p in real if r.sha256}
        shown = {p.resolve(): r.path for r, p in real}
        checks = tuple(integrity.verify(expected, actual, shown))
    if signature is not None:
        from aisec.probes.artifacts.signing import verify_key_signature

        checks += (verify_key_signature(paths[0], *signature),)
    subject = ", ".join(escape_path(str(p)) for p in paths)
    return ScanResult(tuple(results), checks, subject=subject)
