"""`aisec mltest` refuses bad options and data files with exit 2 and a located message, before
any test runs: no traceback, no 'internal error'."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from aisec.cli import main
from aisec.common.exitcodes import ExitCode

pytest.importorskip("sklearn")

FAST = ["--tests", "evasion", "--evasion-samples", "2", "--eps", "0.1"]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["mltest", *argv]) == ExitCode.INPUT_ERROR
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--dataset", "mnist"], ["--dataset", "iris"]),
        (["--dataset", "iris", "--tests", "evasion,fuzz"], ["--tests", "poisoning"]),
        (["--dataset", "iris", "--demo-model", "svm"], ["--demo-model", "logreg"]),
        (["--dataset", "iris", "--eps", "nan"], ["--eps", "finite"]),
        (["--dataset", "iris", "--eps", "0.1,inf"], ["--eps", "finite"]),
        (["--dataset", "iris", "--budgets", "99999999999999"], ["--budgets", "1000000"]),
        (["--dataset", "iris", "--rate-limit", "-1"], ["--rate-limit"]),
        (["--dataset", "iris", "--model-entrypoint", "os:system"], ["os:system() raised"]),
    ],
)
def test_bad_options_are_named(
    argv: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    err = _run([*argv, *FAST[:2]] if "--tests" not in argv else argv, capsys)
    assert all(e in err for e in expected), err


def _csv_with_binary(path: Path) -> None:
    path.write_bytes(b"a,b,label\n" + bytes(range(128, 256)) * 20 + b"\n")


def _csv_with_huge_field(path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "label"])
        writer.writerow(["1" * 200_000, "0"])


def _npz_garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


def _npz_strings(path: Path) -> None:
    np.savez(path, x=np.array([["a", "b"]] * 30), y=np.array([0, 1] * 15))


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("bin.csv", _csv_with_binary, "not UTF-8"),
        ("huge.csv", _csv_with_huge_field, "huge.csv:2: malformed CSV"),
        ("garbage.npz", _npz_garbage, "not an .npz archive"),
        ("strings.npz", _npz_strings, "'x' must be numeric"),
    ],
)
def test_bad_data_files_are_input_errors(
    name: str,
    make: Callable[[Path], None],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / name
    make(path)
    err = _run(["--data", str(path), "--label-column", "label", *FAST], capsys)
    assert expected in err and name in err


def test_table_on_stdout_and_model_name_printed_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = Path(__file__).resolve().parents[3] / "src" / "aisec" / "examples" / "models"
    model = tmp_path / "[bold]fraud.skops"
    model.write_bytes((models / "fraud.skops").read_bytes())
    data = ["--data", str(models / "fraud-train.csv"), "--label-column", "is_fraud"]
    assert main(["mltest", "--model", str(model), *data, *FAST]) in (ExitCode.OK, 1)
    out = capsys.readouterr().out
    assert "aisec mltest: [bold]fraud.skops" in out and "mltest.evasion" in out
