"""Shared fixtures: reference targets on 127.0.0.1 and a system model with tools."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aisec.probes.llm.reference import start_reference_target

SYSTEM_YAML = """\
id: test-agent
name: Test mail agent
description: Reads the team mailbox and answers questions about it.
owner: {name: Test team}
organisation_role: integrator
archetypes: [autonomous-agent]
business_impact: {confidentiality: 3, integrity: 3, availability: 2}
models:
  - id: llm
    name: Test LLM
    kind: genai
    task: text-generation
    source: provider-api
    trained_by: supplier
    hosted_by: model-provider
tools:
  - id: read-mail
    name: Read mail
    effects: [read]
    used_by: [llm]
  - id: send-mail
    name: Send mail
    effects: [send]
    permissions: [mail.send]
    used_by: [llm]
  - id: pay-invoice
    name: Pay invoice
    effects: [pay]
    requires_approval: true
    used_by: [llm]
"""


@pytest.fixture(scope="session")
def vulnerable_url() -> Iterator[str]:
    url, stop = start_reference_target("vulnerable")
    yield url
    stop()


@pytest.fixture(scope="session")
def hardened_url() -> Iterator[str]:
    url, stop = start_reference_target("hardened")
    yield url
    stop()


@pytest.fixture(scope="session")
def system_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("system") / "agent.yaml"
    path.write_text(SYSTEM_YAML, encoding="utf-8")
    return path
