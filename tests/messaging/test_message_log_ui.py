"""The patient card's message log: each kind of message under its own name, read in the
background (nothing of the previous patient while the next one loads)."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.domain.appointments import CancellationReason
from desktop.domain.clinic_time import clinic_zone
from desktop.services import booking, wait_list
from desktop.services.messaging.records import Purpose
from desktop.services.wait_list import WaitListRequest
from desktop.services.wait_list_offers import WaitListSettings, save_settings
from desktop.ui.change_bus import ChangeBus
from desktop.ui.messaging import MessageLogWidget
from desktop.ui.messaging.message_log import PURPOSE_LABELS
from desktop.ui.service_caller import ServiceCaller
from tests.fakes.twilio import FakeTwilio
from tests.helpers.background import settle
from tests.messaging.conftest import Messaging
from tests.messaging.test_twilio import twilio  # noqa: F401  (the Twilio double fixture)
from tests.ui.calendar_support import errors

__all__ = ["errors"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The screens are checked on SQLite; the store tests cover PostgreSQL."""
    return sqlite_url


def _sent_by(widget: MessageLogWidget) -> list[str]:
    return [widget.model.index(row, 1).data() for row in range(widget.model.rowCount())]


def test_every_kind_of_message_has_a_name_of_its_own() -> None:
    assert set(PURPOSE_LABELS) == set(Purpose)
    assert len(set(PURPOSE_LABELS.values())) == len(Purpose)


def test_a_wait_list_offer_is_not_called_a_reminder(
    qtbot,
    messaging: Messaging,
    twilio: FakeTwilio,  # noqa: F811
    errors: list[str],
) -> None:
    m = messaging
    save_settings(m.ctx, WaitListSettings(m.clinic_id, offer_by_sms=True, offer_to=1))
    m.book(11, day=date(2031, 3, 5), patient=3)  # Ana's own appointment: reminders to come
    taken = m.book(10, patient=0)
    wait_list.add_entry(m.ctx, WaitListRequest(m.c.patients[3].id))
    booking.cancel_appointment(m.ctx, taken.id, CancellationReason.SICK)
    assert m.send_due().wait_list_offers == 1
    widget = MessageLogWidget(
        ServiceCaller(m.ctx, ChangeBus(), None), clinic_zone("Australia/Sydney")
    )
    qtbot.addWidget(widget)
    widget.set_patient(m.c.patients[3].id)
    assert widget.model.rowCount() == 0 and not widget.no_sms.isEnabled()  # still reading
    settle(qtbot)
    assert sorted(_sent_by(widget)) == [
        "Email · Reminder",
        "SMS · Reminder",
        "SMS · Wait-list offer",
    ]
    assert widget.no_sms.isEnabled()
    assert errors == []


def test_the_log_shows_the_patient_chosen_last_when_reads_cross(
    qtbot, messaging: Messaging, errors: list[str]
) -> None:
    m = messaging
    m.book(11, day=date(2031, 3, 5), patient=3)  # Ana has reminders to come
    widget = MessageLogWidget(
        ServiceCaller(m.ctx, ChangeBus(), None), clinic_zone("Australia/Sydney")
    )
    qtbot.addWidget(widget)
    widget.set_patient(m.c.patients[3].id)
    settle(qtbot)
    assert widget.model.rowCount() == 2
    widget.set_patient(m.c.patients[0].id)  # Sam: nothing sent
    assert widget.model.rowCount() == 0  # Ana's rows go at once
    widget.set_patient(m.c.patients[3].id)  # back to Ana before Sam's read arrived
    widget.set_patient(m.c.patients[0].id)  # and to Sam again: only this read counts
    settle(qtbot)
    assert widget.patient_id == m.c.patients[0].id
    assert widget.model.rowCount() == 0
    assert widget.empty.isVisibleTo(widget)
    assert widget.no_sms.isEnabled() and not widget.no_sms.isChecked()
    assert errors == []
