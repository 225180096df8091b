"""Persistence: SQLAlchemy models, Alembic migrations, the database and its unit of work."""
