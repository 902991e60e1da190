"""Rebuild the known-package list the package-hallucination detector ships with.

Input: offline name lists with a download rank (PyPI: a tab-separated file whose 4th column is
the rank among the 15,000 most downloaded projects; npm: a file whose 3rd column is downloads a
month). Output: `src/aisec/probes/llm/detectors/data/known-packages.txt.gz`, one
`ecosystem<TAB>name` a line, PyPI names normalised as in PEP 503, npm names as published.

    python bench/make_known_packages.py PYPI_TSV NPM_TSV [--top 15000]
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1]
    / "src/aisec/probes/llm/detectors/data/known-packages.txt.gz"
)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        next(handle)
        return [line.rstrip("\n").split("\t") for line in handle]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pypi", type=Path)
    parser.add_argument("npm", type=Path)
    parser.add_argument("--top", type=int, default=15000)
    args = parser.parse_args()
    pypi = sorted(
        (int(r[3]), r[0]) for r in _rows(args.pypi) if len(r) > 3 and r[3].strip().isdigit()
    )[: args.top]
    npm = sorted(
        (-int(r[2]), r[0]) for r in _rows(args.npm) if len(r) > 2 and r[2].strip().isdigit()
    )[: args.top]
    names = {("pypi", re.sub(r"[-_.]+", "-", n).lower()) for _, n in pypi}
    names |= {("npm", n.lower()) for _, n in npm}
    text = "".join(f"{eco}\t{name}\n" for eco, name in sorted(names))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"{OUT}: {len(names)} names")


if __name__ == "__main__":
    main()
