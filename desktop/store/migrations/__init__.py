"""Alembic migrations of the Frontdesk schema (run through desktop.store.migrate)."""
