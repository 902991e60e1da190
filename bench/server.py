"""Team server under load: seed N systems (assessment + evidence each), then U concurrent users
with a realistic mix against `aisec serve` on 127.0.0.1, on SQLite and on PostgreSQL; then time
re-assessing the whole workspace through the job API. Prints figures; asserts nothing.

Mix per user request: portfolio page (50 rows) 30 %, system page 25 %, risk register (CSV of the
stored result) 15 %, diff of the first and head revision 15 %, evidence upload (a new revision,
re-running the analysis) 15 %.
By default each user fires its next request as soon as the last one returns (closed loop, no think
time): that measures saturation throughput and queueing (latency ~= users / throughput), not the
latency one person sees. `--think S` gives every user an exponentially distributed pause with mean
S seconds between requests (a person reading a page), which is what the p95 target is about.
Targets (issue 10): p95 < 50 ms for reads at 50 users on 2 cores; re-assess 1,000 systems < 30 s.

Run: python bench/server.py [--systems 1000] [--users 50] [--seconds 30] [--backend both] [--think 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.service import bundled_examples
from aisec.store import accounts, audit, services
from aisec.store.access import CLI_ACTOR, Role
from aisec.store.assessing import Outcome, run_text
from aisec.store.db import make_engine, make_sessionmaker, upgrade, write_session
from aisec.store.models import (
    AssessmentResultBlob,
    AssessmentRevision,
    Evidence,
    System,
    SystemRevision,
)

READS = ("portfolio", "system", "register", "diff")


def evidence_bytes(seed: int) -> bytes:
    verdict = Verdict.PASS if seed % 3 else Verdict.FAIL
    report = EvidenceReport(
        tool="aisec-scan",
        tool_version="bench",
        generated_at=datetime(2026, 12, 1, tzinfo=UTC),
        subject=f"models/m{seed}.bin",
        findings=[
            Finding(
                tool="aisec-scan",
                rule_id="pickle.check",
                verdict=verdict,
                severity=Severity.HIGH,
                location=f"m{seed}.bin",
                message="bench",
                control_ids=["model-artifact-scanning"],
            )
        ],
    )
    return report.model_dump_json().encode()


def _retarget(blob: bytes, system_id: str) -> bytes:
    payload = json.loads(zlib.decompress(blob))
    payload["result"]["system_id"] = system_id
    return zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 1)


def seed(url: str, systems: int, users: int) -> list[str]:
    """Templates are analysed once; each seeded system gets its own id, revision rows,
    evidence row, audit link and a copy of the template's stored result."""
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    templates: list[tuple[str, str, str | None, Outcome, bytes]] = []
    for sid, system_path, assessment_path in bundled_examples():
        text = system_path.read_text()
        assessment = assessment_path.read_text() if assessment_path else None
        ev = evidence_bytes(len(templates))
        templates.append(
            (sid, text, assessment, run_text(text, assessment, [("scan.json", ev)]), ev)
        )
    tokens = []
    with write_session(factory) as s:
        ws = services.create_workspace(s, CLI_ACTOR, "bench", "Bench")
        for i in range(users):
            user = accounts.add_user(s, f"user{i}", None)
            services.set_member(s, CLI_ACTOR, ws, user.username, Role.ASSESSOR, None)
            tokens.append(
                accounts.create_token(s, user, "bench", ["read", "write", "evidence"]).secret
            )
        ws_id = ws.id
    for start in range(0, systems, 100):
        with write_session(factory) as s:
            for i in range(start, min(start + 100, systems)):
                sid, text, assessment, outcome, ev = templates[i % len(templates)]
                new_id = f"{sid}-{i:04d}"
                stext = text.replace(f"id: {sid}", f"id: {new_id}", 1)
                atext = (
                    assessment.replace(f"system: {sid}", f"system: {new_id}", 1)
                    if assessment
                    else None
                )
                system = System(
                    workspace_id=ws_id,
                    slug=new_id,
                    name=outcome.system.name,
                    owner=outcome.system.owner.name,
                    system_head=1,
                    assessment_head=1,
                )
                s.add(system)
                s.flush()
                s.add(
                    SystemRevision(
                        system_id=system.id,
                        number=1,
                        yaml_text=stext,
                        sha256=audit.digest(stext),
                        message="seed",
                    )
                )
                evidence = Evidence(
                    system_id=system.id,
                    filename="scan.json",
                    sha256=audit.digest(ev),
                    size=len(ev),
                    tool="aisec-scan",
                    tool_version="bench",
                    subject="m.bin",
                    content=ev,
                )
                s.add(evidence)
                s.flush()
                summary = outcome.summary
                arev = AssessmentRevision(
                    system_id=system.id,
                    number=1,
                    system_revision=1,
                    yaml_text=atext,
                    sha256=audit.digest(atext or ""),
                    evidence_ids=str(evidence.id),
                    message="seed",
                    label="created",
                    catalog_version=summary.catalog_version,
                    residual_sum=summary.residual_sum,
                    inherent_sum=summary.inherent_sum,
                    max_residual=summary.max_residual,
                    above_acceptance=summary.above_acceptance,
                    readiness=summary.readiness,
                    projection=summary.projection,
                )
                s.add(arev)
                s.flush()
                s.add(
                    AssessmentResultBlob(
                        revision_id=arev.id, result=_retarget(summary.blob, new_id)
                    )
                )
                audit.append(
                    s,
                    actor="bench",
                    action="system.create",
                    workspace="bench",
                    object_type="system",
                    object_id=new_id,
                    after=audit.digest(stext),
                )
    return tokens


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children (the analysis workers), from
    /proc: on a shared machine this says what the server cost, whatever the latency."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for p in [str(pid), *kids]:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return float("nan")
    return total


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, cwd: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aisec", "serve", "--db", url, "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


async def user_loop(
    base: str,
    token: str,
    slugs: list[str],
    until: float,
    samples: dict[str, list[float]],
    errors: list[str],
    rng: random.Random,
    think: float = 0.0,
) -> None:
    ws = "/api/v1/workspaces/bench"
    async with httpx.AsyncClient(
        base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as c:
        while time.monotonic() < until:
            if think > 0:
                await asyncio.sleep(rng.expovariate(1 / think))
                if time.monotonic() >= until:
                    break
            roll = rng.random()
            slug = rng.choice(slugs)
            t0 = time.perf_counter()
            if roll < 0.30:
                kind = "portfolio"
                r = await c.get(
                    f"{ws}/systems",
                    params={"limit": 50, "offset": rng.randrange(0, len(slugs), 50)},
                )
            elif roll < 0.55:
                kind = "system"
                r = await c.get(f"{ws}/systems/{slug}")
            elif roll < 0.70:
                kind = "register"
                r = await c.get(f"{ws}/systems/{slug}/report", params={"format": "csv"})
            elif roll < 0.85:
                kind = "diff"
                r = await c.get(f"{ws}/systems/{slug}/diff", params={"from": 1})
            else:
                kind = "upload"
                r = await c.post(
                    f"{ws}/systems/{slug}/evidence",
                    files={"file": ("scan.json", evidence_bytes(rng.randrange(1000)))},
                )
            elapsed = time.perf_counter() - t0
            if r.status_code >= 400:
                errors.append(f"{kind} {r.status_code} {r.text[:120]}")
            samples.setdefault(kind, []).append(elapsed)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def run_load(
    base: str, tokens: list[str], slugs: list[str], seconds: float, think: float = 0.0
) -> dict[str, Any]:
    samples: dict[str, list[float]] = {}
    errors: list[str] = []
    until = time.monotonic() + seconds
    rngs = [random.Random(i) for i in range(len(tokens))]

    async def main() -> None:
        await asyncio.gather(
            *(
                user_loop(base, t, slugs, until, samples, errors, rngs[i], think)
                for i, t in enumerate(tokens)
            )
        )

    start = time.perf_counter()
    asyncio.run(main())
    wall = time.perf_counter() - start
    reads = [v for k in READS for v in samples.get(k, [])]
    out: dict[str, Any] = {
        "requests": sum(len(v) for v in samples.values()),
        "throughput_rps": round(sum(len(v) for v in samples.values()) / wall, 1),
        "errors": len(errors),
        "first_errors": errors[:3],
    }
    for kind, values in [("reads", reads), *samples.items()]:
        out[kind] = {
            "n": len(values),
            "p50_ms": round(pct(values, 50), 1),
            "p95_ms": round(pct(values, 95), 1),
            "p99_ms": round(pct(values, 99), 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None,
        }
    return out


def reassess(base: str, token: str) -> dict[str, Any]:
    ws = "/api/v1/workspaces/bench"
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
        t0 = time.perf_counter()
        job = c.post(f"{ws}/jobs", json={"kind": "reassess"}).json()
        while job["status"] not in ("done", "failed"):
            time.sleep(0.5)
            job = c.get(f"{ws}/jobs/{job['id']}").json()
        return {
            "seconds": round(time.perf_counter() - t0, 1),
            "systems": job["total"],
            "status": job["status"],
        }


def scratch_postgres(tmp: Path) -> tuple[str, list[str]]:
    """initdb + pg_ctl under tmp (as the postgres user when root); returns URL and stop cmd."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bins:
        raise RuntimeError("no PostgreSQL binaries")
    bin_dir, port, data = bins[-1], _free_port(), tmp / "pgdata"
    pre = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if pre:
        shutil.chown(tmp, "postgres", "postgres")
    subprocess.run(
        [
            *pre,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-locale",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *pre,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c max_connections=300",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-c",
            "create database bench",
        ],
        check=True,
        capture_output=True,
    )
    stop = [*pre, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench", stop


def bench(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"aisec-bench-{backend}-"))
    stop: list[str] = []
    try:
        if backend == "sqlite":
            url = f"sqlite:///{tmp / 'aisec.db'}"
        else:
            url, stop = scratch_postgres(tmp)
        t0 = time.perf_counter()
        tokens = seed(url, args.systems, args.users)
        seeded = time.perf_counter() - t0
        slugs = [
            f"{sid}-{i:04d}" for i in range(args.systems) for sid in [bundled_examples()[i % 5][0]]
        ]
        proc, base = start_server(url, tmp)
        try:
            time.sleep(3)  # let the analysis workers start (the server warms them at start-up)
            cpu0 = proc_cpu(proc.pid)
            load = run_load(base, tokens, slugs, args.seconds, args.think)
            cpu1 = proc_cpu(proc.pid)
            load["server_cpu_ms_per_request"] = round(
                (cpu1 - cpu0) * 1000 / max(1, load["requests"]), 1
            )
            again = reassess(base, tokens[0]) if args.reassess else None
            if again:
                again["server_cpu_s"] = round(proc_cpu(proc.pid) - cpu1, 1)
        finally:
            proc.terminate()
            proc.wait(10)
        return {
            "backend": backend,
            "systems": args.systems,
            "users": args.users,
            "think_s": args.think,
            "seed_seconds": round(seeded, 1),
            "load": load,
            "reassess": again,
        }
    finally:
        if stop:
            subprocess.run(stop, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause per user between requests in seconds (exponential); 0 = closed loop",
    )
    parser.add_argument("--no-reassess", dest="reassess", action="store_false")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [bench(b, args) for b in backends]
    for r in results:
        load = r["load"]
        print(
            f"\n== {r['backend']}: {r['systems']} systems, {r['users']} users, "
            f"think {r['think_s']} s "
            f"(seeded in {r['seed_seconds']} s)"
        )
        print(
            f"   {load['requests']} requests, {load['throughput_rps']} req/s, "
            f"{load['errors']} errors {load['first_errors'] or ''}; server CPU (incl. its "
            f"analysis workers) {load['server_cpu_ms_per_request']} ms per request"
        )
        print(f"   {'kind':10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        for kind in ("reads", *READS, "upload"):
            if kind in load:
                k = load[kind]
                print(
                    f"   {kind:10} {k['n']:>6} {k['p50_ms']:>8} {k['p95_ms']:>8} {k['p99_ms']:>8}"
                )
        if r["reassess"]:
            ra = r["reassess"]
            print(
                f"   re-assess workspace: {ra['systems']} systems in {ra['seconds']} s "
                f"({ra['status']}), server CPU incl. workers {ra['server_cpu_s']} s"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
