"""Shared helpers for catalogue tests: write small overlay files into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from aisec.catalog import Catalog, default_catalog

# A valid overlay adding one control; THREAT is replaced by the test.
CONTROL_OVERLAY = """\
version: "1"
controls:
  - id: waf-for-llm
    name: LLM firewall in front of the chatbot
    summary: A commercial LLM firewall screens prompts and answers.
    category: IOH
    kind: technical
    phases: [operation]
    role: integrator
    effects:
      - {threat: THREAT, likelihood: 1}
    evidence:
      - Firewall policy export.
"""


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture
def control_overlay() -> Callable[[str], str]:
    """Text of a valid overlay whose one control mitigates the given threat."""
    return lambda threat: CONTROL_OVERLAY.replace("THREAT", threat)


@pytest.fixture
def write_overlay(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(text: str, name: str = "overlay.yaml") -> Path:
        path = tmp_path / name
        path.write_text(dedent(text), encoding="utf-8")
        return path

    return _write
