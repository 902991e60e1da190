"""Hand-assembled pickle opcodes for fixtures: exact control over the bytes, and no object
with a malicious __reduce__ ever exists in the test process."""

from __future__ import annotations

import struct


def proto(n: int = 2) -> bytes:
    return b"\x80" + bytes([n])


def s(text: str) -> bytes:
    """BINUNICODE string."""
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def g(module: str, name: str) -> bytes:
    """GLOBAL (text) import."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def sg(module: str, name: str) -> bytes:
    """STACK_GLOBAL import from two string literals."""
    return s(module) + s(name) + b"\x93"


def tup(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def call(func: bytes, *args: bytes) -> bytes:
    """func(*args) via REDUCE."""
    return func + tup(*args) + b"R"


def wrap(body: bytes, protocol: int = 2) -> bytes:
    """A complete pickle whose result is `body`'s value."""
    return proto(protocol) + body + b"."


def canary_call(module: str, name: str, *args: str, protocol: int = 4) -> bytes:
    """module.name(*args) imported by STACK_GLOBAL (supports dotted names)."""
    return wrap(call(sg(module, name), *(s(a) for a in args)), protocol)
