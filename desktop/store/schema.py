"""All tables, gathered so Alembic and `create_all` see every model module."""

import desktop.store.credit_models  # credit tables (issue 7)
import desktop.store.sync_models  # noqa: F401  (sync tables: desktop/store/sync_models.py)
from desktop.store import (  # noqa: F401  (register their tables)
    auth_models,
    billing_models,
    messaging_models,
    models,
    outbox_models,
)
from desktop.store.models import Base

metadata = Base.metadata
