"""Resolve the system model's `must_not_disclose` declarations into probe `Declared` values.

The system file names secrets only by reference (a file next to it, an environment variable, a
regex, a non-secret marker); this is where the references are read, at probe time, so a system
file can be assessed anywhere without the secrets being present. Errors name the system file,
the line and the field, as the loader's do. Which models count: those with a declared endpoint
matching the probe target; when none matches, every model that declares something (the probe
may target the app through a URL the system does not list).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aisec.common.errors import InputError
from aisec.common.yamlio import load_yaml_file
from aisec.probes.llm.declared import (
    MAX_INSTRUCTIONS_CHARS,
    MAX_SECRET_FILE_BYTES,
    MAX_SECRETS,
    MIN_SECRET_CHARS,
    Declared,
    Secret,
)
from aisec.system.disclosure import MustNotDisclose
from aisec.system.schema import AISystem


@dataclass(frozen=True)
class _Where:
    """Locates an error in the system file (line looked up only when one is raised)."""

    path: Path
    model_index: int

    def error(self, message: str, *field: str | int) -> InputError:
        loc: tuple[str | int, ...] = ("models", self.model_index, "must_not_disclose", *field)
        try:
            line = load_yaml_file(self.path).line_of(loc)
        except InputError:
            line = None
        name = ".".join(f"[{p}]" if isinstance(p, int) else p for p in loc).replace(".[", "[")
        return InputError(message, source=str(self.path), line=line, field=name)


def _url_key(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return None
    if not parts.scheme or not host:
        return None
    return f"{parts.scheme.lower()}://{host}", parts.path.rstrip("/")


def _matches(target: str, endpoint: str) -> bool:
    got, want = _url_key(target), _url_key(endpoint)
    if got is None or want is None:
        return target.strip() == endpoint.strip()
    return got[0] == want[0] and (got[1] == want[1] or got[1].startswith(want[1] + "/"))


def declarations_for(system: AISystem, target: str | None) -> list[tuple[int, MustNotDisclose]]:
    """(model index, declaration) of the models whose declarations apply to this target."""
    declared = [
        (i, m.must_not_disclose)
        for i, m in enumerate(system.models)
        if m.must_not_disclose is not None
    ]
    if target:
        hit = [
            (i, d)
            for i, d in declared
            if any(_matches(target, e) for e in system.models[i].endpoints)
        ]
        if hit:
            return hit
    return declared


def _read(where: _Where, relative: str, what: str, *field: str | int) -> str:
    path = (where.path.parent / relative).resolve()
    if not path.is_file():
        raise where.error(f"{what} {relative!r} is not a regular file ({path})", *field)
    if path.stat().st_size > MAX_SECRET_FILE_BYTES:
        raise where.error(
            f"{what} {relative!r} is larger than {MAX_SECRET_FILE_BYTES} bytes", *field
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise where.error(f"{what} {relative!r} is not UTF-8 text", *field) from None


def _env(where: _Where, name: str, *field: str | int) -> str:
    value = os.environ.get(name)
    if value is None or not value.strip():
        raise where.error(f"environment variable {name} is not set (or empty)", *field)
    return value


def _resolve(where: _Where, spec: MustNotDisclose) -> Declared:
    secrets: list[Secret] = []
    patterns: list[tuple[str, re.Pattern[str]]] = []
    for index, ref in enumerate(spec.secrets):
        label = ref.label or f"model-{where.model_index + 1}-secret-{index + 1}"
        field = ("secrets", index)
        if ref.regex is not None:
            patterns.append((label, re.compile(ref.regex)))
            continue
        if ref.file is not None:
            text = _read(where, ref.file, "secrets file", *field, "file")
            values = [
                (n, v.strip())
                for n, v in enumerate(text.splitlines(), start=1)
                if v.strip() and not v.strip().startswith("#")
            ]
            for number, value in values:
                if len(value) < MIN_SECRET_CHARS:
                    raise where.error(
                        f"line {number} of {ref.file!r} is shorter than {MIN_SECRET_CHARS} "
                        "characters (too many false alarms)",
                        *field,
                        "file",
                    )
                secrets.append(Secret(ref.label or f"{Path(ref.file).name}:{number}", value))
        elif ref.env is not None:
            value = _env(where, ref.env, *field, "env").strip()
            if len(value) < MIN_SECRET_CHARS:
                raise where.error(
                    f"the value of {ref.env} is shorter than {MIN_SECRET_CHARS} characters",
                    *field,
                    "env",
                )
            secrets.append(Secret(ref.label or ref.env, value))
        elif ref.marker is not None:
            secrets.append(Secret(label, ref.marker))
    text = ""
    if spec.confidential_instructions_file:
        text += _read(
            where,
            spec.confidential_instructions_file,
            "confidential instructions file",
            "confidential_instructions_file",
        )
    if spec.confidential_instructions_env:
        text += "\n" + _env(
            where, spec.confidential_instructions_env, "confidential_instructions_env"
        )
    return Declared(tuple(secrets), tuple(patterns), text.strip())


def declared_from_system(system: AISystem, system_path: Path, target: str | None) -> Declared:
    """Everything the system declares for the models behind `target`, resolved."""
    parts = [_resolve(_Where(system_path, i), d) for i, d in declarations_for(system, target)]
    return merge(*parts)


def merge(*parts: Declared, last_instructions_win: bool = False) -> Declared:
    """One declaration from several (system model first, then flags): values are added,
    duplicates dropped; confidential instructions are joined, or, with
    `last_instructions_win`, the last part that has any replaces the others."""
    secrets: dict[str, Secret] = {}
    patterns: dict[str, tuple[str, re.Pattern[str]]] = {}
    texts: list[str] = []
    for part in parts:
        for secret in part.secrets:
            secrets.setdefault(secret.value, secret)
        for label, pattern in part.patterns:
            patterns.setdefault(pattern.pattern, (label, pattern))
        text = part.instructions.strip()
        if text and last_instructions_win:
            texts = [text]
        elif text and text not in texts:
            texts.append(text)
    if len(secrets) > MAX_SECRETS:
        raise InputError(f"more than {MAX_SECRETS} declared secrets", field="must_not_disclose")
    return Declared(
        tuple(secrets.values()),
        tuple(patterns.values()),
        "\n".join(texts)[:MAX_INSTRUCTIONS_CHARS],
    )
