"""Accounts, passwords (argon2id), login sessions and API tokens.

Secrets are shown once and stored only as SHA-256 (tokens, session ids) or argon2id (passwords),
so a database dump does not let anyone log in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aisec.common.errors import InputError
from aisec.store import audit
from aisec.store.models import ApiToken, LoginFailure, LoginSession, User, utcnow

if TYPE_CHECKING:
    from argon2 import PasswordHasher

SCOPES = ("read", "write", "evidence")
TOKEN_PREFIX = "aisec_"  # noqa: S105  (a prefix, not a secret)
SESSION_HOURS = 12
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,119}$")
MIN_PASSWORD = 12


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended cost


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password must have at least {MIN_PASSWORD} characters")
    return str(_hasher().hash(password))


def check_password(user: User, password: str) -> bool:
    from argon2.exceptions import VerificationError, VerifyMismatchError

    if not user.password_hash:
        return False
    try:
        return bool(_hasher().verify(user.password_hash, password))
    except (VerifyMismatchError, VerificationError):
        return False
    except Exception:  # noqa: BLE001  (a malformed hash is a failed login, not a 500)
        return False


_DUMMY_HASH: list[str] = []


def burn_time(password: str) -> None:
    """Spend the cost of one verification for unknown users (no user enumeration by timing)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher().hash("x" * MIN_PASSWORD))
    from argon2.exceptions import VerificationError

    try:
        _hasher().verify(_DUMMY_HASH[0], password)
    except VerificationError:
        pass


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def add_user(
    session: Session,
    username: str,
    password: str | None,
    *,
    admin: bool = False,
    display_name: str = "",
    actor: str = "cli",
) -> User:
    if not USERNAME.match(username):
        raise InputError(
            f"invalid username {username!r}",
            hint="letters, digits and . _ @ - (up to 120 characters)",
        )
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise InputError(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password) if password else None,
        is_admin=admin,
    )
    session.add(user)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="user.add",
        object_type="user",
        object_id=username,
        detail={"admin": admin},
    )
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


class LoginThrottle:
    """At most `limit` failed logins per username and per client address in `window` seconds.

    Failures are rows of `login_failures`, so the limit holds across server processes (several
    Uvicorn workers, several hosts on one PostgreSQL) and across restarts."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window

    def blocked(self, s: Session, *keys: str) -> float:
        """Seconds to wait (0 when allowed)."""
        now = utcnow()
        since = now - dt.timedelta(seconds=self.window)
        rows = s.execute(
            select(LoginFailure.key, func.count(), func.min(LoginFailure.at))
            .where(LoginFailure.key.in_(keys), LoginFailure.at > since)
            .group_by(LoginFailure.key)
        ).all()
        waits = [
            self.window - (now - _aware(oldest)).total_seconds()
            for _key, count, oldest in rows
            if count >= self.limit and oldest is not None
        ]
        return max([0.0, *waits])

    def failed(self, s: Session, *keys: str) -> None:
        """Record a failure (and forget these keys' failures older than the window)."""
        now = utcnow()
        s.execute(
            delete(LoginFailure).where(
                LoginFailure.key.in_(keys),
                LoginFailure.at <= now - dt.timedelta(seconds=self.window),
            )
        )
        s.add_all(LoginFailure(key=key[:200], at=now) for key in keys)
        s.flush()

    def succeeded(self, s: Session, *keys: str) -> None:
        s.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))


def _aware(value: dt.datetime) -> dt.datetime:
    """min() over a UTCDateTime column comes back naive on some backends: it is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf: str
    expires_at: dt.datetime


def open_session(session: Session, user: User, via: str = "password") -> NewSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(hours=SESSION_HOURS)
    session.add(
        LoginSession(
            user_id=user.id, token_hash=sha256(token), csrf_token=csrf, expires_at=expires, via=via
        )
    )
    audit.append(session, actor=user.username, via=via, action="session.open")
    return NewSession(token, csrf, expires)


def session_user(session: Session, token: str) -> tuple[User, LoginSession] | None:
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == sha256(token)))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user, row


def close_session(session: Session, token: str) -> None:
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == sha256(token)))
    if row is not None:
        session.delete(row)


@dataclass(frozen=True)
class NewToken:
    id: int
    secret: str
    scopes: tuple[str, ...]
    expires_at: dt.datetime | None


def create_token(
    session: Session,
    user: User,
    name: str,
    scopes: list[str],
    days: int | None = 90,
    via: str = "",
) -> NewToken:
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise InputError(
            f"unknown scope(s) {bad}" if bad else "at least one scope is needed",
            hint="scopes: read, write, evidence",
        )
    if days is not None and not 1 <= days <= 3660:
        raise InputError("token lifetime must be 1..3660 days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(days=days) if days else None
    row = ApiToken(
        user_id=user.id,
        name=name[:120],
        token_hash=sha256(secret),
        scopes=" ".join(sorted(set(scopes))),
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=user.username,
        via=via,
        action="token.create",
        object_type="token",
        object_id=str(row.id),
        detail={"name": row.name, "scopes": row.scopes},
    )
    return NewToken(row.id, secret, tuple(row.scopes.split()), expires)


def token_user(session: Session, secret: str) -> tuple[User, ApiToken] | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(secret)))
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user, row


def revoke_token(session: Session, user: User, token_id: int, via: str = "") -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or (row.user_id != user.id and not user.is_admin) or row.revoked_at:
        return False
    row.revoked_at = utcnow()
    audit.append(
        session,
        actor=user.username,
        via=via,
        action="token.revoke",
        object_type="token",
        object_id=str(token_id),
    )
    return True
