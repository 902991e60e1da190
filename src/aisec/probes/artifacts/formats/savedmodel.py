"""TensorFlow SavedModel protobufs (`saved_model.pb`, `keras_metadata.pb`, `fingerprint.pb`) and
frozen GraphDef files.

The graph a SavedModel serves can contain ops that run embedded Python (`PyFunc`), read or write
files (`ReadFile`, `WriteFile`, summary writers, `PrintV2` to a file), save checkpoints to
arbitrary paths, or need native kernels TensorFlow does not ship. Ops are judged against an
allow-list generated from TensorFlow's op registry (`tf_ops`): compute ops pass, everything else
is graded, and an op name that is neither registered nor a function of the graph's own library
is flagged as unknown; Keras layers saved inside it keep their config (with Lambda bytecode) as JSON
metadata, in the object graph and in `keras_metadata.pb`. The protobuf is walked with
`protowire`: MetaGraphDef -> GraphDef -> NodeDef and the function library, the Keras metadata,
and asset file names. Constant tensors are skipped, never read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.formats import findings as fx
from aisec.probes.artifacts.formats import protowire as pw
from aisec.probes.artifacts.formats import tf_detect as tfd
from aisec.probes.artifacts.formats.binreader import WindowReader
from aisec.probes.artifacts.formats.keras_config import analyse_config, parse_json
from aisec.probes.artifacts.formats.onnx import classify_location
from aisec.probes.artifacts.formats.tf_ops import COMPUTE_OPS, DANGEROUS_OPS, TF_VERSION, OpRisk
from aisec.probes.artifacts.interface import ScanAbort, ScanContext
from aisec.probes.record import Severity, Verdict

SAVER_SCOPE = lazy_compile(r"^(save|saver|save_\d+)(/|$)|_traced_(save|restore)|^saver_filename")
MAX_METADATA = 8 << 20
MAX_CONSTS = 10_000
OBJECT_KINDS = frozenset(range(4, 15))  # SavedObject's oneof kind: user_object=4 ... asset=5
ASSET = 5
TABLE_FROM_FILE = frozenset({"InitializeTableFromTextFile", "InitializeTableFromTextFileV2"})
ATTR_OPS = frozenset({"PrintV2", "ImmutableConst", "Const"})


@dataclass
class _Facts:
    """What the walk of a graph collects for the findings."""

    nodes: int = 0
    ops: dict[str, list[str]] = field(default_factory=dict)  # risky op -> node names
    unknown_ops: dict[str, str] = field(default_factory=dict)  # op -> first node using it
    functions: set[str] = field(default_factory=set)  # the library's function names
    func_args: dict[str, list[str]] = field(default_factory=dict)  # function -> argument names
    asset_tensors: set[str] = field(default_factory=set)  # TF1: tensors fed with asset paths
    object_kinds: list[int] = field(default_factory=list)  # SavedObject kind field per node id
    bound_inputs: dict[str, list[int]] = field(default_factory=dict)  # captures: object ids
    print_to_file: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    keras_metadata: int = 0
    info: list[str] = field(default_factory=list)  # meta-graph tags and TensorFlow version
    consts: dict[tuple[str, str], str] = field(default_factory=dict)  # string Consts like paths
    inputs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # risky node inputs


class _Walker:
    def __init__(self, r: WindowReader, ctx: ScanContext) -> None:
        self.r, self.ctx, self.facts = r, ctx, _Facts()

    def saved_model(self) -> None:
        for fld in pw.iter_fields(self.r, 0, self.r.size):
            if fld.number == 2:
                self.meta_graph(fld)

    def meta_graph(self, fld: pw.Field) -> None:
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 1:  # MetaInfoDef: tags = 4, tensorflow_version = 5
                for part in pw.iter_fields(self.r, *pw.submessage(sub)):
                    if part.number in (4, 5) and part.wire == pw.LEN and len(self.facts.info) < 16:
                        self.facts.info.append(pw.text(self.r, part, 64))
            elif sub.number == 2:
                self.graph(*pw.submessage(sub))
            elif sub.number == 6:  # AssetFileDef: tensor_info = 1 (name = 1), filename = 2
                for part in pw.iter_fields(self.r, *pw.submessage(sub)):
                    if part.number == 2 and part.wire == pw.LEN and len(self.facts.assets) < 10_000:
                        self.facts.assets.append(pw.text(self.r, part, 1024))
                    elif part.number == 1 and part.wire == pw.LEN:
                        for info in pw.iter_fields(self.r, *pw.submessage(part)):
                            if info.number == 1 and info.wire == pw.LEN:
                                tensor = pw.text(self.r, info, 512).split(":")[0]
                                self.facts.asset_tensors.add(tensor)
            elif sub.number == 7:
                self.object_graph(sub)

    def graph(self, start: int, end: int) -> None:
        for fld in pw.iter_fields(self.r, start, end):
            if fld.number == 1:
                self.node(fld, "")
            elif fld.number == 2:  # FunctionDefLibrary: function = 1
                for fn in pw.iter_fields(self.r, *pw.submessage(fld)):
                    if fn.number == 1:
                        self.function(fn)

    def function(self, fld: pw.Field) -> None:
        name = ""
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 1:  # OpDef signature: name = 1
                for part in pw.iter_fields(self.r, *pw.submessage(sub)):
                    if part.number == 1 and part.wire == pw.LEN:
                        name = pw.text(self.r, part, 512)
                        if len(self.facts.functions) < 100_000:
                            self.facts.functions.add(name)
                    elif part.number == 2 and part.wire == pw.LEN:  # input_arg: name = 1
                        self.arg(name, part)
            elif sub.number == 3:
                self.node(sub, name)

    def arg(self, function: str, fld: pw.Field) -> None:
        args = self.facts.func_args.setdefault(function, [])
        for part in pw.iter_fields(self.r, *pw.submessage(fld)):
            if part.number == 1 and part.wire == pw.LEN and len(args) < 10_000:
                args.append(pw.text(self.r, part, 512))

    def node(self, fld: pw.Field, function: str) -> None:
        f = self.facts
        f.nodes += 1
        if f.nodes % 8192 == 0:
            fx.check_deadline(self.ctx)
        op = ""
        name_field: pw.Field | None = None
        attrs: dict[str, pw.Field] = {}
        inputs: list[str] = []
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 1 and sub.wire == pw.LEN:
                name_field = sub
            elif sub.number == 2 and sub.wire == pw.LEN:
                op = pw.text(self.r, sub, 256)
            elif sub.number == 3 and op in DANGEROUS_OPS and len(inputs) < 8:
                inputs.append(pw.text(self.r, sub, 512).lstrip("^").split(":")[0])
            elif sub.number == 5 and op in ATTR_OPS and len(attrs) < 64:
                key, value = self.attr_entry(sub)
                if key:
                    attrs[key] = value
        if op == "Const" and "value" in attrs and len(f.consts) < MAX_CONSTS:
            path = self.const_path(attrs["value"])
            if path and name_field:
                f.consts[(function, pw.text(self.r, name_field, 512))] = path
        if op in COMPUTE_OPS and op != "PrintV2":
            return  # the common case: a pure tensor op, its name is not needed
        risk = DANGEROUS_OPS.get(op)
        name = pw.text(self.r, name_field, 512) if name_field else ""
        where = f"{function}:{name}" if function else name
        if risk is None and op != "PrintV2":
            # not registered: a call of a library function (checked at the end) or unknown
            if op not in f.unknown_ops and len(f.unknown_ops) < 1000:
                f.unknown_ops[op] = where
            return
        if inputs:
            f.inputs[where] = (function, inputs)
        if risk is OpRisk.SAVER and (SAVER_SCOPE.search(name) or SAVER_SCOPE.search(function)):
            risk = None
        if risk is not None:
            names = f.ops.setdefault(op, [])
            if len(names) < 20:
                names.append(where)
        if op == "PrintV2" and "output_stream" in attrs:
            stream = self.attr_string(attrs["output_stream"])
            if stream.startswith("file://") and len(f.print_to_file) < 1000:
                f.print_to_file.append(f"{where} -> {stream[:200]}")

    def attr_entry(self, fld: pw.Field) -> tuple[str, pw.Field]:
        key, value = "", fld
        for sub in pw.iter_fields(self.r, *pw.submessage(fld)):
            if sub.number == 1 and sub.wire == pw.LEN:
                key = pw.text(self.r, sub, 256)
            elif sub.number == 2:
                value = sub
        return key, value

    def const_path(self, value: pw.Field) -> str | None:
        """The first string of a string Const (AttrValue.tensor=8 -> TensorProto: dtype=1,
        string_val=8) when it looks like a file path or URL."""
        for sub in pw.iter_fields(self.r, *pw.submessage(value)):
            if sub.number != 8 or sub.wire != pw.LEN:
                continue
            dtype, text = 0, None
            for part in pw.iter_fields(self.r, *pw.submessage(sub)):
                if part.number == 1 and part.wire == pw.VARINT:
                    dtype = part.value
                elif part.number == 8 and part.wire == pw.LEN and text is None and dtype == 7:
                    text = pw.text(self.r, part, 512)
            if text and ("/" in text or "\\" in text):
                return text
        return None

    def attr_string(self, value: pw.Field) -> str:
        for sub in pw.iter_fields(self.r, *pw.submessage(value)):
            if sub.number == 2 and sub.wire == pw.LEN:  # AttrValue.s
                return pw.text(self.r, sub, 1024)
        return ""

    def object_graph(self, fld: pw.Field) -> None:
        # SavedObjectGraph.nodes=1 -> SavedObject.user_object=4 -> SavedUserObject.metadata=3;
        # the kind of each object (asset=5, constant=9, ...) and concrete_functions=2 (map
        # entry key=1, value=2 -> SavedConcreteFunction.bound_inputs=2) say what a function's
        # captured arguments are bound to when the SavedModel is loaded.
        kinds = self.facts.object_kinds
        for node in pw.iter_fields(self.r, *pw.submessage(fld)):
            if node.number == 2 and node.wire == pw.LEN:
                self.concrete_function(node)
                continue
            if node.number != 1:
                continue
            kind = 0
            for obj in pw.iter_fields(self.r, *pw.submessage(node)):
                if obj.number in OBJECT_KINDS:
                    kind = obj.number
                if obj.number != 4:
                    continue
                for part in pw.iter_fields(self.r, *pw.submessage(obj)):
                    if part.number == 3 and part.wire == pw.LEN and part.value:
                        self.keras_metadata(part)
            if len(kinds) < 1_000_000:
                kinds.append(kind)

    def concrete_function(self, entry: pw.Field) -> None:
        name, bound = "", []
        for part in pw.iter_fields(self.r, *pw.submessage(entry)):
            if part.number == 1 and part.wire == pw.LEN:
                name = pw.text(self.r, part, 512)
            elif part.number == 2 and part.wire == pw.LEN:
                for sub in pw.iter_fields(self.r, *pw.submessage(part)):
                    if sub.number == 2 and sub.wire == pw.VARINT:
                        bound.append(sub.value)
                    elif sub.number == 2 and sub.wire == pw.LEN:  # packed
                        pos, end = pw.submessage(sub)
                        while pos < end and len(bound) < 10_000:
                            value, pos = pw.read_varint(self.r, pos, end)
                            bound.append(value)
        if name and len(self.facts.bound_inputs) < 100_000:
            self.facts.bound_inputs[name] = bound[:10_000]

    def keras_metadata_file(self) -> None:
        # keras_metadata.pb: SavedMetadata.nodes=1 -> SavedObject.metadata=5 (JSON)
        for node in pw.iter_fields(self.r, 0, self.r.size):
            if node.number != 1:
                continue
            for part in pw.iter_fields(self.r, *pw.submessage(node)):
                if part.number == 5 and part.wire == pw.LEN and part.value:
                    self.keras_metadata(part)

    def keras_metadata(self, part: pw.Field) -> None:
        if part.value > MAX_METADATA:
            raise ScanAbort("SavedModel object metadata too large to examine")
        self.facts.keras_metadata += 1
        raw = pw.payload(self.r, part, MAX_METADATA)
        for issue in analyse_config(parse_json(raw)):
            fx.report(self.ctx, issue, where="object graph metadata")


def _reads_shipped_asset(f: _Facts, where: str) -> bool:
    """A table initialiser whose file name is an asset of this SavedModel: the loader feeds it
    the path of a file copied into the SavedModel's own assets folder (TF1: a tensor named by an
    AssetFileDef; TF2: a captured function argument bound to an asset object). A constant path
    or anything else stays flagged."""
    function, inputs = f.inputs.get(where, ("", []))
    if len(inputs) < 2:
        return False
    source = inputs[1]  # (table_handle, filename, ...)
    if not function:
        return source in f.asset_tensors
    args = f.func_args.get(function, [])
    bound = f.bound_inputs.get(function, [])
    if source not in args:
        return False
    pos = args.index(source) - (len(args) - len(bound))
    if pos < 0 or bound[pos] >= len(f.object_kinds):
        return False
    return f.object_kinds[bound[pos]] == ASSET


def _paths(f: _Facts, where: str) -> list[str]:
    """Constant file paths feeding the node `where` directly."""
    function, inputs = f.inputs.get(where, ("", []))
    return [f.consts[(function, i)] for i in inputs if (function, i) in f.consts]


class SavedModelHandler:
    name = "tf-savedmodel"

    def detect(self, head: bytes, size: int) -> bool:
        # every TF protobuf the checks below accept opens with a one-byte tag of field 1-5
        if not head or not 0x08 <= head[0] < 0x30:
            return False
        first = pw.leading_fields(head, 1)
        if not first or first[0].end > size:  # a field cannot run past the end of the file
            return False
        return (
            tfd.is_saved_model(head)
            or tfd.is_graph_def(head)
            or tfd.is_keras_metadata(head)
            or tfd.is_fingerprint(head, size)
        )

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        r = WindowReader(stream, size)
        walker = _Walker(r, ctx)
        head = r.read_at(0, min(size, 4096))
        before = len(ctx.findings)
        if tfd.is_fingerprint(head, size):
            fx.passed(ctx, "savedmodel.fingerprint", "SavedModel fingerprint holds only hashes")
            return
        if tfd.ambiguous(head):
            self._both_readings(walker, size)
        elif tfd.is_saved_model(head):
            walker.saved_model()
        elif tfd.is_keras_metadata(head):
            walker.keras_metadata_file()
        else:
            walker.graph(0, size)
        f = walker.facts
        self._report(f, ctx)
        if not fx.has_problem(ctx, before):
            fx.passed(
                ctx,
                "savedmodel.ok",
                "TensorFlow graph uses only compute ops TensorFlow registers",
                {"nodes": f.nodes, "keras_metadata_objects": f.keras_metadata, "meta": f.info},
            )

    @staticmethod
    def _both_readings(walker: _Walker, size: int) -> None:
        failures: list[ScanAbort] = []
        for reading in (walker.saved_model, lambda: walker.graph(0, size)):
            try:
                reading()
            except ScanAbort as exc:
                failures.append(exc)
        if len(failures) == 2:
            raise failures[0]

    @staticmethod
    def _report(f: _Facts, ctx: ScanContext) -> None:
        for op, where in sorted(f.ops.items()):
            risk = DANGEROUS_OPS[op]
            if op in TABLE_FROM_FILE:
                where = [w for w in where if not _reads_shipped_asset(f, w)]
                if not where:
                    continue
            paths = sorted({p for node in where for p in _paths(f, node)})[:10]
            target = f" (paths in the graph: {', '.join(map(repr, paths))})" if paths else ""
            ctx.add(
                fx.make(
                    ctx,
                    "savedmodel.dangerous-op",
                    risk.verdict,
                    risk.severity,
                    f"graph uses {op}, which {risk.what}{target}",
                    details={"op": op, "nodes": where, "paths": paths},
                )
            )
        if f.print_to_file:
            ctx.add(
                fx.make(
                    ctx,
                    "savedmodel.dangerous-op",
                    Verdict.MALICIOUS,
                    Severity.HIGH,
                    "PrintV2 writes to a file",
                    details=fx.examples(f.print_to_file),
                )
            )
        unknown = sorted(op for op in f.unknown_ops if op not in f.functions)
        if unknown:
            shown = ", ".join(repr(op[:80]) for op in unknown[:10])
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            ctx.add(
                fx.make(
                    ctx,
                    "savedmodel.custom-op",
                    Verdict.SUSPICIOUS,
                    Severity.MEDIUM,
                    f"graph uses ops TensorFlow {TF_VERSION} does not register: {shown}{more}; "
                    "serving it needs a custom kernel library (native code) loaded first",
                    details={
                        **fx.examples(unknown),
                        "nodes": [f.unknown_ops[op] for op in unknown[: fx.MAX_EXAMPLES]],
                    },
                )
            )
        bad_assets = [a for a in f.assets if classify_location(a)]
        if bad_assets:
            ctx.add(
                fx.make(
                    ctx,
                    "savedmodel.asset-path",
                    Verdict.SUSPICIOUS,
                    Severity.HIGH,
                    "asset file names leave the SavedModel's assets folder",
                    details=fx.examples(bad_assets),
                )
            )
