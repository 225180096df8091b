"""The ASGI application: `create_app(ServerConfig)` → FastAPI, API under /v1.

Nothing is kept in the process between requests — sessions, rate-limit buckets,
the change log and pushed mutations all live in PostgreSQL — so any number of
instances can serve one database behind a load balancer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, Depends, FastAPI

from desktop import __version__
from desktop.auth.authenticator import Authenticator
from desktop.auth.clock import Clock
from desktop.auth.passwords import Passwords
from desktop.auth.sql_store import SqlAuthStore
from desktop.server import (
    desk_routes,
    messaging_secrets_routes,
    offer_routes,
    session_routes,
    sms_balance_routes,
    sms_routes,
    sync_routes,
    xero_routes,
)
from desktop.server.apply import MutationApplier
from desktop.server.change_log import latest_change
from desktop.server.client_address import TrustedProxies
from desktop.server.context import ServerContext
from desktop.server.errors import install_error_handlers
from desktop.server.guards import Context, rate_limited
from desktop.server.rate_limit import RateLimiter, RateLimits
from desktop.server.request_guard import MAX_BODY_BYTES, RequestGuard
from desktop.server.schemas import HealthOut
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.store.database import Database


@dataclass
class ServerConfig:
    database_url: str
    rate_limits: RateLimits | None = field(default_factory=RateLimits)  # None: off
    # Tests move time by hand; production uses the system / database clocks.
    clock: Clock | None = None
    passwords: Passwords | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    sms_secrets: MessagingSecrets | None = None  # None: the keyring / environment
    # Proxies whose X-Forwarded-For is believed (see desktop.server.client_address).
    trusted_proxies: TrustedProxies = field(
        default_factory=lambda: TrustedProxies.parse("127.0.0.1")
    )


def create_app(config: ServerConfig, database: Database | None = None) -> FastAPI:
    database = database or Database(config.database_url)
    authenticator = Authenticator(
        SqlAuthStore(database), clock=config.clock, passwords=config.passwords
    )
    limiter_clock: Callable[[], datetime] | None = config.clock.now if config.clock else None
    context = ServerContext(
        database=database,
        authenticator=authenticator,
        applier=MutationApplier(database, config.clock.now)
        if config.clock
        else MutationApplier(database),
        limiter=RateLimiter(database, limiter_clock) if config.rate_limits is not None else None,
        limits=config.rate_limits or RateLimits(None, None, None),
        proxies=config.trusted_proxies,
    )
    app = FastAPI(
        title="Frontdesk remote store",
        version=__version__,
        description=(
            "The clinic's shared store. Desktops push their changes and pull everyone "
            "else's; every change is checked against the booking rules."
        ),
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
    )
    app.state.frontdesk = context
    app.state.sms_secrets = config.sms_secrets
    app.state.clock = limiter_clock  # None: the system clock
    app.state.sms_balance_watch = sms_balance_routes.balance_watch(
        config.sms_secrets, limiter_clock
    )
    app.add_middleware(RequestGuard, context=context, max_body=config.max_body_bytes)
    install_error_handlers(app)
    v1 = APIRouter(prefix="/v1")
    v1.include_router(session_routes.router)
    v1.include_router(sync_routes.router)
    v1.include_router(desk_routes.router)
    v1.include_router(xero_routes.router)
    v1.include_router(sms_routes.router)
    v1.include_router(sms_balance_routes.router)
    v1.include_router(messaging_secrets_routes.router)
    v1.add_api_route(
        "/health",
        _health,
        methods=["GET"],
        dependencies=[Depends(rate_limited)],
        summary="The server is up; the newest change number",
        tags=["server"],
    )
    app.include_router(v1)
    app.include_router(offer_routes.router)  # short links in texts: /o/<token>
    return app


def _health(context: Context) -> HealthOut:
    return HealthOut(
        status="ok", version=__version__, latest_change=latest_change(context.database)
    )
