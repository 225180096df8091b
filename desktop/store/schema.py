"""All tables, gathered so Alembic and `create_all` see every model module."""

from desktop.store import (  # noqa: F401  (importing a model module registers its tables)
    auth_models,
    billing_models,
    credit_models,
    messaging_models,
    models,
    outbox_models,
    sync_models,
    wait_list_models,
)
from desktop.store.models import Base

metadata = Base.metadata
