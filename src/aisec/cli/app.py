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


def _print_version(value: bool) -> None:
    if value:
        from aisec import __version__

        typer.echo(f"aisec {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show tracebacks on errors."),
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version (for CI logs and bug reports) and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    state["verbose"] = verbose
