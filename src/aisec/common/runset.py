"""Report sets that a reader can tell apart: one run, one manifest; no stale temporaries.

A run writes several files (JSON, HTML, Markdown, CSV...). Each is replaced atomically, but a
`kill -9` between two of them leaves a folder mixing two runs, and the temporary of the file
being written stays behind. So a run (1) removes temporaries left by writers that are gone,
(2) removes the previous manifest before touching any report, (3) writes the reports, and
(4) writes `<stem>.run.json` last: the run id, time and SHA-256 of every file of the set. A set
without a manifest, or whose files do not match it, is not one complete run (`verify_run_set`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aisec.common.errors import InputError
from aisec.common.fileio import atomic_write_text

MANIFEST_SUFFIX = ".run.json"
RUN_FORMAT = "aisec-run/1"
# `.name.<pid>.<random>.tmp` from aisec.common.fileio; older temporaries had no pid.
_TMP = re.compile(r"^\..+?\.(?:(\d+)\.)?[^.]+\.tmp$")
ORPHAN_AGE_S = 3600.0  # a temporary without a live writer this old is certainly abandoned


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: Path, *, now: float | None = None) -> list[Path]:
    """Delete `.*.tmp` files our atomic writer left when its process died; return them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    clock = time.time() if now is None else now
    for entry in folder.iterdir():
        match = _TMP.match(entry.name)
        if match is None or not entry.is_file() or entry.is_symlink():
            continue
        pid = int(match.group(1)) if match.group(1) else None
        age = clock - entry.stat().st_mtime
        if (pid is not None and pid != os.getpid() and not _alive(pid)) or age > ORPHAN_AGE_S:
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def manifest_path(folder: Path, stem: str) -> Path:
    return folder / f"{stem}{MANIFEST_SUFFIX}"


def begin_run_set(folder: Path, stem: str) -> str:
    """Prepare `folder` for a new set named `stem`; return the new run id."""
    remove_stale_temporaries(folder)
    manifest_path(folder, stem).unlink(missing_ok=True)
    return uuid.uuid4().hex


def finish_run_set(folder: Path, stem: str, run_id: str, files: Sequence[Path]) -> Path:
    """Write the manifest naming every file of this run with its SHA-256 (written last)."""
    entries = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    doc = {
        "format": RUN_FORMAT,
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": entries,
    }
    target = manifest_path(folder, stem)
    atomic_write_text(target, json.dumps(doc, indent=2) + "\n")
    return target


def verify_run_set(manifest: Path) -> dict[str, Any]:
    """Check that every file a manifest lists is present and unchanged; raise InputError if not."""
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read run manifest: {exc}", source=str(manifest)) from None
    if not isinstance(doc, dict) or doc.get("format") != RUN_FORMAT:
        raise InputError(f"not an {RUN_FORMAT} manifest", source=str(manifest))
    for name, digest in dict(doc.get("files", {})).items():
        path = manifest.parent / name
        if not path.is_file():
            raise InputError(f"file of run {doc['run_id']} is missing", source=str(path))
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise InputError(
                f"file is not the one run {doc['run_id']} wrote (SHA-256 differs)",
                source=str(path),
                hint="the folder mixes runs: assess again",
            )
    return doc
