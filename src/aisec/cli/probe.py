"""CLI of the LLM probes: `aisec probe` runs the families, `aisec probe serve-target` serves the
reference target. Thin edge: parse, call `run_probes`, render, map to an exit code."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from aisec.cli.app import app
from aisec.cli.options import fail_on_option
from aisec.cli.outputs import check_output_files, make_console, write_output
from aisec.common.errors import InputError
from aisec.common.exitcodes import ExitCode
from aisec.common.textsafe import markup_safe as escape

probe_app = typer.Typer(
    help="Probe a running LLM application (assistant, RAG, agent).",
    no_args_is_help=False,
    invoke_without_command=True,
)
app.add_typer(probe_app, name="probe")


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
    concurrency: int | None
    rate: float | None
    timeout: float | None
    budget: float | None
    retries: int
    retry_timeouts: bool
    min_attacks: int
    max_error_rate: float
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
    secrets_file: Path | None = None
    secrets: tuple[str, ...] = ()
    judge_veto: bool = False
    attacker: str | None = None
    attacker_model: str = "default"
    attacker_api_key_env: str = "OPENAI_API_KEY"
    attacker_rounds: int = 5
    fail_on: str | None = "info"
    instructions_file: Path | None = None


def _families(args: RunArgs) -> list[Any]:
    from aisec.probes.llm.families import check_catalogue_ids, load_families

    families = load_families(args.families_dir)
    check_catalogue_ids(families)
    if args.only:
        known = {f.id for f in families}
        unknown = [i for i in args.only if i not in known]
        if unknown:
            raise InputError(
                f"unknown family {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                field="--only",
            )
        families = [f for f in families if f.id in args.only]
    return families


def _judge(args: RunArgs, transport: Any) -> Any:
    if not args.judge:
        return None
    from aisec.probes.llm.judge import LlmJudge
    from aisec.probes.llm.target_openai import OpenAIChatTarget

    if not args.judge_target:
        raise InputError(
            "--judge needs --judge-target URL (no default judge is ever used)",
            field="--judge-target",
        )
    target = OpenAIChatTarget(
        args.judge_target, args.judge_model, api_key_env=args.judge_api_key_env, transport=transport
    )
    return LlmJudge(target, args.judge_max_calls)


def _adaptive(args: RunArgs, transport: Any, timeout: float) -> Any:
    """The attacker-model loop, only when --attacker names an endpoint (never a default)."""
    if not args.attacker:
        return None
    from aisec.probes.llm.adaptive import AdaptiveOptions
    from aisec.probes.llm.target_openai import OpenAIChatTarget

    attacker = OpenAIChatTarget(
        args.attacker,
        args.attacker_model,
        api_key_env=args.attacker_api_key_env,
        transport=transport,
        url_field="--attacker",
        extra_body={"temperature": 0, "seed": args.seed},
    )
    return AdaptiveOptions(attacker, args.attacker_rounds, timeout)


def _table(run: Any) -> Table:
    table = Table(title=f"aisec probe — {escape(str(run.target))} (seed {run.seed})")
    table.add_column("family", no_wrap=True)
    for column in ("verdict", "n", "hits", "ASR", "95% CI", "FRR", "err"):
        table.add_column(column, justify="left" if column == "verdict" else "right")
    style = {"fail": "red", "pass": "green", "inconclusive": "magenta"}
    for f in run.families:
        asr, frr = f.asr, f.false_refusal
        table.add_row(
            escape(f.family.id),
            f"[{style.get(f.verdict.value, 'yellow')}]{f.verdict.value}[/]",
            str(asr.n),
            str(asr.successes),
            f"{100 * asr.value:.0f}%" if asr.value is not None else "–",
            f"{100 * asr.low:.0f}–{100 * asr.high:.0f}%" if asr.n else "–",
            f"{frr.successes}/{frr.n}" if frr.n else "–",
            str(f.errors),
        )
    return table


def execute(args: RunArgs) -> int:
    from aisec.probes.llm.declared import load_declared
    from aisec.probes.llm.evidence import attempt_lines, to_evidence
    from aisec.probes.llm.factory import TargetSettings, build_target
    from aisec.probes.llm.interface import ContentChannel
    from aisec.probes.llm.pacing import CALIBRATION_TIMEOUT_S
    from aisec.probes.llm.runner import ProbeOptions, run_probes
    from aisec.probes.llm.sarif import to_sarif
    from aisec.probes.llm.scoring import Sufficiency
    from aisec.probes.llm.transport import TransportOptions
    from aisec.system import load_system

    try:
        channel = ContentChannel(args.channel)
    except ValueError:
        raise InputError(
            f"unknown content channel {args.channel!r}",
            field="--content-channel",
            hint="one of: " + ", ".join(c.value for c in ContentChannel),
        ) from None
    to_stdout = check_output_files(
        [("--attempts", args.attempts_out), ("--json", args.json_out), ("--sarif", args.sarif_out)]
    )
    families = _families(args)
    system = load_system(args.system) if args.system else None
    declared = load_declared(args.secrets_file, list(args.secrets), args.instructions_file)
    if system is not None and args.system is not None:  # models[].must_not_disclose, then flags
        from aisec.probes.llm.declared_system import declared_from_system, merge

        from_system = declared_from_system(system, args.system, args.target)
        declared = merge(from_system, declared, last_instructions_win=True)
    transport = TransportOptions(
        timeout_s=args.timeout or CALIBRATION_TIMEOUT_S,
        retries=args.retries,
        rate_per_s=args.rate,
        retry_unsafe=args.retry_timeouts,
    )
    judge = _judge(args, transport)
    target = build_target(
        TargetSettings(
            url=args.target,
            model=args.model,
            api_key_env=args.api_key_env,
            http_template=args.http_template,
            channel=channel,
            transport=transport,
        )
    )
    options = ProbeOptions(
        seed=args.seed,
        concurrency=args.concurrency,
        timeout_s=args.timeout,
        budget_s=args.budget,
        repeats=args.repeats,
        obfuscations=args.obfuscations,
        max_attacks_per_family=args.max_attacks,
        threshold=args.threshold,
        sufficiency=Sufficiency(args.min_attacks, args.max_error_rate),
        declared=declared,
        adaptive=_adaptive(args, transport, args.timeout or CALIBRATION_TIMEOUT_S),
        judge=judge,
        judge_veto=args.judge_veto,
    )
    console = make_console(stderr=to_stdout)  # stdout carries the machine output when one is '-'
    if args.progress:
        from rich.progress import Progress

        with Progress(console=make_console(stderr=True), transient=True) as bar:
            task = bar.add_task("probing", total=None)
            run = run_probes(
                target,
                families,
                system,
                options,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
    else:
        run = run_probes(target, families, system, options)
    console.print(_table(run))
    report = to_evidence(run)
    leak = next((f for f in report.findings if f.rule_id == "probe:leak-check"), None)
    if leak is not None and leak.verdict.is_problem:
        console.print(f"[red]leak-check[/red] {escape(leak.message)}", highlight=False)
    for family in run.families:
        if family.inconclusive_reasons:
            why = "; ".join(family.inconclusive_reasons)
            console.print(
                f"[magenta]could not assess[/magenta] {escape(family.family.id)}: {escape(why)}",
                highlight=False,
            )
    for line in report.skipped:
        console.print(f"[yellow]not tested[/yellow] {escape(line)}", highlight=False)
    if report.errors:
        console.print(f"[yellow]{len(report.errors)} attempt(s) failed[/yellow] (see --attempts)")
    renderers: list[tuple[Path | None, Callable[[], str]]] = [
        (args.attempts_out, lambda: "\n".join(attempt_lines(run)) + "\n"),
        (args.json_out, lambda: report.model_dump_json(indent=2) + "\n"),
        (args.sarif_out, lambda: json.dumps(to_sarif(run), indent=2) + "\n"),
    ]
    for path, render in renderers:
        if path and write_output(path, render()):
            console.print(f"wrote {path}", highlight=False, markup=False, soft_wrap=True)
    return _exit_code(run, report, console, args.fail_on)


def _exit_code(run: Any, report: Any, console: Console, fail_on: str | None) -> int:
    """Findings first (a demonstrated attack stands), then why the run could not assess."""
    from aisec.cli.options import fails
    from aisec.common.errors import ProbeError

    if run.aborted:
        console.print(f"[yellow]stopped early:[/yellow] {escape(run.aborted)}", highlight=False)
    if run.interrupted:
        return 130  # the shell convention for Ctrl-C; what completed was written above
    problems = [f.severity.rank for f in report.findings if f.verdict.is_problem]
    if problems and fails(problems, fail_on):
        return int(ExitCode.FINDINGS)
    if run.aborted and len([a for a in run.attempts if a.ok]) == 0:
        raise ProbeError(run.aborted, hint="check --target, --model and the API key")
    if run.any_inconclusive or not any(f.asr.n for f in run.families):
        return int(ExitCode.NOTHING_ASSESSED)
    return int(ExitCode.OK)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _obfuscations(value: str | None) -> tuple[object, ...] | None:
    from aisec.probes.llm.obfuscation import Obfuscation

    if value is None:
        return None
    try:
        return tuple(Obfuscation(v) for v in _split(value) if v != "none")
    except ValueError:
        known = ", ".join(o.value for o in Obfuscation)
        raise InputError(
            f"unknown obfuscation in {value!r} (known: {known})", field="--obfuscations"
        ) from None


def _detector_eval() -> int:
    from aisec.probes.llm.detectors.evaluate import evaluate_all

    table = Table(title="Detector precision / recall on labelled sets")
    for column in ("detector", "n", "TP", "FP", "FN", "TN", "precision", "recall"):
        table.add_column(column, justify="left" if column == "detector" else "right")
    for s in evaluate_all():
        table.add_row(
            s.detector.value,
            str(s.n),
            str(s.tp),
            str(s.fp),
            str(s.fn),
            str(s.tn),
            f"{s.precision:.2f}",
            f"{s.recall:.2f}",
        )
    make_console().print(table)
    return int(ExitCode.OK)


def _judge_calibration(url: str, model: str, key_env: str, max_calls: int) -> None:
    """With --detector-eval and --judge-target: the judge's votes on every labelled reply (real
    and synthetic sets) against the labels and the detectors, and what --judge-veto would do."""
    import asyncio

    from aisec.probes.llm.detectors.calibration import (
        FamilyCalibration,
        calibrate,
        real_items,
        synthetic_items,
    )
    from aisec.probes.llm.judge import LlmJudge
    from aisec.probes.llm.target_openai import OpenAIChatTarget

    judge = LlmJudge(
        OpenAIChatTarget(url, model, api_key_env=key_env, url_field="--judge-target"), max_calls
    )

    async def main() -> dict[str, FamilyCalibration]:
        try:
            return await calibrate(judge, real_items() + synthetic_items())
        finally:
            await judge.aclose()

    def rate(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    table = Table(title="Judge vs labels and detectors on the labelled sets (calibration)")
    columns = ("family", "n", "judged", "agree", "TPR", "FPR", "judge+ det-", "judge- det+")
    for column in (*columns, "vetoes (right/wrong)"):
        table.add_column(column, justify="left" if column == "family" else "right")
    for c in sorted(asyncio.run(main()).values(), key=lambda x: x.family):
        table.add_row(
            c.family,
            str(c.n),
            str(c.judged),
            rate(c.agreement),
            rate(c.tpr),
            rate(c.fpr),
            str(c.yes_detector_no),
            str(c.no_detector_yes),
            f"{c.vetoes} ({c.vetoes_right}/{c.vetoes_wrong})",
        )
    Console().print(table)


@probe_app.callback()
def probe(
    ctx: typer.Context,
    target: str | None = typer.Option(
        None, "--target", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1"
    ),
    model: str = typer.Option("default", "--model", help="Model name sent to the target."),
    api_key_env: str = typer.Option(
        "OPENAI_API_KEY",
        "--api-key-env",
        help="Environment variable holding the API key (never printed).",
    ),
    http_template: Path | None = typer.Option(
        None, "--http-template", help="YAML request/response template for a generic HTTP JSON API."
    ),
    system: Path | None = typer.Option(
        None, "--system", help="System model YAML (tools and task for excessive agency)."
    ),
    families_dir: list[Path] = typer.Option(
        [], "--families", help="Extra folder of family YAML files (repeatable)."
    ),
    only: str | None = typer.Option(None, "--only", help="Comma-separated family ids to run."),
    obfuscations: str | None = typer.Option(
        None,
        "--obfuscations",
        help="Comma-separated transforms for every family ('none' to disable).",
    ),
    channel: str = typer.Option(
        "tool-result",
        "--content-channel",
        help="Where inserted content goes: tool-result (default: retrieved data, not the "
        "user's) | user-block (inside the user turn: echoes are not disclosures) | "
        "context-field.",
    ),
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        min=1,
        max=256,
        help="Requests in flight (default: chosen from the first answer's latency).",
    ),
    rate: float | None = typer.Option(
        None, "--rate", min=0.01, help="Maximum requests per second."
    ),
    timeout: float | None = typer.Option(
        None,
        "--timeout",
        min=0.1,
        help="Overall deadline of one request in seconds, headers and body included "
        "(default: scaled from the first answer's latency, at least 10 s).",
    ),
    budget: float | None = typer.Option(
        3600.0,
        "--budget",
        min=0.1,
        help="Time budget of the whole run (s); attempts not done by then count as errors.",
    ),
    retries: int = typer.Option(
        3,
        "--retries",
        min=0,
        max=10,
        help="Retries on connection refused and 429/5xx answers.",
    ),
    retry_timeouts: bool = typer.Option(
        False,
        "--retry-timeouts",
        help="Also retry requests that timed out or broke after sending (the server may "
        "still be processing them).",
    ),
    min_attacks: int = typer.Option(
        5,
        "--min-attacks",
        min=1,
        help="Completed attacks a family needs before 'held' counts (else inconclusive).",
    ),
    max_error_rate: float = typer.Option(
        0.2,
        "--max-error-rate",
        min=0,
        max=1,
        help="Share of errored attacks above which a family is inconclusive.",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for planted canaries and sampling."),
    repeats: int = typer.Option(
        1, "--repeats", min=1, max=100, help="Send each prompt this many times."
    ),
    max_attacks: int | None = typer.Option(
        None, "--max-attacks", min=1, help="Sample at most N attacks per family."
    ),
    threshold: float | None = typer.Option(
        None,
        "--threshold",
        min=0,
        max=0.99,
        help="Fail a family when its ASR is above this (default: per family).",
    ),
    attempts_out: Path | None = typer.Option(
        None, "--attempts", help="Write every attempt as JSONL ('-' for standard output)."
    ),
    json_out: Path | None = typer.Option(
        None, "--json", help="Write the EvidenceReport JSON ('-' for standard output)."
    ),
    sarif_out: Path | None = typer.Option(
        None, "--sarif", help="Write SARIF 2.1.0 ('-' for standard output)."
    ),
    judge: bool = typer.Option(
        False, "--judge", help="Also ask an LLM judge (needs --judge-target)."
    ),
    judge_target: str | None = typer.Option(
        None, "--judge-target", help="OpenAI-compatible base URL of the judge."
    ),
    judge_model: str = typer.Option("default", "--judge-model"),
    judge_api_key_env: str = typer.Option("OPENAI_API_KEY", "--judge-api-key-env"),
    judge_max_calls: int = typer.Option(
        50, "--judge-max-calls", min=0, help="Budget cap for judge calls."
    ),
    secrets_file: Path | None = typer.Option(
        None,
        "--secrets",
        help="Probe config YAML declaring the app's own secrets (value / regex / file) and "
        "confidential_instructions; checked in every reply, never written in clear.",
    ),
    secret: list[str] = typer.Option(
        [],
        "--secret",
        help="A secret the app must never disclose (repeatable; prefer --secrets FILE, "
        "command lines are visible to other users).",
    ),
    instructions_file: Path | None = typer.Option(
        None,
        "--confidential-instructions",
        help="Text file with the app's confidential instructions (system prompt).",
    ),
    fail_on: str | None = fail_on_option(
        "info", what="a failing family's or the leak check's severity (default: any)"
    ),
    judge_veto: bool = typer.Option(
        False,
        "--judge-veto",
        help="Let a judge NO overturn pattern-detector hits (markup, code shapes, resource "
        "growth); exact evidence (canaries, secrets, tool calls) is never vetoed.",
    ),
    attacker: str | None = typer.Option(
        None,
        "--attacker",
        help="OpenAI-compatible base URL of an attacker model: adds a PAIR-style loop per "
        "family that refines prompts from the target's replies (seeded, temperature 0).",
    ),
    attacker_model: str = typer.Option("default", "--attacker-model"),
    attacker_api_key_env: str = typer.Option("OPENAI_API_KEY", "--attacker-api-key-env"),
    attacker_rounds: int = typer.Option(
        5, "--attacker-rounds", min=1, max=50, help="Round budget per family."
    ),
    detector_eval: bool = typer.Option(
        False, "--detector-eval", help="Print detector precision/recall and exit."
    ),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="Progress bar (only on a terminal)."
    ),
) -> int:
    """Run probe families against a target and write evidence."""
    if ctx.invoked_subcommand is not None:
        return int(ExitCode.OK)
    if detector_eval:
        code = _detector_eval()
        if judge_target:
            _judge_calibration(judge_target, judge_model, judge_api_key_env, judge_max_calls)
        return code
    return execute(
        RunArgs(
            target=target,
            model=model,
            api_key_env=api_key_env,
            http_template=http_template,
            system=system,
            families_dir=list(families_dir),
            only=_split(only),
            obfuscations=_obfuscations(obfuscations),
            channel=channel,
            concurrency=concurrency,
            rate=rate,
            timeout=timeout,
            budget=budget,
            retries=retries,
            retry_timeouts=retry_timeouts,
            min_attacks=min_attacks,
            max_error_rate=max_error_rate,
            seed=seed,
            repeats=repeats,
            max_attacks=max_attacks,
            threshold=threshold,
            attempts_out=attempts_out,
            json_out=json_out,
            sarif_out=sarif_out,
            judge=judge,
            judge_target=judge_target,
            judge_model=judge_model,
            judge_api_key_env=judge_api_key_env,
            judge_max_calls=judge_max_calls,
            progress=progress and sys.stderr.isatty(),
            secrets_file=secrets_file,
            secrets=tuple(secret),
            instructions_file=instructions_file,
            judge_veto=judge_veto,
            fail_on=fail_on,
            attacker=attacker,
            attacker_model=attacker_model,
            attacker_api_key_env=attacker_api_key_env,
            attacker_rounds=attacker_rounds,
        )
    )


@probe_app.command("serve-target")
def serve_target(
    mode: str = typer.Option(
        "vulnerable", "--mode", help="vulnerable | guarded | hardened | own-secret"
    ),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="0 = any free port."),
    latency_ms: float = typer.Option(
        0.0, "--latency-ms", min=0, max=60_000, help="Added delay per completion (benchmarks)."
    ),
    seconds: float | None = typer.Option(
        None, "--seconds", min=0.1, help="Stop after this long (default: until Ctrl-C)."
    ),
) -> int:
    """Serve the reference chat target on 127.0.0.1 (OpenAI chat-completions API)."""
    from aisec.probes.llm.reference import Mode, start_reference_target

    try:
        chosen = Mode(mode)
    except ValueError:
        raise InputError(
            f"unknown mode {mode!r} (" + " | ".join(m.value for m in Mode) + ")", field="--mode"
        ) from None
    try:
        url, stop = start_reference_target(chosen, port, latency_ms / 1000)
    except OSError as exc:
        raise InputError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}", field="--port"
        ) from None
    print(json.dumps({"url": url, "mode": chosen.value}), flush=True)
    try:
        deadline = time.monotonic() + seconds if seconds else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
    return int(ExitCode.OK)
