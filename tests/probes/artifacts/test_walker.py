"""The static pickle walker: opcode coverage, call resolution, stream layouts, limits."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from helpers import rules, scan_bytes
from pickles import call, g, proto, s, sg, tup, wrap

from aisec.probes.artifacts.pickle.policy import Status, classify
from aisec.probes.artifacts.pickle.walker import BudgetExceeded, Malformed, WalkState, walk_one
from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths


def walk(data: bytes, max_ops: int = 10**7) -> WalkState:
    st = WalkState(max_ops=max_ops)
    end = walk_one(data, 0, len(data), st)
    assert end == len(data)
    return st


@pytest.mark.parametrize("protocol", range(6))
def test_every_protocol_of_real_data_walks_to_stop(protocol: int) -> None:
    value = {"a": [1, 2.5, "x", b"yz", None, True], "n": np.arange(3), "t": (1,), "s": {1}}
    st = walk(pickle.dumps(value, protocol=protocol))
    assert st.pickles == 1
    assert all(status is Status.ALLOWED for status, _ in st.imports.values())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (wrap(call(g("os", "system"), s("x"))), "os.system"),
        (wrap(call(sg("os", "system"), s("x")), 4), "os.system"),
        (b"(S'x'\nios\nsystem\n.", "os.system"),
        (proto(2) + b"(" + g("posix", "system") + s("x") + b"o.", "posix.system"),
        (proto(4) + sg("subprocess", "Popen") + tup(s("x")) + b"}\x92.", "subprocess.Popen"),
        (proto(2) + g("subprocess", "Popen") + tup(s("x")) + b"\x81.", "subprocess.Popen"),
    ],
    ids=["GLOBAL+REDUCE", "STACK_GLOBAL", "INST", "OBJ", "NEWOBJ_EX", "NEWOBJ"],
)
def test_callables_reached_by_each_import_and_call_opcode(data: bytes, expected: str) -> None:
    st = walk(data)
    assert st.imports[expected][0] is Status.DANGEROUS


def test_memo_indirection_via_long_binget_and_get() -> None:
    body = s("os") + b"r\x05\x00\x00\x00" + b"0" + s("system") + b"p7\n0"
    data = proto(4) + body + b"j\x05\x00\x00\x00g7\n\x93" + tup(s("x")) + b"R."
    assert walk(data).imports["os.system"][0] is Status.DANGEROUS


def test_getattr_on_import_resolves_the_attribute_reached() -> None:
    imp = call(g("builtins", "__import__"), s("subprocess"))
    data = wrap(call(call(g("builtins", "getattr"), imp, s("check_output")), s("x")))
    st = walk(data)
    assert "subprocess.check_output" in st.imports
    assert st.imports["subprocess.check_output"][0] is Status.DANGEROUS


def test_getattr_on_allowed_class_grades_the_dotted_result() -> None:
    data = wrap(call(g("builtins", "getattr"), g("collections", "OrderedDict"), s("fromkeys")))
    st = walk(data)
    assert st.imports["collections.OrderedDict.fromkeys"][0] is not Status.ALLOWED


@pytest.mark.parametrize(
    ("module", "name", "status"),
    [
        ("torch._utils", "_rebuild_tensor_v2", Status.ALLOWED),
        ("numpy.core.multiarray", "_reconstruct", Status.ALLOWED),
        ("sklearn.linear_model._logistic", "LogisticRegression", Status.ALLOWED),
        ("sklearn.preprocessing._function_transformer", "FunctionTransformer", Status.UNKNOWN),
        ("sklearn.utils", "_joblib", Status.UNKNOWN),
        ("sklearn.linear_model", "os.system", Status.DANGEROUS),
        ("torch", "load", Status.DANGEROUS),
        ("numpy", "load", Status.DANGEROUS),
        ("functools", "partial", Status.DANGEROUS),
        ("builtins", "set", Status.ALLOWED),
        ("builtins", "eval", Status.DANGEROUS),
        ("nt", "system", Status.DANGEROUS),
        ("webbrowser", "open", Status.DANGEROUS),
        ("my_lib", "helper", Status.UNKNOWN),
        ("sklearn.neighbors._kd_tree", "newObj", Status.ALLOWED),
        ("sklearn.calibration", "_SigmoidCalibration", Status.ALLOWED),
        ("sklearn.utils", "newObj", Status.UNKNOWN),
        ("numpy.random.bit_generator", "SeedSequence", Status.ALLOWED),
    ],
)
def test_policy_is_allow_list_first(module: str, name: str, status: Status) -> None:
    assert classify(module, name) is status


def test_python2_names_are_mapped_like_the_unpickler_does() -> None:
    assert walk(b"c__builtin__\nset\n(]tR.").imports["__builtin__.set"][0] is Status.ALLOWED
    assert walk(b"c__builtin__\neval\n(S'1'\ntR.").imports["__builtin__.eval"][0] is (
        Status.DANGEROUS
    )


@pytest.mark.parametrize(
    "data",
    [
        proto(2) + b"N",  # no STOP
        proto(2) + b"h\x09.",  # memo key missing
        proto(2) + b"R.",  # stack underflow
        proto(2) + b"\xff.",  # invalid opcode
        proto(4) + b"K\x01K\x02\x93.",  # STACK_GLOBAL of non-strings
        proto(2) + b"X\xff\xff\xff\x00ab.",  # length beyond the end
        b"\x80\x09N.",  # unknown protocol
        b"cos\nsys",  # unterminated GLOBAL line
    ],
)
def test_malformed_streams_raise(data: bytes) -> None:
    with pytest.raises(Malformed):
        walk(data)


def test_opcode_budget() -> None:
    data = proto(2) + b"N0" * 200_000 + b"N."
    with pytest.raises(BudgetExceeded):
        walk_one(data, 0, len(data), WalkState(max_ops=10_000))


def test_big_byte_payloads_are_skipped_not_copied(tmp_path: Path) -> None:
    data = pickle.dumps([b"\0" * 5_000_000, bytearray(3_000_000)], protocol=5)
    st = walk(data)
    assert st.skipped_bytes >= 8_000_000
    assert st.ops - st.skipped_bytes < 200


@pytest.mark.parametrize(
    ("data", "rule", "verdict"),
    [
        (
            proto(2) + call(g("os", "system"), s("x")) + b"\x00junk",
            "pickle.malformed",
            FileVerdict.MALICIOUS,
        ),
        (wrap(b"N") + b"\x00\x01 trailing bytes", "pickle.trailing-data", FileVerdict.SUSPICIOUS),
        (proto(2) + b"N0" * 10, "pickle.malformed", FileVerdict.SUSPICIOUS),
        (
            wrap(b"N") + wrap(call(g("os", "system"), s("x"))),
            "pickle.dangerous-callable",
            FileVerdict.MALICIOUS,
        ),
    ],
    ids=["payload-then-broken", "trailing-data", "truncated", "second-pickle"],
)
def test_stream_layouts_become_findings(
    tmp_path: Path, data: bytes, rule: str, verdict: FileVerdict
) -> None:
    result = scan_bytes(tmp_path, data)
    assert rule in rules(result)
    assert result.verdict is verdict


def test_budget_exhaustion_is_an_error_never_clean(tmp_path: Path) -> None:
    data = proto(2) + b"N0" * 100_000 + b"N."
    result = scan_bytes(tmp_path, data, max_pickle_ops=1_000)
    assert "pickle.budget-exceeded" in rules(result)
    assert result.verdict is FileVerdict.ERROR


def test_overlong_global_line_is_malformed_without_copying() -> None:
    data = b"c" + b"a" * 200_000 + b"\nsystem\n."
    with pytest.raises(Malformed, match="overlong"):
        walk(data)


def test_long_protocol0_literals_are_fine() -> None:
    data = pickle.dumps(["x" * 200_000, 10**4000, 1.5, "\u20ac" * 70_000], protocol=0)
    assert walk(data).pickles == 1


def test_stacked_protocol0_pickles_are_all_walked(tmp_path: Path) -> None:
    data = pickle.dumps({"a": 1}, protocol=0) + pickle.dumps([2], protocol=1)
    assert scan_bytes(tmp_path, data).verdict is FileVerdict.CLEAN
    evil = data + b"cos\nsystem\n(S'x'\ntR."
    assert scan_bytes(tmp_path, evil).verdict is FileVerdict.MALICIOUS


def test_an_invalid_escape_in_a_protocol_0_string_is_read_without_a_warning(
    tmp_path: Path,
) -> None:
    """`codecs.escape_decode` warns on `\\q`; a hostile file must not make the scanner print
    (or, under -W error, crash on) a warning about it, and the string reads as pickle reads it."""
    import warnings

    from aisec.probes.artifacts.pickle.state import decode_string

    path = tmp_path / "p0.pkl"
    path.write_bytes(b"S'a\\qb'\np0\n.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = scan_paths([path]).files[0]
        assert decode_string(b"'a\\qb'") == "a\\qb"
    assert result.verdict.value == "clean" and caught == []
