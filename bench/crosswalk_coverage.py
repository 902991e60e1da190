"""Time loading the reference lists and crosswalks, and computing coverage of every framework
for every bundled example (with its assessment). Prints figures; asserts nothing.

Run: python bench/crosswalk_coverage.py
"""

from __future__ import annotations

import time

from aisec.analysis.coverage import coverage, states_from_assessment
from aisec.analysis.derive import derive_threats
from aisec.analysis.obligations import obligations
from aisec.catalog import default_catalog
from aisec.catalog.crosswalk import load_crosswalks
from aisec.catalog.frameworks import FRAMEWORK_KEYS, default_frameworks
from aisec.service import bundled_examples
from aisec.system import load_system
from aisec.system.assessment import load_assessment


def main() -> None:
    start = time.perf_counter()
    catalog = default_catalog()
    t_catalog = time.perf_counter() - start
    start = time.perf_counter()
    frameworks = default_frameworks()
    t_frameworks = time.perf_counter() - start
    start = time.perf_counter()
    crosswalks = load_crosswalks(control_ids=catalog.controls, threat_ids=catalog.threats)
    t_crosswalks = time.perf_counter() - start
    items = sum(len(f.items) for f in frameworks.values())
    links = sum(len(c.links) for c in crosswalks.values())
    print(f"catalogue load      {t_catalog * 1000:8.1f} ms")
    print(f"reference lists     {t_frameworks * 1000:8.1f} ms  ({items} items, 12 frameworks)")
    print(f"crosswalks          {t_crosswalks * 1000:8.1f} ms  ({links} links)")
    for sid, path, assessment_path in bundled_examples():
        system = load_system(path)
        states = (
            states_from_assessment(load_assessment(assessment_path)) if assessment_path else None
        )
        applicable = {d.threat_id for d in derive_threats(catalog, system) if d.applicable}
        start = time.perf_counter()
        for key in FRAMEWORK_KEYS:
            coverage(catalog, crosswalks, frameworks[key], states, applicable)
        obligations(system, catalog, crosswalks, states)
        elapsed = time.perf_counter() - start
        print(f"{sid:20s}{elapsed * 1000:8.1f} ms  (coverage of 12 frameworks + obligations)")


if __name__ == "__main__":
    main()
