"""The AI-system model and its importers."""

from aisec.system.loader import load_system, load_system_text
from aisec.system.schema import AISystem

__all__ = ["AISystem", "load_system", "load_system_text"]
