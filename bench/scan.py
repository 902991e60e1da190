"""Benchmark the artifact scanner against picklescan, modelscan and fickling.

    python bench/scan.py [--size-gb 1] [--quick] [--tools aisec,picklescan,...]

Builds, under bench/.corpus/ (git-ignored): the malicious recipe corpus and the benign corpus
from tests/probes/artifacts, an opcode-heavy pickle (40,000 small NumPy arrays, ~22 MB) and
array-heavy files (a pickled array and a torch.save-shaped zip of --size-gb each, written as
sparse files so generation is fast). Every tool runs in its own subprocess, through its Python
API, once per corpus for detection and once per performance file; peak RSS comes from wait4().
Prints one table: detection rate, false positives, not-scanned/error counts, MB/s, peak RSS.
Peer tools are optional (`pip install 'aisec[bench]'`); missing ones are reported as such.

A second table measures what a user experiences: each tool's own CLI started as a fresh process
(`aisec scan FILE -q`, `picklescan -p FILE`, `modelscan -p FILE`), whole-process wall and CPU
time (median of --repeat) and peak RSS, on the opcode-heavy pickle, the array-heavy pickle (aisec
hashes every file with SHA-256, the others do not hash) and a folder of 500 small pickles, plus
detection on the second-wave corpus (tests/probes/artifacts/corpus.py). `--whole-only` skips
the in-process table (and reuses already built files).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import pickle
import shutil
import statistics
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / ".corpus"
FIXTURES = ROOT.parent / "tests" / "probes" / "artifacts"
TOOLS = ("aisec", "aisec-nohash", "picklescan", "picklescan-strict", "modelscan", "fickling")
MODULE = {
    "aisec": "aisec.probes.artifacts.service",
    "aisec-nohash": "aisec.probes.artifacts.service",
    "picklescan": "picklescan.scanner",
    "picklescan-strict": "picklescan.scanner",
    "modelscan": "modelscan.modelscan",
    "fickling": "fickling",
}

# ---------------------------------------------------------------- per-tool adapters (child side)


def _verdict_aisec(path: str, hash_files: bool = True) -> str:
    from aisec.probes.artifacts.service import scan_paths

    v = scan_paths([Path(path)], hash_files=hash_files).verdict.value
    return {"malicious": "flagged", "suspicious": "flagged"}.get(v, v)


def _verdict_picklescan(path: str, strict: bool = False) -> str:
    from picklescan.scanner import scan_file_path

    r = scan_file_path(path)
    if r.infected_files or strict and getattr(r, "suspicious_count", 0):
        return "flagged"
    if r.scan_err:
        return "error"
    return "clean" if r.scanned_files else "not-scanned"


def _verdict_modelscan(path: str) -> str:
    from modelscan.modelscan import ModelScan

    res = ModelScan().scan(path)
    summary = res.get("summary", {})
    if summary.get("total_issues", 0):
        return "flagged"
    if res.get("errors"):
        return "error"
    scanned = summary.get("scanned", {}).get("total_scanned", 0)
    return "clean" if scanned else "not-scanned"


def _verdict_fickling(path: str) -> str:
    import fickling

    r = fickling.scan_file(path, graceful=True)
    if not r.is_safe:
        return "flagged"
    return "error" if r.errors else "clean"


ADAPTERS = {
    "aisec": _verdict_aisec,
    "aisec-nohash": lambda p: _verdict_aisec(p, hash_files=False),
    "picklescan": _verdict_picklescan,
    "picklescan-strict": lambda p: _verdict_picklescan(p, strict=True),
    "modelscan": _verdict_modelscan,
    "fickling": _verdict_fickling,
}


def child(tool: str, files: list[str]) -> None:
    """Runs in the subprocess: scan each file, print one JSON line per file."""
    import contextlib
    import io
    import logging

    logging.disable(logging.CRITICAL)
    importlib.import_module(MODULE[tool])  # imports are not part of the timed scan
    repeat = int(os.environ.get("BENCH_REPEAT", "1"))
    for path in files:
        dt = float("inf")
        for _ in range(repeat):  # best of N: the host may be shared and noisy
            t0 = time.perf_counter()
            try:
                with (
                    contextlib.redirect_stdout(io.StringIO()),
                    contextlib.redirect_stderr(io.StringIO()),
                ):
                    verdict = ADAPTERS[tool](path)
            except Exception as exc:  # a crashing tool is an error result
                verdict = f"error:{type(exc).__name__}"
            dt = min(dt, time.perf_counter() - t0)
        print(json.dumps({"path": path, "verdict": verdict, "seconds": dt}), flush=True)


def run_tool(
    tool: str, files: list[Path], timeout: float, repeat: int = 1
) -> tuple[list[dict], float, bool]:
    """(per-file results, peak RSS in MB, timed out) for one subprocess over `files`."""
    listing = CORPUS / f".files-{tool}.json"
    listing.write_text(json.dumps([str(f) for f in files]))
    out_path = CORPUS / f".out-{tool}.jsonl"
    with open(out_path, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", tool, str(listing)],
            stdout=out,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "BENCH_REPEAT": str(repeat)},
        )
        deadline = time.monotonic() + timeout
        timed_out = False
        while True:
            pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                _, _, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
    out_lines = [ln for ln in out_path.read_text().splitlines() if ln.startswith("{")]
    return [json.loads(line) for line in out_lines], usage.ru_maxrss / 1024, timed_out


# ---------------------------------------------------------------- corpus generation


def _import_fixtures() -> tuple[object, object]:
    sys.path.insert(0, str(FIXTURES))
    import benign
    import recipes

    return recipes, benign


def build_corpus(size_gb: float) -> dict[str, list[Path]]:
    recipes, benign = _import_fixtures()
    for sub in ("recipes", "benign"):
        shutil.rmtree(CORPUS / sub, ignore_errors=True)
    rec_files = []
    for r in recipes.RECIPES:  # type: ignore[attr-defined]
        if r.needs and importlib.util.find_spec(r.needs) is None:
            continue
        rec_files.append(r.write(CORPUS / "recipes"))
    ben_dir = CORPUS / "benign"
    ben_dir.mkdir(parents=True)
    ben_files = []
    builders = dict(benign.builders())  # type: ignore[attr-defined]
    if importlib.util.find_spec("torch") is not None:
        builders.update(benign.torch_builders())  # type: ignore[attr-defined]
    for name, build in builders.items():
        (ben_dir / name).write_bytes(build())
        ben_files.append(ben_dir / name)
    perf = CORPUS / "perf"
    perf.mkdir(exist_ok=True)
    heavy = perf / "opcode-heavy-40k-arrays.pkl"
    if not heavy.exists():
        import numpy as np

        rng = np.random.default_rng(0)
        heavy.write_bytes(pickle.dumps([rng.random(64) for _ in range(40_000)], protocol=4))
    n = int(size_gb * (1 << 30))
    big_pkl = perf / f"array-heavy-{size_gb:g}gb.pkl"
    big_zip = perf / f"array-heavy-{size_gb:g}gb-torch.pt"
    if not big_pkl.exists() or big_pkl.stat().st_size < n:
        _sparse_array_pickle(big_pkl, n)
    if not big_zip.exists() or big_zip.stat().st_size < n:
        # data.pkl must declare the storage it points at (n bytes = n/4 floats), as
        # torch.save writes it; a storage size that disagrees with its member is flagged
        data_pkl = benign.torch_like_data_pkl()  # type: ignore[attr-defined]
        data_pkl = data_pkl.replace(b"K\x04tQ", b"J" + struct.pack("<i", n // 4) + b"tQ", 1)
        _sparse_torch_zip(big_zip, n, data_pkl)
    ben_files += [heavy]
    return {"recipes": rec_files, "benign": ben_files, "perf": [heavy, big_pkl, big_zip]}


def _sparse_array_pickle(path: Path, n: int) -> None:
    """pickle.dumps({'w': np.zeros(n, uint8)}, protocol=5) without materialising n bytes."""
    import numpy as np

    marker = 0x01020304
    data = pickle.dumps({"w": np.zeros(marker, dtype=np.uint8)}, protocol=5)
    lenpos = data.index(b"\x96" + struct.pack("<Q", marker)) + 1
    start = lenpos + 8
    head = data[:lenpos] + struct.pack("<Q", n)
    tail = data[start + marker :].replace(
        b"J" + struct.pack("<i", marker), b"J" + struct.pack("<i", min(n, 2**31 - 1))
    )
    with open(path, "wb") as fh:
        fh.write(head)
        fh.seek(n, os.SEEK_CUR)
        fh.write(tail)


def _sparse_torch_zip(path: Path, n: int, data_pkl: bytes) -> None:
    """torch.save-shaped stored zip whose single storage holds n zero bytes (a sparse hole)."""
    crc = 0
    zero = bytes(64 << 20)
    left = n
    while left:
        k = min(left, len(zero))
        crc = zlib.crc32(zero[:k] if k < len(zero) else zero, crc)
        left -= k
    members = [
        ("archive/data.pkl", data_pkl, zlib.crc32(data_pkl), len(data_pkl)),
        ("archive/version", b"3\n", zlib.crc32(b"3\n"), 2),
        ("archive/data/0", None, crc, n),
    ]
    central = bytearray()
    with open(path, "wb") as fh:
        for name, data, mcrc, size in members:
            off = fh.tell()
            nb = name.encode()
            fh.write(
                struct.pack(
                    "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0, mcrc, size, size, len(nb), 0
                )
                + nb
            )
            if data is None:
                fh.seek(size, os.SEEK_CUR)
            else:
                fh.write(data)
            central += (
                struct.pack(
                    "<4sHHHHHHIIIHHHHHII",
                    b"PK\x01\x02",
                    20,
                    20,
                    0,
                    0,
                    0,
                    0,
                    mcrc,
                    size,
                    size,
                    len(nb),
                    0,
                    0,
                    0,
                    0,
                    0,
                    off,
                )
                + nb
            )
        cd_off = fh.tell()
        fh.write(bytes(central))
        fh.write(
            struct.pack(
                "<4sHHHHIIH",
                b"PK\x05\x06",
                0,
                0,
                len(members),
                len(members),
                len(central),
                cd_off,
                0,
            )
        )


# ---------------------------------------------------------------- whole process (CLI)

CLI = {
    "aisec": lambda target: ["aisec", "scan", str(target), "-q"],
    "picklescan": lambda target: ["picklescan", "-p", str(target)],
    "modelscan": lambda target: ["modelscan", "-p", str(target)],
}


def _bin(tool: str) -> str | None:
    found = shutil.which(
        tool, path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    )
    return found


def run_cli(tool: str, target: Path, timeout: float) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MB, exit code, CPU seconds) of one fresh CLI process (RSS and
    CPU include the children it waited for, e.g. aisec's per-file scan process)."""
    cmd = CLI[tool](target)
    cmd[0] = _bin(cmd[0]) or cmd[0]
    # Byte-code caches as a user's install has them (this host sets PYTHONDONTWRITEBYTECODE).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(CORPUS / ".pycache")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.002)
    return (
        time.perf_counter() - t0,
        usage.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status),
        usage.ru_utime + usage.ru_stime,
    )


def small_files(n: int = 500) -> Path:
    folder = CORPUS / "small-500"
    if not folder.exists() or len(list(folder.iterdir())) != n:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for i in range(n):
            obj = {"layer": i, "weights": [float(j) for j in range(32)], "name": f"w{i}"}
            (folder / f"model-{i:03d}.pkl").write_bytes(pickle.dumps(obj, protocol=4))
    return folder


def wave2_corpus() -> list[Path]:
    sys.path.insert(0, str(FIXTURES))
    import corpus

    out = CORPUS / "wave2"
    shutil.rmtree(out, ignore_errors=True)
    return [case.write(out) for case in corpus.CASES]  # type: ignore[attr-defined]


def whole_process(perf: list[Path], repeat: int, big_repeat: int, timeout: float) -> None:
    targets = [
        ("22 MB opcode-heavy pickle", perf[0], repeat),
        (f"{perf[1].stat().st_size / 1e9:.1f} GB array-heavy pickle", perf[1], big_repeat),
        ("500 small pickles (folder)", small_files(), repeat),
    ]
    cases = wave2_corpus()
    tools = [tool for tool in CLI if _bin(tool) is not None]
    for tool in tools:
        run_cli(tool, cases[0], timeout)  # warm-up: byte-code caches and page cache
    # Runs are interleaved (aisec, picklescan, modelscan, aisec, ...) so that a change of load
    # on the machine during the bench hits every tool alike.
    runs: dict[tuple[str, int], list[tuple[float, float, int, float]]] = {}
    for t, (_, target, n) in enumerate(targets):
        for _ in range(n):
            for tool in tools:
                runs.setdefault((tool, t), []).append(run_cli(tool, target, timeout))
    print(
        "\nwhole process (fresh CLI per run, runs of the tools interleaved; median wall time of N,"
        " median CPU time in brackets, peak RSS over the N runs)"
    )
    print("| tool | " + " | ".join(t for t, _, _ in targets) + " | wave-2 corpus flagged |")
    print("|---" * (len(targets) + 2) + "|")
    medians: dict[tuple[str, int], tuple[float, float]] = {}
    for tool in CLI:
        if tool not in tools:
            print(f"| {tool} | " + " | ".join("not installed" for _ in targets) + " | |")
            continue
        cells = []
        for t in range(len(targets)):
            got = runs[(tool, t)]
            wall = statistics.median(r[0] for r in got)
            cpu = statistics.median(r[3] for r in got)
            medians[(tool, t)] = (wall, cpu)
            peak = max(r[1] for r in got)
            cells.append(f"{wall:.2f} s ({cpu:.2f} s CPU), {peak:.0f} MB (exit {got[0][2]})")
        flagged = sum(run_cli(tool, case, timeout)[2] == 1 for case in cases)  # exit 1: found
        cells.append(f"{flagged}/{len(cases)}")
        print(f"| {tool} | " + " | ".join(cells) + " |")
    if "aisec" in tools and "picklescan" in tools:
        ratios = []
        for t in range(len(targets)):
            (aw, ac), (pw, pc) = medians[("aisec", t)], medians[("picklescan", t)]
            ratios.append(f"{pw / aw:.2f}x wall ({pc / ac:.2f}x CPU)")
        print("| picklescan time / aisec time | " + " | ".join(ratios) + " | |")
    print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def only_whole(size_gb: float, repeat: int, big_repeat: int, timeout: float) -> None:
    """The whole-process table from files already built (no corpus rebuild, no peer tables)."""
    perf = CORPUS / "perf"
    files = [perf / "opcode-heavy-40k-arrays.pkl", perf / f"array-heavy-{size_gb:g}gb.pkl"]
    if not all(f.exists() for f in files):
        raise SystemExit("run once without --whole-only to build the files")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    whole_process(files, repeat, big_repeat, timeout)


# ---------------------------------------------------------------- driver


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-gb", type=float, default=1.0, help="size of each array-heavy file")
    ap.add_argument("--quick", action="store_true", help="64 MB big files, short timeouts")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--repeat", type=int, default=3, help="best of N timings per perf file")
    ap.add_argument("--big-repeat", type=int, default=1, help="repetitions on the GB file")
    ap.add_argument("--whole-only", action="store_true", help="only the whole-process table")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--build", help=argparse.SUPPRESS)
    args = ap.parse_args()
    size_gb = 1 / 16 if args.quick else args.size_gb
    if args.child:
        child(args.child[0], json.loads(Path(args.child[1]).read_text()))
        return 0
    if args.build:
        built = build_corpus(size_gb)
        Path(args.build).write_text(json.dumps({k: [str(p) for p in v] for k, v in built.items()}))
        return 0
    CORPUS.mkdir(parents=True, exist_ok=True)
    if args.whole_only and (CORPUS / "perf" / "opcode-heavy-40k-arrays.pkl").exists():
        only_whole(size_gb, args.repeat, args.big_repeat, 300 if args.quick else 1800)
        return 0
    t0 = time.perf_counter()
    # Built in a child process: the parent must stay small, because a forked child's peak
    # RSS (what wait4 reports) starts at its parent's size.
    listing = CORPUS / ".corpus.json"
    cmd = [sys.executable, __file__, "--build", str(listing), "--size-gb", str(size_gb)]
    subprocess.run(cmd, check=True)
    corpus = {k: [Path(p) for p in v] for k, v in json.loads(listing.read_text()).items()}
    print(
        f"corpus built in {time.perf_counter() - t0:.1f}s: {len(corpus['recipes'])} recipes, "
        f"{len(corpus['benign'])} benign, perf files: "
        + ", ".join(f"{p.name} ({p.stat().st_size / 1e6:.0f} MB)" for p in corpus["perf"])
    )
    timeout = 300 if args.quick else 1800
    whole_process(corpus["perf"], args.repeat, args.big_repeat, timeout)
    if args.whole_only:
        return 0
    rows = []
    for tool in args.tools.split(","):
        if importlib.util.find_spec(MODULE[tool]) is None:
            rows.append((tool, "not installed"))
            continue
        rec, _, _ = run_tool(tool, corpus["recipes"], timeout)
        ben, _, _ = run_tool(tool, corpus["benign"], timeout)
        rv = [r["verdict"] for r in rec]
        bv = [r["verdict"] for r in ben]
        row: dict[str, object] = {
            "detected": f"{rv.count('flagged')}/{len(corpus['recipes'])}",
            "rate": f"{100 * rv.count('flagged') / max(len(corpus['recipes']), 1):.0f}%",
            "rec-err/ns": f"{sum(v.startswith('error') for v in rv)}/{rv.count('not-scanned')}",
            "FP": f"{bv.count('flagged')}/{len(corpus['benign'])}",
            "ben-err/ns": f"{sum(v.startswith('error') for v in bv)}/{bv.count('not-scanned')}",
        }
        missed = [Path(r["path"]).parent.name for r in rec if r["verdict"] != "flagged"]
        for perf in corpus["perf"]:
            res, rss, timed_out = run_tool(tool, [perf], timeout, args.repeat)
            label = perf.name.split("-")[0] + ("-zip" if perf.suffix == ".pt" else "")
            if timed_out or not res:
                row[f"{label} MB/s"] = "timeout" if timed_out else "crash"
                row[f"{label} RSS"] = f"{rss:.0f}MB"
                continue
            mbps = perf.stat().st_size / 1e6 / max(res[0]["seconds"], 1e-9)
            row[f"{label} MB/s"] = f"{mbps:,.0f} ({res[0]['verdict']})"
            row[f"{label} RSS"] = f"{rss:.0f}MB"
        rows.append((tool, row))
        if missed:
            print(f"{tool} missed: {', '.join(missed)}")
    print(
        f"\nload average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"MB/s = file size / best-of-{args.repeat} scan time inside the tool's process "
        "(imports excluded); RSS = peak of that process"
    )
    cols = [k for _, r in rows if isinstance(r, dict) for k in r]
    cols = list(dict.fromkeys(cols))
    print("| tool | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for tool, row in rows:
        if isinstance(row, str):
            print(f"| {tool} | {row} |")
        else:
            print(f"| {tool} | " + " | ".join(str(row.get(c, "")) for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
