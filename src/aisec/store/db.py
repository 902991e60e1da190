"""Engines, sessions and migrations for SQLite (WAL, default) and PostgreSQL (psycopg 3).

Every write use case starts with `lock_writes`, which touches the single `audit_head` row: on
PostgreSQL a row lock, on SQLite the database write lock. Writes are then serialised, so the
audit chain has one order and two savers cannot interleave between check and insert.
"""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, update
from sqlalchemy.orm import Session, sessionmaker

from aisec.common.errors import InputError

DEFAULT_SQLITE_NAME = "aisec.db"
ENV_URL = "AISEC_DATABASE_URL"


def default_url(cwd: Path | None = None) -> str:
    """AISEC_DATABASE_URL, else SQLite in `aisec.db` next to where the server is started."""
    env = os.environ.get(ENV_URL)
    if env:
        return env
    return f"sqlite:///{(cwd or Path.cwd()) / DEFAULT_SQLITE_NAME}"


def normalise_url(url: str) -> str:
    """Accept a bare file path or postgresql:// and name the driver we ship (psycopg 3)."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if not (url.startswith("sqlite") or url.startswith("postgresql+psycopg")):
        raise InputError(
            f"unsupported database URL {url.split('://')[0]}://...",
            hint="use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
        )
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=20
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


_STORE_KEYS: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_NEXT_KEY = itertools.count(1)
_KEYS_LOCK = threading.Lock()


def store_key(session: Session) -> int:
    """A number naming the database behind `session` for the process' caches keyed by row ids:
    one process may serve several databases (the tests do) whose revision ids coincide. One
    number per engine, never reused in the process (so a new engine on a restored database
    starts cold instead of trusting ids it has not seen)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _KEYS_LOCK:
        key = _STORE_KEYS.get(engine)
        if key is None:
            key = _STORE_KEYS[engine] = next(_NEXT_KEY)
        return key


def lock_writes(session: Session) -> None:
    """Take the global write lock (first statement of every write transaction)."""
    from aisec.store.models import AuditHead

    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction that holds the write lock from its first statement to commit."""
    with factory() as session, session.begin():
        lock_writes(session)
        yield session


def migrations_dir() -> Path:
    return Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent; the server runs it on every start)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
