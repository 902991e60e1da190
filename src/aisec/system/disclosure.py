"""What a model's application must never disclose, declared in the system model by reference.

A system YAML is usually committed, so it never holds a real secret: it names where the values
live (a file next to it, an environment variable), shapes they have (regular expressions) or
non-secret markers planted for testing (e.g. a canary document in the app's retrieval store).
Only the shape is checked here, identically for every command that loads the system; the probe
resolves the references when it runs (`aisec.probes.llm.declared.declared_from_system`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
MIN_MARKER_CHARS = 6  # shorter strings match ordinary text too often


def _relative_path(value: str) -> str:
    if "\x00" in value:
        raise ValueError("a path cannot contain NUL")
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute():
        raise ValueError("give a path relative to the system file, not an absolute one")
    return value


RelPath = Annotated[str, Field(min_length=1, max_length=1000)]
EnvName = Annotated[str, Field(pattern=ENV_NAME)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(_Strict):
    """Exactly one of: `file` (one value per line, '#' comments), `env` (a variable holding
    one value), `regex` (any match is a leak) or `marker` (an exact, non-secret string)."""

    label: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    file: RelPath | None = None
    env: EnvName | None = None
    regex: Annotated[str, Field(min_length=3, max_length=500)] | None = None
    marker: Annotated[str, Field(min_length=MIN_MARKER_CHARS, max_length=500)] | None = None
    value: str | None = Field(default=None, exclude=True, repr=False)  # refused, see below

    @field_validator("value")
    @classmethod
    def _no_value(cls, value: str | None) -> None:
        if value is not None:  # the message never repeats what was written
            raise ValueError(
                "a secret's value is never written into the system file (it gets committed "
                "and copied): put it in a file (file:) or an environment variable (env:), or "
                "use marker: for a non-secret test marker"
            )
        return None

    @field_validator("file")
    @classmethod
    def _file(cls, value: str | None) -> str | None:
        return None if value is None else _relative_path(value)

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one(self) -> SecretRef:
        given = [k for k in ("file", "env", "regex", "marker") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of file, env, regex or marker (a real secret is never "
                "written into the system file: point to a file or an environment variable)"
            )
        return self


class MustNotDisclose(_Strict):
    """The application's secrets and confidential instructions, checked in every probe reply."""

    secrets: list[SecretRef] = Field(default_factory=list, max_length=500)
    confidential_instructions_file: RelPath | None = Field(
        default=None, description="the app's system prompt, relative to the system file"
    )
    confidential_instructions_env: EnvName | None = None

    @field_validator("confidential_instructions_file")
    @classmethod
    def _file(cls, value: str | None) -> str | None:
        return None if value is None else _relative_path(value)

    @model_validator(mode="after")
    def _something(self) -> MustNotDisclose:
        if not (
            self.secrets
            or self.confidential_instructions_file
            or self.confidential_instructions_env
        ):
            raise ValueError(
                "declare at least one secret or the confidential instructions (or remove "
                "must_not_disclose)"
            )
        return self
