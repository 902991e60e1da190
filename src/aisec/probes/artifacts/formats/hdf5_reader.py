"""Child-process reader for HDF5 files: prints the Keras config attributes and external
references of one file as JSON.

libhdf5 is native code and crashes (SIGSEGV) on some malformed files, so the scanner never
opens HDF5 in its own process: `hdf5.Hdf5Handler` runs this file with `python -I`, under
resource limits, and treats a crash as a finding. It imports nothing from aisec; it reads
attributes and link types only, never dataset data, and runs with HDF5 filter plugins disabled.
"""

from __future__ import annotations

import json
import sys
from typing import Any

CONFIG_ATTRS = ("model_config", "training_config")
MAX_OBJECTS = 200_000
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


def _references(h5: Any, h5py: Any) -> tuple[list[str], bool]:
    refs: list[str] = []
    stack = [("", h5)]
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
            if isinstance(obj, h5py.Group):
                stack.append((full, obj))
            elif isinstance(obj, h5py.Dataset):
                if obj.external:
                    refs.append(f"{full} -> external storage {obj.external[0][0]!r}")
                elif obj.is_virtual:
                    refs.append(f"{full} -> virtual dataset")
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
            refs, truncated = _references(h5, h5py)
    except Exception as exc:  # h5py raises many types on malformed input
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}))
        return 0
    result = {"ok": True, "configs": configs, "refs": refs[:1000], "too_many": truncated}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
