"""Deterministic detectors (canary, secrets, tool calls, markup, code injection, refusal)."""

from aisec.probes.llm.detectors.base import DetectorId, Hit

__all__ = ["DetectorId", "Hit"]
