"""Issue 14 item 11: a .skops whose schema.json inflates to gigabytes is refused by its
decompressed size, quickly and without reading it (mltest's loader)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from aisec.common.errors import InputError

pytest.importorskip("skops")


def test_inflating_schema_json_is_refused_before_skops_reads_it(tmp_path: Path) -> None:
    from aisec.probes.ml.load_sklearn import MAX_SCHEMA_BYTES, load_skops

    path = tmp_path / "bomb.skops"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("schema.json", "w", force_zip64=True) as member:
            member.write(b"{" + b" " * (MAX_SCHEMA_BYTES + 1024) + b"}")
    assert path.stat().st_size < 1 << 20  # small on disk
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="schema.json inflates"):
        load_skops(path)
    assert time.perf_counter() - t0 < 2.0
