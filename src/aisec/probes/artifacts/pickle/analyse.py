"""Scan a byte range that holds one or more pickles and turn the walk into findings.

Handles the stream layouts loaders actually read: several pickles back to back (legacy torch
files are five pickles followed by raw storage bytes), joblib's in-stream arrays (inside the
walker), and a broken stream whose first opcodes would already run before the loader fails.
"""

from __future__ import annotations

import gc
import mmap
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aisec.probes.artifacts.interface import ScanContext
from aisec.probes.artifacts.pickle.policy import Status
from aisec.probes.artifacts.pickle.state import FIRST_OPS
from aisec.probes.artifacts.pickle.walker import BudgetExceeded, Malformed, WalkState, walk_one
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.record import Finding, Severity, Verdict

# pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2): the first pickle of a legacy torch file.
TORCH_LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."
TORCH_LEGACY_PICKLES = 5  # magic, protocol version, sys_info, model, storage keys
MAX_IMPORT_FINDINGS = 50
RELEASE_STEP = 1 << 20

_ISSUES: dict[str, tuple[Rule, Severity]] = {
    "pickle.indirect-call": (Rule.PICKLE_INDIRECT, Severity.MEDIUM),
    "pickle.build-on-callable": (Rule.PICKLE_INDIRECT, Severity.HIGH),
    "pickle.extension-registry": (Rule.PICKLE_EXTENSION, Severity.MEDIUM),
    "pickle.container-misuse": (Rule.PICKLE_INDIRECT, Severity.HIGH),
}


def analyse(buf: Any, start: int, end: int, ctx: ScanContext, kind: str = "pickle") -> None:
    """Walk every pickle in buf[start:end] and report through ctx."""
    st = WalkState(max_ops=ctx.limits.max_pickle_ops, deadline=ctx.deadline)
    if isinstance(buf, mmap.mmap):
        st.release = _page_releaser(buf, start)
    legacy = bytes(buf[start : start + len(TORCH_LEGACY_MAGIC)]) == TORCH_LEGACY_MAGIC
    out: list[Finding] = []

    def add(rule: Rule, verdict: Verdict, sev: Severity, msg: str, **details: Any) -> None:
        out.append(
            finding(rule, verdict, sev, ctx.location, msg, sha256=ctx.sha256, details=details)
        )

    # The emulator allocates one small object per call site and none of them form cycles;
    # pausing the cyclic collector during the walk saves about a fifth of the time.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        stop_reason = _walk_all(buf, start, end, st, legacy, add)
    finally:
        if gc_was_enabled:
            gc.enable()
    _report(st, out, add, start, legacy, kind, stop_reason, ctx)


def _page_releaser(mm: mmap.mmap, start: int) -> Callable[[int], None]:
    """Drop the mapped pages the walk has passed from this process's resident set (they stay in
    the page cache and fault back in if read again), so that walking a big pickle costs memory
    for the emulator's state only, not for every byte of the file."""
    done = start - start % mmap.PAGESIZE

    def release(pos: int) -> None:
        nonlocal done
        upto = pos - pos % mmap.PAGESIZE
        if upto - done >= RELEASE_STEP:
            mm.madvise(mmap.MADV_DONTNEED, done, upto - done)
            done = upto

    return release


def _walk_all(buf: Any, start: int, end: int, st: WalkState, legacy: bool, add: Any) -> str:
    pos = start
    while True:
        try:
            pos = walk_one(buf, pos, end, st)
        except Malformed as exc:
            add(
                Rule.PICKLE_MALFORMED,
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"malformed pickle at byte {exc.offset - start}: {exc.reason}; a loader runs "
                "every opcode before this point",
                offset=exc.offset - start,
                pickle=st.pickles,
            )
            break
        except BudgetExceeded as exc:
            add(
                Rule.PICKLE_BUDGET,
                Verdict.ERROR,
                Severity.MEDIUM,
                f"pickle analysis stopped: {exc}",
                offset=pos - start,
            )
            break
        if pos >= end:
            break
        if legacy and st.pickles >= TORCH_LEGACY_PICKLES:
            st.skipped_bytes += end - pos
            return "legacy torch storages (raw tensor bytes) not parsed"
        if buf[pos] != 0x80 and buf[pos] not in FIRST_OPS:  # another pickle may follow
            add(
                Rule.PICKLE_TRAILING,
                Verdict.SUSPICIOUS,
                Severity.LOW,
                f"{end - pos} bytes after the last pickle are not a pickle; no standard loader "
                "reads them, but they can hide a payload from scanners",
                offset=pos - start,
            )
            break
    return ""


def _report(
    st: WalkState,
    out: list[Finding],
    add: Any,
    start: int,
    legacy: bool,
    kind: str,
    stop_reason: str,
    ctx: ScanContext,
) -> None:
    _report_imports(st, add)
    for issue in st.issues[:MAX_IMPORT_FINDINGS]:
        rule, sev = _ISSUES.get(issue.rule, (Rule.PICKLE_INDIRECT, Severity.MEDIUM))
        add(rule, Verdict.SUSPICIOUS, sev, issue.message, offset=issue.offset - start)
    summary = {
        "format": "torch-legacy" if legacy else kind,
        "pickles": st.pickles,
        "protocol": st.protocol,
        "opcode_bytes": st.ops - st.skipped_bytes,
        "payload_bytes_skipped": st.skipped_bytes,
        "persistent_ids": st.persistent_ids,
        "imports": sorted(q for q, (s, _) in st.imports.items() if s is Status.ALLOWED),
    }
    if stop_reason:
        summary["note"] = stop_reason
    if st.storages:
        summary["storages"] = st.storages
    if not out:
        add(
            Rule.PICKLE_CLEAN,
            Verdict.PASS,
            Severity.INFO,
            f"{st.pickles} pickle(s) examined; every callable is on the allow-list",
            **summary,
        )
        ctx.add(out[0])  # already carries the summary
        return
    for i, f in enumerate(out):
        # the first finding of the stream carries the walk summary
        ctx.add(replace(f, details={**f.details, **summary}) if i == 0 else f)


def _report_imports(st: WalkState, add: Any) -> None:
    bad = [(q, s, off) for q, (s, off) in st.imports.items() if s is not Status.ALLOWED]
    bad.sort(key=lambda t: (t[1] is not Status.DANGEROUS, t[2]))
    for q, s, off in bad[:MAX_IMPORT_FINDINGS]:
        if s is Status.DANGEROUS:
            add(
                Rule.PICKLE_DANGEROUS,
                Verdict.MALICIOUS,
                Severity.CRITICAL,
                f"imports {q}, a callable that can run code or touch the system",
                callable=q,
                offset=off,
            )
        else:
            add(
                Rule.PICKLE_UNKNOWN,
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"imports {q}, which is not on the allow-list",
                callable=q,
                offset=off,
            )
    if len(bad) > MAX_IMPORT_FINDINGS:
        add(
            Rule.PICKLE_UNKNOWN,
            Verdict.SUSPICIOUS,
            Severity.MEDIUM,
            f"{len(bad) - MAX_IMPORT_FINDINGS} more non-allow-listed imports not listed",
        )
