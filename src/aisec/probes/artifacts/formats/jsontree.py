"""A JSON document parsed once per blob for the detectors that decide by structure.

Detecting a config by regular expressions over the first bytes misses the same config written
with padding, unicode-escaped keys or its keys after a long value; parsing is what the loader
does, so the detectors ask the parsed tree instead. The tree is cached on the blob so several
detectors (Keras, Hugging Face, skops) pay for one parse.
"""

from __future__ import annotations

import json
from typing import Any

from aisec.probes.artifacts.blob import Blob
from aisec.probes.artifacts.interface import Limits

_MISSING = object()
_BLANK = b" \t\r\n"


def json_tree(blob: Blob, limits: Limits) -> Any:
    """The parsed JSON object of the blob, or None when it is not a JSON object (or too big)."""
    cached = blob.cache.get("json", _MISSING)
    if cached is not _MISSING:
        return cached
    tree: Any = None
    head = blob.head(4096).removeprefix(b"\xef\xbb\xbf").lstrip(_BLANK)
    if (head.startswith(b"{") or (not head and blob.size > 4096)) and (
        blob.size <= limits.max_json_bytes
    ):
        try:
            tree = json.loads(blob.read_at(0, blob.size).decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            tree = None
        if not isinstance(tree, dict):
            tree = None
    blob.cache["json"] = tree
    return tree
