"""The scanner's one entry point, shared by the CLI, the web app and the Python API:
`scan_paths(paths, limits, manifest)` walks files and folders, hashes and scans each file,
verifies a manifest when given, and returns a `ScanResult`."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aisec.common.errors import InputError
from aisec.probes.artifacts import blob as blobs
from aisec.probes.artifacts import integrity
from aisec.probes.artifacts.engine import Engine
from aisec.probes.artifacts.interface import FormatHandler, Limits
from aisec.probes.artifacts.registry import default_handlers
from aisec.probes.artifacts.result import FileResult, ScanResult, verdict_of
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.finding import Finding, Severity, Verdict

Progress = Callable[[Path, int], None]  # called before each file with (path, size)


def iter_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files under `paths` in a stable order; folders are walked without following symlinks."""
    for root in paths:
        if not root.exists() and not root.is_symlink():
            raise InputError("no such file or directory", source=str(root))
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames.sort()
                for name in sorted(filenames):
                    yield Path(dirpath) / name
        else:
            yield root


def plan(paths: Sequence[Path]) -> list[tuple[Path, int]]:
    out = []
    for p in iter_files(paths):
        try:
            out.append((p, p.lstat().st_size))
        except OSError:
            out.append((p, 0))
    return out


def _fail(path: Path, rule: Rule, verdict: Verdict, msg: str) -> Finding:
    return finding(rule, verdict, Severity.MEDIUM, str(path), msg)


_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aisec-sha256")


def _sha256_of_fd(fd: int) -> str:
    """SHA-256 of the open file itself (pread: no shared offset, same inode as the scan)."""
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


def scan_file(engine: Engine, path: Path, hash_files: bool = True) -> FileResult:
    """Hash and scan one file; I/O problems become findings, not exceptions."""
    t0 = time.perf_counter()
    try:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            target = path.resolve()
            mode = target.stat().st_mode
        if not stat.S_ISREG(mode):
            f = _fail(path, Rule.UNSUPPORTED, Verdict.NOT_SCANNED, "not a regular file")
            return FileResult(str(path), 0, None, verdict_of([f]), (f,))
        with open(path, "rb") as fh:
            # Hash on a second handle in a thread while the engine walks the content: hashlib
            # and file reads release the GIL, so a big file costs max(hash, scan), not the sum.
            hashing = _HASHER.submit(_sha256_of_fd, fh.fileno()) if hash_files else None
            blob = blobs.from_file(fh)
            try:
                findings = engine.scan_blob(blob, str(path), None)
            finally:
                blob.close()
            size = blob.size
            digest = hashing.result() if hashing is not None else None
        if digest is not None:
            findings = [
                f if f.sha256 else f.model_copy(update={"sha256": digest}) for f in findings
            ]
    except OSError as exc:
        f = _fail(path, Rule.HANDLER_ERROR, Verdict.ERROR, f"cannot read: {exc.strerror}")
        return FileResult(str(path), 0, None, verdict_of([f]), (f,), time.perf_counter() - t0)
    return FileResult(
        str(path), size, digest, verdict_of(findings), tuple(findings), time.perf_counter() - t0
    )


def scan_paths(
    paths: Sequence[Path],
    limits: Limits | None = None,
    manifest: Path | None = None,
    *,
    progress: Progress | None = None,
    handlers: Sequence[FormatHandler] | None = None,
    hash_files: bool = True,
    signature: tuple[Path, Path] | None = None,
) -> ScanResult:
    """Scan every file under `paths`; raise InputError for a missing path or bad manifest.
    `hash_files=False` skips SHA-256 (faster on huge tensors) and cannot verify a manifest.
    `signature=(signature file, public key)` verifies a model-signing signature over the one
    path given (offline, key-based)."""
    if signature is not None and len(paths) != 1:
        raise InputError("signature verification needs exactly one model path")
    if manifest is not None and not hash_files:
        raise InputError("a manifest needs file hashes", hint="drop --no-hash")
    expected = integrity.load_manifest(manifest) if manifest is not None else None
    files = plan(paths)
    engine = Engine(handlers if handlers is not None else default_handlers(), limits or Limits())
    results = []
    for path, size in files:
        if progress is not None:
            progress(path, size)
        results.append(scan_file(engine, path, hash_files))
    checks: tuple[Finding, ...] = ()
    if expected is not None:
        actual = {Path(r.path).resolve(): r.sha256 for r in results if r.sha256}
        shown = {Path(r.path).resolve(): r.path for r in results}
        checks = tuple(integrity.verify(expected, actual, shown))
    if signature is not None:
        from aisec.probes.artifacts.signing import verify_key_signature

        checks += (verify_key_signature(paths[0], *signature),)
    return ScanResult(tuple(results), checks, subject=", ".join(str(p) for p in paths))
