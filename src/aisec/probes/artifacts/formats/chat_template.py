"""Static inspection of Jinja2 chat templates for server-side template injection.

GGUF files (and Hugging Face tokenizer configs) ship a Jinja2 chat template that inference
servers render for every request; a template that reaches Python internals (`__class__`,
`__globals__`, gadget globals such as `cycler` or `lipsum`) runs code on the server, as in the
llama-cpp-python template-injection CVE (CVE-2024-34359). The template is parsed with Jinja2's
own parser - parsing never renders or executes - and the syntax tree is walked for attribute and
item access to private names, calls of dangerous callables, and string building that hides such
names; a regex pass over the template's code blocks catches what the parser cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.formats.findings import WITH_BACKDOOR, Issue
from aisec.probes.artifacts.formats.template_fold import Folder
from aisec.probes.record import Severity, Verdict

SENSITIVE_ATTRS = frozenset(
    "mro func_globals func_code f_globals f_locals f_builtins f_back gi_frame gi_code "
    "cr_frame cr_code ag_frame tb_frame tb_next im_func co_code".split()
)
DANGEROUS_CALLS = frozenset(
    "eval exec compile __import__ getattr setattr delattr open globals locals vars dir "
    "input breakpoint exit quit help".split()
)
DANGEROUS_METHODS = frozenset(
    "popen system spawnl spawnv spawnve spawnvp execl execv execve execvp check_output "
    "check_call getoutput getstatusoutput Popen import_module load_module remove unlink "
    "rmtree listdir walk fork kill".split()
)
GADGET_NAMES = frozenset(
    "lipsum cycler joiner request config self url_for get_flashed_messages "
    "os sys builtins __builtins__ subprocess importlib".split()
)
ATTR_FILTERS = frozenset("attr map selectattr rejectattr sort groupby sum unique min max".split())
CODE_BLOCK = lazy_compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
REGEX_HINTS = (
    (re.compile(r"__[A-Za-z]\w*__"), "dunder name"),
    (re.compile(r"\\x5[fF]|\\u005[fF]|\\137|\\N\{LOW LINE\}"), "escaped underscore"),
    (re.compile(r"%c|\bchr\s*\("), "character-code string building"),
    (re.compile(r"\b(popen|subprocess|os\.system|eval|exec|builtins|globals)\b"), "dangerous name"),
)
MAX_ISSUES = 20
DUNDER = lazy_compile(r"__\w+__")
FORMAT_ATTRIBUTE = lazy_compile(r"\{[^{}]*[.\[][^{}]*\}")  # {0.attr} / {0[key]} fields


class _GenerationTag(Extension):
    """Accept `{% generation %}...{% endgeneration %}` (a Hugging Face template marker)."""

    tags = {"generation"}

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.Scope(body, lineno=lineno)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(  # noqa: S701 - parse only, never rendered
        extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do", _GenerationTag]
    )


class _Walker:
    def __init__(self, source: str, rule_prefix: str) -> None:
        self.lines = source.splitlines()
        self.prefix = rule_prefix
        self.folder = Folder()
        self.issues: list[Issue] = []
        self.seen: set[tuple[str, int]] = set()
        self.malicious = False

    def fold(self, node: nodes.Node) -> str | None:
        return self.folder.fold(node)

    # checks -------------------------------------------------------------------------
    def snippet(self, node: nodes.Node) -> str:
        lineno = getattr(node, "lineno", 1) or 1
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        return line.strip()[:200]

    def add(self, node: nodes.Node, malicious: bool, reason: str) -> None:
        key = (reason, getattr(node, "lineno", 0))
        if len(self.issues) >= MAX_ISSUES or key in self.seen:
            return
        self.seen.add(key)
        self.malicious |= malicious
        rule = "template-injection" if malicious else "template-suspicious"
        self.issues.append(
            Issue(
                rule_id=f"{self.prefix}.{rule}",
                verdict=Verdict.MALICIOUS if malicious else Verdict.SUSPICIOUS,
                severity=Severity.CRITICAL if malicious else Severity.MEDIUM,
                message=f"chat template {reason}: {self.snippet(node)!r}",
                details={
                    "reason": reason,
                    "line": getattr(node, "lineno", None),
                    "snippet": self.snippet(node),
                },
                threats=WITH_BACKDOOR,
            )
        )

    def visit(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            value = self.fold(node.node)
            if value is not None:
                self.folder.env[node.target.name] = value
            else:  # reassigned to something not constant: forget the old value
                self.folder.env.pop(node.target.name, None)
        if isinstance(node, nodes.Getattr):
            self._attr_name(node, node.attr, dynamic=False)
        elif isinstance(node, nodes.Getitem):
            self._item(node)
        elif isinstance(node, nodes.Filter):
            self._filter(node)
        elif isinstance(node, nodes.Call):
            self._call(node)
        elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name in GADGET_NAMES:
            self.add(node, False, f"references the gadget global {node.name!r}")
        elif isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            target = self.fold(node.template)
            escapes = target is not None and (target.startswith(("/", "\\")) or ".." in target)
            self.add(node, escapes, f"loads another template ({target or 'computed name'!s})")
        elif isinstance(node, nodes.Const) and isinstance(node.value, str):
            if re.search(r"__\w+__", node.value):
                self.add(node, False, f"contains the dunder string {node.value[:40]!r}")
        if isinstance(node, nodes.Filter | nodes.Concat | nodes.Add | nodes.Call):
            built = self.fold(node)
            if built is not None and DUNDER.fullmatch(built):
                # a name assembled at render time is a reachable attribute whatever uses it
                self.add(node, True, f"assembles the attribute name {built!r} at render time")

    def _attr_name(self, node: nodes.Node, name: str | None, *, dynamic: bool) -> None:
        if name is None:
            if dynamic:
                self.add(node, False, "accesses an attribute or item built at render time")
            return
        if name.startswith("_"):
            self.add(node, True, f"accesses the private attribute {name!r}")
        elif name in SENSITIVE_ATTRS:
            self.add(node, True, f"accesses the interpreter attribute {name!r}")

    def _item(self, node: nodes.Getitem) -> None:
        if isinstance(node.arg, nodes.Slice):
            return
        name = self.fold(node.arg)
        built = isinstance(node.arg, nodes.Concat | nodes.Filter | nodes.Call) or any(
            isinstance(c.value, str) for c in node.arg.find_all(nodes.Const)
        )
        if isinstance(node.arg, nodes.Const) and not isinstance(node.arg.value, str):
            return
        if name is None and isinstance(node.arg, nodes.Name | nodes.Getattr | nodes.Getitem):
            return  # message[key] with a loop variable: ordinary data access
        self._attr_name(node, name, dynamic=built)

    def _filter(self, node: nodes.Filter) -> None:
        if node.name in ATTR_FILTERS:
            values = [*node.args, *(kw.value for kw in node.kwargs)]
            for arg in values:
                name = self.fold(arg)
                if name is None and node.name == "attr":
                    self.add(node, False, "uses |attr with a name computed at render time")
                elif name is not None:
                    self._attr_name(node, name, dynamic=False)
        if node.name == "format" and isinstance(node.node, nodes.Const):
            if "%c" in str(node.node.value):
                self.add(node, False, "builds characters from codes with |format")

    def _call(self, node: nodes.Call) -> None:
        target = node.node
        if isinstance(target, nodes.Name) and target.name in DANGEROUS_CALLS:
            self.add(node, True, f"calls {target.name}()")
        elif isinstance(target, nodes.Getattr) and target.attr in DANGEROUS_METHODS:
            self.add(node, True, f"calls the method .{target.attr}()")
        elif isinstance(target, nodes.Getattr) and target.attr in ("format", "format_map"):
            template = self.fold(target.node)
            if template is not None and FORMAT_ATTRIBUTE.search(template):
                self.add(node, True, "uses str.format fields that reach attributes or items")
            elif template is None:
                self.add(node, False, "calls str.format on a string built at render time")


def _walk(root: nodes.Node) -> Iterator[nodes.Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(node.iter_child_nodes())))


def analyse_template(source: str, rule_prefix: str = "gguf") -> list[Issue]:
    """Issues found in a chat template; an empty list means it looked benign."""
    walker = _Walker(source, rule_prefix)
    try:
        tree = _environment().parse(source)
    except (jinja2.TemplateSyntaxError, RecursionError, ValueError) as exc:
        walker.issues.append(
            Issue(
                rule_id=f"{rule_prefix}.template-unparsable",
                verdict=Verdict.SUSPICIOUS,
                severity=Severity.MEDIUM,
                message=f"chat template does not parse as Jinja2 ({str(exc)[:160]}); a server "
                "with a different parser may still render it",
                threats=WITH_BACKDOOR,
            )
        )
        tree = None
    if tree is not None:
        try:
            for node in _walk(tree):
                walker.visit(node)
        except RecursionError:
            walker.add(tree, False, "nests expressions too deeply to analyse")
    if not walker.malicious:
        _regex_pass(source, walker)
    return walker.issues


def _regex_pass(source: str, walker: _Walker) -> None:
    if any(i.verdict is Verdict.SUSPICIOUS and "reason" in i.details for i in walker.issues):
        return  # the parser already explained what is odd
    code = " ".join(m.group(0) for m in CODE_BLOCK.finditer(source))
    for pattern, label in REGEX_HINTS:
        hit = pattern.search(code)
        if hit:
            snippet = code[max(0, hit.start() - 40) : hit.end() + 40]
            walker.issues.append(
                Issue(
                    rule_id=f"{walker.prefix}.template-suspicious",
                    verdict=Verdict.SUSPICIOUS,
                    severity=Severity.MEDIUM,
                    message=f"chat template code contains a {label}: {snippet!r}",
                    details={"reason": label, "snippet": snippet},
                    threats=WITH_BACKDOOR,
                )
            )
