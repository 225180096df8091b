"""The patient card's message log: ticking No SMS / No email takes effect at once,
persists, and the log shows the reminder it withdrew."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.domain.clinic_time import clinic_zone
from desktop.domain.outbox import Channel
from desktop.services.messaging.message_log import MessageStatus
from desktop.services.messaging.opt_outs import patient_opt_outs
from desktop.ui.change_bus import ChangeBus
from desktop.ui.messaging import MessageLogWidget
from desktop.ui.service_caller import ServiceCaller
from tests.helpers.background import settle
from tests.messaging.conftest import Messaging
from tests.ui.calendar_support import errors

__all__ = ["errors"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The screens are checked on SQLite; the store tests cover PostgreSQL."""
    return sqlite_url


def _log(qtbot, m: Messaging, patient: int) -> MessageLogWidget:  # type: ignore[no-untyped-def]
    widget = MessageLogWidget(
        ServiceCaller(m.ctx, ChangeBus(), None), clinic_zone("Australia/Sydney")
    )
    qtbot.addWidget(widget)
    widget.set_patient(m.c.patients[patient].id)
    settle(qtbot)  # the log is read in the background
    return widget


def _states(widget: MessageLogWidget) -> set[tuple[str, MessageStatus]]:
    return {(e.channel.value, e.status) for e in widget.model.entries}


def test_opting_out_of_sms_withdraws_the_reminder_and_persists(
    qtbot, messaging: Messaging, errors: list[str]
) -> None:  # type: ignore[no-untyped-def]
    m = messaging
    m.book(11, day=date(2031, 3, 5), patient=3)  # Ana: mobile and email
    sam = m.c.patients[0].id
    ana = m.c.patients[3].id
    widget = _log(qtbot, m, 3)
    assert widget.no_sms.isEnabled() and not widget.no_sms.isChecked()
    assert _states(widget) == {("sms", MessageStatus.SCHEDULED), ("email", MessageStatus.SCHEDULED)}

    widget.no_sms.click()
    assert not widget.no_sms.isEnabled() and not widget.no_email.isEnabled()  # saving
    settle(qtbot)
    assert patient_opt_outs(m.ctx, ana).channels == frozenset({Channel.SMS})
    assert patient_opt_outs(m.ctx, sam).channels == frozenset()  # only this patient
    assert _states(widget) == {("email", MessageStatus.SCHEDULED)}
    widget.show_cancelled.setChecked(True)
    settle(qtbot)
    [withdrawn] = [e for e in widget.model.entries if e.channel is Channel.SMS]
    assert withdrawn.status is MessageStatus.CANCELLED
    assert withdrawn.detail == "The patient asked not to receive SMS messages."

    again = _log(qtbot, m, 3)  # the card opened later shows the choice
    assert again.no_sms.isChecked() and not again.no_email.isChecked()

    again.no_email.click()
    settle(qtbot)
    again.no_sms.click()  # back in for SMS: its reminder is queued again
    settle(qtbot)
    assert patient_opt_outs(m.ctx, ana).channels == frozenset({Channel.EMAIL})
    assert _states(again) == {("sms", MessageStatus.SCHEDULED)}
    assert not again.no_sms.isChecked() and again.no_email.isChecked()
    assert errors == []
