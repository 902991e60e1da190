"""Benchmark of the core engine: parse, derive and score N synthetic AI systems.

    python bench/engine.py [--systems 10000] [--seed 7] [--compliance 200]

Prints the wall and CPU time of each stage (CPU time is the steadier figure on a busy
machine), systems per second and peak memory (max RSS of the process;
`--trace-memory` adds the traced Python heap, at a large speed cost). Target from issue 2: assessing 10,000 systems costs less than 5x
parsing them (parse = YAML text -> validated AISystem). A report also needs the framework
crosswalks and AI Act sections (`reports.compliance`); their cost per system is measured apart
on the first `--compliance` systems (0 skips it), outside the ratio.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import time
import tracemalloc
from datetime import UTC, datetime

from aisec.analysis.assess import assess
from aisec.analysis.derive import derive_threats
from aisec.catalog import default_catalog
from aisec.reports.compliance import compliance_sections
from aisec.system import load_system_text
from aisec.system.assessment import Assessment, ControlState, ControlStatus


def synthetic_system(i: int, rng: random.Random) -> str:
    """One random but valid system description, mixing every archetype's features."""
    genai = rng.random() < 0.6
    models = []
    for m in range(rng.randint(1, 3)):
        models.append(
            f"  - id: m{m}\n    name: Model {m}\n    kind: {'genai' if genai else 'predictive'}\n"
            f"    task: {'text-generation' if genai else 'classification'}\n"
            f"    source: {rng.choice(['in-house', 'open-weights', 'provider-api'])}\n"
            f"    trained_by: {rng.choice(['us', 'supplier'])}\n"
            f"    fine_tuned_by: {rng.choice(['us', 'nobody'])}\n"
            f"    hosted_by: {rng.choice(['us', 'model-provider', 'cloud-host'])}\n"
            f"    is_ip: {str(rng.random() < 0.4).lower()}\n"
            f"    outputs_confidence: {str(rng.random() < 0.3).lower()}\n"
            f"    training_data: [d0]\n"
        )
    model_ids = ", ".join(f"m{m}" for m in range(len(models)))
    tools = ""
    if genai and rng.random() < 0.5:
        tools = "tools:\n" + "".join(
            f"  - id: t{t}\n    name: Tool {t}\n    effects: [{rng.choice(['read', 'write', 'send', 'execute'])}]\n"
            f"    reaches_sensitive_data: {str(rng.random() < 0.5).lower()}\n"
            f"    returns_untrusted_content: {str(rng.random() < 0.5).lower()}\n"
            f"    used_by: [m0]\n"
            for t in range(rng.randint(1, 5))
        )
    return (
        f"id: sys-{i}\nname: Synthetic system {i}\nowner: {{name: Team {i % 50}}}\n"
        f"organisation_role: {rng.choice(['vendor', 'integrator', 'both'])}\n"
        f"archetypes: [{rng.choice(['rag', 'autonomous-agent', 'ml-classifier', 'recommender'])}]\n"
        f"business_impact: {{confidentiality: {rng.randint(1, 5)}, integrity: {rng.randint(1, 5)}, "
        f"availability: {rng.randint(1, 5)}}}\n"
        f"datasets:\n  - id: d0\n    name: Data\n    purpose: training\n"
        f"    sensitivity: {rng.choice(['public', 'internal', 'personal', 'confidential'])}\n"
        f"    provenance: {rng.choice(['in-house', 'third-party', 'public-web', 'user-generated'])}\n"
        f"models:\n{''.join(models)}"
        f"augmentation:\n  - id: store\n    name: Store\n    kind: vector-store\n    sensitivity: personal\n"
        f"    content_sources: [{rng.choice(['internal', 'public-web', 'email'])}]\n    feeds: [{model_ids}]\n"
        f"{tools}"
        f"interfaces:\n  - id: ui\n    name: UI\n    exposure: {rng.choice(['public', 'partner', 'internal'])}\n"
        f"    authenticated: {str(rng.random() < 0.7).lower()}\n    users: [users]\n    models: [{model_ids}]\n"
        f"outputs:\n  - id: out\n    name: Out\n    rendering: {rng.choice(['plain', 'markdown', 'html', 'decision'])}\n"
        f"    models: [m0]\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--trace-memory", action="store_true", help="also trace the Python heap (slower)"
    )
    parser.add_argument(
        "--compliance", type=int, default=200, help="systems whose crosswalk sections are timed"
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="move the inputs out of the garbage collector's view before timing (as a "
        "long-lived worker does after loading): the collector then rescans only new objects",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    catalog = default_catalog()
    controls = list(catalog.controls)
    texts = [synthetic_system(i, rng) for i in range(args.systems)]
    assessments = [
        Assessment(
            system=f"sys-{i}",
            controls={
                c: ControlState(status=rng.choice(list(ControlStatus)))
                for c in rng.sample(controls, 20)
            },
        )
        for i in range(args.systems)
    ]
    now = datetime(2026, 11, 26, tzinfo=UTC)
    if args.trace_memory:
        tracemalloc.start()
    if args.gc_freeze:
        gc.freeze()

    t0, c0 = time.perf_counter(), time.process_time()
    systems = [load_system_text(t, f"sys-{i}.yaml") for i, t in enumerate(texts)]
    t1, c1 = time.perf_counter(), time.process_time()
    if args.gc_freeze:  # the parsed systems are inputs too (O(1): untimed either way)
        gc.freeze()
        t1, c1 = time.perf_counter(), time.process_time()
    derived = sum(len(derive_threats(catalog, s)) for s in systems)
    t2, c2 = time.perf_counter(), time.process_time()
    risks = sum(
        len(assess(catalog, s, a, now).risks) for s, a in zip(systems, assessments, strict=True)
    )
    t3, c3 = time.perf_counter(), time.process_time()
    peak = tracemalloc.get_traced_memory()[1] if args.trace_memory else 0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    parse, derive, full = t1 - t0, t2 - t1, t3 - t2
    cpu_parse, cpu_derive, cpu_full = c1 - c0, c2 - c1, c3 - c2
    print(f"systems                 {args.systems}")
    print(
        f"parse (YAML+validate)   {parse:8.2f} s   {args.systems / parse:9.0f} systems/s"
        f"   (CPU {cpu_parse:.2f} s)"
    )
    print(
        f"derive threats          {derive:8.2f} s   {args.systems / derive:9.0f} systems/s"
        f"   (CPU {cpu_derive:.2f} s; {derived} decisions)"
    )
    print(
        f"full assessment         {full:8.2f} s   {args.systems / full:9.0f} systems/s"
        f"   (CPU {cpu_full:.2f} s; {risks} risk items;"
        " derive+controls+score+decisions+readiness+roadmap+interactions)"
    )
    print(
        f"assessment / parse      {full / parse:8.2f} x   wall, {cpu_full / cpu_parse:.2f} x CPU"
        "   (target < 5x)"
    )
    sample = list(zip(systems, assessments, strict=True))[: args.compliance]
    if sample:
        results = [assess(catalog, s, a, now) for s, a in sample]
        if args.gc_freeze:
            gc.freeze()
        c4 = time.process_time()
        for (s, a), r in zip(sample, results, strict=True):
            applicable = {d.threat_id for d in r.decisions if d.applicable}
            compliance_sections(catalog, s, a, applicable, r.controls)
        per = (time.process_time() - c4) / len(sample) * 1000
        print(
            f"crosswalks + AI Act    {per:8.2f} ms CPU per system (first {len(sample)};"
            " every framework's coverage, models for the shown ones; not in the ratio)"
        )
    if args.trace_memory:
        print(f"peak traced heap        {peak / 1e6:8.1f} MB   (tracemalloc slows every stage)")
    print(f"max RSS                 {rss_mb:8.1f} MB")


if __name__ == "__main__":
    main()
