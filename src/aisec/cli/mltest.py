"""`aisec mltest`: evasion, membership-inference, extraction and poisoning tests of a classifier.

Thin edge: parse options into a `Request`, call `prepare` and `run`, write the EvidenceReport,
print a table, and map verdicts to an exit code (0 all pass, 1 a test failed its threshold,
2 bad input, 3 a test crashed, 4 nothing ran). numpy/scikit-learn/ART load only when it runs.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from aisec.cli.app import app
from aisec.cli.options import JsonOut, deprecated_option, fail_on_option, fails
from aisec.cli.outputs import check_output_files, is_stdout, write_output
from aisec.common.errors import InputError
from aisec.common.exitcodes import ExitCode

E = TypeVar("E", bound=Enum)

HELP = """Measure a classifier's robustness and privacy and write the results as evidence.

Model (one of): MODEL.skops (types checked against an allow-list; pickle is refused),
MODEL.onnx (needs the onnx extra), --model-entrypoint pkg.module:factory (RUNS YOUR OWN CODE:
factory() must return a fitted classifier), --endpoint URL (POST {"instances": [[...]]}, reply
{"probabilities": [[...]]} or {"labels": [...]}). Without a model, a demo model is trained.

Data: --data FILE (.csv/.parquet/.npz) with --label-column, plus --test FILE of rows the model
never saw (needed for membership inference), or --dataset breast_cancer|digits|iris|wine.
Budgets eps are L-inf in per-feature standard deviations.
"""


def _floats(text: str, name: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InputError(f"expected comma-separated numbers, got {text!r}", field=name) from None


def _choice(enum: type[E], value: str, name: str) -> E:
    try:
        return enum(value.strip())
    except ValueError:
        known = ", ".join(str(m.value) for m in enum)
        raise InputError(f"unknown value {value!r}", field=name, hint=f"one of: {known}") from None


def _ints(text: str, name: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InputError(f"expected comma-separated integers, got {text!r}", field=name) from None


@app.command("mltest", help=HELP)
def mltest(
    model_file: Annotated[
        Path | None, typer.Argument(metavar="[MODEL]", help="Model file: .skops or .onnx.")
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model", hidden=True, callback=deprecated_option("--model FILE", "aisec mltest FILE")
        ),
    ] = None,
    model_entrypoint: str | None = typer.Option(
        None, "--model-entrypoint", help="package.module:factory (executes your code)."
    ),
    endpoint: str | None = typer.Option(None, "--endpoint", help="Prediction endpoint URL."),
    classes: str = typer.Option("", "--classes", help="Class labels in output order (ONNX/HTTP)."),
    data: Annotated[
        Path | None, typer.Option("--data", help="Training data (.csv/.parquet/.npz).")
    ] = None,
    test: Annotated[
        Path | None, typer.Option("--test", help="Held-out data the model never saw.")
    ] = None,
    label_column: str | None = typer.Option(None, "--label-column", help="Label column name."),
    dataset: str | None = typer.Option(None, "--dataset", help="breast_cancer|digits|iris|wine"),
    demo_model: str = typer.Option("rf", "--demo-model", help="Without a model: rf|tree|logreg."),
    tests: str = typer.Option(
        "evasion,membership-inference,extraction,poisoning", "--tests", help="Tests to run."
    ),
    seed: int = typer.Option(0, "--seed"),
    eps: str = typer.Option("0.05,0.1,0.25,0.5,1.0", "--eps", help="Evasion budgets (sd)."),
    budgets: str = typer.Option("50,200,1000,5000", "--budgets", help="Extraction query budgets."),
    evasion_samples: int = typer.Option(40, "--evasion-samples", min=1),
    round_confidence: int | None = typer.Option(
        None, "--round-confidence", min=0, help="Put confidence rounding (DIGITS) in front."
    ),
    labels_only: bool = typer.Option(False, "--labels-only", help="Expose labels only."),
    query_budget: int | None = typer.Option(None, "--query-budget", min=1),
    rate_limit: float | None = typer.Option(
        None, "--rate-limit", min=0.01, help="Requests/s (HTTP)."
    ),
    thresholds: Annotated[
        Path | None, typer.Option("--thresholds", help="YAML pass/fail limits.")
    ] = None,
    json_out: JsonOut = None,
    fail_on: str | None = fail_on_option("info", what="a failed test's severity"),
) -> int:
    from aisec.probes.ml.data import BundledDataset
    from aisec.probes.ml.interface import MLTest
    from aisec.probes.ml.settings import Settings
    from aisec.probes.ml.setup import DemoModel, Request
    from aisec.probes.ml.thresholds import load_thresholds

    if model_file is not None and model is not None:
        raise InputError("give the model once (positional MODEL)", field="--model")
    model = model_file if model_file is not None else model
    check_output_files([("--json", json_out)])
    chosen = tuple(_choice(MLTest, t, "--tests") for t in tests.split(",") if t.strip())
    bundled = _choice(BundledDataset, dataset, "--dataset") if dataset else None
    demo = _choice(DemoModel, demo_model, "--demo-model")
    if not chosen:
        raise InputError("no tests selected", field="--tests")
    eps_values, budget_values = _floats(eps, "--eps"), _ints(budgets, "--budgets")
    try:
        settings = Settings(
            seed=seed,
            eps=eps_values,
            extraction_budgets=budget_values,
            evasion_samples=evasion_samples,
        )
    except ValueError as exc:
        field = "--eps" if "eps" in str(exc) else "--budgets" if "budget" in str(exc) else None
        raise InputError(str(exc), field=field, source=None if field else "arguments") from None
    req = Request(
        model=model,
        model_entrypoint=model_entrypoint,
        endpoint=endpoint,
        classes=tuple(c.strip() for c in classes.split(",") if c.strip()),
        data=data,
        test=test,
        label_column=label_column,
        dataset=bundled,
        demo_model=demo,
        round_confidence=round_confidence,
        labels_only=labels_only,
        query_budget=query_budget,
        rate_limit=rate_limit,
        tests=chosen,
        settings=settings,
        thresholds=load_thresholds(thresholds),
    )
    return _execute(req, json_out, fail_on)


def _execute(req: object, json_out: Path | None, fail_on: str | None = "info") -> int:
    from rich.table import Table

    from aisec.cli.outputs import make_console
    from aisec.common.textsafe import markup_safe as escape
    from aisec.probes.finding import Verdict
    from aisec.probes.ml.runner import run
    from aisec.probes.ml.setup import Request, prepare

    assert isinstance(req, Request)
    report = run(prepare(req))
    if json_out is not None:
        write_output(json_out, report.model_dump_json(indent=2, by_alias=True) + "\n")
    table = Table(title=f"aisec mltest: {escape(report.subject)}")
    for col in ("test", "verdict", "result"):
        table.add_column(col)
    for f in report.findings:  # messages quote the model's name and error texts: no markup
        table.add_row(escape(f.rule_id), f.verdict.value, escape(f.message))
    # the table goes where scan and probe put theirs: stdout, unless stdout carries the JSON
    make_console(stderr=is_stdout(json_out)).print(table)
    verdicts = [f.verdict for f in report.findings]
    if fails([f.severity.rank for f in report.findings if f.verdict.is_problem], fail_on):
        return int(ExitCode.FINDINGS)
    if Verdict.ERROR in verdicts:
        return int(ExitCode.INTERNAL_ERROR)
    if Verdict.PASS not in verdicts:
        return int(ExitCode.NOTHING_ASSESSED)
    return int(ExitCode.OK)
