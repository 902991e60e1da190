"""Hugging Face repository configs and chat templates (`config.json`, `tokenizer_config.json`,
`*.index.json`, `chat_template.jinja`...).

These files carry no weights, but three things in them matter: an `auto_map` (or
`custom_pipelines`) entry makes `transformers` import Python files shipped with the model once
the user passes `trust_remote_code=True`; the chat template is a Jinja2 program rendered on every
request (template injection, as in GGUF files); a sharded-weights index names files the loader
opens relative to the model folder. Claiming them also keeps an ordinary model folder from being
reported as partly not scanned.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.blob import Blob
from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.formats.jsontree import json_tree
from aisec.probes.artifacts.formats.onnx import classify_location
from aisec.probes.artifacts.interface import Limits, ScanAbort, ScanContext
from aisec.probes.record import Severity, Verdict

HF_KEYS = lazy_compile(
    rb'"(architectures|model_type|transformers_version|tokenizer_class|added_tokens_decoder'
    rb"|chat_template|auto_map|processor_class|model_max_length|weight_map|eos_token"
    rb'|added_tokens|pre_tokenizer|image_processor_type|feature_extractor_type)"\s*:'
)
JINJA = lazy_compile(rb"\{%-?\s*(for|if|set|macro)\b|\{\{-?\s*\w")
JSON_START = lazy_compile(rb'\{\s*["}]')
MAX_TEMPLATE = 1 << 20


def _references(auto_map: Any) -> list[str]:
    refs: list[str] = []
    values = auto_map.values() if isinstance(auto_map, dict) else [auto_map]
    for value in values:
        items = value if isinstance(value, list) else [value]
        refs.extend(str(v)[:200] for v in items if isinstance(v, str))
    return refs


class HfConfigHandler:
    name = "hf-config"

    def detect(self, head: bytes, size: int) -> bool:
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if JSON_START.match(text):
            return HF_KEYS.search(text) is not None and b'"class_name"' not in text
        return self._is_template(text)

    def detect_full(self, blob: Blob, limits: Limits) -> bool:
        tree = json_tree(blob, limits)
        if tree is None or "class_name" in tree:
            return False
        return any(HF_KEYS.fullmatch(json.dumps(k).encode() + b":") for k in tree)

    @staticmethod
    def _is_template(text: bytes) -> bool:
        if b"\0" in text or b"message" not in text or not JINJA.search(text):
            return False
        try:
            text[:-4].decode("utf-8")  # the head may end inside a multi-byte character
        except UnicodeDecodeError:
            return False
        return True

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        if size > min(ctx.limits.max_json_bytes, 64 << 20):
            raise ScanAbort(f"configuration file of {size} bytes exceeds the size limit")
        stream.seek(0)
        raw = stream.read(size)
        before = len(ctx.findings)
        text = raw.removeprefix(b"\xef\xbb\xbf").lstrip()
        if not JSON_START.match(text):
            self._template(ctx, raw.decode("utf-8", errors="replace"), "chat template file")
            kind = "chat template"
        else:
            try:
                tree = json.loads(raw.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                raise ScanAbort(f"configuration is not valid JSON: {str(exc)[:120]}") from None
            if not isinstance(tree, dict):
                raise ScanAbort("configuration is not a JSON object")
            self._config(ctx, tree)
            kind = "configuration"
        if not fx.has_problem(ctx, before):
            fx.passed(
                ctx,
                "hf.ok",
                f"Hugging Face {kind} needs no remote code and its chat template looks benign",
                threats=fx.WITH_BACKDOOR,
            )

    def _config(self, ctx: ScanContext, tree: dict[str, Any]) -> None:
        refs = _references(tree.get("auto_map")) + _references(tree.get("custom_pipelines"))
        if refs:
            other_repo = [r for r in refs if "--" in r]
            ctx.add(
                fx.make(
                    ctx,
                    "hf.remote-code",
                    Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    "loading needs trust_remote_code=True, which imports Python shipped with the "
                    f"model{' (and from other repositories)' if other_repo else ''}: "
                    f"{', '.join(refs[:5])}",
                    details=fx.examples(refs),
                )
            )
        weight_map = tree.get("weight_map")
        if isinstance(weight_map, dict):
            bad = [
                f"{k}: {v}"
                for k, v in weight_map.items()
                if not isinstance(v, str) or classify_location(v)
            ]
            if bad:
                ctx.add(
                    fx.make(
                        ctx,
                        "hf.index-traversal",
                        Verdict.MALICIOUS,
                        Severity.HIGH,
                        "sharded-weights index points outside the model folder; loaders join these "
                        "names to the folder path",
                        details=fx.examples(bad),
                    )
                )
        template = tree.get("chat_template")
        if isinstance(template, str):
            self._template(ctx, template, "chat_template")
        elif isinstance(template, list):
            for item in template[:64]:
                if isinstance(item, dict) and isinstance(item.get("template"), str):
                    self._template(ctx, item["template"], f"chat_template {item.get('name')!r}")
        elif template is not None:
            raise ScanAbort("chat_template is neither a string nor a list of named templates")

    @staticmethod
    def _template(ctx: ScanContext, source: str, where: str) -> None:
        if len(source) > MAX_TEMPLATE:
            ctx.add(
                fx.make(
                    ctx,
                    "hf.template-invalid",
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    f"{where} is longer than {MAX_TEMPLATE} characters; not analysed",
                )
            )
            return
        from aisec.probes.artifacts.formats.chat_template import analyse_template  # jinja2: lazy

        for issue in analyse_template(source, "hf"):
            fx.report(ctx, issue, where=where)
