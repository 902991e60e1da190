"""Child-process reader for HDF5 files: prints the Keras config attributes, external
references and embedded pickles of one file as JSON.

libhdf5 is native code and crashes (SIGSEGV) on some malformed files, so the scanner never
opens HDF5 in its own process: `hdf5.Hdf5Handler` runs this file with `python -I`, under
resource limits, and treats a crash as a finding. It imports nothing from aisec; it reads
attributes, link types and the rows of PyTables object arrays only (never other dataset data),
and runs with HDF5 filter plugins disabled.
"""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

CONFIG_ATTRS = ("model_config", "training_config")
MAX_OBJECTS = 200_000
MAX_PICKLES = 100
MAX_PICKLE_BYTES = 16 << 20
PROTOCOL0_STARTS = frozenset(bytes([c]) for c in b"(cISVFLN]}dlpg")
MISSING_H5PY = 3


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value
    item = getattr(value, "tobytes", None)  # numpy bytes_ / 0-d arrays
    if callable(item) and getattr(value, "ndim", 1) == 0:
        return bytes(item()).decode("utf-8", errors="replace")
    return None


def _configs(h5: Any, limit: int) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for attr in CONFIG_ATTRS:
        if attr not in h5.attrs:
            continue
        if h5.attrs.get_id(attr).get_storage_size() > limit:
            out[attr] = None
            continue
        text = _text(h5.attrs[attr])
        out[attr] = text if text is not None and len(text) <= limit else None
    return out


def _looks_pickled(data: bytes) -> bool:
    """Ends in STOP like every pickle, and starts like protocol 2+ (PROTO) or like protocol 0
    (an opcode followed by newline-terminated arguments); plain sentences ending in '.' do not."""
    if not data.endswith(b"."):
        return False
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return True
    return b"\n" in data and data[:1] in PROTOCOL0_STARTS


class _Pickles:
    """Byte strings PyTables would unpickle: bytes attributes ending in '.' (its test for a
    pickled attribute) and the rows of object VLArrays (PSEUDOATOM 'object')."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []  # (where, base64)
        self.budget = MAX_PICKLE_BYTES

    def add(self, where: str, data: bytes) -> None:
        if len(self.found) < MAX_PICKLES and len(data) <= self.budget:
            self.budget -= len(data)
            self.found.append((where, base64.b64encode(data).decode("ascii")))

    def attributes(self, where: str, obj: Any) -> None:
        for key in list(obj.attrs)[:256]:
            try:
                aid = obj.attrs.get_id(key)
                if aid.get_storage_size() > MAX_PICKLE_BYTES or aid.dtype.kind not in "SOV":
                    continue
                value = obj.attrs[key]
            except Exception:  # noqa: S112 - an unreadable attribute is not a pickle we can see
                continue
            if getattr(value, "ndim", 0) == 0 and hasattr(value, "tobytes"):
                value = value.tobytes()
            if isinstance(value, bytes) and _looks_pickled(value.rstrip(b"\0")):
                self.add(f"{where or '/'}@{key}", value.rstrip(b"\0"))

    def object_rows(self, where: str, dset: Any) -> None:
        pseudo = dset.attrs.get("PSEUDOATOM")
        if pseudo not in (b"object", "object") or dset.ndim != 1:
            return
        for index in range(min(len(dset), MAX_PICKLES)):
            row = dset[index]
            data = row.tobytes() if hasattr(row, "tobytes") else bytes(row)
            self.add(f"{where}[{index}]", data)


def _walk(h5: Any, h5py: Any, pickles: _Pickles) -> tuple[list[str], bool]:
    refs: list[str] = []
    stack = [("", h5)]
    pickles.attributes("", h5)
    seen = 0
    while stack:
        path, group = stack.pop()
        for name in group:
            seen += 1
            if seen > MAX_OBJECTS:
                return refs, True
            full = f"{path}/{name}"
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                refs.append(f"{full} -> {link.filename}:{link.path}")
                continue
            if isinstance(link, h5py.SoftLink):
                continue
            obj = group.get(name)
            if obj is None:
                continue
            pickles.attributes(full, obj)
            if isinstance(obj, h5py.Group):
                stack.append((full, obj))
            elif isinstance(obj, h5py.Dataset):
                if obj.external:
                    refs.append(f"{full} -> external storage {obj.external[0][0]!r}")
                elif obj.is_virtual:
                    refs.append(f"{full} -> virtual dataset")
                else:
                    pickles.object_rows(full, obj)
    return refs, False


def main(argv: list[str]) -> int:
    path, limit = argv[0], int(argv[1])
    try:
        import h5py
    except ImportError:
        return MISSING_H5PY
    while h5py.h5pl.size():  # no filter plugin search paths (HDF5_PLUGIN_PRELOAD also off)
        h5py.h5pl.remove(0)
    try:
        with h5py.File(path, "r") as h5:
            configs = _configs(h5, limit)
            pickles = _Pickles()
            refs, truncated = _walk(h5, h5py, pickles)
    except Exception as exc:  # h5py raises many types on malformed input
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}))
        return 0
    result = {
        "ok": True,
        "configs": configs,
        "refs": refs[:1000],
        "too_many": truncated,
        "pickles": pickles.found,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
