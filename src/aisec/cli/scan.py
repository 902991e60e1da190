"""CLI commands of the 'scan' family (registered on the shared app)."""

from __future__ import annotations
