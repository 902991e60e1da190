"""Symbolic values the pickle emulator pushes on its stack instead of real objects.

Literals (str, int, tuples, small dicts) are kept as Python values because callable resolution
needs them (STACK_GLOBAL operands, getattr names, joblib array shapes); everything the pickle
would build by calling code is an `Obj` that remembers which callable built it.
"""

from __future__ import annotations

from aisec.probes.artifacts.pickle.policy import Status


class Opaque:
    """A value whose content does not matter for callable resolution."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"<{self.kind}>"


BYTES = Opaque("bytes")
BIGSTR = Opaque("long-string")
BIGINT = Opaque("long-int")
LIST = Opaque("list")
SET = Opaque("set")
PERSISTENT = Opaque("persistent-id")
EXTENSION = Opaque("extension")
FLOAT = Opaque("float")


class Global:
    """A callable imported by GLOBAL / STACK_GLOBAL / INST (or reached through getattr)."""

    __slots__ = ("module", "name", "status", "qualname", "kind")

    PLAIN = 0
    RESOLVER = 1  # getattr / __import__: the walker follows what the call reaches
    ARRAY_WRAPPER = 2  # joblib wrapper: array bytes follow its BUILD in the stream

    def __init__(self, module: str, name: str, status: Status, kind: int = 0) -> None:
        self.module = module
        self.name = name
        self.status = status
        self.qualname = f"{module}.{name}"
        self.kind = kind

    def __repr__(self) -> str:
        return f"<global {self.qualname} {self.status.value}>"


class Obj:
    """The result of calling `func` with `args` (REDUCE, NEWOBJ, OBJ, INST)."""

    __slots__ = ("func", "args", "state")

    def __init__(self, func: object, args: object) -> None:
        self.func = func
        self.args = args
        self.state: object = None

    def __repr__(self) -> str:
        return f"<obj of {self.func!r}>"
