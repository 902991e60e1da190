"""Format handler for raw pickle streams (protocols 0-5), joblib files and legacy torch files.

Protocol 2+ pickles announce themselves with PROTO; protocol 0/1 pickles have no magic, so the
first bytes are walked: content that decodes as opcodes up to STOP (or to the end of the head)
is a pickle whatever its name, because that is exactly what `pickle.load` would accept. Any
other content is also walked from byte 0 to the end (`detect_full`): if it imports a callable
with a resolvable (identifier) name before it stops, a loader would too, so it is scanned as a
pickle besides any other reading.
"""

from __future__ import annotations

from typing import BinaryIO

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.blob import Blob, from_stream
from aisec.probes.artifacts.interface import Limits, ScanContext
from aisec.probes.artifacts.pickle.analyse import analyse
from aisec.probes.artifacts.pickle.state import FIRST_OPS
from aisec.probes.artifacts.pickle.walker import BudgetExceeded, Malformed, WalkState, walk_one

_MIN_OPS = 3
_HEAD_MIN = 1024


def looks_like_pickle(head: bytes, size: int | None = None) -> bool:
    """True if `head` is the start of a pickle stream (of `size` bytes, when known)."""
    if len(head) < 2:
        return False
    if head[0] == 0x80:
        return head[1] <= 5
    if head[0] not in FIRST_OPS:
        return False
    st = WalkState(max_ops=len(head) + 1)
    try:
        walk_one(head, 0, len(head), st)
    except Malformed as exc:
        # Cut off by the end of the head (the file goes on) rather than invalid.
        # (an argument claiming more bytes than the whole file has is random data, not a cut)
        within = size is None or exc.offset < size
        return (
            len(head) >= _HEAD_MIN
            and exc.offset >= len(head) - 64
            and within
            and st.ops >= _MIN_OPS
        )
    except (BudgetExceeded, RecursionError):
        return False
    return True


def imports_from_start(blob: Blob, limits: Limits) -> bool:
    """Walk the whole blob as a pickle from byte 0, whatever the first opcode: True when the
    walk imports a callable (or uses the extension registry) before it stops. That is exactly
    the content `pickle.load` would act on, however far a long first argument or padding
    pushes it from the head, and whether or not the stream is broken further on."""
    st = WalkState(max_ops=min(limits.max_pickle_ops, blob.size + 1))
    pos = blob.start
    try:
        while pos < blob.end and not _importable(st):
            pos = walk_one(blob.buf, pos, blob.end, st)
    except (Malformed, BudgetExceeded, RecursionError):
        pass
    return _importable(st)


_DOTTED = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def _importable(st: WalkState) -> bool:
    """An import a loader could resolve: names that are not Python identifiers fail in
    `find_class` before anything runs (and random binary data decodes to such names), and an
    import after a persistent id is out of reach of `pickle.load`, which stops at the id (a
    ZIP read from byte 0 starts with 'P', PERSID)."""
    first = st.first_persistent
    return any(
        _DOTTED.fullmatch(q) and (first < 0 or off < first) for q, (_, off) in st.imports.items()
    )


class PickleHandler:
    name = "pickle"

    def detect(self, head: bytes, size: int) -> bool:
        return looks_like_pickle(head, size)

    def detect_full(self, blob: Blob, limits: Limits) -> bool:
        return imports_from_start(blob, limits)

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        blob, _ = from_stream(stream, ctx.limits.max_total_bytes)
        analyse(blob.buf, blob.start, blob.end, ctx)
