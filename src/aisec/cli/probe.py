"""CLI commands of the 'probe' family (registered on the shared app)."""

from __future__ import annotations
