"""Reminders through Twilio: the real `twilio` SDK against the local Twilio double."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.domain.outbox import Channel
from desktop.services.messaging.message_log import MessageStatus, message_log
from desktop.services.messaging.opt_outs import patient_opt_outs
from desktop.services.messaging.replies import patient_replies
from desktop.services.messaging.settings import SmsProvider
from desktop.services.messaging.sms_channel import SmsChannel, read_delivery_reports, sms_providers
from desktop.services.messaging.twilio_sms import API_URL_ENV
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, FakeTwilio
from tests.messaging.conftest import Messaging

SAM = "+61412345678"


@pytest.fixture
def twilio(messaging: Messaging, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    """The clinic of `messaging`, sending its SMS through Twilio (the double)."""
    with FakeTwilio(clock=messaging.clock) as fake:
        monkeypatch.setenv(API_URL_ENV, fake.url)
        messaging.save(
            sms_provider=SmsProvider.TWILIO, sms_account=ACCOUNT_SID, sms_sender_id=CLINIC_NUMBER
        )
        messaging.secrets.set_sms_api_key(messaging.clinic_id, AUTH_TOKEN)
        yield fake
        assert fake.violations == []  # every request matched Twilio's OpenAPI document


def sms_log(m: Messaging, patient: int = 0):  # type: ignore[no-untyped-def]
    return [e for e in message_log(m.ctx, m.c.patients[patient].id) if e.channel is Channel.SMS]


def test_a_reminder_goes_through_twilio_without_local_credit(
    messaging: Messaging, twilio: FakeTwilio
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    report = m.send_due()
    assert report.sms_sent == 1 and report.ok
    [sms] = twilio.sent
    assert (sms.to, sms.from_) == (SAM, CLINIC_NUMBER)
    assert "Hi Sam" in sms.body
    assert sms.status_callback == ""  # a desk alone has no public address: it polls
    [entry] = sms_log(m)
    assert entry.status is MessageStatus.SENT


def test_a_lost_reply_is_looked_up_and_the_patient_gets_one_text(
    messaging: Messaging, twilio: FakeTwilio
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    twilio.lose_next_reply()  # Twilio made the message; Frontdesk never heard back
    assert m.send_due().sms.retrying == 1
    m.clock.advance(minutes=2)
    assert m.send_due().sms_sent == 1
    assert len(twilio.sent) == 1
    posts = [r for r in twilio.state.requests if r[0] == "POST"]
    assert len(posts) == 1  # the retry found the message instead of sending again
    [job] = m.queue.jobs(Channel.SMS)
    assert job.result["gateway_id"] == twilio.sent[0].sid


def test_a_sender_killed_before_saving_twilios_id_does_not_text_twice(
    messaging: Messaging, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    queue = m.queue
    channel = SmsChannel(m.ctx.database, queue, sms_providers(m.secrets, m.clock), m.clock)
    remember = queue.remember

    def killed_once_sent(job_id, result):  # type: ignore[no-untyped-def]
        if "gateway_id" in result:
            raise SystemExit("killed")
        remember(job_id, result)

    monkeypatch.setattr(queue, "remember", killed_once_sent)
    with pytest.raises(SystemExit):
        list(channel.deliver(queue.claim_due(Channel.SMS, m.clock())))
    m.clock.advance(minutes=30)  # the claim lapses; another pass picks the job up
    assert m.send_due().sms_sent == 1
    assert len(twilio.sent) == 1


def test_a_killed_sender_that_never_reached_twilio_sends_on_the_next_pass(
    messaging: Messaging, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    twilio.fail_next(503, 20500, "Internal Server Error")
    assert m.send_due().sms.retrying == 1  # it noted it was sending; Twilio made nothing
    m.clock.advance(minutes=5)
    assert m.send_due().sms_sent == 1
    assert len(twilio.sent) == 1


def test_429_waits_and_sends_later(messaging: Messaging, twilio: FakeTwilio) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    twilio.fail_next(429, 20429, "Too Many Requests")
    report = m.send_due()
    assert report.sms.retrying == 1
    [waiting] = sms_log(m)
    assert waiting.status is MessageStatus.RETRYING
    assert "Too Many Requests (Twilio error 20429)" in waiting.detail
    m.clock.advance(minutes=5)
    assert m.send_due().sms_sent == 1 and len(twilio.sent) == 1


def test_an_invalid_number_is_parked_with_twilios_words(
    messaging: Messaging, twilio: FakeTwilio
) -> None:
    m = messaging
    twilio.mark_invalid(SAM)
    m.reminder_time(m.book(9, 30))
    report = m.send_due()
    assert not report.ok
    [failed] = sms_log(m)
    assert failed.status is MessageStatus.FAILED
    assert f"The 'To' number {SAM} is not a valid phone number. (Twilio error 21211)" in (
        failed.detail
    )
    assert twilio.sent == []


def test_an_unsubscribed_recipient_records_the_patients_opt_out(
    messaging: Messaging, twilio: FakeTwilio
) -> None:
    m = messaging
    twilio.unsubscribe(SAM)
    m.reminder_time(m.book(9, 30))
    m.send_due()
    [failed] = sms_log(m)
    assert "unsubscribed" in failed.detail and "21610" in failed.detail
    assert not patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.SMS)
    assert patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.EMAIL)


def test_a_refused_auth_token_keeps_the_reminder_waiting_with_a_clear_reason(
    messaging: Messaging, twilio: FakeTwilio
) -> None:
    m = messaging
    m.secrets.set_sms_api_key(m.clinic_id, "wrong-token")
    m.reminder_time(m.book(9, 30))
    assert m.send_due().sms.retrying == 1
    [waiting] = sms_log(m)
    assert "Twilio refused the account SID or auth token" in waiting.detail
    assert "20003" in waiting.detail
    assert waiting.detail.endswith("Check them in Settings ▸ Reminders and SMS.")  # where to go


def test_a_messaging_service_sends_with_its_sid(messaging: Messaging, twilio: FakeTwilio) -> None:
    m = messaging
    service = "MG" + "ab" * 16
    m.save(sms_sender_id=service)
    m.reminder_time(m.book(9, 30))
    assert m.send_due().sms_sent == 1
    [sms] = twilio.sent
    assert (sms.messaging_service_sid, sms.from_) == (service, "")


@pytest.mark.parametrize(
    ("twilio_status", "code", "said", "shown", "detail"),
    [
        ("delivered", None, "", MessageStatus.DELIVERED, ""),
        (
            "undelivered",
            30003,
            "Unreachable destination handset",
            MessageStatus.UNDELIVERED,
            "Unreachable destination handset (Twilio error 30003)",
        ),
        (
            "failed",
            30008,
            "Unknown error",
            MessageStatus.UNDELIVERED,
            "Unknown error (Twilio error 30008)",
        ),
    ],
)
def test_delivery_status_reaches_the_patients_message_log(  # type: ignore[no-untyped-def]
    messaging: Messaging, twilio: FakeTwilio, twilio_status, code, said, shown, detail
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.send_due()
    [sms] = twilio.sent
    assert read_delivery_reports(m.ctx.database, sms_providers(m.secrets), m.clock()) == 0
    twilio.finish(sms.sid, twilio_status, code, said)
    assert read_delivery_reports(m.ctx.database, sms_providers(m.secrets), m.clock()) == 1
    [entry] = sms_log(m)
    assert (entry.status, entry.detail) == (shown, detail)


def test_a_desk_without_a_server_polls_replies_stop_opts_out_and_a_reply_shows(
    messaging: Messaging, twilio: FakeTwilio
) -> None:
    m = messaging
    twilio.receive(SAM, "Stop")
    twilio.receive("+61400111222", "Running 5 min late, sorry!")  # Ana, patient 3
    twilio.receive("+61499999999", "who is this?")  # nobody the clinic knows
    report = m.send_due()
    assert report.replies == 3
    assert not patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.SMS)
    [ana] = patient_replies(m.ctx, m.c.patients[3].id)
    assert ana.describe == "Patient replied: Running 5 min late, sorry!"
    assert patient_opt_outs(m.ctx, m.c.patients[3].id).allows(Channel.SMS)
    [sam] = patient_replies(m.ctx, m.c.patients[0].id)
    assert sam.opt_out and sam.describe == "Patient replied “Stop”: no more SMS to them."
    assert m.send_due().replies == 0  # polled again: each reply is kept once
