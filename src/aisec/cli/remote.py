"""`aisec push` and `aisec pull`: CI and people exchange files with a team server.

The token comes from $AISEC_TOKEN (never a command-line argument, which other users of the
machine could see in the process list).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from aisec.cli.app import app
from aisec.common.errors import AisecError, InputError

ServerOption = Annotated[
    str | None,
    typer.Option("--server", help="Server URL (default: $AISEC_SERVER)."),
]
WorkspaceOption = Annotated[
    str | None,
    typer.Option("--workspace", "-w", help="Workspace id (default: $AISEC_WORKSPACE)."),
]


def _target(system: str, server: str | None, workspace: str | None) -> tuple[str, str, str]:
    """(server, workspace, system) from options, environment or a WORKSPACE/SYSTEM argument."""
    base = (server or os.environ.get("AISEC_SERVER") or "").rstrip("/")
    if not base:
        raise InputError("no server given", hint="pass --server URL or set AISEC_SERVER")
    if "/" in system and workspace is None:
        workspace, system = system.split("/", 1)
    ws = workspace or os.environ.get("AISEC_WORKSPACE")
    if not ws:
        raise InputError(
            "no workspace given", hint="pass --workspace WS, WS/SYSTEM, or set AISEC_WORKSPACE"
        )
    return base, ws, system


def _client(base: str) -> Any:
    import httpx

    token = os.environ.get("AISEC_TOKEN")
    if not token:
        raise InputError("no API token", hint="set AISEC_TOKEN (create one: aisec user token)")
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120.0)


def _check(response: Any, what: str) -> Any:
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        error = InputError if response.status_code < 500 else AisecError
        raise error(f"{what}: server answered {response.status_code}: {detail}")
    return response


@app.command("push")
def push(
    system: Annotated[str, typer.Argument(help="System id (or WORKSPACE/SYSTEM).")],
    evidence: Annotated[list[Path], typer.Argument(help="Evidence JSON from scan/probe/mltest.")],
    server: ServerOption = None,
    workspace: WorkspaceOption = None,
    message: Annotated[str, typer.Option("--message", "-m", help="Revision message.")] = "",
) -> None:
    """Upload evidence to a system on the server (each file: a new assessment revision)."""
    base, ws, sid = _target(system, server, workspace)
    with _client(base) as client:
        for path in evidence:
            if not path.is_file():
                raise InputError("no such file", source=str(path))
            with path.open("rb") as handle:
                response = client.post(
                    f"/api/v1/workspaces/{ws}/systems/{sid}/evidence",
                    files={"file": (path.name, handle, "application/json")},
                    data={"message": message},
                )
            data = _check(response, str(path)).json()
            typer.echo(
                f"pushed {path} -> {ws}/{sid} evidence {data['id']} "
                f"(sha256 {data['sha256'][:12]}, assessment revision {data['assessment_revision']})"
            )


@app.command("pull")
def pull(
    system: Annotated[str, typer.Argument(help="System id (or WORKSPACE/SYSTEM).")],
    server: ServerOption = None,
    workspace: WorkspaceOption = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder to write into.")] = Path("."),
) -> None:
    """Fetch a system and its assessment as the files 'aisec assess' reads."""
    from aisec.common.fileio import atomic_write_text

    base, ws, sid = _target(system, server, workspace)
    with _client(base) as client:
        data = _check(client.get(f"/api/v1/workspaces/{ws}/systems/{sid}"), sid).json()
    out.mkdir(parents=True, exist_ok=True)
    written = [out / f"{sid}.yaml"]
    atomic_write_text(written[0], data["yaml"])
    if data.get("assessment_yaml"):
        written.append(out / f"{sid}.assessment.yaml")
        atomic_write_text(written[1], data["assessment_yaml"])
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(
        f"system revision {data['system_revision']}, assessment revision "
        f"{data['assessment_revision']}"
    )
