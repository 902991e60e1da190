"""Shared fixtures of the whole test suite."""

from pg import db_url, postgres_server  # noqa: F401  (SQLite + throwaway PostgreSQL, tests/pg.py)
