"""Build a target from user-facing settings (shared by the CLI and the web app)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aisec.common.errors import InputError
from aisec.probes.llm.interface import ContentChannel, Target
from aisec.probes.llm.target_http import HttpTemplateTarget, load_template
from aisec.probes.llm.target_openai import OpenAIChatTarget
from aisec.probes.llm.transport import TransportOptions


@dataclass(frozen=True)
class TargetSettings:
    url: str | None = None
    model: str = "default"
    api_key_env: str | None = "OPENAI_API_KEY"
    http_template: Path | None = None
    channel: ContentChannel = ContentChannel.TOOL_RESULT
    transport: TransportOptions = TransportOptions()


def build_target(settings: TargetSettings) -> Target:
    """Exactly one of `url` (OpenAI-compatible) or `http_template` must be given."""
    if bool(settings.url) == bool(settings.http_template):
        raise InputError(
            "give exactly one of --target URL or --http-template FILE", field="--target"
        )
    if settings.http_template:
        return HttpTemplateTarget(load_template(settings.http_template), settings.transport)
    assert settings.url is not None  # noqa: S101  (checked above)
    return OpenAIChatTarget(
        settings.url,
        settings.model,
        api_key_env=settings.api_key_env,
        channel=settings.channel,
        transport=settings.transport,
    )
