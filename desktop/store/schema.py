"""All tables, gathered so Alembic and `create_all` see every model module."""

from desktop.store import models, outbox_models  # noqa: F401  (register their tables)
from desktop.store.models import Base

metadata = Base.metadata
