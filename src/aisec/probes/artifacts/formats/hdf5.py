"""Legacy Keras HDF5 (`.h5`) models: the `model_config` attribute and file references.

A legacy Keras file stores its architecture as JSON in the root attribute `model_config` (and
loss/metric references in `training_config`); Lambda layers in it carry marshalled bytecode
(CVE-2024-3660). Both go through the shared Keras config analyser. HDF5 can also point outside
the file (external links, external raw storage, virtual datasets), which is reported. h5py is
used read-only to read attributes and link types; no dataset data is read and nothing runs.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.formats.keras_config import analyse_config, parse_json
from aisec.probes.artifacts.interface import ScanAbort, ScanContext
from aisec.probes.finding import Severity, Verdict

MAGIC = b"\x89HDF\r\n\x1a\n"
CONFIG_ATTRS = ("model_config", "training_config")
MAX_OBJECTS = 200_000


def _text(value: Any) -> bytes | None:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    item = getattr(value, "tobytes", None)  # numpy bytes_/0-d arrays
    return item() if callable(item) and getattr(value, "ndim", 1) == 0 else None


class Hdf5Handler:
    name = "hdf5"

    def detect(self, head: bytes, size: int) -> bool:
        # the superblock sits at 0 or after a user block of 512, 1024, 2048... bytes
        return any(head[off : off + 8] == MAGIC for off in (0, 512, 1024, 2048))

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        try:
            import h5py
        except ImportError:
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
            return
        stream.seek(0)
        before = len(ctx.findings)
        try:
            with h5py.File(stream, "r") as h5:
                configs = self._configs(h5, ctx)
                refs = self._references(h5, h5py, ctx)
        except ScanAbort:
            raise
        except Exception as exc:  # h5py/libhdf5 raise many types on malformed input
            raise ScanAbort(f"HDF5 structure could not be read: {str(exc)[:160]}") from None
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
        if not fx.has_problem(ctx, before):
            fx.passed(
                ctx,
                "hdf5.ok",
                "HDF5 model holds no code references or external links",
                {"keras_configs": configs},
            )

    def _configs(self, h5: Any, ctx: ScanContext) -> list[str]:
        found = []
        for attr in CONFIG_ATTRS:
            if attr not in h5.attrs:
                continue
            if h5.attrs.get_id(attr).get_storage_size() > ctx.limits.max_json_bytes:
                raise ScanAbort(f"HDF5 attribute {attr} is larger than the JSON size limit")
            raw = _text(h5.attrs[attr])
            if raw is None or len(raw) > ctx.limits.max_json_bytes:
                raise ScanAbort(f"HDF5 attribute {attr} is not a JSON string within limits")
            found.append(attr)
            for issue in analyse_config(parse_json(raw)):
                fx.report(ctx, issue, where=f"attribute {attr}")
        return found

    def _references(self, h5: Any, h5py: Any, ctx: ScanContext) -> list[str]:
        refs: list[str] = []
        stack = [("", h5)]
        seen = 0
        while stack:
            path, group = stack.pop()
            for name in group:
                seen += 1
                if seen > MAX_OBJECTS:
                    raise ScanAbort("HDF5 file has too many objects to examine")
                if seen % 4096 == 0:
                    fx.check_deadline(ctx)
                full = f"{path}/{name}"
                link = group.get(name, getlink=True)
                if isinstance(link, h5py.ExternalLink):
                    refs.append(f"{full} -> {link.filename}:{link.path}")
                    continue
                if isinstance(link, h5py.SoftLink):
                    continue
                obj = group.get(name)
                if isinstance(obj, h5py.Group):
                    stack.append((full, obj))
                elif isinstance(obj, h5py.Dataset):
                    if obj.external:
                        refs.append(f"{full} -> external storage {obj.external[0][0]!r}")
                    elif obj.is_virtual:
                        refs.append(f"{full} -> virtual dataset")
        return refs
