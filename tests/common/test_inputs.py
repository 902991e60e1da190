"""Inputs are regular files only, bounded, and strict JSON is refused with its location."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from aisec.common.errors import InputError
from aisec.common.inputs import load_json_file, parse_json_strict, read_input_bytes
from aisec.common.yamlio import load_yaml_file


def test_device_is_refused_before_reading() -> None:
    with pytest.raises(InputError, match="device"):
        read_input_bytes(Path("/dev/zero"), max_bytes=1024)
    with pytest.raises(InputError, match="device"):
        load_yaml_file(Path("/dev/zero"))


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            load_json_file(fifo, max_bytes=1024)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert isinstance(outcome[0], InputError)
    assert "FIFO" in str(outcome[0])


def test_folder_and_oversize_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        read_input_bytes(tmp_path, max_bytes=10)
    big = tmp_path / "big.json"
    big.write_bytes(b"1" * 11)
    with pytest.raises(InputError, match="larger than 10 bytes"):
        read_input_bytes(big, max_bytes=10)


def test_lone_surrogate_refused_with_field(tmp_path: Path) -> None:
    path = tmp_path / "ev.json"
    path.write_text('{"findings": [{"message": "bad \\ud800 text"}]}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_json_file(path, max_bytes=1 << 20)
    assert "lone surrogate" in str(err.value)
    assert "findings[0].message" in str(err.value)
    assert str(path) in str(err.value)


def test_huge_integer_nan_and_duplicates_refused() -> None:
    with pytest.raises(InputError, match="5000 digits"):
        parse_json_strict('{"n": ' + "9" * 5000 + "}", source="x.json")
    with pytest.raises(InputError, match="NaN"):
        parse_json_strict('{"n": NaN}', source="x.json")
    with pytest.raises(InputError, match="infinite"):
        parse_json_strict('{"n": 1e999}', source="x.json")
    with pytest.raises(InputError, match="duplicate key 'a'"):
        parse_json_strict('{"a": 1, "a": 2}', source="x.json")
    with pytest.raises(InputError, match="x.json:2"):
        parse_json_strict('{\n"a": }', source="x.json")


def test_text_is_nfc_normalised() -> None:
    data = parse_json_strict('{"name": "Cafe\\u0301"}', source="x.json")
    assert data == {"name": "Café"}


def test_yaml_lone_surrogate_refused_with_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text('name: ok\ndescription: "bad \\ud800"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"s\.yaml:2: "):  # libyaml refuses it as syntax
        load_yaml_file(path)


def test_hostile_evidence_text_is_exit_2_with_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14 item 10 end to end: refused at load (exit 2, file and field), not at render."""
    from aisec.cli import main

    system = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples" / "email-agent.yaml"
    base = (
        '{"format": "aisec-evidence/1", "tool": "aisec-scan", "tool_version": "1", '
        '"generated_at": "2025-01-01T00:00:00+00:00", "subject": "x", "findings": [], '
        '"summary": {"n": %s}, "errors": [%s]}'
    )
    cases = {
        "surrogate.json": (base % ("1", '"bad \\ud800"'), "errors[0]"),
        "digits.json": (base % ("9" * 5000, ""), "5000 digits"),
    }
    for name, (text, where) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        code = main(["assess", str(system), "-e", str(path), "-o", str(tmp_path / "o")])
        assert code == 2, name
        err = capsys.readouterr().err
        assert name in err and where in err
