"""One error root for aisec.

Every error a user can cause or fix derives from `AisecError` and carries advice, so the CLI and
the web app can catch it once and print something actionable instead of a traceback.
"""

from __future__ import annotations

from aisec.common.textsafe import one_line


class AisecError(Exception):
    """Root of every expected aisec failure; `hint` tells the user what to do next."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class InputError(AisecError):
    """Bad user input: a file that does not parse or does not match its schema."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        # Locations are outside text (a file name may hold ESC, newlines or markup): one line,
        # controls visible, so a CI parser reading "file:line: field" cannot be fooled.
        where = one_line(source) if source else ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        if field:
            where = f"{where}: {one_line(field)}" if where else one_line(field)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.source = source
        self.line = line
        self.field = field


class CatalogError(InputError):
    """The bundled catalogue or a user overlay is inconsistent."""


class ProbeError(AisecError):
    """A probe could not run (target unreachable, missing optional dependency...)."""


class MissingExtraError(AisecError):
    """An optional dependency group is not installed."""

    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this feature needs the optional '{extra}' dependencies (module {module!r} missing)",
            hint=f"pip install 'aisec[{extra}]'",
        )
