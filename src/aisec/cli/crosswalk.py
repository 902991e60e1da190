"""CLI commands of the 'crosswalk' family (registered on the shared app)."""

from __future__ import annotations
