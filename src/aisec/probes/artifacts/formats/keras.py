"""Keras v3 archive members: `config.json` (model structure) and `metadata.json`.

The engine opens `.keras` zips and routes each member by content; this handler claims the JSON
members whose structure is Keras's own and sends the config tree to `keras_config`, whose
findings say which references would import or run code when the model is loaded.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.blob import Blob
from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.formats.jsontree import json_tree
from aisec.probes.artifacts.formats.keras_config import (
    analyse_config,
    looks_like_model_config,
    parse_json,
)
from aisec.probes.artifacts.interface import Limits, ScanAbort, ScanContext

CONFIG_KEYS = lazy_compile(rb'"(class_name|module|registered_name)"\s*:')
META_KEYS = lazy_compile(rb'"keras_version"\s*:')


class KerasConfigHandler:
    name = "keras-config"

    def detect(self, head: bytes, size: int) -> bool:
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if not text.startswith(b"{"):
            return False
        keys = {m.group(1) for m in CONFIG_KEYS.finditer(text)}
        is_config = b"class_name" in keys and re.search(rb'"config"\s*:', text) is not None
        return is_config or META_KEYS.search(text[:512]) is not None

    def detect_full(self, blob: Blob, limits: Limits) -> bool:
        tree = json_tree(blob, limits)
        return tree is not None and (looks_like_model_config(tree) or "keras_version" in tree)

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        if size > ctx.limits.max_json_bytes:
            raise ScanAbort(f"Keras JSON of {size} bytes exceeds the JSON size limit")
        stream.seek(0)
        tree = parse_json(stream.read(size))
        if not isinstance(tree, dict):
            raise ScanAbort("Keras JSON is not an object")
        if not looks_like_model_config(tree):
            if "keras_version" not in tree:
                raise ScanAbort("JSON is neither a Keras config nor Keras metadata")
            fx.passed(
                ctx,
                "keras.metadata",
                "Keras archive metadata holds no references",
                {"keras_version": str(tree.get("keras_version"))[:40]},
            )
            return
        issues = analyse_config(tree)
        for issue in issues:
            fx.report(ctx, issue)
        if not issues:
            fx.passed(
                ctx,
                "keras.ok",
                "Keras config references only allow-listed Keras code",
                {"class_name": str(tree.get("class_name"))[:80]},
            )
