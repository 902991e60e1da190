"""Team server commands: serve, db, user, audit, worker.

Heavy imports (fastapi, sqlalchemy, uvicorn, alembic) stay inside the command functions so
`aisec --help` and the file-based commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aisec.cli.app import app
from aisec.common.errors import InputError
from aisec.common.exitcodes import ExitCode

if TYPE_CHECKING:  # annotations only: sqlalchemy is imported inside the commands
    from sqlalchemy.orm import Session, sessionmaker

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///PATH or postgresql+psycopg://USER@HOST/DB); default: "
        "$AISEC_DATABASE_URL, else aisec.db in the current folder.",
    ),
]

db_app = typer.Typer(help="Database schema, backup and restore.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts, workspace roles and API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Verify or export the hash-chained audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")


def _url(db: str | None) -> str:
    from aisec.store.db import default_url, normalise_url

    return normalise_url(db or default_url())


def _factory(url: str) -> sessionmaker[Session]:
    from aisec.store.db import make_engine, make_sessionmaker, upgrade

    upgrade(url)
    return make_sessionmaker(make_engine(url))


def _no_users(url: str) -> bool:
    from sqlalchemy import func, select

    from aisec.store.models import User

    with _factory(url)() as s:
        return not s.scalar(select(func.count(User.id)))


def load_demo(factory: sessionmaker[Session], workspace: str = "demo") -> int:
    """Import the bundled examples into a workspace (once); returns the number imported."""
    from sqlalchemy import select

    from aisec.service import bundled_examples
    from aisec.store import services
    from aisec.store.access import CLI_ACTOR
    from aisec.store.db import write_session
    from aisec.store.models import System, Workspace

    added = 0
    with write_session(factory) as s:
        ws = s.scalar(select(Workspace).where(Workspace.slug == workspace))
        if ws is None:
            ws = services.create_workspace(s, CLI_ACTOR, workspace, "Demo (bundled examples)")
        for sid, system_path, assessment_path in bundled_examples():
            if s.scalar(select(System).where(System.workspace_id == ws.id, System.slug == sid)):
                continue
            services.create_system(
                s,
                CLI_ACTOR,
                ws,
                system_path.read_text(encoding="utf-8"),
                "imported from the bundled examples",
                assessment_path.read_text(encoding="utf-8") if assessment_path else None,
            )
            added += 1
    return added


def load_demo_evidence(
    factory: sessionmaker[Session],
    workspace: str = "demo",
    evidence_dir: Path | None = None,
    say: Callable[[str], None] = typer.echo,
) -> int:
    """Attach to each bundled example that has no evidence yet the evidence `aisec demo`
    collects for it, so the live portfolio shows the figures of the CLI demo: the files of an
    earlier `aisec demo` run (`evidence_dir`, its evidence/ folder), else collected now with the
    demo's own producers (scanner, probes against the reference target, ML tests). Each file is
    an ordinary audited upload. Returns the number of files uploaded."""
    import tempfile

    from aisec.demo import demo_evidence, evidence_files
    from aisec.service import bundled_examples
    from aisec.store import services
    from aisec.store.access import CLI_ACTOR, NotFound
    from aisec.store.db import write_session
    from aisec.system import load_system

    uploaded = 0
    with tempfile.TemporaryDirectory(prefix="aisec-demo-evidence-") as tmp:
        for sid, system_path, _ in bundled_examples():
            with factory() as s:
                ws = services.get_workspace(s, workspace)
                try:
                    system = services.get_system(s, ws, sid)
                except NotFound:
                    continue  # not (or no longer) in the demo workspace
                if services.evidence_of(s, system):
                    continue  # evidence already there (an earlier start, or the user's own)
            if evidence_dir is not None:
                paths = evidence_files(evidence_dir, sid)
            else:
                say(f"{sid}: collecting demo evidence")
                paths = demo_evidence(load_system(system_path), system_path, Path(tmp), say)
            for path in paths:
                with write_session(factory) as s:
                    ws = services.get_workspace(s, workspace)
                    services.upload_evidence(
                        s,
                        CLI_ACTOR,
                        ws,
                        services.get_system(s, ws, sid),
                        path.name,
                        path.read_bytes(),
                        "demo evidence, as 'aisec demo' collects it",
                    )
                uploaded += 1
    return uploaded


def _collect_in_background(factory: sessionmaker[Session]) -> None:
    """`serve --demo` answers at once; the probes and ML tests (a minute of CPU) run in a
    low-priority thread and the portfolio fills in as each file is uploaded."""
    import os
    import threading

    def run() -> None:
        try:  # Linux: a thread has its own nice value (inherited by the threads it starts)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except (AttributeError, OSError):
            pass
        try:
            count = load_demo_evidence(factory, say=lambda line: typer.echo(f"[demo] {line}"))
        except Exception as exc:  # noqa: BLE001 - a failed demo extra must not stop the server
            typer.echo(f"[demo] evidence not loaded: {exc}", err=True)
            return
        typer.echo(f"[demo] {count} evidence file(s) loaded: the portfolio matches 'aisec demo'")

    threading.Thread(target=run, name="demo-evidence", daemon=True).start()


@app.command("serve")
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load the bundled examples into workspace 'demo', with the evidence "
            "'aisec demo' collects (gathered in the background unless --demo-evidence).",
        ),
    ] = False,
    demo_evidence: Annotated[
        Path | None,
        typer.Option(
            "--demo-evidence",
            help="With --demo: take the evidence from the evidence/ folder of an earlier "
            "'aisec demo --out DIR' run instead of probing again.",
        ),
    ] = None,
    trust_proxy: Annotated[
        bool,
        typer.Option("--trust-proxy", help="Behind a TLS reverse proxy: honour X-Forwarded-Proto."),
    ] = False,
) -> None:
    """Run the team server (REST API, pages, OpenAPI docs at /docs)."""
    import uvicorn

    from aisec.web.app import Settings, create_app

    url = _url(db)
    factory = _factory(url)
    if demo_evidence is not None and not demo_evidence.is_dir():
        raise InputError("not a folder", source=str(demo_evidence), hint="aisec demo --out DIR")
    if demo:
        count = load_demo(factory)
        typer.echo(f"demo workspace 'demo': {count} example system(s) imported")
        if demo_evidence is not None:
            nested = demo_evidence / "evidence"  # the --out folder of 'aisec demo' also works
            folder = nested if nested.is_dir() else demo_evidence
            files = load_demo_evidence(factory, evidence_dir=folder)
            typer.echo(f"demo evidence: {files} file(s) loaded from {demo_evidence}")
        else:
            _collect_in_background(factory)
    if _no_users(url):
        flag = f" --db {db}" if db else ""
        typer.echo(
            "No account exists yet. Create the first administrator in another terminal:\n"
            f"  aisec user add --admin YOUR-NAME{flag}\n"
            "(there is no default password)"
        )
    import os

    oidc = {
        key: os.environ[f"AISEC_OIDC_{key.upper()}"]
        for key in ("issuer", "client_id", "client_secret", "redirect_uri")
        if os.environ.get(f"AISEC_OIDC_{key.upper()}")
    }
    settings = Settings(database_url=url, trust_proxy=trust_proxy, migrate=False, oidc=oidc)
    typer.echo(f"aisec server on http://{host}:{port}  (API docs: /docs, database: {_safe(url)})")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=trust_proxy,
    )


def _safe(url: str) -> str:
    """The URL without a password, for logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return url


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to the latest version."""
    from aisec.store.db import current_revision, upgrade

    url = _url(db)
    upgrade(url)
    typer.echo(f"database at schema revision {current_revision(url)}: {_safe(url)}")


def _sqlite_path(url: str, what: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise InputError(
            f"'aisec db {what}' handles SQLite files",
            hint="for PostgreSQL use pg_dump -Fc / pg_restore (see docs/server.md)",
        )
    return Path(url.removeprefix("sqlite:///"))


@db_app.command("backup")
def db_backup(
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Backup file to write (a SQLite database).")
    ],
    db: DbOption = None,
) -> None:
    """Consistent online copy of a SQLite database (safe while the server runs)."""
    import sqlite3

    source = _sqlite_path(_url(db), "backup")
    if not source.exists():
        raise InputError("database file does not exist", source=str(source))
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(tmp) as dst:
        src.backup(dst)
    tmp.replace(out)
    typer.echo(f"wrote {out}")


@db_app.command("restore")
def db_restore(
    backup: Annotated[Path, typer.Argument(help="Backup written by 'aisec db backup'.")],
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing database.")] = False,
) -> None:
    """Restore a SQLite backup (stop the server first), then verify its audit chain."""
    import sqlite3

    target = _sqlite_path(_url(db), "restore")
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as src:
        tables = {r[0] for r in src.execute("select name from sqlite_master where type='table'")}
        if not {"alembic_version", "audit_log"} <= tables:
            raise InputError("not an aisec server backup", source=str(backup))
        if target.exists() and not force:
            raise InputError(f"{target} exists", hint="add --force to replace it")
        tmp = target.with_name(target.name + ".restore")
        tmp.unlink(missing_ok=True)
        with sqlite3.connect(tmp) as dst:
            src.backup(dst)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    tmp.replace(target)
    typer.echo(f"restored {backup} -> {target}")
    raise typer.Exit(_verify(_url(db)))


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    admin: Annotated[bool, typer.Option("--admin", help="Site administrator.")] = False,
    display_name: Annotated[str, typer.Option(help="Name shown in history.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No local password (OIDC-only account).")
    ] = False,
    oidc_subject: Annotated[
        str | None, typer.Option("--oidc-subject", help="Link the identity provider's 'sub'.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an account (argon2id password; prompted unless --password-stdin)."""
    from aisec.store import accounts
    from aisec.store.db import write_session

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with write_session(_factory(_url(db))) as s:
        user = accounts.add_user(s, username, password, admin=admin, display_name=display_name)
        user.oidc_subject = oidc_subject
    typer.echo(f"user {username!r} created{' (site administrator)' if admin else ''}")


@user_app.command("grant")
def user_grant(
    username: Annotated[str, typer.Argument(help="Existing user.")],
    workspace: Annotated[str, typer.Argument(help="Workspace id (created if missing).")],
    role: Annotated[str, typer.Argument(help="admin|assessor|risk-owner|contributor|auditor")],
    granted_role: Annotated[
        str | None, typer.Option("--granted-role", help="vendor|integrator (contributors)")
    ] = None,
    db: DbOption = None,
) -> None:
    """Give a user a role in a workspace."""
    from sqlalchemy import select

    from aisec.store import services
    from aisec.store.access import CLI_ACTOR, Role
    from aisec.store.db import write_session
    from aisec.store.models import Workspace

    try:
        chosen = Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r}", hint=", ".join(r.value for r in Role)) from None
    with write_session(_factory(_url(db))) as s:
        ws = s.scalar(select(Workspace).where(Workspace.slug == workspace))
        if ws is None:
            ws = services.create_workspace(s, CLI_ACTOR, workspace, workspace)
            typer.echo(f"workspace {workspace!r} created")
        services.set_member(s, CLI_ACTOR, ws, username, chosen, granted_role)
    typer.echo(f"{username} is {chosen.value} in {workspace}")


@user_app.command("token")
def user_token(
    username: Annotated[str, typer.Argument(help="Existing user.")],
    scope: Annotated[
        list[str], typer.Option("--scope", help="read, write or evidence (repeatable).")
    ] = ["read"],  # noqa: B006
    days: Annotated[int, typer.Option(help="Lifetime in days.")] = 90,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    db: DbOption = None,
) -> None:
    """Create an API token (printed once; only its hash is stored)."""
    from aisec.store import accounts
    from aisec.store.db import write_session

    with write_session(_factory(_url(db))) as s:
        user = accounts.find_user(s, username)
        if user is None:
            raise InputError(f"no user {username!r}")
        new = accounts.create_token(s, user, name, scope, days, "cli")
    typer.echo(new.secret)


def _verify(url: str) -> int:
    from aisec.store import audit

    with _factory(url)() as s:
        result = audit.verify(s)
    typer.echo(result.describe())
    return int(ExitCode.OK if result.ok else ExitCode.FINDINGS)


@audit_app.command("verify")
def audit_verify(
    db: DbOption = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Verify a JSONL export offline instead.")
    ] = None,
) -> None:
    """Check the hash chain; name the first broken link (exit 1 when broken)."""
    if file is not None:
        from aisec.store.audit import verify_export

        with file.open(encoding="utf-8") as handle:
            result = verify_export(handle)
        typer.echo(result.describe())
        raise typer.Exit(int(ExitCode.OK if result.ok else ExitCode.FINDINGS))
    raise typer.Exit(_verify(_url(db)))


@audit_app.command("export")
def audit_export(
    out: Annotated[Path, typer.Option("-o", "--out", help="JSONL file to write ('-': stdout).")],
    db: DbOption = None,
) -> None:
    """Write the whole chain as JSONL, re-verifiable offline with 'aisec audit verify --file'."""
    from aisec.common.fileio import atomic_write_text
    from aisec.store.audit import export_lines

    with _factory(_url(db))() as s:
        text = "".join(line + "\n" for line in export_lines(s))
    if str(out) == "-":
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
        typer.echo(f"wrote {out}", err=True)
