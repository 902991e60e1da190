"""HTML page latency of the web app: portfolio and system pages at 50 users, 1,000 systems.

    python bench/web_pages.py [--systems 1000] [--users 50] [--seconds 30] [--think 1.0]
                              [--backend sqlite|postgresql]

Seeds the workspace with the team-server bench's seeder (`bench/server.py`), starts
`aisec serve` on 127.0.0.1 and lets U users browse: each opens the portfolio (a random page of
it, sometimes filtered by band or owner) or a random system page, then reads it for a random
0.5x-1.5x `--think` seconds, as a person clicking through does (`--think 0` is a closed loop of
back-to-back requests, a stress test rather than users). Before the timed run every page is
viewed once: those first views (cold per-revision caches) are reported on their own line.
Prints p50/p95/p99 per page.
Target (issue 11): p95 < 100 ms for both pages at 50 users with 1,000 systems.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import pct, proc_cpu, scratch_postgres, seed, start_server  # noqa: E402

BANDS = ("", "", "", "critical", "high")


def page_requests(
    rng: random.Random, slugs: list[str], workspace: str = "bench"
) -> tuple[str, str]:
    """(kind, path) of one page view: the portfolio half the time, a system page otherwise."""
    if rng.random() < 0.5:
        params = [f"page={rng.randint(1, max(1, len(slugs) // 50))}"]
        band = rng.choice(BANDS)
        if band:
            params.append(f"band={band}")
        return "html portfolio", f"/w/{workspace}/?" + "&".join(params)
    return "html system", f"/w/{workspace}/systems/{rng.choice(slugs)}"


async def user(
    base: str,
    token: str,
    slugs: list[str],
    until: float,
    think: float,
    samples: dict[str, list[float]],
    errors: list[str],
    rng: random.Random,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as client:
        await asyncio.sleep(rng.random() * think)  # users do not all arrive at once
        while time.monotonic() < until:
            kind, path = page_requests(rng, slugs)
            start = time.perf_counter()
            response = await client.get(path)
            elapsed = time.perf_counter() - start
            if response.status_code != 200 or b"<h1>" not in response.content:
                errors.append(f"{kind} {response.status_code} {path}")
            samples.setdefault(kind, []).append(elapsed)
            if think:
                await asyncio.sleep(think * (0.5 + rng.random()))


def warm(base: str, token: str, slugs: list[str]) -> tuple[float, list[float]]:
    """Cold caches: the first portfolio view summarises every head revision once, and the first
    view of each system page renders its report once (both cached per revision after that).
    Returns the first portfolio time and each system page's first-view time."""
    headers = {"Authorization": f"Bearer {token}"}
    start = time.perf_counter()
    with httpx.Client(base_url=base, timeout=300, headers=headers) as c:
        assert c.get("/w/bench/").status_code == 200
    first = time.perf_counter() - start
    times: list[float] = []

    async def visit(chunk: list[str]) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=300, headers=headers) as client:
            for slug in chunk:
                t0 = time.perf_counter()
                await client.get(f"/w/bench/systems/{slug}")
                times.append(time.perf_counter() - t0)

    async def main() -> None:
        await asyncio.gather(*(visit(slugs[i::4]) for i in range(4)))

    asyncio.run(main())
    return first, times


def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="aisec-bench-pages-"))
    stop: list[str] = []
    try:
        if args.backend == "sqlite":
            url = f"sqlite:///{tmp / 'aisec.db'}"
        else:
            url, stop = scratch_postgres(tmp)
        tokens = seed(url, args.systems, args.users)
        slugs = sorted({f"{sid}-{i:04d}" for i, sid in _ids(args.systems)})
        proc, base = start_server(url, tmp)
        try:
            cold, firsts = warm(base, tokens[0], slugs)
            samples: dict[str, list[float]] = {}
            errors: list[str] = []
            until = time.monotonic() + args.seconds

            async def main() -> None:
                await asyncio.gather(
                    *(
                        user(base, t, slugs, until, args.think, samples, errors, random.Random(i))
                        for i, t in enumerate(tokens)
                    )
                )

            cpu0 = proc_cpu(proc.pid)
            asyncio.run(main())
            cpu = proc_cpu(proc.pid) - cpu0
        finally:
            proc.terminate()
            proc.wait(10)
        return {
            "cold_portfolio_s": round(cold, 2),
            "cold_system_ms": (round(pct(firsts, 50), 1), round(pct(firsts, 95), 1)),
            "samples": samples,
            "errors": errors,
            "server_cpu_s": cpu,
        }
    finally:
        if stop:
            subprocess.run(stop, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _ids(systems: int) -> list[tuple[int, str]]:
    from aisec.service import bundled_examples

    examples = [sid for sid, _, _ in bundled_examples()]
    return [(i, examples[i % len(examples)]) for i in range(systems)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between views")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    out = run(args)
    total = sum(len(v) for v in out["samples"].values())
    print(
        f"== {args.backend}: {args.systems} systems, {args.users} users, think {args.think} s, "
        f"{args.seconds:.0f} s"
    )
    p50, p95 = out["cold_system_ms"]
    print(
        f"   cold caches: first portfolio view {out['cold_portfolio_s']} s; first view of each "
        f"system page p50 {p50} ms, p95 {p95} ms (4 clients)"
    )
    print(
        f"   {total} page views ({total / args.seconds:.1f}/s), {len(out['errors'])} errors "
        f"{out['errors'][:3] or ''}; server CPU {out['server_cpu_s'] * 1000 / max(1, total):.1f} "
        "ms per view"
    )
    print(f"   {'page':16} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in ("html portfolio", "html system"):
        values = out["samples"].get(kind, [])
        print(
            f"   {kind:16} {len(values):>6} {pct(values, 50):>8.1f} {pct(values, 95):>8.1f} "
            f"{pct(values, 99):>8.1f}"
        )


if __name__ == "__main__":
    main()
