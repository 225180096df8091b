"""Sync in the UI: the status widget, the conflicts list, the server settings page.

The sync itself (desktop.sync) runs on its own thread and knows nothing of Qt;
`SyncSignals` carries its reports onto the GUI thread as signals.
"""

from desktop.ui.sync.bridge import SyncSignals
from desktop.ui.sync.conflicts_dialog import ConflictsDialog, ConflictsModel
from desktop.ui.sync.server_page import ServerSettingsPage
from desktop.ui.sync.status_widget import SyncStatusWidget

__all__ = [
    "ConflictsDialog",
    "ConflictsModel",
    "ServerSettingsPage",
    "SyncSignals",
    "SyncStatusWidget",
]
