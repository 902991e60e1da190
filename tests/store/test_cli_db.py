"""`aisec db backup/restore` (SQLite) and `aisec user add/grant/token` from the command line."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path


def aisec(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aisec", *args],
        cwd=cwd,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=120,
    )


def test_users_backup_and_restore(tmp_path: Path) -> None:
    made = aisec(
        "user",
        "add",
        "alice",
        "--admin",
        "--password-stdin",
        cwd=tmp_path,
        stdin="a long enough password\n",
    )
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "aisec.db").exists()  # default database next to where it runs
    short = aisec("user", "add", "bob", "--password-stdin", cwd=tmp_path, stdin="short\n")
    assert short.returncode == 2 and "at least 12" in short.stderr
    assert aisec("user", "grant", "alice", "acme", "assessor", cwd=tmp_path).returncode == 0
    bad_role = aisec("user", "grant", "alice", "acme", "boss", cwd=tmp_path)
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr
    with sqlite3.connect(tmp_path / "aisec.db") as db:
        stored = db.execute("select password_hash from users where username='alice'").fetchone()
    assert stored[0].startswith("$argon2id$")
    assert aisec("db", "backup", "-o", "copy.db", cwd=tmp_path).returncode == 0
    target = tmp_path / "restored"
    target.mkdir()
    restored = aisec(
        "db", "restore", str(tmp_path / "copy.db"), "--db", str(target / "aisec.db"), cwd=tmp_path
    )
    assert restored.returncode == 0, restored.stderr
    assert "audit chain intact" in restored.stdout
    with sqlite3.connect(target / "aisec.db") as db:
        assert db.execute("select count(*) from memberships").fetchone()[0] == 1
    again = aisec(
        "db", "restore", str(tmp_path / "copy.db"), "--db", str(target / "aisec.db"), cwd=tmp_path
    )
    assert again.returncode == 2 and "--force" in again.stderr
    (tmp_path / "junk.db").write_bytes(b"")
    with sqlite3.connect(tmp_path / "junk.db") as db:
        db.execute("create table t (x)")
    junk = aisec(
        "db", "restore", str(tmp_path / "junk.db"), "--db", str(tmp_path / "n.db"), cwd=tmp_path
    )
    assert junk.returncode == 2 and "not an aisec server backup" in junk.stderr
