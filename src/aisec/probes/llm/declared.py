"""Declared secrets: what the application itself must never disclose.

Planted canaries only prove something when the target reads what aisec plants; a real
application usually ignores a client's system message and keeps its own. So the user declares
the application's real secrets (exact strings, regular expressions, a file of them) and its
confidential instructions, in a probe config file (`--secrets FILE`) or on the command line
(`--secret VALUE`). Every reply is checked against them (`detectors/declared.py`).

Declared values are never written anywhere in clear: reports show `masked()` forms and SHA-256
prefixes, and `redact()` removes them (and their base64/hex encodings) from transcripts.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aisec.common.errors import InputError
from aisec.common.yamlio import load_yaml_file, validate_located

MIN_SECRET_CHARS = 6
MAX_SECRETS = 500
MAX_SECRET_FILE_BYTES = 1024 * 1024
MAX_INSTRUCTIONS_CHARS = 100_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretEntry(_Strict):
    """Exactly one of `value`, `regex` or `file` (one exact string per line)."""

    label: Annotated[str, Field(max_length=80)] | None = None
    value: Annotated[str, Field(min_length=MIN_SECRET_CHARS, max_length=4000)] | None = None
    regex: Annotated[str, Field(min_length=3, max_length=500)] | None = None
    file: Annotated[str, Field(min_length=1, max_length=1000)] | None = None

    @model_validator(mode="after")
    def _one(self) -> SecretEntry:
        given = [k for k in ("value", "regex", "file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of value, regex or file")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
        return self


class SecretsFile(_Strict):
    """Schema of the `--secrets` probe config file."""

    secrets: list[SecretEntry] = Field(default_factory=list, max_length=MAX_SECRETS)
    confidential_instructions: Annotated[str, Field(max_length=MAX_INSTRUCTIONS_CHARS)] | None = (
        None
    )
    confidential_instructions_file: Annotated[str, Field(max_length=1000)] | None = None


@dataclass(frozen=True)
class Secret:
    label: str
    value: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.value.encode("utf-8")).hexdigest()

    def masked(self) -> str:
        """Enough to recognise the secret, not to use it."""
        head = self.value[:2] if len(self.value) >= 10 else ""
        return f"{self.label} [{head}…{len(self.value)} chars, sha256:{self.digest[:12]}]"


@dataclass(frozen=True)
class Declared:
    secrets: tuple[Secret, ...] = ()
    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()
    instructions: str = ""

    @property
    def empty(self) -> bool:
        return not (self.secrets or self.patterns or self.instructions.strip())

    def summary(self) -> dict[str, object]:
        """What a report may say about the declaration: counts and hashes only."""
        return {
            "secrets": [s.masked() for s in self.secrets],
            "patterns": [label for label, _ in self.patterns],
            "confidential_instructions_sha256": hashlib.sha256(
                self.instructions.encode("utf-8")
            ).hexdigest()
            if self.instructions
            else None,
        }

    def redact(self, text: str) -> str:
        """`text` with every declared value, its encodings and pattern matches masked."""
        for secret in self.secrets:
            for form in _encodings(secret.value):
                text = re.sub(re.escape(form), f"[{secret.masked()}]", text, flags=re.IGNORECASE)
        for label, pattern in self.patterns:
            text = pattern.sub(_masker(label), text)
        return text


def _masker(label: str) -> Callable[[re.Match[str]], str]:
    def mask(match: re.Match[str]) -> str:
        return f"[{label}: {_mask_match(match.group(0))}]"

    return mask


def _mask_match(value: str) -> str:
    return f"{len(value)} chars, sha256:{hashlib.sha256(value.encode()).hexdigest()[:12]}"


def _encodings(value: str) -> tuple[str, ...]:
    raw = value.encode("utf-8")
    b64 = base64.b64encode(raw).decode().rstrip("=")
    return (value, b64, raw.hex())


def _read(path: Path, what: str) -> str:
    if not path.is_file():
        raise InputError(f"{what} is not a regular file", source=str(path))
    if path.stat().st_size > MAX_SECRET_FILE_BYTES:
        raise InputError(f"{what} is larger than {MAX_SECRET_FILE_BYTES} bytes", source=str(path))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} is not UTF-8 text", source=str(path)) from None


def _from_file(entry: SecretEntry, base: Path, source: str) -> list[Secret]:
    path = (base / (entry.file or "")).resolve()
    out = []
    for number, line in enumerate(_read(path, "secrets file").splitlines(), start=1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        if len(value) < MIN_SECRET_CHARS:
            raise InputError(
                f"secret shorter than {MIN_SECRET_CHARS} characters (too many false alarms)",
                source=str(path),
                line=number,
            )
        out.append(Secret(entry.label or f"{path.name}:{number}", value))
    return out


def load_declared(
    path: Path | None, values: list[str] | None = None, instructions: Path | None = None
) -> Declared:
    """The declaration from a `--secrets` file, `--secret` values and an instructions file."""
    secrets: list[Secret] = []
    patterns: list[tuple[str, re.Pattern[str]]] = []
    text = ""
    if path is not None:
        located = load_yaml_file(path)
        if not isinstance(located.data, dict):
            raise InputError("expected a mapping with 'secrets'", source=str(path), line=1)
        config = validate_located(SecretsFile, located)
        for index, entry in enumerate(config.secrets):
            label = entry.label or f"secret-{index + 1}"
            if entry.value is not None:
                secrets.append(Secret(label, entry.value))
            elif entry.regex is not None:
                patterns.append((label, re.compile(entry.regex)))
            else:
                secrets.extend(_from_file(entry, path.parent, str(path)))
        text = config.confidential_instructions or ""
        if config.confidential_instructions_file:
            file = (path.parent / config.confidential_instructions_file).resolve()
            text += "\n" + _read(file, "confidential instructions file")
    for index, value in enumerate(values or []):
        if len(value) < MIN_SECRET_CHARS:
            raise InputError(
                f"secret shorter than {MIN_SECRET_CHARS} characters (too many false alarms)",
                field="--secret",
            )
        secrets.append(Secret(f"cli-{index + 1}", value))
    if instructions is not None:
        text += "\n" + _read(instructions, "confidential instructions file")
    if len(secrets) > MAX_SECRETS:
        raise InputError(f"more than {MAX_SECRETS} declared secrets", field="--secrets")
    return Declared(tuple(secrets), tuple(patterns), text.strip()[:MAX_INSTRUCTIONS_CHARS])
