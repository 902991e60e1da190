"""The Typer application object that every command module registers on.

Command modules are imported only when their command runs (or its help is shown): the root
group (`LazyGroup`) knows each command's name, module and one-line help from the registry
`aisec.cli.COMMANDS`, so `aisec --help` and `aisec threats` do not pay for fastapi, sqlalchemy,
numpy or the other heavy dependencies of commands that are not running.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from aisec.cli.options import expand_multi_value, option_shapes, refuse_special_inputs
from aisec.cli.runtime import resume_gc, startup_gc, state

__all__ = ["app", "startup_gc", "state"]


class LazyGroup(TyperGroup):
    """Root command group that imports a command's module on first use."""

    _listing = False  # True while the root help is rendered: list commands without importing

    def list_commands(self, ctx: Any) -> list[str]:
        from aisec.cli import COMMANDS

        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        from aisec.cli import COMMANDS

        found = self.commands.get(cmd_name)
        if found is None and cmd_name in COMMANDS:
            entry = COMMANDS[cmd_name]
            if self._listing:
                return TyperCommand(name=cmd_name, help=entry.help, hidden=entry.hidden)
            importlib.import_module(entry.module)  # registers on `app`
            found = typer.main.get_group(app).commands.get(cmd_name)
            if found is None:
                raise RuntimeError(f"{entry.module} did not register command {cmd_name!r}")
            self.commands[cmd_name] = found
        if found is not None and not self._listing:
            resume_gc()  # start-up is over: the command runs with the collector on
        return found

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None and rest:
            rest = _expand_for(cmd, list(rest))
            refuse_special_inputs(rest)
        return name, cmd, rest


def _expand_for(cmd: Any, args: list[str]) -> list[str]:
    """`-e a b` -> `-e a -e b` for the command that will parse `args`, through subgroups
    (`aisec export oscal ... -e a.json b.json`)."""
    sub = getattr(cmd, "commands", None)
    if not isinstance(sub, dict):
        return expand_multi_value(cmd.params, args)
    valued = option_shapes(cmd.params)[0]
    i = 0
    while i < len(args) and args[i] != "--":
        word = args[i]
        if word.startswith("-"):
            i += 2 if word in valued else 1
            continue
        if word in sub:
            return [*args[: i + 1], *_expand_for(sub[word], args[i + 1 :])]
        if "--system" in valued:
            # A group that runs by itself and takes the system file as an option (`aisec probe`):
            # the system may be given positionally like everywhere else (docs/cli.md).
            return [*args[:i], "--system", word, *args[i + 1 :]]
        break
    return args


app = typer.Typer(
    name="aisec",
    cls=LazyGroup,
    help="Secure AI systems in alignment with ISO/IEC 27090 guidance (alignment, not certification).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
