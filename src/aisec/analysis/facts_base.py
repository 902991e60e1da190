"""Shared pieces of the fact functions: the result type and component look-ups per model."""

from __future__ import annotations

from dataclasses import dataclass

from aisec.system.schema import AISystem, AugmentationStore, Interface, Model, Tool


@dataclass(frozen=True)
class FactResult:
    holds: bool
    because: str


def names(items: list[str]) -> str:
    return ", ".join(items)


def interfaces_of(system: AISystem, model: Model) -> list[Interface]:
    return [i for i in system.interfaces if model.id in i.models]


def stores_of(system: AISystem, model: Model) -> list[AugmentationStore]:
    return [s for s in system.augmentation if model.id in s.feeds]


def tools_of(system: AISystem, model: Model) -> list[Tool]:
    return [t for t in system.tools if model.id in t.used_by]
