"""What every request handler needs: the database, sign-in, the limiter, the applier."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from desktop.auth.authenticator import Authenticator
from desktop.server.apply import MutationApplier
from desktop.server.client_address import TrustedProxies
from desktop.server.rate_limit import RateLimiter, RateLimits
from desktop.store.database import Database


@dataclass
class ServerContext:
    database: Database
    authenticator: Authenticator
    applier: MutationApplier
    limiter: RateLimiter | None  # None: rate limits switched off
    limits: RateLimits
    proxies: TrustedProxies = field(default_factory=TrustedProxies)


async def server_context(request: Request) -> ServerContext:
    """Async on purpose: FastAPI would otherwise hop to a worker thread just for this."""
    context = request.app.state.frontdesk
    assert isinstance(context, ServerContext)
    return context
