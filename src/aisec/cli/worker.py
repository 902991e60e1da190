"""`aisec worker`: take jobs from the PostgreSQL queue (procrastinate) and post evidence back."""

from __future__ import annotations

from typing import Annotated

import typer

from aisec.cli.app import app
from aisec.cli.server import DbOption, _url
from aisec.common.errors import InputError


@app.command("worker")
def worker(
    db: DbOption = None,
    concurrency: Annotated[int, typer.Option(help="Jobs run at the same time.")] = 1,
    name: Annotated[str, typer.Option(help="Worker name shown in job progress.")] = "",
    once: Annotated[
        bool, typer.Option("--once", help="Stop when the queue is empty (CI, tests).")
    ] = False,
) -> None:
    """Process re-assessment and scan/probe/mltest jobs queued on a PostgreSQL server."""
    url = _url(db)
    if not url.startswith("postgresql"):
        raise InputError(
            "workers need the PostgreSQL queue",
            hint="pass --db postgresql+psycopg://USER@HOST/DB (SQLite runs jobs in-process)",
        )
    from aisec.jobs.queue import run_worker

    run_worker(url, concurrency=concurrency, name=name, once=once)
