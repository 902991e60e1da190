"""ONNX ModelProto messages encoded with the tests' tiny protobuf writer."""

from __future__ import annotations

from .builders import pb_bytes, pb_int, pb_msg


def node(op: str, domain: str = "", *attrs: bytes) -> bytes:
    parts = [pb_bytes(1, "x"), pb_bytes(2, "y"), pb_bytes(3, f"n_{op}"), pb_bytes(4, op)]
    parts += [pb_msg(5, a) for a in attrs]
    if domain:
        parts.append(pb_bytes(7, domain))
    return pb_msg(1, *parts)


def tensor(name: str, raw: bytes = b"\0" * 16, location: str | None = None) -> bytes:
    parts = [pb_int(1, 4), pb_int(2, 1), pb_bytes(8, name)]
    if location is None:
        parts.append(pb_bytes(9, raw))
    else:
        parts += [pb_msg(13, pb_bytes(1, "location"), pb_bytes(2, location)),
                  pb_msg(13, pb_bytes(1, "offset"), pb_bytes(2, "0")), pb_int(14, 1)]  # fmt: skip
    return b"".join(parts)


def graph(*items: bytes) -> bytes:
    return pb_msg(7, *items, pb_bytes(2, "main"))


def opset(domain: str, version: int) -> bytes:
    return pb_msg(8, pb_bytes(1, domain), pb_int(2, version))


def model(*graph_items: bytes, opsets: tuple[bytes, ...] = (), extra: bytes = b"") -> bytes:
    header = pb_int(1, 9) + pb_bytes(2, "pytorch") + pb_bytes(3, "2.4.0")
    items = graph_items or (node("Relu"),)
    return header + graph(*items) + b"".join(opsets or (opset("", 17),)) + extra


def subgraph_attr(*items: bytes) -> bytes:
    """An If/Loop-style attribute carrying a subgraph (AttributeProto.g = 6)."""
    return pb_bytes(1, "then_branch") + pb_int(20, 5) + pb_msg(6, *items)


def function(name: str, domain: str, *nodes: bytes) -> bytes:
    return pb_msg(
        25,
        pb_bytes(1, name),
        pb_bytes(10, domain),
        *nodes,
        pb_msg(9, pb_bytes(1, ""), pb_int(2, 17)),
    )
