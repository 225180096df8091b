"""Messaging screens: the settings page, the patient's message log, the SMS balance line.

For the main window (owned elsewhere) to add:

* `MessagingSettingsPage(caller, clinic)` — Settings ▸ Reminders and SMS: schedule, templates
  with live preview and SMS count, mail server, SMS provider and its balance.
* `MessageLogWidget(caller, zone)` + `set_patient(patient_id)` — for the patient card.
* `SmsBalanceLine(ctx).text()` — "" or the provider's low-balance warning
  for the status bar (it asks the provider at most every 15 minutes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.ui.messaging.message_log import MessageLogWidget
    from desktop.ui.messaging.settings_page import MessagingSettingsPage
    from desktop.ui.messaging.status import SmsBalanceLine

__all__ = ["MessageLogWidget", "MessagingSettingsPage", "SmsBalanceLine"]

# Loaded when first asked for: the settings page pulls in the SMS gateways (requests,
# Twilio), which the main window must not wait for at start-up.
_HOMES = {
    "MessageLogWidget": "desktop.ui.messaging.message_log",
    "MessagingSettingsPage": "desktop.ui.messaging.settings_page",
    "SmsBalanceLine": "desktop.ui.messaging.status",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_HOMES[name]), name)
