"""A pre-validated copy of the bundled catalogue, so a command does not re-validate it each start.

Parsing the bundled YAML (with line tracking) and validating it with pydantic costs about a
sixth of `aisec threats`. The bundled files only change with aisec itself, so after one full
validation their validated models are written to the user's cache folder as tagged JSON and later
rebuilt with `model_construct` (no validation). The file name carries the SHA-256 of everything
the validated result depends on: the bundled YAML texts, `catalog/schema.py`, the aisec and
pydantic versions and this format's version. A modified catalogue therefore gets a new key and is
fully validated; user overlays never come from here (the loader validates them every time).

JSON, never pickle: decoding can only rebuild the catalogue's own model and enum classes. The
cache sits with the user's other caches; delete it at any time, or set `AISEC_CACHE_DIR` to an
empty value to turn it off (`AISEC_CACHE_DIR=/path` moves it).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aisec.catalog import schema

FORMAT = "aisec-catalog-cache/1"
_PREFIX = "catalog-"

# Only the catalogue's own classes can come out of a cache file.
_MODELS: dict[str, type[BaseModel]] = {
    name: obj
    for name, obj in vars(schema).items()
    if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == schema.__name__
}
_ENUMS: dict[str, type[Enum]] = {
    name: obj
    for name, obj in vars(schema).items()
    if isinstance(obj, type) and issubclass(obj, Enum) and obj.__module__ == schema.__name__
}


def cache_dir() -> Path | None:
    """`AISEC_CACHE_DIR` (empty: no cache), else the platform's per-user cache folder."""
    configured = os.environ.get("AISEC_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    try:
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
            return Path(base) / "aisec" / "cache"
        xdg = os.environ.get("XDG_CACHE_HOME")
        return (Path(xdg) if xdg else Path.home() / ".cache") / "aisec"
    except RuntimeError:  # no home folder (some service accounts): no cache
        return None


def digest(texts: Mapping[str, str]) -> str | None:
    """Key of the validated result of these bundled texts (None: schema source not readable)."""
    from pydantic import VERSION

    from aisec import __version__

    try:
        schema_source = resources.files("aisec.catalog").joinpath("schema.py").read_bytes()
    except (OSError, FileNotFoundError):
        return None
    h = hashlib.sha256()
    for part in (FORMAT, __version__, VERSION):
        h.update(part.encode() + b"\0")
    h.update(schema_source + b"\0")
    for name in sorted(texts):
        h.update(name.encode() + b"\0" + texts[name].encode("utf-8") + b"\0")
    return h.hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, BaseModel):
        cls = type(value)
        if _MODELS.get(cls.__name__) is not cls:
            raise TypeError(f"not a catalogue model: {cls.__qualname__}")
        fields = {name: _encode(getattr(value, name)) for name in cls.model_fields}
        return {"$m": cls.__name__, "$s": sorted(value.model_fields_set), "f": fields}
    if isinstance(value, Enum):
        kind = type(value)
        if _ENUMS.get(kind.__name__) is not kind:
            raise TypeError(f"not a catalogue enum: {kind.__qualname__}")
        return {"$e": kind.__name__, "v": value.value}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [_encode(v) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) and not isinstance(k, Enum) for k in value):
            raise TypeError("only plain string keys are cached")
        return {"$d": {k: _encode(v) for k, v in value.items()}}
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise TypeError(f"cannot cache a {type(value).__qualname__}")


def _decode_object(obj: dict[str, Any]) -> Any:
    """json object_hook: inner objects arrive already decoded."""
    if "$m" in obj:
        cls = _MODELS[obj["$m"]]
        return cls.model_construct(_fields_set=set(obj["$s"]), **obj["f"])
    if "$e" in obj:
        return _ENUMS[obj["$e"]](obj["v"])
    if "$t" in obj:
        return tuple(obj["$t"])
    if "$d" in obj:
        return obj["$d"]
    return obj  # the "f" mapping of a model, or the cache envelope


def dumps(key: str, models: Mapping[str, BaseModel]) -> str:
    """The cache file text for validated file models (TypeError: something not cacheable)."""
    body = {name: _encode(model) for name, model in models.items()}
    return json.dumps({"format": FORMAT, "key": key, "files": body}, ensure_ascii=False)


def loads(key: str, text: str) -> dict[str, BaseModel]:
    """Validated file models back from `dumps` text; ValueError when it is not for `key`."""
    envelope = json.loads(text, object_hook=_decode_object)
    if envelope.get("format") != FORMAT or envelope.get("key") != key:
        raise ValueError("cache file is for another catalogue")
    files = envelope["files"]
    if not all(isinstance(m, BaseModel) for m in files.values()):
        raise ValueError("cache file holds no models")
    return dict(files)


def read(key: str) -> dict[str, BaseModel] | None:
    """The cached models for `key`, or None (no cache, unreadable or damaged: validate again)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        text = (folder / f"{_PREFIX}{key}.json").read_text(encoding="utf-8")
        return loads(key, text)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(key: str, models: Mapping[str, BaseModel]) -> None:
    """Best effort: a read-only or full disk only means the next start validates again."""
    folder = cache_dir()
    if folder is None:
        return
    from aisec.common.fileio import atomic_write_text

    try:
        text = dumps(key, models)
    except TypeError:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / f"{_PREFIX}{key}.json"
        atomic_write_text(target, text)
        for old in folder.glob(f"{_PREFIX}*.json"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        return
