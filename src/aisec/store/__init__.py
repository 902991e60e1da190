"""Persistence of the team server: SQLAlchemy models, Alembic migrations, revisions, audit chain."""
