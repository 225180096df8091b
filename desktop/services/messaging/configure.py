"""Saving a clinic's messaging settings; queued reminders follow a changed schedule.

The settings row, the re-planning of queued reminders and the nudge of waiting
messages are one transaction. A new secret is written to the keyring only
after that commit, and a machine without a keyring is refused before anything
is written, so settings and secrets never disagree about what was saved.
"""

from __future__ import annotations

from datetime import timedelta

from desktop.domain.errors import NotFound, PermissionDenied, StaleEdit
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging import reminders
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.settings import (
    MessagingSettings,
    fill_row,
    from_row,
    settings_row,
)
from desktop.services.outbox_dispatch import Clock, system_clock
from desktop.store.messaging_models import MessagingSettingsRow
from desktop.store.models import ClinicRow


def save_settings(
    ctx: ServiceContext,
    settings: MessagingSettings,
    *,
    smtp_password: str | None = None,
    sms_api_key: str | None = None,
    secrets: MessagingSecrets | None = None,
    clock: Clock = system_clock,
) -> tuple[MessagingSettings, Changes]:
    """Save the settings (and any new secret); queued reminders follow a changed schedule.

    A password or key of None leaves the stored one as it is; "" removes it.
    """
    if not ctx.actor().is_admin:
        raise PermissionDenied("Only an administrator can change the messaging settings.")
    settings = settings.checked()
    secrets = secrets or MessagingSecrets()
    if smtp_password is not None or sms_api_key is not None:
        secrets.ensure_available()  # refuse before anything is written
    with ctx.unit_of_work() as uow:
        if uow.session.get(ClinicRow, settings.clinic_id) is None:
            raise NotFound("That clinic no longer exists.")
        row = settings_row(uow.session, settings.clinic_id)
        if row is None:
            if settings.version != 0:
                raise StaleEdit("messaging settings")
            row = MessagingSettingsRow(clinic_id=settings.clinic_id)
            uow.session.add(row)
            before = MessagingSettings(settings.clinic_id)
        else:
            if settings.version != row.version:
                raise StaleEdit("messaging settings")
            before = from_row(row)
        fill_row(row, settings)
        uow.flush()
        if _schedule(before) != _schedule(settings):
            reminders.replan_clinic(uow.session, settings.clinic_id, clock())
        reminders.nudge_waiting(uow.session, clock())
        uow.commit()
        saved = from_row(row)
    if smtp_password is not None:
        secrets.set_smtp_password(settings.clinic_id, smtp_password)
    if sms_api_key is not None:
        secrets.set_sms_api_key(settings.clinic_id, sms_api_key)
    return saved, Changes(clinic=True, outbox=True)


def _schedule(s: MessagingSettings) -> tuple[bool, bool, timedelta]:
    return (s.reminders_by_sms, s.reminders_by_email, s.reminder_lead)
