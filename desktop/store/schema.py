"""All tables, gathered so Alembic and `create_all` see every model module."""

from desktop.store import models  # noqa: F401  (registers the calendar tables)
from desktop.store.models import Base

metadata = Base.metadata
