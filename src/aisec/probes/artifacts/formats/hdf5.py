"""Legacy Keras HDF5 (`.h5`) models: the `model_config` attribute and file references.

A legacy Keras file stores its architecture as JSON in the root attribute `model_config` (and
loss/metric references in `training_config`); Lambda layers in it carry marshalled bytecode
(CVE-2024-3660). Both go through the shared Keras config analyser. HDF5 can also point outside
the file (external links, external raw storage, virtual datasets), which is reported, and hold
pickles that PyTables and pandas unpickle on read (bytes attributes ending in '.', object
arrays), which go back to the engine for pickle analysis.

libhdf5 is native code that crashes on some malformed files, so the structure is read in a
child process (`hdf5_reader`) under memory and time limits; a crash there is a finding, not a
dead scan. The analysis of what the child extracted happens here.
"""

from __future__ import annotations

import contextlib
import io
import json
import mmap
import os
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

from aisec.probes.artifacts.blob import Blob
from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.formats.hdf5_reader import MISSING_H5PY
from aisec.probes.artifacts.formats.keras_config import analyse_config, parse_json
from aisec.probes.artifacts.interface import Limits, ScanAbort, ScanContext
from aisec.probes.record import Severity, Verdict

MAGIC = b"\x89HDF\r\n\x1a\n"
READER = Path(__file__).with_name("hdf5_reader.py")
CHILD_MEMORY = 4 << 30  # address-space cap for the reader process
CHILD_TIMEOUT = 120.0
COPY_CHUNK = 8 << 20
DONTNEED = getattr(mmap, "MADV_DONTNEED", None)  # Linux/BSD only


def _limit_child() -> None:  # runs in the child before exec (POSIX only)
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _copy_out(stream: BinaryIO, path: Path) -> None:
    """Copy the stream for the reader child. When it is a window of a memory-mapped file (the
    engine's blobs), the pages just copied are released again so resident memory stays flat."""
    blob = getattr(stream, "blob", None)
    buf, base = getattr(blob, "buf", None), getattr(blob, "start", 0)
    stream.seek(0)
    done = 0
    with path.open("wb") as out:
        while chunk := stream.read(COPY_CHUNK):
            out.write(chunk)
            if DONTNEED is not None and isinstance(buf, mmap.mmap) and isinstance(base, int):
                lo = (base + done) // mmap.PAGESIZE * mmap.PAGESIZE
                hi = (base + done + len(chunk)) // mmap.PAGESIZE * mmap.PAGESIZE
                if hi > lo:
                    with contextlib.suppress(OSError, ValueError):
                        buf.madvise(DONTNEED, lo, hi - lo)
            done += len(chunk)


def _h5py_available() -> bool:
    try:
        import importlib.util  # only when an HDF5 file is scanned (start-up)

        return sys.modules.get("h5py", True) is not None and bool(importlib.util.find_spec("h5py"))
    except (ImportError, ValueError):
        return False


class Hdf5Handler:
    name = "hdf5"

    def detect(self, head: bytes, size: int) -> bool:
        # the superblock sits at 0 or after a user block of 512, 1024, 2048... bytes
        return MAGIC in (head[:8], head[512:520], head[1024:1032], head[2048:2056])

    def detect_full(self, blob: Blob, limits: Limits) -> bool:
        """The superblock may follow a user block of any power-of-two size from 512 bytes,
        so every such offset in the file is a place libhdf5 looks."""
        off = 4096
        while off + 8 <= blob.size:
            if blob.read_at(off, 8) == MAGIC:
                return True
            off *= 2
        return False

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        import tempfile  # this and the reader's subprocess only for HDF5 files (start-up)

        if not _h5py_available():
            self._not_scanned(ctx)
            return
        with tempfile.TemporaryDirectory(prefix="aisec-h5-") as tmp:
            path = Path(tmp) / "model.h5"
            _copy_out(stream, path)
            result = self._run_reader(path, Path(tmp), ctx)
        if result is None:
            return
        before = len(ctx.findings)
        configs = result.get("configs", {})
        for attr, text in configs.items():
            if not isinstance(text, str):
                raise ScanAbort(f"HDF5 attribute {attr} is not a JSON string within limits")
            for issue in analyse_config(parse_json(text.encode("utf-8", "surrogatepass"))):
                fx.report(ctx, issue, where=f"attribute {attr}")
        self._pickles(ctx, result.get("pickles", []))
        refs = [str(r) for r in result.get("refs", [])]
        if refs:
            ctx.add(
                fx.make(
                    ctx,
                    "hdf5.external-reference",
                    Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    "HDF5 objects point to data outside this file",
                    details=fx.examples(refs),
                )
            )
        if result.get("too_many"):
            raise ScanAbort("HDF5 file has too many objects to examine")
        if not fx.has_problem(ctx, before):
            fx.passed(
                ctx,
                "hdf5.ok",
                "HDF5 model holds no code references or external links",
                {
                    "keras_configs": sorted(configs),
                    "embedded_pickles": len(result.get("pickles", [])),
                },
            )

    def _run_reader(self, path: Path, plugin_dir: Path, ctx: ScanContext) -> dict[str, Any] | None:
        import subprocess

        budget = CHILD_TIMEOUT
        if ctx.deadline is not None:
            budget = max(1.0, min(budget, ctx.deadline - time.monotonic()))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HDF5_PLUGIN_PATH": str(plugin_dir),  # an empty folder
            "HDF5_PLUGIN_PRELOAD": "::",  # libhdf5's switch that disables plugin loading
        }
        cmd = [sys.executable, "-I", str(READER), str(path), str(ctx.limits.max_json_bytes)]
        try:
            child = subprocess.run(  # noqa: S603 - our own reader script, fixed arguments
                cmd,
                capture_output=True,
                timeout=budget,
                env=env,
                check=False,
                preexec_fn=_limit_child if os.name == "posix" else None,  # noqa: PLW1509
            )
        except subprocess.TimeoutExpired:
            raise ScanAbort(f"HDF5 reader exceeded its {budget:.0f}s time budget") from None
        except OSError as exc:
            raise ScanAbort(f"HDF5 reader could not start: {exc}") from None
        if child.returncode == MISSING_H5PY:
            self._not_scanned(ctx)
            return None
        if child.returncode > 0:
            tail = child.stderr[-300:].decode("utf-8", "replace")
            raise ScanAbort(f"HDF5 reader failed (exit {child.returncode}): {tail}")
        if child.returncode < 0:
            ctx.add(
                fx.make(
                    ctx,
                    "hdf5.parser-crash",
                    Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    f"libhdf5 crashed reading this file (signal {-child.returncode}): a "
                    "malformed or deliberately hostile HDF5 structure",
                    details={"stderr": child.stderr[-300:].decode("utf-8", "replace")},
                )
            )
            return None
        try:
            result = json.loads(child.stdout)
        except ValueError:
            raise ScanAbort("HDF5 reader returned unreadable output") from None
        if not isinstance(result, dict) or not result.get("ok"):
            error = result.get("error") if isinstance(result, dict) else None
            raise ScanAbort(f"HDF5 structure could not be read: {error}")
        return result

    @staticmethod
    def _pickles(ctx: ScanContext, pickles: list[Any]) -> None:
        import base64

        """PyTables unpickles these on read (pandas.read_hdf too): the engine's pickle analysis
        judges each one; without an engine they are reported as not analysed."""
        found = [(str(w), base64.b64decode(str(b))) for w, b in pickles if isinstance(w, str)]
        if found and ctx.scan_child is None:
            ctx.add(
                fx.make(
                    ctx,
                    "hdf5.embedded-pickle",
                    Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    "HDF5 holds pickled Python objects that PyTables/pandas unpickle on "
                    "read; they were not analysed here",
                    details=fx.examples([w for w, _ in found]),
                )
            )
            return
        for where, data in found:
            if ctx.scan_child is not None:
                ctx.scan_child(where, io.BytesIO(data), len(data))

    @staticmethod
    def _not_scanned(ctx: ScanContext) -> None:
        ctx.add(
            fx.make(
                ctx,
                "hdf5.not-scanned",
                Verdict.NOT_SCANNED,
                Severity.MEDIUM,
                "HDF5 file not examined: install the 'scan' extra "
                "(pip install 'aisec[scan]') to get h5py",
            )
        )
