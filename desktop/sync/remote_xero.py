"""A desk's view of the clinic's one Xero queue, which lives on the server.

With a server, the Xero connection and its worker run beside it
(desktop/server/outward.py, desktop/server/xero_routes.py); the desk holds no
Xero connection of its own, so its status bar asks the server. Called off the
GUI thread (the status bar reads it in the background).
"""

from __future__ import annotations

from desktop.sync.client import Offline, ServerApi, ServerProtocolError


def badge(api: ServerApi) -> str:
    """The status bar's Xero text, e.g. "Xero: 3 waiting, 1 refused"."""
    try:
        text = api.xero_queue().get("badge")
    except Offline:
        return "Xero: on the server (not reachable now)"
    except ServerProtocolError:
        return "Xero: on the server"
    return str(text) if isinstance(text, str) and text else "Xero: on the server"
