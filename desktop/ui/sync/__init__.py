"""Sync in the UI: the status widget, the conflicts list, the server settings page.

The sync itself (desktop.sync) runs on its own thread and knows nothing of Qt;
`SyncSignals` carries its reports onto the GUI thread as signals.

The names below load on first use: the main window imports `desktop.ui.sync.wiring`
at start-up, and the sync client (httpx) should load only once a server is in play.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.ui.sync.bridge import SyncSignals
    from desktop.ui.sync.conflicts_dialog import ConflictsDialog, ConflictsModel
    from desktop.ui.sync.server_page import ServerSettingsPage
    from desktop.ui.sync.status_widget import SyncStatusWidget

_HOMES = {
    "ConflictsDialog": "conflicts_dialog",
    "ConflictsModel": "conflicts_dialog",
    "ServerSettingsPage": "server_page",
    "SyncSignals": "bridge",
    "SyncStatusWidget": "status_widget",
}

__all__ = [
    "ConflictsDialog",
    "ConflictsModel",
    "ServerSettingsPage",
    "SyncSignals",
    "SyncStatusWidget",
]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
