"""`frontdesk server`: serve the API with uvicorn over a PostgreSQL database."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from desktop.server.app import ServerConfig, create_app
from desktop.server.senders import ClinicSenders
from desktop.store import migrate
from desktop.store.database import Database, parse_url
from desktop.store.errors import DatabaseUnavailable


@dataclass(frozen=True, slots=True)
class Listen:
    host: str = "127.0.0.1"
    port: int = 8765


def open_server_database(url: str) -> Database:
    """The server's PostgreSQL database, reachable and at this version's schema."""
    if parse_url(url).get_backend_name() != "postgresql":
        raise DatabaseUnavailable(
            "The server needs a PostgreSQL database (--database-url postgresql+psycopg://…); "
            "the embedded SQLite file is for a single desktop."
        )
    database = Database(url)
    database.check_connection()
    migrate.ensure_current(database)
    return database


def serve(config: ServerConfig, listen: Listen, *, senders: bool = True) -> None:
    """Serve until stopped; with `senders`, the clinic's Xero and message senders run
    beside the API in this process (desktop.server.senders)."""
    import uvicorn

    database = open_server_database(config.database_url)
    app = create_app(config, database)
    with ClinicSenders(database) if senders else nullcontext():
        uvicorn.run(
            app,
            host=listen.host,
            port=listen.port,
            # The app reads X-Forwarded-For itself (desktop.server.client_address).
            proxy_headers=False,
            log_level="info",
            log_config=UVICORN_LOGGING,
        )


# uvicorn's loggers hand their records to the root logger, whose file handler
# (`frontdesk` sets it up in the log folder) masks patient data; the terminal
# still shows them as uvicorn would.
UVICORN_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": True},
        "uvicorn.access": {"level": "INFO", "propagate": True},
    },
}
