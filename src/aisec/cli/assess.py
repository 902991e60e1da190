"""`aisec assess`, `aisec threats`, `aisec init`, `aisec demo`: the core flow."""

from __future__ import annotations
