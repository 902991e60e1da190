"""Analysis of Keras model configurations (v3 `config.json`, legacy HDF5 `model_config`).

Keras rebuilds a model by importing the `module` each config object names and looking up its
`class_name`, and it can rebuild Python lambdas from marshalled bytecode; both run attacker code
on load (CVE-2024-3660 for Lambda bytecode, CVE-2025-1550 for module references that bypass
`safe_mode`, CVE-2026-1462 for a `TFSMLayer` that loads an external SavedModel). This module
walks the JSON tree and reports such references; bytecode is never unmarshalled, only its
embedded names are read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.formats.findings import Issue
from aisec.probes.artifacts.interface import ScanAbort
from aisec.probes.record import Severity, Verdict

ALLOWED_ROOTS = frozenset({"keras", "keras_hub", "keras_nlp", "keras_cv", "tf_keras", "tensorflow"})
DANGEROUS_ROOTS = frozenset(
    "os posix nt subprocess sys builtins __builtin__ shutil socket runpy importlib pickle "
    "_pickle marshal ctypes code codeop pty webbrowser requests urllib urllib3 http httpx "
    "ftplib smtplib telnetlib multiprocessing asyncio pdb bdb pip setuptools pkgutil io _io "
    "glob pathlib platform inspect types functools operator _operator timeit cProfile profile "
    "trace commands popen2 tempfile zipimport dill cloudpickle joblib numpy.f2py".split()
)
DANGEROUS_FUNCTIONS = frozenset(
    "get_file load_model load_weights enable_unsafe_deserialization py_function "
    "numpy_function py_func read_file write_file load_op_library load_library exec eval "
    "compile system popen __import__ import_module getattr open".split()
)
DANGEROUS_TOKENS = frozenset(
    "os system popen subprocess Popen check_output run call eval exec __import__ "
    "import_module compile open socket builtins __builtins__ getattr shutil rmtree remove "
    "unlink requests urllib urlopen pty spawn environ".split()
)
IDENT = lazy_compile(rb"[A-Za-z_][A-Za-z0-9_]{1,63}")
PRINTABLE = lazy_compile(rb"[\x20-\x7e]+")
MAX_RECORD = 4096  # longest marshal string record read for names
SHORT_STR = frozenset(b"zZ")
LONG_STR = frozenset(b"aAut")
MAX_NODES = 2_000_000
MAX_CODE = 1 << 20


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ScanAbort(f"Keras config is not valid UTF-8 JSON: {str(exc)[:120]}") from None


def _root(module: str) -> str:
    return "numpy.f2py" if module.startswith("numpy.f2py") else module.split(".", 1)[0]


def _keras_public(module: str, name: str) -> bool:
    """Whether Keras itself exports `module.name` (internal `keras.src` module paths, which
    Keras writes for some objects, are judged by the object's name)."""
    from aisec.probes.artifacts.formats.keras_allowlist_generated import (
        KERAS_NAMES,
        KERAS_PUBLIC,
    )

    if name in ("Lambda", "TFSMLayer", "__lambda__"):
        return True  # judged by their own checks (bytecode, external SavedModel)
    if module.startswith("keras.src."):
        return name in KERAS_NAMES
    return f"{module}.{name}" in KERAS_PUBLIC


def _module_issue(module: Any, name: Any, path: str) -> Issue | None:
    if not isinstance(module, str) or not module:
        return None
    name = name if isinstance(name, str) else "?"
    ref = f"{module}.{name}"
    root = _root(module)
    if root in ALLOWED_ROOTS and not re.search(r"[^A-Za-z0-9_.]", module):
        if name in DANGEROUS_FUNCTIONS:
            return Issue(
                "keras.dangerous-function",
                Verdict.MALICIOUS,
                Severity.CRITICAL,
                f"config calls {ref}, a function that fetches, loads or runs code or "
                "files on load (safe_mode bypass class of CVE-2025-1550)",
                {"path": path, "reference": ref},
            )
        if root == "keras" and not _keras_public(module, name):
            return Issue(
                "keras.unlisted-object",
                Verdict.SUSPICIOUS,
                Severity.MEDIUM,
                f"config names {ref!r}, which is not a public Keras object (allow-list "
                "generated from Keras's own API by tools/gen_keras_allowlist.py)",
                {"path": path, "reference": ref},
            )
        return None
    dangerous = root in DANGEROUS_ROOTS or name in DANGEROUS_FUNCTIONS
    return Issue(
        "keras.untrusted-module",
        Verdict.MALICIOUS if dangerous else Verdict.SUSPICIOUS,
        Severity.CRITICAL if dangerous else Severity.MEDIUM,
        f"config makes Keras import {ref!r} outside the keras/tensorflow allow-list"
        + (" (arbitrary code on load, CVE-2025-1550)" if dangerous else " (custom code needed)"),
        {"path": path, "reference": ref, "cve": "CVE-2025-1550"},
    )


def _bytecode_names(raw: bytes) -> set[str]:
    """Identifiers inside marshalled bytecode, read from its string records without
    unmarshalling: short strings ('z'/'Z', 1-byte length) and strings ('a'/'A'/'u'/'t',
    4-byte length), with or without the reference flag (0x80)."""
    found: set[str] = set()
    i, n = 0, len(raw)
    while i < n - 1:
        kind = raw[i] & 0x7F
        if kind in SHORT_STR:
            length, start = raw[i + 1], i + 2
        elif kind in LONG_STR and i + 5 <= n:
            length, start = int.from_bytes(raw[i + 1 : i + 5], "little"), i + 5
        else:
            i += 1
            continue
        end = start + length
        if 0 < length <= MAX_RECORD and end <= n and PRINTABLE.fullmatch(raw, start, end):
            found.update(m.decode() for m in IDENT.findall(raw, start, end))
            i = end
        else:
            i += 1
    if not found:  # not marshal data: read identifiers from the text itself
        found = {m.decode() for m in IDENT.findall(raw)}
    return found


def _lambda_issue(code: Any, path: str) -> Issue:
    raw = b""
    if isinstance(code, str) and len(code) <= MAX_CODE * 2:
        try:
            raw = base64.b64decode(code.encode("ascii", "ignore"), validate=False)
        except (binascii.Error, ValueError):
            raw = code.encode("utf-8", "replace")
    names = sorted(_bytecode_names(raw[:MAX_CODE]))
    bad = sorted(set(names) & DANGEROUS_TOKENS)
    details = {
        "path": path,
        "cve": "CVE-2024-3660",
        "bytecode_bytes": len(raw),
        "bytecode_sha256": hashlib.sha256(raw).hexdigest(),
        "names": names[:40],
        "dangerous_names": bad,
    }
    if bad:
        return Issue(
            "keras.lambda-layer",
            Verdict.MALICIOUS,
            Severity.CRITICAL,
            f"Lambda layer carries Python bytecode that uses {', '.join(bad)} "
            "(runs on load when safe_mode=False, CVE-2024-3660)",
            details,
        )
    return Issue(
        "keras.lambda-layer",
        Verdict.SUSPICIOUS,
        Severity.HIGH,
        "Lambda layer carries serialised Python bytecode; loading it needs "
        "safe_mode=False and runs arbitrary code (CVE-2024-3660)",
        details,
    )


def _tfsm_issue(config: Any, path: str) -> Issue:
    target = config.get("filepath") if isinstance(config, dict) else None
    target = target if isinstance(target, str) else "?"
    remote = bool(re.match(r"^[a-z][a-z0-9+.-]*://", target)) or ".." in target.replace("\\", "/")
    return Issue(
        "keras.tfsm-layer",
        Verdict.MALICIOUS if remote else Verdict.SUSPICIOUS,
        Severity.CRITICAL if remote else Severity.HIGH,
        f"TFSMLayer loads an external SavedModel from {target!r}, outside the archive and "
        "outside safe_mode's control (CVE-2026-1462)",
        {"path": path, "filepath": target, "cve": "CVE-2026-1462"},
    )


def _visit(node: dict[str, Any], path: str, out: list[Issue]) -> None:
    class_name = node.get("class_name")
    config = node.get("config")
    if class_name == "__lambda__" and isinstance(config, dict):
        code = config.get("code")
        if code is None and isinstance(config.get("value"), list) and config["value"]:
            code = config["value"][0]
        out.append(_lambda_issue(code, path))
    elif class_name == "Lambda" and isinstance(config, dict):
        fn = config.get("function")
        if isinstance(fn, list) and fn:
            out.append(_lambda_issue(fn[0], path))
        elif isinstance(fn, str) and config.get("function_type") == "lambda":
            out.append(_lambda_issue(fn, path))
        elif isinstance(fn, str):
            issue = _module_issue(config.get("module"), fn, path + ".config.function")
            if issue:
                out.append(issue)
    elif class_name == "TFSMLayer":
        out.append(_tfsm_issue(config, path))
    if "class_name" not in node:
        return  # e.g. a legacy Lambda config's own 'module' key, judged above
    name = config if class_name == "function" else class_name
    issue = _module_issue(node.get("module"), name, path)
    if issue:
        out.append(issue)
    registered = node.get("registered_name")
    if not node.get("module") and isinstance(registered, str) and ">" in registered:
        package = registered.split(">", 1)[0]
        if _root(package) not in ALLOWED_ROOTS:
            out.append(
                Issue(
                    "keras.custom-object",
                    Verdict.SUSPICIOUS,
                    Severity.LOW,
                    f"config needs the custom object {registered[:120]!r}, i.e. code "
                    "registered by whoever loads the model",
                    {"path": path},
                )
            )


PATH_KEYS = frozenset(
    "vocabulary vocabulary_file vocab_file vocabulary_path filepath file_path path "
    "weights_path merges_file spm_model_file proto".split()
)
_PATHLIKE = lazy_compile(
    r"^(?:[a-z][a-z0-9+.-]*://|[/~.\\]|[A-Za-z]:[\\/])|[/\\]|\.(?:txt|json|pb|h5|keras|model|vocab|csv|tsv)$"
)
MAX_NESTED_JSON = 1 << 20
MAX_NESTING = 8


def _path_argument(node: dict[str, Any], path: str) -> Issue | None:
    """A layer argument that names a file the layer opens when the model is rebuilt
    (a lookup vocabulary, an external SavedModel, a tokenizer model)."""
    config = node.get("config")
    if not isinstance(config, dict) or node.get("class_name") == "TFSMLayer":
        return None
    for key in PATH_KEYS & config.keys():
        value = config[key]
        if isinstance(value, str) and _PATHLIKE.search(value):
            remote = "://" in value or ".." in value.replace("\\", "/")
            return Issue(
                "keras.file-argument",
                Verdict.MALICIOUS if remote else Verdict.SUSPICIOUS,
                Severity.HIGH if remote else Severity.MEDIUM,
                f"layer {node.get('class_name')!r} reads {value[:120]!r} ({key}) when the model "
                "is loaded: a file outside the archive",
                {"path": f"{path}.config.{key}", "file": value[:400]},
            )
    return None


def _embedded_config(value: str) -> Any:
    """A string value that is itself a serialised Keras config (a model inside a model)."""
    text = value.lstrip()
    if len(value) > MAX_NESTED_JSON or not text.startswith(("{", "[")) or "class_name" not in text:
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


def analyse_config(tree: Any, _nesting: int = 0) -> list[Issue]:
    """Issues in a parsed Keras config; an empty list means only allow-listed references.
    String values that hold a serialised config are parsed and judged the same way."""
    out: list[Issue] = []
    stack: list[tuple[Any, str]] = [(tree, "$")]
    seen = 0
    while stack:
        node, path = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise ScanAbort("Keras config has too many nodes to examine")
        if isinstance(node, dict):
            _visit(node, path, out)
            issue = _path_argument(node, path)
            if issue:
                out.append(issue)
            stack.extend((v, f"{path}.{k}") for k, v in node.items() if isinstance(v, dict | list))
            for k, v in node.items():
                inner = _embedded_config(v) if isinstance(v, str) else None
                if inner is not None:
                    if _nesting >= MAX_NESTING:
                        raise ScanAbort("serialised configs nested too deeply")
                    for issue in analyse_config(inner, _nesting + 1):
                        details = {**issue.details, "path": f"{path}.{k}(json)"}
                        out.append(
                            Issue(
                                issue.rule_id, issue.verdict, issue.severity, issue.message, details
                            )
                        )
        elif isinstance(node, list):
            stack.extend(
                (v, f"{path}[{i}]") for i, v in enumerate(node) if isinstance(v, dict | list)
            )
    return out


def looks_like_model_config(tree: Any) -> bool:
    return isinstance(tree, dict) and "class_name" in tree and "config" in tree
