"""ONNX models (protobuf `ModelProto`): external-data paths, custom operator domains, producer.

ONNX carries no Python, but a tensor can point to "external data" by file path, and loaders that
join that path to the model folder read (or, when saving, write) wherever it points: absolute
paths and `..` components are the path traversal of CVE-2022-25882 and its bypass
CVE-2024-27318. Operators from non-standard domains need a custom-op library, i.e. native code
loaded next to the model. The protobuf is walked with `protowire`; initialiser bytes are
skipped, never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import BinaryIO

from aisec.probes.artifacts.blob import Blob, as_stream
from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.formats import protowire as pw
from aisec.probes.artifacts.formats.binreader import WindowReader
from aisec.probes.artifacts.interface import Limits, ScanAbort, ScanContext
from aisec.probes.record import Severity, Verdict

STANDARD_DOMAINS = frozenset(
    {"", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training"}
)
RUNTIME_DOMAINS = frozenset(
    {"com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental", "com.ms.internal.nhwc"}
)
MODEL_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}
MAX_GRAPH_DEPTH = 32
MAX_NAMES = 1000  # distinct domains / locations remembered


@dataclass
class _Facts:
    """What the walk of a model collects for the findings."""

    producer: str = ""
    producer_version: str = ""
    ir_version: int = 0
    opset_domains: set[str] = field(default_factory=set)
    node_domains: dict[str, list[str]] = field(default_factory=dict)  # domain -> op types
    local_functions: set[tuple[str, str]] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)  # external-data files inside the folder
    escapes: list[tuple[str, str, str]] = field(default_factory=list)  # (tensor, location, why)
    nodes: int = 0
    tensors: int = 0


def classify_location(location: str) -> str | None:
    """Why an external-data location leaves the model folder, or None if it stays inside."""
    loc = location.replace("\\", "/")
    if not loc or "\0" in loc:
        return "empty or NUL-containing path"
    if loc.startswith("/") or re.match(r"^[A-Za-z]:", loc):
        return "absolute path"
    if re.match(r"^[a-z][a-z0-9+.-]*://", loc, re.I):
        return "URL"
    if ".." in loc.split("/"):
        return "parent-directory (..) traversal"
    if loc.startswith("~"):
        return "home-directory path"
    return None


class _Walker:
    def __init__(self, r: WindowReader, ctx: ScanContext) -> None:
        self.r, self.ctx, self.facts = r, ctx, _Facts()

    def model(self) -> None:
        f = self.facts
        for fld in pw.iter_fields(self.r, 0, self.r.size):
            if fld.number == 1 and fld.wire == pw.VARINT:
                f.ir_version = fld.value
            elif fld.number == 2 and fld.wire == pw.LEN:
                f.producer = pw.text(self.r, fld, 200)
            elif fld.number == 3 and fld.wire == pw.LEN:
                f.producer_version = pw.text(self.r, fld, 200)
            elif fld.number == 7:
                self.graph(fld, 0)
            elif fld.number == 8:
                self.add_opset(self.opset_domain(fld))
            elif fld.number == 20:  # TrainingInfoProto: initialization=1, algorithm=2
                for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
                    if sub.number in (1, 2):
                        self.graph(sub, 1)
            elif fld.number == 25:
                self.function(fld)

    def add_opset(self, domain: str) -> None:
        if len(self.facts.opset_domains) < MAX_NAMES:
            self.facts.opset_domains.add(domain)

    def opset_domain(self, fld: pw.Field) -> str:
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 1 and sub.wire == pw.LEN:
                return pw.text(self.r, sub, 512)
        return ""

    def function(self, fld: pw.Field) -> None:
        name = domain = ""
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 1 and sub.wire == pw.LEN:
                name = pw.text(self.r, sub, 512)
            elif sub.number == 10 and sub.wire == pw.LEN:
                domain = pw.text(self.r, sub, 512)
            elif sub.number == 7:
                self.node(sub, 1)
            elif sub.number == 9:
                self.add_opset(self.opset_domain(sub))
        self.facts.local_functions.add((domain, name))

    def graph(self, fld: pw.Field, depth: int) -> None:
        if depth > MAX_GRAPH_DEPTH:
            raise ScanAbort("onnx: subgraphs nested too deeply")
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 1:
                self.node(sub, depth)
            elif sub.number == 5:
                self.tensor(sub)
            elif sub.number == 15:  # SparseTensorProto: values=1, indices=2
                for part in pw.iter_fields(self.r, *pw.submessage(sub)):
                    if part.number in (1, 2):
                        self.tensor(part)

    def node(self, fld: pw.Field, depth: int) -> None:
        self.facts.nodes += 1
        if self.facts.nodes % 8192 == 0:
            fx.check_deadline(self.ctx)
        op = domain = ""
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 4 and sub.wire == pw.LEN:
                op = pw.text(self.r, sub, 256)
            elif sub.number == 7 and sub.wire == pw.LEN:
                domain = pw.text(self.r, sub, 512)
            elif sub.number == 5:
                self.attribute(sub, depth)
        domains = self.facts.node_domains
        if domain in domains or len(domains) < MAX_NAMES:
            ops = domains.setdefault(domain, [])
            if op not in ops and len(ops) < 50:
                ops.append(op)

    def attribute(self, fld: pw.Field, depth: int) -> None:
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number in (5, 10):  # t, tensors
                self.tensor(sub)
            elif sub.number in (6, 11):  # g, graphs
                self.graph(sub, depth + 1)
            elif sub.number in (22, 23):  # sparse_tensor(s)
                for part in pw.iter_fields(self.r, *pw.submessage(sub)):
                    if part.number in (1, 2):
                        self.tensor(part)

    def tensor(self, fld: pw.Field) -> None:
        name = ""
        location: str | None = None
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 8 and sub.wire == pw.LEN:
                name = pw.text(self.r, sub, 256)
            elif sub.number == 13:
                key, value = pw.string_map_entry(self.r, sub)
                if key == "location":
                    location = value
        f = self.facts
        f.tensors += 1
        if f.tensors % 8192 == 0:
            fx.check_deadline(self.ctx)
        if location is None:
            return
        why = classify_location(location)
        if why and len(f.escapes) < MAX_NAMES:
            f.escapes.append((name, location[:300], why))
        elif not why and len(f.locations) < MAX_NAMES:
            f.locations.add(location[:300])


GRAPH_FIELDS = frozenset({1, 2, 5, 10, 11, 12, 13, 14, 15, 16})  # all length-delimited
NODE_TEXT_FIELDS = frozenset({1, 2, 3, 4, 7})  # input, output, name, op_type, domain


def _plain_text(body: bytes) -> bool:
    """Producer and domain names: any UTF-8 text without control characters (a producer may
    well be named in a non-Latin script)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 3:  # not merely a character cut by the end of the head
            return False
        text = body[: exc.start].decode("utf-8")
    return bool(text) and text.isprintable()


def _graph_like(body: bytes) -> bool:
    """The start of a GraphProto: known length-delimited fields; a first node whose
    identifying fields are printable text."""
    fields = pw.leading_fields(body, 4)
    if not fields or any(f.number not in GRAPH_FIELDS or f.wire != pw.LEN for f in fields):
        return False
    if fields[0].number != 1:
        return True
    node = body[fields[0].start : fields[0].end]
    parts = pw.leading_fields(node, 4)
    return bool(parts) and all(
        p.wire == pw.LEN
        and 1 <= p.number <= 9
        and (p.number not in NODE_TEXT_FIELDS or pw.is_identifier_text(node[p.start : p.end]))
        for p in parts
    )


def _first_tag_rejects(head: bytes) -> bool:
    """True when the stream's first tag is not a ModelProto field with its wire type: both
    detectors would reject it at that field, so they stop here (most scanned files are other
    formats, and walking 16 fields of each cost ~50 us a file)."""
    key = shift = 0
    for byte in head[:5]:
        key |= (byte & 0x7F) << shift
        if byte < 0x80:
            return MODEL_FIELDS.get(key >> 3) != (key & 7)
        shift += 7
    return False


class OnnxHandler:
    name = "onnx"

    def detect(self, head: bytes, size: int) -> bool:
        """ModelProto fields in any order (protobuf parsers accept that), each of the right
        wire type, text fields printable, a plausible ir_version and a graph or opset."""
        if _first_tag_rejects(head):
            return False
        fields = pw.leading_fields(head, 16)
        numbers: set[int] = set()
        for fld in fields:
            body = head[fld.start : min(fld.end, len(head))]
            if MODEL_FIELDS.get(fld.number) != fld.wire or fld.end > size:
                return False
            if fld.number == 1 and not 1 <= fld.value <= 30:
                return False
            if fld.number in (2, 3, 4) and not _plain_text(body):
                return False
            if fld.number == 7 and not _graph_like(body):
                return False
            numbers.add(fld.number)
        if not numbers:
            return False
        if fields[0].number == 7:  # graph first: its structure already vouched for it
            return True
        truncated = fields[-1].end > len(head)
        return 1 in numbers and len(fields) >= 2 and (bool(numbers & {7, 8}) or truncated)

    def detect_full(self, blob: Blob, limits: Limits) -> bool:
        """Walk every top-level field of the whole stream (a long doc string or initializer
        first pushes ir_version out of any fixed head): a ModelProto has only its own field
        numbers with their wire types, a plausible ir_version and a graph."""
        if blob.size < 8 or _first_tag_rejects(blob.head(8)):
            return False
        r = WindowReader(as_stream(blob), blob.size)
        seen: set[int] = set()
        try:
            for n, fld in enumerate(pw.iter_fields(r, 0, blob.size)):
                if MODEL_FIELDS.get(fld.number) != fld.wire or n > 10_000:
                    return False
                if fld.number == 1 and not 1 <= fld.value <= 30:
                    return False
                text = r.read_at(fld.start, min(fld.value, 256))
                if fld.number in (2, 3, 4) and not _plain_text(text):
                    return False
                seen.add(fld.number)
        except ScanAbort:
            return False
        return 1 in seen and 7 in seen

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        walker = _Walker(WindowReader(stream, size), ctx)
        walker.model()
        f = walker.facts
        before = len(ctx.findings)
        self._locations(f, ctx)
        self._domains(f, ctx)
        if not fx.has_problem(ctx, before):
            details = {
                "producer": f"{f.producer} {f.producer_version}".strip(),
                "ir_version": f.ir_version,
                "nodes": f.nodes,
                "domains": sorted(f.opset_domains | set(f.node_domains)),
                "external_data": sorted(f.locations)[:50],
            }
            fx.passed(
                ctx,
                "onnx.ok",
                "ONNX model stays in its folder and uses known operator domains",
                details,
            )

    @staticmethod
    def _locations(f: _Facts, ctx: ScanContext) -> None:
        bad = f.escapes
        if bad:
            worst = any(why != "home-directory path" for _, _, why in bad)
            ctx.add(
                fx.make(
                    ctx,
                    "onnx.external-data-traversal",
                    Verdict.MALICIOUS if worst else Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    f"tensor external data points outside the model folder ({bad[0][2]}: "
                    f"{bad[0][1][:120]!r}); loaders read or write there (CVE-2022-25882, "
                    "CVE-2024-27318)",
                    details={
                        **fx.examples([f"{t}: {loc} ({why})" for t, loc, why in bad]),
                        "producer": f.producer,
                    },
                )
            )

    @staticmethod
    def _domains(f: _Facts, ctx: ScanContext) -> None:
        local = {d for d, _ in f.local_functions}
        custom = sorted(
            d
            for d in f.opset_domains | set(f.node_domains)
            if d not in STANDARD_DOMAINS and d not in RUNTIME_DOMAINS and d not in local
        )
        if custom:
            ops = {d: f.node_domains.get(d, [])[:10] for d in custom}
            ctx.add(
                fx.make(
                    ctx,
                    "onnx.custom-domain",
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    f"operators from non-standard domains {', '.join(custom)[:200]} need a custom "
                    f"operator library (native code) to run; producer {f.producer!r}",
                    details={"domains": ops, "producer": f.producer},
                )
            )
