"""A throwaway PostgreSQL cluster for the tests (never the system one).

`postgres_server` (session scope) runs initdb + pg_ctl under a temporary directory on a free
127.0.0.1 port and yields its base URL; each test database comes from `new_postgres_db()`.
As root (CI) the server runs as the `postgres` user through runuser. Skips with a reason only
when no PostgreSQL binaries exist.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_COUNTER = itertools.count(1)


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(cmd: list[str], as_postgres: bool) -> None:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


class PostgresServer:
    def __init__(self, base_url: str, port: int) -> None:
        self.base_url = base_url  # postgresql+psycopg://postgres@127.0.0.1:PORT
        self.port = port

    def new_db(self, prefix: str = "t", template: str | None = None) -> str:
        import psycopg

        name = f"{prefix}{os.getpid()}_{next(_COUNTER)}"
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            copy = f' template "{template}"' if template else ""
            conn.execute(f'create database "{name}"{copy}')
        return f"{self.base_url}/{name}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        pytest.skip("no PostgreSQL binaries (initdb/pg_ctl) on this machine")
    as_postgres = os.geteuid() == 0
    tmp = Path(tempfile.mkdtemp(prefix="aisec-pg-"))
    if as_postgres:
        shutil.chown(tmp, "postgres", "postgres")
    data, port = tmp / "data", _free_port()
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        ],
        as_postgres,
    )
    _run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off -c max_connections=200",
            "start",
        ],
        as_postgres,
    )
    try:
        yield PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}", port)
    finally:
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], as_postgres)
        shutil.rmtree(tmp, ignore_errors=True)


_TEMPLATES: dict[str, str] = {}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A fresh database at the latest schema: every test using it runs on SQLite and on
    PostgreSQL. The migrations run once per session into a template that each test copies."""
    from aisec.store.db import upgrade

    if request.param == "sqlite":
        if "sqlite" not in _TEMPLATES:
            template = tmp_path_factory.mktemp("template") / "aisec.db"
            upgrade(f"sqlite:///{template}")
            _TEMPLATES["sqlite"] = str(template)
        target = tmp_path / "aisec.db"
        shutil.copyfile(_TEMPLATES["sqlite"], target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    if "postgresql" not in _TEMPLATES:
        template = server.new_db("template")
        upgrade(template)
        _TEMPLATES["postgresql"] = template.rsplit("/", 1)[1]
    return server.new_db(template=_TEMPLATES["postgresql"])
