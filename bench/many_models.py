"""Scaling of one system with many models (issue 14 item 13): time, peak memory, report bytes.

    python bench/many_models.py [--models 1000 10000] [--formats json,md,csv,html]

Builds a system from the bundled fraud-classifier example with N copies of its model (each
wired to the same interfaces, outputs and continuous learning), runs `aisec assess` on it in a
fresh process per size, and prints seconds, peak RSS (MiB) and bytes written. Target: the
10,000-model run within 5x the 1,000-model run, under 1 GiB, reports summarising repeats.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import yaml


def many_model_system(count: int) -> str:
    """The fraud-classifier example with `count` models instead of one."""
    base = resources.files("aisec").joinpath("examples", "fraud-classifier.yaml").read_text("utf-8")
    data = yaml.safe_load(base)
    template = data["models"][0]
    models = []
    for i in range(count):
        model = dict(template)
        model["id"] = f"fraud-model-{i}"
        model["name"] = f"Fraud scoring model {i}"
        model.pop("artifacts", None)
        models.append(model)
    ids = [m["id"] for m in models]
    data["models"] = models
    for key in ("interfaces", "outputs"):
        for item in data.get(key, []):
            item["models"] = ids
    if data.get("continuous_learning"):
        data["continuous_learning"]["models"] = ids
    return yaml.safe_dump(data, sort_keys=False)


_CHILD = """
import resource, sys, time
from aisec.cli import main
t = time.perf_counter()
code = main(sys.argv[1:])
elapsed = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"RESULT {code} {elapsed:.2f} {rss:.0f}", file=sys.stderr)
"""


def run(count: int, formats: str, root: Path) -> dict[str, float]:
    system = root / f"sys-{count}.yaml"
    system.write_text(many_model_system(count), encoding="utf-8")
    out = root / f"out-{count}"
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "assess", str(system), "-o", str(out), "-f", formats],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("RESULT")]
    if not line:
        raise SystemExit(f"assess failed for {count} models:\n{proc.stderr[-2000:]}")
    _, code, seconds, rss = line[-1].split()
    written = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "models": count,
        "exit": int(code),
        "seconds": float(seconds),
        "wall": round(wall, 2),
        "peak_mib": float(rss),
        "report_mib": round(written / 2**20, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--formats", default="json,md,csv,html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run(n, args.formats, Path(tmp)) for n in args.models]
    for row in rows:
        print(json.dumps(row))
    if len(rows) >= 2 and rows[0]["seconds"] > 0:
        ratio = rows[-1]["seconds"] / rows[0]["seconds"]
        scale = rows[-1]["models"] / rows[0]["models"]
        print(f"time ratio {ratio:.1f}x for {scale:.0f}x models (target <= 5x at 10x)")


if __name__ == "__main__":
    main()
