"""Reminders through ClickSend: the real `clicksend-client` SDK against the local ClickSend double."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from desktop.domain.errors import InvalidInput
from desktop.domain.outbox import Channel
from desktop.services.messaging.clicksend_sms import API_URL_ENV
from desktop.services.messaging.message_log import MessageStatus, message_log
from desktop.services.messaging.opt_outs import patient_opt_outs
from desktop.services.messaging.provider_balance import BILLING_PAGES, provider_balance
from desktop.services.messaging.replies import patient_replies
from desktop.services.messaging.settings import SmsProvider
from desktop.services.messaging.sms_channel import read_delivery_reports, sms_providers
from desktop.services.messaging.trial_sms import send_test_sms
from tests.fakes.clicksend import API_KEY, CLINIC_NUMBER, USERNAME, FakeClickSend
from tests.messaging.conftest import Messaging

SAM = "+61412345678"


@pytest.fixture
def clicksend(messaging: Messaging, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClickSend]:
    """The clinic of `messaging`, sending its SMS through ClickSend (the double)."""
    with FakeClickSend(clock=messaging.clock) as fake:
        monkeypatch.setenv(API_URL_ENV, fake.url)
        messaging.save(
            sms_provider=SmsProvider.CLICKSEND, sms_account=USERNAME, sms_sender_id=CLINIC_NUMBER
        )
        messaging.secrets.set_sms_api_key(messaging.clinic_id, API_KEY)
        yield fake
        assert fake.violations == []  # every request matched the SDK's API description


def sms_log(m: Messaging, patient: int = 0):  # type: ignore[no-untyped-def]
    return [e for e in message_log(m.ctx, m.c.patients[patient].id) if e.channel is Channel.SMS]


def test_a_reminder_goes_through_clicksend_with_our_id_kept(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    report = m.send_due()
    assert report.sms_sent == 1 and report.ok
    [sms] = clicksend.sent
    assert (sms.to, sms.from_) == (SAM, CLINIC_NUMBER)
    assert "Hi Sam" in sms.body
    [job] = m.queue.jobs(Channel.SMS)
    assert sms.custom_string == job.idempotency_key
    assert job.result["gateway_id"] == sms.message_id
    [entry] = sms_log(m)
    assert entry.status is MessageStatus.SENT


def test_a_lost_reply_is_found_by_our_id_and_the_patient_gets_one_text(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    clicksend.lose_next_reply()  # ClickSend queued it; Frontdesk never heard back
    assert m.send_due().sms.retrying == 1
    m.clock.advance(minutes=2)
    assert m.send_due().sms_sent == 1
    assert len(clicksend.sent) == 1
    posts = [r for r in clicksend.state.requests if r[0] == "POST"]
    assert len(posts) == 1  # the retry found the message in the history instead
    [job] = m.queue.jobs(Channel.SMS)
    assert job.result["gateway_id"] == clicksend.sent[0].message_id


def test_429_waits_and_sends_later(messaging: Messaging, clicksend: FakeClickSend) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    clicksend.fail_next(429, "TOO_MANY_REQUESTS", "Too many requests. Please slow down.")
    assert m.send_due().sms.retrying == 1
    [waiting] = sms_log(m)
    assert waiting.status is MessageStatus.RETRYING
    assert "Too many requests. Please slow down (TOO_MANY_REQUESTS)" in waiting.detail
    [job] = m.queue.jobs(Channel.SMS)
    assert job.next_attempt_at is not None
    assert (job.next_attempt_at - m.clock()).total_seconds() == 60  # ClickSend's Retry-After
    m.clock.advance(minutes=2)
    assert m.send_due().sms_sent == 1 and len(clicksend.sent) == 1


def test_an_invalid_number_is_parked_with_clicksends_words(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    clicksend.mark_invalid(SAM)
    m.reminder_time(m.book(9, 30))
    assert not m.send_due().ok
    [failed] = sms_log(m)
    assert failed.status is MessageStatus.FAILED
    assert "The destination address is invalid (INVALID_RECIPIENT)" in failed.detail
    assert clicksend.sent == []


def test_an_opted_out_recipient_records_the_patients_opt_out(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    clicksend.opt_out(SAM)
    m.reminder_time(m.book(9, 30))
    m.send_due()
    [failed] = sms_log(m)
    assert "unsubscribed" in failed.detail and "BLOCKED" in failed.detail
    assert not patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.SMS)
    assert patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.EMAIL)


def test_a_refused_api_key_keeps_the_reminder_waiting_with_a_clear_reason(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    m.secrets.set_sms_api_key(m.clinic_id, "wrong-key")
    m.reminder_time(m.book(9, 30))
    assert m.send_due().sms.retrying == 1
    [waiting] = sms_log(m)
    assert "ClickSend refused the username or API key" in waiting.detail
    assert "Invalid credentials (UNAUTHORIZED)" in waiting.detail
    assert clicksend.sent == []


@pytest.mark.parametrize(
    ("code", "text", "error", "shown", "detail"),
    [
        (201, "Message delivered to the handset", None, MessageStatus.DELIVERED, ""),
        (
            301,
            "Absent Subscriber. Phone is out of range or switched off.",
            12,
            MessageStatus.UNDELIVERED,
            "Absent Subscriber. Phone is out of range or switched off. (ClickSend error 12)",
        ),
    ],
)
def test_delivery_receipts_reach_the_patients_message_log(  # type: ignore[no-untyped-def]
    messaging: Messaging, clicksend: FakeClickSend, code, text, error, shown, detail
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.send_due()
    [sms] = clicksend.sent
    gateways = sms_providers(m.secrets)
    assert read_delivery_reports(m.ctx.database, gateways, m.clock()) == 0  # no receipt yet
    clicksend.finish(sms.message_id, 300, "Temporary network error - will be retried", 16)
    assert read_delivery_reports(m.ctx.database, gateways, m.clock()) == 0  # not final
    clicksend.finish(sms.message_id, code, text, error)
    assert read_delivery_reports(m.ctx.database, gateways, m.clock()) == 1
    [entry] = sms_log(m)
    assert (entry.status, entry.detail) == (shown, detail)


def test_polling_records_stop_as_an_opt_out_and_shows_a_reply(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    clicksend.receive(SAM, "STOP")
    clicksend.receive("+61400111222", "Can we make it 10 instead?")  # Ana, patient 3
    clicksend.receive("+61400111222", "to another number", to="+61480999999")
    report = m.send_due()
    assert report.replies == 2
    assert not patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.SMS)
    [ana] = patient_replies(m.ctx, m.c.patients[3].id)
    assert ana.describe == "Patient replied: Can we make it 10 instead?"
    [sam] = patient_replies(m.ctx, m.c.patients[0].id)
    assert sam.opt_out
    assert m.send_due().replies == 0  # polled again: each reply is kept once


def test_the_balance_is_clicksends_and_warns_below_the_clinics_threshold(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    report = provider_balance(m.ctx, m.save(low_credit_warning=10), m.secrets)
    assert report is not None
    assert (report.balance.amount, report.balance.currency) == (Decimal("23.45"), "AUD")
    assert not report.low and report.text == "Balance: 23.45 AUD"
    clicksend.state.balance = "4.500000"
    low = provider_balance(m.ctx, m.settings(), m.secrets)
    assert low is not None and low.low
    assert low.text == "Balance: 4.50 AUD — low, top it up soon."
    assert BILLING_PAGES[SmsProvider.CLICKSEND].startswith("https://dashboard.clicksend.com/")


def test_send_test_sms_says_what_clicksend_said(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    said = send_test_sms(m.ctx, m.settings(), "0412 345 678", secrets=m.secrets)
    assert said.startswith("Test SMS sent to 0412 345 678 through ClickSend (")
    assert len(clicksend.sent) == 1
    with pytest.raises(InvalidInput, match="ClickSend refused the username or API key"):
        send_test_sms(m.ctx, m.settings(), "0412 345 678", secret="not-the-key")
    assert len(clicksend.sent) == 1
