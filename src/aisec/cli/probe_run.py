"""The `aisec probe` run: settings → target → `run_probes` → files, table, exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from aisec.common.errors import InputError
from aisec.common.exitcodes import ExitCode
from aisec.common.fileio import atomic_write_text


@dataclass(frozen=True)
class RunArgs:
    target: str | None
    model: str
    api_key_env: str
    http_template: Path | None
    system: Path | None
    families_dir: list[Path]
    only: list[str]
    obfuscations: tuple[Any, ...] | None
    channel: str
    concurrency: int
    rate: float | None
    timeout: float
    retries: int
    seed: int
    repeats: int
    max_attacks: int | None
    threshold: float | None
    attempts_out: Path | None
    json_out: Path | None
    sarif_out: Path | None
    judge: bool
    judge_target: str | None
    judge_model: str
    judge_api_key_env: str
    judge_max_calls: int
    progress: bool


def _families(args: RunArgs) -> list[Any]:
    from aisec.probes.llm.families import load_families

    families = load_families(args.families_dir)
    if args.only:
        known = {f.id for f in families}
        unknown = [i for i in args.only if i not in known]
        if unknown:
            raise InputError(f"unknown family {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                             field="--only")
        families = [f for f in families if f.id in args.only]
    return families


def _judge(args: RunArgs, transport: Any) -> Any:
    if not args.judge:
        return None
    from aisec.probes.llm.judge import LlmJudge
    from aisec.probes.llm.target_openai import OpenAIChatTarget

    if not args.judge_target:
        raise InputError("--judge needs --judge-target URL (no default judge is ever used)",
                         field="--judge-target")
    target = OpenAIChatTarget(args.judge_target, args.judge_model,
                              api_key_env=args.judge_api_key_env, transport=transport)
    return LlmJudge(target, args.judge_max_calls)


def _table(run: Any) -> Table:
    table = Table(title=f"aisec probe — {run.target} (seed {run.seed})")
    table.add_column("family", no_wrap=True)
    for column in ("verdict", "n", "hits", "ASR", "95% CI", "FRR", "err"):
        table.add_column(column, justify="left" if column == "verdict" else "right")
    style = {"fail": "red", "pass": "green"}
    for f in run.families:
        asr, frr = f.asr, f.false_refusal
        table.add_row(
            f.family.id, f"[{style.get(f.verdict.value, 'yellow')}]{f.verdict.value}[/]",
            str(asr.n), str(asr.successes),
            f"{100 * asr.value:.0f}%" if asr.value is not None else "–",
            f"{100 * asr.low:.0f}–{100 * asr.high:.0f}%" if asr.n else "–",
            f"{frr.successes}/{frr.n}" if frr.n else "–", str(f.errors))
    return table


def execute(args: RunArgs) -> int:
    from aisec.probes.llm.evidence import attempt_lines, to_evidence
    from aisec.probes.llm.factory import TargetSettings, build_target
    from aisec.probes.llm.interface import ContentChannel
    from aisec.probes.llm.runner import ProbeOptions, run_probes
    from aisec.probes.llm.sarif import to_sarif
    from aisec.probes.llm.transport import TransportOptions
    from aisec.system import load_system

    try:
        channel = ContentChannel(args.channel)
    except ValueError:
        raise InputError(f"unknown content channel {args.channel!r}",
                         field="--content-channel") from None
    families = _families(args)
    system = load_system(args.system) if args.system else None
    transport = TransportOptions(timeout_s=args.timeout, retries=args.retries,
                                 rate_per_s=args.rate)
    target = build_target(TargetSettings(
        url=args.target, model=args.model, api_key_env=args.api_key_env,
        http_template=args.http_template, channel=channel, transport=transport))
    options = ProbeOptions(seed=args.seed, concurrency=args.concurrency, repeats=args.repeats,
                           obfuscations=args.obfuscations, max_attacks_per_family=args.max_attacks,
                           threshold=args.threshold, judge=_judge(args, transport))
    console = Console()
    if args.progress:
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("probing", total=None)
            run = run_probes(target, families, system, options,
                             lambda done, total: bar.update(task, completed=done, total=total))
    else:
        run = run_probes(target, families, system, options)
    console.print(_table(run))
    report = to_evidence(run)
    if args.attempts_out:
        atomic_write_text(args.attempts_out, "\n".join(attempt_lines(run)) + "\n")
    if args.json_out:
        atomic_write_text(args.json_out, report.model_dump_json(indent=2) + "\n")
    if args.sarif_out:
        import json

        atomic_write_text(args.sarif_out, json.dumps(to_sarif(run), indent=2) + "\n")
    if run.any_failed:
        return int(ExitCode.FINDINGS)
    if not any(f.asr.n for f in run.families):
        return int(ExitCode.NOTHING_ASSESSED)
    return int(ExitCode.OK)
