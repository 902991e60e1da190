"""The walker's memo: the unpickler's dict semantics (sparse PUT keys, MEMOIZE counting the
entries) kept in a dense list, and its memory bounded per memoised object."""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pickles import proto, s, tup

from aisec.probes.artifacts.pickle.policy import Status
from aisec.probes.artifacts.pickle.state import Malformed, memo_get, memo_put
from aisec.probes.artifacts.pickle.walker import WalkState, walk_one


def walk(data: bytes) -> WalkState:
    st = WalkState(max_ops=10**8)
    assert walk_one(data, 0, len(data), st) == len(data)
    return st


def test_memo_matches_a_dict_under_random_puts_and_memoize() -> None:
    rng = random.Random(7)
    model: dict[int, int] = {}
    memo: list[Any] = []
    sparse: dict[int, Any] = {}
    for step in range(20_000):
        if rng.random() < 0.5:
            key = len(model)  # MEMOIZE
        else:
            key = rng.choice([len(model), len(model) + rng.randint(1, 5), rng.randint(0, 60)])
        model[key] = step
        memo_put(memo, sparse, key, step)
        assert len(memo) + len(sparse) == len(model)
    for key in range(-2, 80_000, 7):
        if key in model:
            assert memo_get(memo, sparse, key) == model[key]
        else:
            with pytest.raises(KeyError):
                memo_get(memo, sparse, key)
    with pytest.raises(Malformed):
        memo_put(memo, sparse, -1, 0)


def test_memoize_after_a_sparse_put_uses_the_dict_length_like_the_unpickler() -> None:
    # PUT 9 'os', then MEMOIZE 'system' lands on key 1 (len(memo) == 1), not 10
    body = s("os") + b"p9\n0" + s("system") + b"\x940" + b"g9\ng1\n\x93" + tup(s("x")) + b"R."
    assert walk(proto(4) + body).imports["os.system"][0] is Status.DANGEROUS
    # the same key arithmetic on harmless values, checked against the real unpickler
    probe = proto(4) + b"K\x07p9\n0K\x08\x94" + b"0g9\ng1\n\x86."
    assert pickle.loads(probe) == (7, 8)
    walk(probe)


def test_binget_of_a_key_never_put_is_malformed() -> None:
    with pytest.raises(Malformed, match="memo key missing"):
        walk(proto(4) + b"K\x01\x94h\x05.")


_MEASURE = """
import resource, struct, sys
from aisec.probes.artifacts.pickle.walker import WalkState, walk_one
n = int(sys.argv[1])
# shaped like pickle.dumps(<list of n 1-tuples of ints>, protocol=4), built without creating
# the objects (which would raise this process's peak before the walk starts)
item = b"J%s\\x85\\x94"
batch = b"(" + b"".join(item % struct.pack("<i", 1000 + i) for i in range(1000)) + b"e"
data = b"\\x80\\x04]\\x94" + batch * (n // 1000) + b"."
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
walk_one(data, 0, len(data), WalkState(max_ops=10**9))
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def test_memory_per_memoised_object_is_small() -> None:
    """300,000 memoised 1-tuples of ints, walked in a fresh interpreter: the emulator holds a
    list slot, the tuple and its int (~85 bytes) per object; the dict memo it replaced cost
    ~80 bytes more per entry (~50 MB here)."""
    n = 300_000
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(n)], capture_output=True, text=True, check=True
    )
    grown = int(out.stdout)
    assert grown < n * 110, grown


def _analyse(buf: Any, size: int) -> list[Any]:
    from aisec.probes.artifacts.interface import Limits, ScanContext
    from aisec.probes.artifacts.pickle.analyse import analyse

    ctx = ScanContext(location="m.pkl", depth=0, limits=Limits())
    analyse(buf, 0, size, ctx)
    return [(f.rule_id, f.verdict, f.details.get("opcode_bytes")) for f in ctx.findings]


def test_walking_a_mapped_file_releases_pages_and_judges_it_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mmap

    from aisec.probes.artifacts.pickle import analyse as analyse_mod

    payload = [list(range(i, i + 50)) for i in range(0, 150_000, 50)]
    body = pickle.dumps(payload, protocol=4)[:-1]  # a long benign stream, then a payload
    evil = b"\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x01x\x94\x85\x94R\x94."
    data = body + b"0" + evil  # POP the list, then call os.system
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    released: list[int] = []
    real = mmap.mmap.madvise

    class Spy(mmap.mmap):
        def madvise(self, option: int, start: int = 0, length: int = 0) -> None:
            released.append(length)
            real(self, option, start, length)

    monkeypatch.setattr(analyse_mod, "RELEASE_STEP", 64 * 1024)
    with path.open("rb") as fh:
        mm = Spy(fh.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            mapped = _analyse(mm, len(data))
        finally:
            mm.close()
    assert sum(released) > len(data) // 2  # the walked part was dropped from memory
    assert mapped == _analyse(data, len(data))
    assert mapped[0][:2] == ("pickle.dangerous-callable", "malicious")
