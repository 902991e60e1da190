"""The Typer application object that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="aisec",
    help="Secure AI systems in alignment with ISO/IEC 27090 guidance (alignment, not certification).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

state: dict[str, bool] = {"verbose": False}


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show tracebacks on errors."),
) -> None:
    state["verbose"] = verbose
