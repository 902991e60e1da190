"""`aisec scan small.pkl` imports only what the file needs (start-up time is most of a small
scan): no NumPy, jinja2, h5py, ONNX, py7zr, LZ4, zstd or torch for a plain pickle."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("numpy", "jinja2", "h5py", "onnx", "py7zr", "lz4", "zstandard", "torch", "sklearn")

PROBE = """
import json, sys
from aisec.cli import main
code = main(["scan", sys.argv[1], "-q"])
print(json.dumps({"code": code, "loaded": [m for m in HEAVY if m in sys.modules]}))
"""


def test_scanning_a_pickle_imports_no_heavy_library(tmp_path: Path) -> None:
    path = tmp_path / "small.pkl"
    path.write_bytes(b"\x80\x04}\x94\x8c\x01a\x94K\x01s.")
    out = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n" + PROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": []}
