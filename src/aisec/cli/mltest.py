"""CLI commands of the 'mltest' family (registered on the shared app)."""

from __future__ import annotations
