"""Hash and scan one file from disk without letting the file hurt the scanner.

Small files are read into memory (a file that shrinks while it is read is simply short). Big
files are memory-mapped so that tensor bytes are never read, but a mapped file that another
process truncates kills the reader with SIGBUS; on POSIX the engine therefore walks a big file
in a forked child while the parent hashes it with `pread`, and a child killed by a signal
becomes this one file's `error` instead of the end of the whole scan.
"""

from __future__ import annotations

import faulthandler
import hashlib
import json
import mmap
import os
import signal
import stat
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aisec.probes.artifacts import blob as blobs
from aisec.probes.artifacts.engine import Engine
from aisec.probes.artifacts.names import escape_path, needs_escape, safe_text, safe_value
from aisec.probes.artifacts.result import FileResult, verdict_of
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.record import Finding, Severity, Verdict

# Files up to this size are read into memory; bigger ones are mapped (in a child process, see
# above), so a 20 MB file does not add 20 MB to the scanner's resident set.
IN_MEMORY_MAX = 4 * 1024 * 1024
_CHUNK = 1 << 20
USE_FORK = hasattr(os, "fork")


def failed_file(
    shown: str, path: Path, rule: Rule, verdict: Verdict, msg: str, size: int = 0
) -> FileResult:
    """The result of a file that could not be examined: one finding saying why."""
    f = finding(rule, verdict, Severity.MEDIUM, shown, msg)
    return FileResult(shown, size, None, verdict_of([f]), (f,), fs_path=path)


def _read_all(fd: int, size: int) -> bytearray:
    """The whole file in one buffer, read in place (no list of chunks joined into a copy);
    a file that shrinks meanwhile is returned short."""
    buf = bytearray(size)
    view = memoryview(buf)
    offset = 0
    while offset < size:
        n = os.preadv(fd, [view[offset : offset + _CHUNK * 8]], offset)
        if not n:
            break
        offset += n
    view.release()
    if offset < size:
        del buf[offset:]
    return buf


def _sha256_of_fd(fd: int) -> str:
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, _CHUNK, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


def _clean(f: Finding, digest: str | None) -> Finding:
    """Findings carry scanned text (member names, callables): make it serialisable."""
    update: dict[str, Any] = {}
    for key in ("location", "message"):
        text = getattr(f, key)
        if needs_escape(text):
            update[key] = safe_text(text)
    if f.details:
        raw = f.details
        if "storages" in raw:
            raw = {k: v for k, v in raw.items() if k != "storages"}
        # repr() writes a backslash for every character safe_value would escape (controls,
        # surrogates, backslashes) and "(" for tuples it would turn into lists: without either,
        # nothing changes and the walk over every value is skipped
        text = repr(raw)
        details = safe_value(raw) if "\\" in text or "(" in text else raw
        if details is not f.details:
            update["details"] = details
    if digest is not None and not f.sha256:
        update["sha256"] = digest
    return replace(f, **update) if update else f


def scan_file(engine: Engine, path: Path, hash_files: bool = True) -> FileResult:
    """Hash and scan one file; I/O problems and hostile files become findings, not exceptions."""
    t0 = time.perf_counter()
    shown = escape_path(str(path))
    try:
        st = os.stat(path)  # follows a symlink; a loop is ELOOP, an OSError like any other
        if not stat.S_ISREG(st.st_mode):
            return failed_file(
                shown, path, Rule.UNSUPPORTED, Verdict.NOT_SCANNED, "not a regular file"
            )
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, RuntimeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return failed_file(shown, path, Rule.HANDLER_ERROR, Verdict.ERROR, f"cannot read: {why}")
    try:
        size = os.fstat(fd).st_size
        if size <= IN_MEMORY_MAX or not USE_FORK:
            findings, digest = _scan_here(engine, fd, size, shown, hash_files)
        else:
            findings, digest = _scan_in_child(engine, fd, shown, hash_files)
        if os.fstat(fd).st_size != size:
            findings.append(
                finding(
                    Rule.HANDLER_ERROR,
                    Verdict.ERROR,
                    Severity.MEDIUM,
                    shown,
                    f"file changed size during the scan ({size} -> {os.fstat(fd).st_size} "
                    "bytes); the result describes neither version",
                )
            )
    except OSError as exc:
        return failed_file(
            shown, path, Rule.HANDLER_ERROR, Verdict.ERROR, f"cannot read: {exc.strerror}"
        )
    finally:
        os.close(fd)
    findings = [_clean(f, digest) for f in findings]
    return FileResult(
        shown,
        size,
        digest,
        verdict_of(findings),
        tuple(findings),
        time.perf_counter() - t0,
        fs_path=path,
    )


def _scan_here(
    engine: Engine, fd: int, size: int, shown: str, hash_files: bool
) -> tuple[list[Finding], str | None]:
    if size <= IN_MEMORY_MAX:
        data = _read_all(fd, size)
        blob = blobs.Blob(data, 0, len(data))
        digest = hashlib.sha256(data).hexdigest() if hash_files else None
        return engine.scan_blob(blob, shown, digest), digest
    mm = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)  # no fork on this platform
    try:
        findings = engine.scan_blob(blobs.Blob(mm, 0, size), shown, None)
    finally:
        mm.close()
    return findings, _sha256_of_fd(fd) if hash_files else None


def _scan_in_child(
    engine: Engine, fd: int, shown: str, hash_files: bool
) -> tuple[list[Finding], str | None]:
    """Walk the mapped file in a child; hash in the parent meanwhile (no threads needed)."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: scan, send findings as JSON, exit without running parent cleanup
        code = 0
        try:
            os.close(rfd)
            faulthandler.disable()  # a SIGBUS here is reported by the parent, not dumped
            size = os.fstat(fd).st_size
            mm = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
            findings = engine.scan_blob(blobs.Blob(mm, 0, size), shown, None)
            payload = {
                "findings": [f.to_json() for f in (_clean(x, None) for x in findings)],
                "examined": engine.bytes_examined,
            }
            data = json.dumps(payload).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(wfd, view) :]
        except BaseException:  # noqa: BLE001  (the parent reports a child that sent nothing)
            code = 70
        finally:
            os._exit(code)
    os.close(wfd)
    digest = _sha256_of_fd(fd) if hash_files else None
    chunks = []
    with os.fdopen(rfd, "rb") as pipe:
        while chunk := pipe.read(_CHUNK):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not chunks:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        why = (
            f"killed by {signal.Signals(sig).name}"
            if sig is not None
            else f"exit {os.waitstatus_to_exitcode(status)}"
        )
        hint = " (the file was truncated or changed while it was read)" if sig else ""
        msg = f"scan of this file stopped: {why}{hint}; not examined"
        return [finding(Rule.HANDLER_ERROR, Verdict.ERROR, Severity.MEDIUM, shown, msg)], digest
    payload = json.loads(b"".join(chunks))
    engine.bytes_examined = int(payload["examined"])
    return [Finding.from_json(f) for f in payload["findings"]], digest
