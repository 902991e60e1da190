"""Extract the OWASP AI Exchange 'periodic table' (threat -> controls) into a small YAML file.

Input: content/ai_exchange/content/docs/ai_security_overview.md of
OWASP/www-project-ai-security-and-privacy-guide (CC0 1.0), e.g.
    git -C guide show <commit>:content/ai_exchange/content/docs/ai_security_overview.md > o.md
    python tools/gen_owasp_periodic_table.py o.md --commit <sha> -o tests/catalog/data/owasp_aix_periodic_table.yaml
Only slugs are kept. Group links are expanded where the table names their members
('datalimit' -> data minimize, short retain, obfuscate training data); 'limitunwanted' is a
group of general controls the table adds to every integrity threat and is recorded as such.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

GROUPS = {"datalimit": ["dataminimize", "shortretain", "obfuscatetrainingdata"]}
ROW = re.compile(r"<tr>.*?</tr>|<tr>.*?(?=<tr>)", re.S)
LINK = re.compile(r'href="/go/([a-z0-9]+)/"')


def parse(text: str) -> dict[str, list[str]]:
    start = text.index("### Periodic table of AI security")
    table = text[start : text.index("</tbody></table>", start)]
    rows: dict[str, list[str]] = {}
    for line in table.splitlines():
        cells = re.findall(r"<td[^>]*>(.*?)(?=<td|</tr>|$)", line)
        if not cells:
            continue
        threat_cell = next((c for c in cells if LINK.search(c)), None)
        if threat_cell is None:
            continue
        threat = LINK.findall(threat_cell)[0]
        controls_cell = (
            cells[cells.index(threat_cell) + 1] if cells.index(threat_cell) + 1 < len(cells) else ""
        )
        controls: list[str] = []
        for slug in LINK.findall(controls_cell):
            controls.extend(GROUPS.get(slug, [slug]))
        rows[threat] = list(dict.fromkeys(controls))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--commit", required=True)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args(argv)
    rows = parse(args.source.read_text(encoding="utf-8"))
    data = {
        "source": "OWASP/www-project-ai-security-and-privacy-guide "
        f"content/ai_exchange/content/docs/ai_security_overview.md at {args.commit} "
        "(section 'Periodic table of AI security', /go/periodictable/)",
        "licence": "CC0 1.0",
        "threats": rows,
    }
    args.out.write_text(yaml.safe_dump(data, sort_keys=False, width=100), encoding="utf-8")
    print(f"wrote {args.out} ({len(rows)} threats)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
