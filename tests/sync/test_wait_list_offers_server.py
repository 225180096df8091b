"""SMS offers with a server: a desk cancels, the server's sender offers the time through the
Twilio double, a YES is booked on the server, and the desks see the booking and the answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.services import booking, calendar, wait_list
from desktop.services.booking import BookingRequest
from desktop.services.messaging.configure import save_settings as save_messaging
from desktop.services.messaging.replies import patient_replies
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.send_due import send_due
from desktop.services.messaging.settings import MessagingSettings, SmsProvider
from desktop.services.messaging.sms_channel import sms_providers
from desktop.services.messaging.twilio_sms import API_URL_ENV
from desktop.services.wait_list import WaitListRequest
from desktop.services.wait_list_offers import WaitListSettings, save_settings
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, FakeTwilio
from tests.helpers.clinic import ClinicFixture
from tests.messaging.helpers import Clock, MemoryKeyring
from tests.sync.harness import Desk, ServerSide

pytestmark = pytest.mark.postgres
ANA = "+61400111222"


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeTwilio, Clock]]:
    clock = Clock(datetime(2031, 2, 24, tzinfo=UTC))
    with FakeTwilio(clock=clock) as fake:
        monkeypatch.setenv(API_URL_ENV, fake.url)
        yield fake, clock
        assert fake.violations == []


def test_a_time_cancelled_on_a_desk_is_offered_by_the_server_and_booked_on_yes(
    desks: list[Desk],
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    twilio: tuple[FakeTwilio, Clock],
) -> None:
    fake, clock = twilio
    c = clinic_on_server
    secrets = MessagingSecrets(MemoryKeyring())
    save_messaging(
        server.ctx,
        MessagingSettings(
            c.clinic.id,
            sms_provider=SmsProvider.TWILIO,
            sms_account=ACCOUNT_SID,
            sms_sender_id=CLINIC_NUMBER,
        ),
        sms_api_key=AUTH_TOKEN,
        secrets=secrets,
    )

    def server_pass() -> None:
        send_due(server.ctx, gateways=sms_providers(secrets, clock), clock=clock)

    front, back = desks
    front.sync()
    save_settings(front.ctx, WaitListSettings(c.clinic.id, offer_by_sms=True, offer_to=1))
    request = BookingRequest(
        c.clinic.id, c.alice.id, c.consult.id, c.at(10), patient_id=c.patients[0].id
    )
    taken = booking.book_appointment(front.ctx, request).appointment
    wait_list.add_entry(front.ctx, WaitListRequest(c.patients[3].id, note="any time"))
    front.sync()
    back.sync()
    booking.cancel_appointment(back.ctx, taken.id, CancellationReason.SICK)
    back.sync()

    server_pass()  # the server's sender: offers the freed time
    [offer] = [m.body for m in fake.sent if m.to == ANA]
    assert "Reply YES" in offer
    fake.receive(ANA, "YES")
    server_pass()  # reads the reply: books Ana on the server
    server_pass()  # texts the confirmation

    assert "you're booked" in [m.body for m in fake.sent if m.to == ANA][-1]
    front.sync()
    [booked] = [
        a
        for a in calendar.appointments_between(front.ctx, c.at(0), c.at(23))
        if a.status is AppointmentStatus.BOOKED
    ]
    assert booked.patient_id == c.patients[3].id
    assert wait_list.current_entries(front.ctx) == []  # off the list on every desk
    [answer] = patient_replies(front.ctx, c.patients[3].id)
    assert "answered the wait-list offer" in answer.describe
