"""Messaging screens: the settings page, the patient's message log, the credit status line.

For the main window (owned elsewhere) to add:

* `MessagingSettingsPage(caller, clinic)` — Settings ▸ Messaging: schedule, templates
  with live preview and SMS count, mail server, SMS gateway, SMS credit.
* `MessageLogWidget(caller, zone)` + `set_patient(patient_id)` — for the patient card.
* `sms_credit_status_text(ctx, clinic_id)` — "" or a one-line warning for the status bar
  (refresh it on `Changes.outbox` / `Changes.billing`).
"""

from desktop.ui.messaging.message_log import MessageLogWidget
from desktop.ui.messaging.settings_page import MessagingSettingsPage
from desktop.ui.messaging.status import sms_credit_status_text

__all__ = ["MessageLogWidget", "MessagingSettingsPage", "sms_credit_status_text"]
