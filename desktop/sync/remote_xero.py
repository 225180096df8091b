"""A desk's view of the clinic's one Xero queue, which lives on the server.

With a server, the Xero connection and its worker run beside it
(desktop/server/senders.py, desktop/server/xero_routes.py); the desk holds no
Xero connection of its own, so its status bar, Xero page and Retry buttons ask
the server. Every call here goes over the network: call it off the GUI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desktop.domain.outbox import JobState
from desktop.services.changes import Changes
from desktop.services.xero_settings import (
    ConnectionState,
    QueuedJob,
    XeroConnection,
    XeroQueueStatus,
)

if TYPE_CHECKING:  # the sync client (httpx) is loaded by whoever holds a ServerApi
    from desktop.sync.client import ServerApi
    from desktop.xero.identity import Tenant
    from desktop.xero.tokens import TokenSet

# Xero's sign-in for a client id: the tokens and the organisation chosen.
Authorize = Callable[[str], "tuple[TokenSet, Tenant]"]


def badge(api: ServerApi) -> str:
    """The status bar's Xero text, e.g. "Xero: 3 waiting, 1 refused"."""
    from desktop.sync.client import Offline, ServerProtocolError

    try:
        text = api.xero_queue().get("badge")
    except Offline:
        return "Xero: on the server (not reachable now)"
    except ServerProtocolError:
        return "Xero: on the server"
    return str(text) if isinstance(text, str) and text else "Xero: on the server"


class ServerXeroQueue:
    """The Xero page's queue when the desk follows a server: read and retried there."""

    remote = True

    def __init__(self, api: ServerApi) -> None:
        self.api = api

    def status(self) -> XeroQueueStatus:
        return queue_status_from(self.api.xero_queue())

    def retry(self, job_id: uuid.UUID) -> Changes:
        self.api.retry_xero_job(str(job_id))
        return Changes(outbox=True)

    def connect(self, client_id: str, authorize: Authorize | None = None) -> str:
        """Xero's sign-in in this PC's browser; the tokens go to the server, never
        kept here. Returns the organisation's name."""
        from desktop.xero.connect import authorize as sign_in_at_xero

        tokens, tenant = (authorize or sign_in_at_xero)(client_id)
        answer = self.api.connect_xero(
            {
                "client_id": client_id,
                "tenant_id": tenant.tenant_id,
                "tenant_name": tenant.name,
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "expires_at": tokens.expires_at.isoformat(),
                "scope": list(tokens.scope),
            }
        )
        return str(answer.get("tenant_name") or tenant.name)


def queue_status_from(body: dict[str, Any]) -> XeroQueueStatus:
    """GET /v1/xero/queue as the page's status (the account mapping stays on the server)."""
    connection = XeroConnection(
        state=ConnectionState(body["connection"]),
        message=str(body.get("message") or ""),
        tenant_name=str(body.get("tenant_name") or ""),
        client_id=str(body.get("client_id") or ""),
    )
    counts = {JobState(state): int(count) for state, count in body.get("counts", {}).items()}
    attention = [
        QueuedJob(
            id=uuid.UUID(job["id"]),
            kind=job["kind"],
            label=job["label"],
            state=JobState(job["state"]),
            # A server from before the split sends only `reason`: shown as our note.
            xero_said=str(job.get("xero_said") or ""),
            note=str(job.get("note") or ("" if "xero_said" in job else job["reason"])),
            attempts=int(job["attempts"]),
            updated_at=datetime.fromisoformat(job["updated_at"]) if job["updated_at"] else None,
        )
        for job in body.get("attention", [])
    ]
    return XeroQueueStatus(connection, counts, attention)
