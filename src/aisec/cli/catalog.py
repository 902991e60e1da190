"""`aisec catalog ...`: browse and validate the knowledge base."""

from __future__ import annotations
