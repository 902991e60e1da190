"""Recognising TensorFlow protobuf files by structure (they have no magic number).

A SavedModel starts with its schema version and a MetaGraphDef, a frozen GraphDef with a NodeDef
whose name and op look like identifiers (or with its function library), `keras_metadata.pb` with
a Keras object identifier, `fingerprint.pb` with a handful of 64-bit hashes. Each check reads only
the first fields of the head, so random or other protobuf data is not claimed.
"""

from __future__ import annotations

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.formats import protowire as pw

OP_NAME = lazy_compile(rb"^[A-Za-z_][A-Za-z0-9_>.]*$")
NODE_NAME = lazy_compile(rb"^[A-Za-z0-9_.][A-Za-z0-9_./:>-]*$")


def is_saved_model(head: bytes) -> bool:
    """SavedModel: [schema version], then a MetaGraphDef opening with a plausible MetaInfoDef
    (or with a GraphDef); nothing but fields 1 and 2 at the top level."""
    fields = pw.leading_fields(head, 8)
    if fields and (fields[0].number, fields[0].wire) == (1, pw.VARINT) and fields[0].value <= 16:
        fields = fields[1:]  # saved_model_schema_version, absent when zero
    if not fields or (fields[0].number, fields[0].wire) != (2, pw.LEN):
        return False
    if any(f.number not in (1, 2) for f in fields):
        return False
    meta = head[fields[0].start : min(fields[0].end, len(head))]
    inner = pw.leading_fields(meta, 1)
    if not inner or inner[0].wire != pw.LEN or inner[0].number not in (1, 2):
        return False
    body = meta[inner[0].start : min(inner[0].end, len(meta))]
    return is_graph_def(body) if inner[0].number == 2 else _meta_info_like(body)


def _meta_info_like(body: bytes) -> bool:
    """MetaInfoDef: version/tags/TF version strings (1, 4, 5, 6) printable, an op list (2)
    whose first op has an identifier name, and nothing outside fields 1-8."""
    parts = pw.leading_fields(body, 6)
    if not parts:
        return False
    for p in parts:
        value = body[p.start : min(p.end, len(body))]
        if p.number in (1, 4, 5, 6):
            if p.wire != pw.LEN or not pw.is_identifier_text(value, b"_./-:+ "):
                return False
        elif p.number == 2:
            name = nested_name(value, (1, 1))
            if p.wire != pw.LEN or name is None or not OP_NAME.match(name):
                return False
        elif not 1 <= p.number <= 8:
            return False
    return True


def ambiguous(head: bytes) -> bool:
    """Field 2 first: a SavedModel without its version field or a GraphDef whose function
    library comes first; the two cannot be told apart safely, so both readings are walked."""
    fields = pw.leading_fields(head, 1)
    return bool(fields) and (fields[0].number, fields[0].wire) == (2, pw.LEN)


def is_keras_metadata(head: bytes) -> bool:
    outer = pw.leading_fields(head, 1)
    if not outer or (outer[0].number, outer[0].wire) != (1, pw.LEN):
        return False
    body = head[outer[0].start : outer[0].end]
    return any(
        (f.number, f.wire) == (4, pw.LEN) and body[f.start : f.end].startswith(b"_tf_keras")
        for f in pw.leading_fields(body, 4)
    )


def is_fingerprint(head: bytes, size: int) -> bool:
    """fingerprint.pb: FingerprintDef, hashes 1-5 (varints), a VersionDef (6) and, from newer
    TensorFlow, a UUID string (7) and possibly more small fields after it; well under 1 kB."""
    if size > 1024 or len(head) != size:
        return False
    fields = pw.leading_fields(head, 16)
    if not fields or fields[-1].end != size:
        return False
    numbers = [f.number for f in fields]
    hashes = [f for f in fields if f.number <= 5]
    version = [f for f in fields if f.number == 6]
    return (
        numbers == sorted(set(numbers))
        and len(version) == 1
        and version[0].wire == pw.LEN
        and len(hashes) >= 3
        and all(f.wire == pw.VARINT and f.value >= 1 << 20 for f in hashes)
        and all(f.number <= 16 for f in fields)
    )


def nested_name(head: bytes, path: tuple[int, ...]) -> bytes | None:
    """Payload reached by following the first field at each level, if the numbers match."""
    body = head
    for number in path:
        fields = pw.leading_fields(body, 1)
        if not fields or (fields[0].number, fields[0].wire) != (number, pw.LEN):
            return None
        body = body[fields[0].start : fields[0].end]
    return body


def is_graph_def(head: bytes) -> bool:
    fields = pw.leading_fields(head, 1)
    if fields and (fields[0].number, fields[0].wire) == (2, pw.LEN):  # library before any node
        name = nested_name(head, (2, 1, 1, 1))  # library.function.signature.name
        return name is not None and bool(OP_NAME.match(name))
    if len(fields) != 1 or (fields[0].number, fields[0].wire) != (1, pw.LEN):
        return False
    node = pw.leading_fields(head[fields[0].start :], 2)
    if len(node) != 2 or [(f.number, f.wire) for f in node] != [(1, pw.LEN), (2, pw.LEN)]:
        return False
    body = head[fields[0].start :]
    name, op = (body[f.start : f.end] for f in node)
    return node[1].end <= len(body) and bool(NODE_NAME.match(name)) and bool(OP_NAME.match(op))
