"""SMS offers with a server: a desk cancels, the server's sender offers the time through the
Twilio double, a YES (texted, or by the offer's link) is booked on the server, and the desks
see the booking and the answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.services import booking, calendar, wait_list
from desktop.services.booking import BookingRequest
from desktop.services.messaging.replies import patient_replies
from desktop.services.messaging.send_due import send_due
from desktop.services.messaging.sms_channel import sms_providers
from desktop.services.messaging.twilio_sms import API_URL_ENV, PUBLIC_URL_ENV
from desktop.services.wait_list import WaitListRequest
from desktop.services.wait_list_offers import WaitListSettings, link_token, save_settings
from tests.fakes.twilio import FakeTwilio
from tests.helpers.clinic import ClinicFixture
from tests.messaging.helpers import Clock, texting_through_twilio
from tests.sync.harness import Desk, ServerSide

pytestmark = pytest.mark.postgres
ANA = "+61400111222"
SAM = "+61499000111"


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeTwilio, Clock]]:
    clock = Clock(datetime(2031, 2, 24, tzinfo=UTC))
    with FakeTwilio(clock=clock) as fake:
        monkeypatch.setenv(API_URL_ENV, fake.url)
        yield fake, clock
        assert fake.violations == []


def _server_sender(server: ServerSide, c: ClinicFixture, clock: Clock) -> Callable[[], None]:
    """The clinic texts through Twilio from the server; returns one pass of its sender."""
    secrets = texting_through_twilio(server.ctx, c.clinic.id)

    def server_pass() -> None:
        send_due(server.ctx, gateways=sms_providers(secrets, clock), clock=clock)

    return server_pass


def _free_a_time(
    desks: list[Desk], c: ClinicFixture, waiting: list[int], starts_at: datetime
) -> None:
    """Offers on, these patients waiting, and a booking at `starts_at` cancelled on a desk."""
    front, back = desks
    front.sync()
    offer_to = len(waiting)
    save_settings(front.ctx, WaitListSettings(c.clinic.id, offer_by_sms=True, offer_to=offer_to))
    request = BookingRequest(
        c.clinic.id, c.alice.id, c.consult.id, starts_at, patient_id=c.patients[0].id
    )
    taken = booking.book_appointment(front.ctx, request).appointment
    for patient in waiting:
        wait_list.add_entry(front.ctx, WaitListRequest(c.patients[patient].id, note="any time"))
    front.sync()
    back.sync()
    booking.cancel_appointment(back.ctx, taken.id, CancellationReason.SICK)
    back.sync()


def test_a_time_cancelled_on_a_desk_is_offered_by_the_server_and_booked_on_yes(
    desks: list[Desk],
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    twilio: tuple[FakeTwilio, Clock],
) -> None:
    fake, clock = twilio
    c = clinic_on_server
    server_pass = _server_sender(server, c, clock)
    front = desks[0]
    _free_a_time(desks, c, [3], c.at(10))

    server_pass()  # the server's sender: offers the freed time
    [offer] = [m.body for m in fake.sent if m.to == ANA]
    assert "Reply YES" in offer
    assert "/o/" not in offer  # no public address: no link
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


def test_the_offer_link_shows_the_time_and_the_first_to_take_it_gets_it(
    desks: list[Desk],
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    twilio: tuple[FakeTwilio, Clock],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, clock = twilio
    c = clinic_on_server
    monkeypatch.setenv(PUBLIC_URL_ENV, server.url)
    server_pass = _server_sender(server, c, clock)
    wednesday = c.at(10, day=date(2031, 3, 5))  # after the server's clock (3 Mar, 9:00 UTC)
    _free_a_time(desks, c, [3, 1], wednesday)

    server_pass()  # offers the freed time to Ana and Sam, each with their own link
    texts = {m.to: m.body for m in fake.sent if m.to in (ANA, SAM)}
    links = {
        to: re.findall(rf"{re.escape(server.url)}/o/[\w-]+", body) for to, body in texts.items()
    }
    [ana_link], [sam_link] = links[ANA], links[SAM]
    assert ana_link != sam_link
    assert "Reply YES or tap" in texts[ANA]

    def booked_patients() -> list[object]:
        return [
            a.patient_id
            for a in calendar.appointments_between(
                server.ctx, c.at(0, day=wednesday.date()), wednesday + timedelta(hours=12)
            )
            if a.status is AppointmentStatus.BOOKED
        ]

    page = httpx.get(ana_link)  # what a link preview fetches
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "Wednesday 5 March at 10:00 am" in page.text and "Alice Physio" in page.text
    assert "Take this time" in page.text
    assert booked_patients() == []  # GET never books

    taken = httpx.post(ana_link)
    assert taken.status_code == 200 and "You're booked" in taken.text
    assert booked_patients() == [c.patients[3].id]
    again = httpx.post(sam_link)  # Sam was second
    assert again.status_code == 200 and "Sorry, that time has gone" in again.text
    assert "Take this time" not in httpx.get(sam_link).text
    assert booked_patients() == [c.patients[3].id]

    server_pass()  # the confirmation, and Sam told it has gone
    assert "you're booked" in [m.body for m in fake.sent if m.to == ANA][-1]
    assert "has been taken" in " ".join(m.body for m in fake.sent if m.to == SAM)
    front = desks[0]
    front.sync()
    assert wait_list.current_entries(front.ctx)[0].patient_id == c.patients[1].id  # Sam waits on

    unknown = httpx.get(ana_link.rsplit("/", 1)[0] + "/" + link_token(c.clinic.id))
    assert unknown.status_code == 404 and "not valid or has expired" in unknown.text
    assert httpx.post(f"{server.url}/o/nonsense").status_code == 404
    server.clock.advance(timedelta(days=2))  # the time has started: the link has expired
    expired = httpx.get(ana_link)
    assert expired.status_code == 404 and "text/html" in expired.headers["content-type"]
