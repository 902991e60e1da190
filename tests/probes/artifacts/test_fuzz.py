"""Property tests: the walker and the container parsers never crash and never hang on
arbitrary or mutated input; they only return findings (or raise their own Malformed)."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from archives import raw_zip, tar_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pickles import call, g, s, wrap

from aisec.probes.artifacts.blob import Blob
from aisec.probes.artifacts.containers.zipread import ZipError, read_index
from aisec.probes.artifacts.engine import Engine
from aisec.probes.artifacts.interface import Limits
from aisec.probes.artifacts.numpy_npy import NpyError, parse_header
from aisec.probes.artifacts.pickle.walker import BudgetExceeded, Malformed, WalkState, walk_one
from aisec.probes.artifacts.registry import default_handlers
from aisec.probes.finding import Verdict

EXAMPLES = int(os.environ.get("AISEC_FUZZ_EXAMPLES", "200"))  # raise locally for long runs
FUZZ = settings(max_examples=EXAMPLES, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
SEEDS = [pickle.dumps({"a": [1, 2, (3, "x")], "b": b"zz"}, protocol=p) for p in range(6)] + [
    wrap(call(g("os", "system"), s("x")))
]
LIMITS = Limits(max_pickle_ops=100_000, timeout_s=5, max_depth=3, max_members=50)
ENGINE = Engine(default_handlers(), LIMITS)


def mutate(seed: bytes, edits: list[tuple[int, int]]) -> bytes:
    data = bytearray(seed)
    for pos, val in edits:
        if data:
            data[pos % len(data)] = val
    return bytes(data)


def check_engine(data: bytes) -> None:
    findings = ENGINE.scan_blob(Blob(data, 0, len(data)), "fuzz", None)
    assert findings
    handler_crashes = [
        f for f in findings if f.rule_id == "scanner.error" and "handler failed" in f.message
    ]
    assert not handler_crashes, handler_crashes[0].message
    assert all(isinstance(f.verdict, Verdict) for f in findings)


@FUZZ
@given(st.binary(max_size=512))
def test_walker_on_random_bytes(data: bytes) -> None:
    try:
        walk_one(data, 0, len(data), WalkState(max_ops=10_000))
    except (Malformed, BudgetExceeded):
        pass


@FUZZ
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
)
def test_walker_on_mutated_pickles(seed: bytes, edits: list[tuple[int, int]]) -> None:
    data = mutate(seed, edits)
    try:
        walk_one(data, 0, len(data), WalkState(max_ops=10_000))
    except (Malformed, BudgetExceeded):
        pass


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
    st.sampled_from([{}, {"flags": 1}, {"prepend": b"xx"}, {"drop_central": True}]),
)
def test_zip_reader_on_mutated_archives(edits: list[tuple[int, int]], kw: dict) -> None:
    data = mutate(raw_zip([("a/data.pkl", SEEDS[2]), ("b", b"hello")], **kw), edits)
    try:
        read_index(Blob(data, 0, len(data)), 50)
    except ZipError:
        pass
    check_engine(data)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 2048), st.integers(0, 255)), max_size=8))
def test_tar_on_mutated_archives(edits: list[tuple[int, int]]) -> None:
    check_engine(mutate(tar_bytes([("a.pkl", SEEDS[3]), ("b.txt", b"x" * 600)]), edits))


@FUZZ
@given(st.binary(max_size=300))
def test_npy_header_parser(tail: bytes) -> None:
    try:
        parse_header(b"\x93NUMPY\x01\x00" + tail)
    except NpyError:
        pass
    check_engine(b"\x93NUMPY\x01\x00" + tail)


@FUZZ
@given(
    st.sampled_from(
        [
            b"\x1f\x8b\x08",
            b"BZh91AY&SY",
            b"\xfd7zXZ\x00",
            b"x\x9c",
            b"PK\x03\x04",
            b"7z\xbc\xaf\x27\x1c",
            b"\x80\x04",
            b"\x93NUMPY\x02\x00",
        ]
    ),
    st.binary(max_size=400),
)
def test_engine_on_magic_plus_noise(magic: bytes, noise: bytes) -> None:
    check_engine(magic + noise)


def test_engine_on_a_real_file_of_noise() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "noise"
        path.write_bytes(bytes(range(256)) * 64)
        from aisec.probes.artifacts.service import scan_paths

        assert scan_paths([path]).files[0].verdict == "not-scanned"
