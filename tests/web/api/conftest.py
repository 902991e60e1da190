"""Fixtures of the API tests (helpers live in apiworld.py)."""

from apiworld import world  # noqa: F401
