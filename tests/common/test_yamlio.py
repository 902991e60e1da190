"""Safe YAML loading: located errors, duplicate keys, no object construction."""

from __future__ import annotations

import pytest

from aisec.common.errors import InputError
from aisec.common.yamlio import load_yaml_text


def test_lines_are_recorded_for_nested_keys() -> None:
    located = load_yaml_text("a:\n  b:\n    - x: 1\n    - x: 2\n", "f.yaml")
    assert located.line_of(("a", "b", 1, "x")) == 4
    assert located.line_of(("a", "b", 1, "missing")) == 4


def test_duplicate_key_is_rejected_with_line() -> None:
    with pytest.raises(InputError) as err:
        load_yaml_text("a: 1\nb: 2\na: 3\n", "dup.yaml")
    assert "dup.yaml:3" in str(err.value)
    assert "duplicate key 'a'" in str(err.value)


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(InputError) as err:
        load_yaml_text("a: [1, 2\nb: 3\n", "bad.yaml")
    assert str(err.value).startswith("bad.yaml:")


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['echo pwned']",
        "a: !!python/name:os.system",
    ],
)
def test_python_tags_are_refused(payload: str) -> None:
    with pytest.raises(InputError):
        load_yaml_text(payload, "evil.yaml")


def _laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_with_source() -> None:
    with pytest.raises(InputError) as err:
        load_yaml_text(_laughs(6), "bomb.yaml")  # 9**6 leaves, 0.5M nodes
    assert str(err.value).startswith("bomb.yaml:")
    assert "aliases expand" in str(err.value)


def test_ordinary_aliases_and_merge_keys_still_work() -> None:
    text = _laughs(3) + "base: &base {x: 1, y: 2}\nitems:\n  - {<<: *base, z: 3}\n  - *base\n"
    data = load_yaml_text(text, "ok.yaml").data
    assert len(data["l2"]) == 9 and data["l2"][0][0] == ["lol"] * 9
    assert data["items"] == [{"x": 1, "y": 2, "z": 3}, {"x": 1, "y": 2}]


@pytest.mark.parametrize(
    "text",
    ["date: 2026-13-45\n", "date: 2026-02-30\n", "name: !!int abc\n", "x: !!float nope\n"],
)
def test_unconvertible_values_are_located_input_errors(text: str) -> None:
    with pytest.raises(InputError) as err:
        load_yaml_text(text, "v.yaml")
    assert str(err.value).startswith("v.yaml:1:")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(InputError, match="nesting deeper"):
        load_yaml_text("a: " + "[" * 600 + "]" * 600 + "\n", "deep.yaml")
