"""TorchScript code members (`<archive>/code/__torch__/....py` in a `torch.jit.save` archive).

TorchScript is a restricted subset of Python that `torch.jit.load` compiles and runs; it cannot
import arbitrary modules or call Python builtins, but an archive's code can still name custom
operator libraries (`torch.ops.<namespace>`, `torch.classes`: native code registered by whoever
loads it) or file I/O ops. The source is parsed with Python's own parser (parsing executes
nothing) and every import, name and attribute chain is checked against what TorchScript code
that `torch.jit.script`/`trace` emits uses; anything else is flagged.
"""

from __future__ import annotations

import ast
from typing import BinaryIO

from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.interface import ScanAbort, ScanContext
from aisec.probes.record import Severity, Verdict

ALLOWED_IMPORT_ROOTS = frozenset({"__torch__", "torch", "typing", "math", "builtins"})
STANDARD_OP_NAMESPACES = frozenset(
    {"aten", "prim", "quantized", "_quantized", "quantized_decomposed", "profiler", "_caffe2"}
)
# (`input` is an ordinary parameter name in TorchScript, and `getattr(self, "0")` with a
# constant name is how it reaches submodules: both are judged by _check, not by name)
DANGEROUS_NAMES = frozenset(
    "open eval exec compile __import__ setattr delattr globals locals vars "
    "breakpoint os sys subprocess".split()
)
DANGEROUS_CALLS = frozenset(
    {
        "torch.load",
        "torch.save",
        "torch.from_file",
        "torch.ops.load_library",
        "torch.classes.load_library",
        "torch.hub.load",
    }
)
SAFE_DUNDERS = frozenset(
    "__parameters__ __buffers__ __annotations__ __constants__ __torch__ __init__ __getstate__ "
    "__setstate__ __len__ __getitem__ __contains__ __iter__ __module__ __name__".split()
)
_STARTS = (b"op_version_set", b"class ", b"def ", b"import __torch__", b"from __torch__")
MAX_FINDINGS = 20


def _chain(node: ast.AST) -> str | None:
    """'torch.ops.aten.add' for an attribute chain rooted at a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class TorchScriptHandler:
    name = "torchscript"

    def detect(self, head: bytes, size: int) -> bool:
        text = head.lstrip()
        return (
            text.startswith(_STARTS)
            and b"\0" not in head
            and (b"__torch__" in head or b"Tensor" in head or b"torch." in head)
        )

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        if size > ctx.limits.max_json_bytes:
            raise ScanAbort(f"TorchScript source of {size} bytes exceeds the size limit")
        stream.seek(0)
        try:
            tree = ast.parse(stream.read(size).decode("utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ScanAbort(f"TorchScript code does not parse: {str(exc)[:120]}") from None
        problems: list[tuple[bool, str, int]] = []
        for node in ast.walk(tree):
            problem = _check(node)
            if problem is not None and len(problems) < MAX_FINDINGS:
                problems.append((*problem, getattr(node, "lineno", 0)))
        for malicious, message, line in problems:
            ctx.add(
                fx.make(
                    ctx,
                    "torchscript.code",
                    Verdict.MALICIOUS if malicious else Verdict.SUSPICIOUS,
                    Severity.CRITICAL if malicious else Severity.MEDIUM,
                    f"TorchScript code {message} (line {line})",
                    details={"line": line},
                )
            )
        if not problems:
            defs = sum(isinstance(n, ast.FunctionDef | ast.ClassDef) for n in ast.walk(tree))
            fx.passed(
                ctx,
                "torchscript.ok",
                f"TorchScript code ({defs} classes/functions) uses only torch operators",
            )


def _check(node: ast.AST) -> tuple[bool, str] | None:  # noqa: C901 - one branch per construct
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = [a.name for a in node.names]
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            root = name.split(".", 1)[0]
            if root not in ALLOWED_IMPORT_ROOTS:
                return root in DANGEROUS_NAMES or root in ("socket", "shutil"), (
                    f"imports {name!r}, which TorchScript output never imports"
                )
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        arg = node.args[1] if len(node.args) == 2 else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return True, "calls getattr with a computed attribute name"
        if arg.value.startswith("__"):
            return True, f"reaches the interpreter attribute {arg.value!r} through getattr"
        return None
    if isinstance(node, ast.Name) and node.id in DANGEROUS_NAMES:
        return True, f"names the Python builtin or module {node.id!r}"
    if isinstance(node, ast.Attribute):
        if node.attr.startswith("__") and node.attr.endswith("__"):
            if node.attr not in SAFE_DUNDERS:
                return True, f"reaches the interpreter attribute {node.attr!r}"
        chain = _chain(node)
        if chain is None:
            return None
        if chain in DANGEROUS_CALLS:
            return True, f"calls {chain}, which reads, writes or loads files or native code"
        parts = chain.split(".")
        ns = None
        if len(parts) == 3 and parts[0] == "torch" and parts[1] in ("ops", "classes"):
            ns = parts[2]
        elif len(parts) == 2 and parts[0] == "ops":
            ns = parts[1]
        if ns is not None and ns not in STANDARD_OP_NAMESPACES:
            return False, (
                f"uses the custom operator namespace {ns!r} ({chain}): native code the "
                "loading process must register"
            )
    return None
