"""Tabular data for the tests: the user's CSV/Parquet/NumPy files or a bundled scikit-learn set.

Every input is checked before any attack runs: a non-numeric cell names its file, line and
column; a missing label column, a ragged row, too few rows or a single class are refused.
NumPy files are read with `allow_pickle=False`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisec.common.errors import InputError

if TYPE_CHECKING:
    import numpy as np

MAX_DATA_BYTES = 256 * 1024 * 1024
MAX_ROWS = 2_000_000
MIN_ROWS = 20


class BundledDataset(StrEnum):
    """scikit-learn's datasets that ship with the package (no download)."""

    BREAST_CANCER = "breast_cancer"
    DIGITS = "digits"
    IRIS = "iris"
    WINE = "wine"


@dataclass(frozen=True)
class Table:
    """Features and raw labels of one file."""

    x: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    source: str


def load_bundled(name: BundledDataset) -> Table:
    from sklearn import datasets

    loader = {
        BundledDataset.BREAST_CANCER: datasets.load_breast_cancer,
        BundledDataset.DIGITS: datasets.load_digits,
        BundledDataset.IRIS: datasets.load_iris,
        BundledDataset.WINE: datasets.load_wine,
    }[name]
    bunch = loader()
    names = tuple(str(n) for n in getattr(bunch, "feature_names", range(bunch.data.shape[1])))
    return Table(bunch.data.astype("float64"), bunch.target, names, f"sklearn:{name.value}")


def load_table(path: Path, label_column: str | None) -> Table:
    """Read a CSV, Parquet or .npz file; `label_column` names the label (not needed for .npz)."""
    source = str(path)
    if not path.is_file():
        raise InputError("data file not found", source=source)
    if path.stat().st_size > MAX_DATA_BYTES:
        raise InputError(f"data file above {MAX_DATA_BYTES} bytes", source=source)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(path, _need_label(label_column, source))
    elif suffix in {".parquet", ".pq"}:
        table = _read_parquet(path, _need_label(label_column, source))
    elif suffix == ".npz":
        table = _read_npz(path)
    else:
        raise InputError(
            f"unsupported data format {suffix!r}", source=source, hint="use .csv, .parquet or .npz"
        )
    _check(table)
    return table


def _need_label(label_column: str | None, source: str) -> str:
    if not label_column:
        raise InputError("--label-column is required for this file", source=source)
    return label_column


def _read_csv(path: Path, label_column: str) -> Table:
    """Parse the CSV; undecodable bytes and malformed records are located input errors."""
    source = str(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            return _parse_csv(reader, label_column, source)
        except UnicodeDecodeError:
            raise InputError("file is not UTF-8 text", source=source) from None
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", source=source, line=reader.line_num) from None


def _parse_csv(reader: Any, label_column: str, source: str) -> Table:
    import numpy as np

    header = next(reader, None)
    if not header:
        raise InputError("empty CSV (no header row)", source=source, line=1)
    header = [h.strip() for h in header]
    if label_column not in header:
        raise InputError(
            f"label column {label_column!r} not in header",
            source=source,
            line=1,
            hint="columns: " + ", ".join(header[:20]),
        )
    label_at = header.index(label_column)
    rows: list[list[float]] = []
    labels: list[str] = []
    for line, record in enumerate(reader, start=2):
        if not record:
            continue
        if len(record) != len(header):
            raise InputError(
                f"expected {len(header)} fields, found {len(record)}", source=source, line=line
            )
        if len(rows) >= MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS} rows", source=source, line=line)
        values: list[float] = []
        for col, cell in enumerate(record):
            if col == label_at:
                continue
            try:
                value = float(cell)
            except ValueError:
                raise InputError(
                    f"non-numeric value {cell[:30]!r}",
                    source=source,
                    line=line,
                    field=header[col],
                ) from None
            if not math.isfinite(value):
                raise InputError(
                    "missing or infinite value", source=source, line=line, field=header[col]
                )
            values.append(value)
        rows.append(values)
        labels.append(record[label_at].strip())
    names = tuple(h for i, h in enumerate(header) if i != label_at)
    x = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(names))
    return Table(x, _labels_array(labels), names, source)


def _labels_array(labels: list[str]) -> np.ndarray:
    """Integer labels when every label is an integer, else strings."""
    import numpy as np

    try:
        return np.asarray([int(v) for v in labels])
    except ValueError:
        return np.asarray(labels, dtype=object)


def _read_parquet(path: Path, label_column: str) -> Table:
    import numpy as np

    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            "reading Parquet needs pyarrow", source=str(path), hint="pip install pyarrow"
        ) from None
    table = pq.read_table(path)
    if label_column not in table.column_names:
        raise InputError(f"label column {label_column!r} not found", source=str(path))
    names = tuple(c for c in table.column_names if c != label_column)
    try:
        x = np.column_stack([table.column(c).to_numpy().astype(np.float64) for c in names])
    except (ValueError, TypeError) as exc:
        raise InputError(f"non-numeric feature column: {exc}", source=str(path)) from exc
    y = np.asarray(table.column(label_column).to_pylist())
    return Table(x, y, names, str(path))


def _read_npz(path: Path) -> Table:
    import zipfile

    import numpy as np

    if not zipfile.is_zipfile(path):
        raise InputError("not an .npz archive (expected numpy.savez output)", source=str(path))
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = {k.lower(): k for k in archive.files}
            if "x" not in keys or "y" not in keys:
                raise InputError("an .npz file needs arrays named 'x' and 'y'", source=str(path))
            raw_x = archive[keys["x"]]
            y = np.asarray(archive[keys["y"]])
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read .npz without pickle: {exc}", source=str(path)) from exc
    try:
        x = np.asarray(raw_x, dtype=np.float64)
    except (ValueError, TypeError):
        raise InputError("array 'x' must be numeric", source=str(path)) from None
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise InputError("x must be 2-D and y 1-D with one label per row", source=str(path))
    return Table(x, y, tuple(f"f{i}" for i in range(x.shape[1])), str(path))


def _check(table: Table) -> None:
    import numpy as np

    if len(table.x) < MIN_ROWS:
        raise InputError(
            f"only {len(table.x)} rows; at least {MIN_ROWS} are needed", source=table.source
        )
    if not np.all(np.isfinite(table.x)):
        raise InputError("features contain NaN or infinite values", source=table.source)
    if len(set(table.y.tolist())) < 2:
        raise InputError("labels have a single class", source=table.source)


def encode_labels(y: np.ndarray, classes: list[Any], source: str) -> np.ndarray:
    """Map raw labels to the target's class indices (by value, tolerant of '1' vs 1)."""
    import numpy as np

    index: dict[str, int] = {}
    for i, c in enumerate(classes):
        index[str(c)] = i
        try:
            index.setdefault(repr(float(c)), i)
        except (TypeError, ValueError):
            pass
    out = np.empty(len(y), dtype=np.int64)
    for row, label in enumerate(y.tolist()):
        idx = index.get(str(label))
        if idx is None:
            try:
                idx = index.get(repr(float(label)))
            except (TypeError, ValueError):
                idx = None
        if idx is None:
            raise InputError(
                f"label {str(label)[:40]!r} is not one of the model's classes {classes[:10]}",
                source=source,
                line=row + 2 if source.endswith(".csv") else None,
            )
        out[row] = idx
    return out
