"""Freed times offered by SMS to the wait list, end to end through the Twilio double:
cancel → offers sent → one YES → booked → the others told it has gone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.domain.errors import InvalidInput
from desktop.services import booking, calendar, wait_list
from desktop.services.messaging.replies import patient_replies, replies_for_desk
from desktop.services.wait_list import WaitListRequest
from desktop.services.wait_list_offers import WaitListSettings, get_settings, save_settings
from tests.fakes.twilio import FakeTwilio
from tests.messaging.conftest import Messaging
from tests.messaging.test_twilio import twilio  # noqa: F401  (the Twilio double fixture)

SAM_TOO = "+61499000111"  # patient 1, the second Sam Lee
ANA = "+61400111222"  # patient 3


def texts_to(fake: FakeTwilio, number: str) -> list[str]:
    return [m.body for m in fake.sent if m.to == number]


def test_a_cancelled_time_goes_to_the_first_yes_and_the_others_are_told(
    messaging: Messaging,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    m = messaging
    save_settings(m.ctx, WaitListSettings(m.clinic_id, offer_by_sms=True, offer_to=2))
    taken = m.book(10, patient=0)
    # Jo has a landline only: never texted, though urgent and first on the list.
    wait_list.add_entry(m.ctx, WaitListRequest(m.c.patients[2].id, urgent=True))
    wait_list.add_entry(m.ctx, WaitListRequest(m.c.patients[1].id))
    wait_list.add_entry(m.ctx, WaitListRequest(m.c.patients[3].id, urgent=True))
    assert m.send_due().wait_list_offers == 0  # nothing freed yet

    booking.cancel_appointment(m.ctx, taken.id, CancellationReason.SICK)
    report = m.send_due()
    assert report.wait_list_offers == 2 and report.ok
    [offer_to_ana] = texts_to(twilio, ANA)
    [offer_to_sam] = texts_to(twilio, SAM_TOO)
    assert "Alice Physio" in offer_to_ana and "Reply YES" in offer_to_ana
    assert offer_to_ana == offer_to_sam
    assert m.send_due().wait_list_offers == 0  # offered once, not on every pass

    twilio.receive(ANA, "Yes please!")
    assert m.send_due().replies == 1
    [booked] = [
        a
        for a in calendar.appointments_between(m.ctx, m.c.at(0), m.c.at(23))
        if a.status is AppointmentStatus.BOOKED
    ]
    assert (booked.patient_id, booked.starts_at) == (m.c.patients[3].id, m.c.at(10))
    left = [e.patient_id for e in wait_list.current_entries(m.ctx)]
    assert left == [m.c.patients[2].id, m.c.patients[1].id]  # Ana came off the list
    [ana_reply] = patient_replies(m.ctx, m.c.patients[3].id)
    assert ana_reply.describe.startswith(
        "Patient answered the wait-list offer “Yes please!”: booked"
    )

    m.send_due()
    assert "you're booked" in texts_to(twilio, ANA)[-1]
    assert "has been taken" in texts_to(twilio, SAM_TOO)[-1]

    twilio.receive(SAM_TOO, "YES")  # too late: the time has gone
    m.send_due()
    m.send_due()
    assert "has just gone" in texts_to(twilio, SAM_TOO)[-1]
    [sam_reply] = patient_replies(m.ctx, m.c.patients[1].id)
    assert "too late" in sam_reply.describe
    still = [
        a.patient_id
        for a in calendar.appointments_between(m.ctx, m.c.at(0), m.c.at(23))
        if a.status is AppointmentStatus.BOOKED
    ]
    assert still == [m.c.patients[3].id]
    # Settled by the sender: nothing for the desk's "patient replied" notice.
    assert replies_for_desk(m.ctx, m.clock() - timedelta(days=1)) == []
    assert len(texts_to(twilio, "+61412345678")) == 0  # the patient who cancelled: nothing


def test_an_ordinary_reply_stays_a_reply_and_offers_are_off_by_default(
    messaging: Messaging,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    m = messaging
    assert not get_settings(m.ctx, m.clinic_id).offer_by_sms
    taken = m.book(10, patient=0)
    wait_list.add_entry(m.ctx, WaitListRequest(m.c.patients[3].id))
    booking.cancel_appointment(m.ctx, taken.id, CancellationReason.SICK)
    assert m.send_due().wait_list_offers == 0
    assert texts_to(twilio, ANA) == []
    twilio.receive(ANA, "Yes")  # no offer open: an ordinary reply
    m.send_due()
    [reply] = patient_replies(m.ctx, m.c.patients[3].id)
    assert reply.describe == "Patient replied: Yes"
    [for_desk] = replies_for_desk(m.ctx, m.clock() - timedelta(days=1))
    assert (for_desk.patient_name, for_desk.reply.text) == ("Ana Lima", "Yes")


def test_a_time_the_rules_would_refuse_is_never_texted(
    messaging: Messaging,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    """Booked outside Alice's hours (7–19) with the desk's override, then cancelled:
    a YES could not be booked without that override, so no patient is offered it."""
    m = messaging
    save_settings(m.ctx, WaitListSettings(m.clinic_id, offer_by_sms=True, offer_to=2))
    late = booking.book_appointment(
        m.ctx,
        booking.BookingRequest(
            clinic_id=m.clinic_id,
            practitioner_id=m.c.alice.id,
            appointment_type_id=m.c.consult.id,
            patient_id=m.c.patients[0].id,
            starts_at=m.c.at(19),
            override_availability=True,
        ),
    ).appointment
    within = m.book(10, patient=0)
    wait_list.add_entry(m.ctx, WaitListRequest(m.c.patients[3].id))
    booking.cancel_appointment(m.ctx, late.id, CancellationReason.SICK)
    assert m.send_due().wait_list_offers == 0
    assert texts_to(twilio, ANA) == []

    booking.cancel_appointment(m.ctx, within.id, CancellationReason.SICK)
    assert m.send_due().wait_list_offers == 1  # a time within hours still goes
    [offer] = texts_to(twilio, ANA)
    assert "10:00 am" in offer


def test_settings_are_checked(messaging: Messaging) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 10"):
        save_settings(messaging.ctx, WaitListSettings(messaging.clinic_id, True, 0))
