"""Reference target: a deliberately vulnerable or hardened local chat API for demos and tests."""

from aisec.probes.llm.reference.bot import Mode
from aisec.probes.llm.reference.server import start_reference_target

__all__ = ["Mode", "start_reference_target"]
