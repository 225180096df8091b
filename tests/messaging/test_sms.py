"""SMS through a local fake relay over real HTTP: retries, de-duplication, delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.domain.errors import InvalidInput
from desktop.domain.outbox import Channel
from desktop.services.messaging.message_log import (
    MessageStatus,
    fix_recipient_and_retry,
    message_log,
)
from desktop.services.messaging.sms_channel import SmsChannel, sms_providers
from desktop.services.messaging.sms_gateway import HttpSmsGateway, retry_after
from desktop.services.outbox_dispatch import drain
from tests.messaging.conftest import API_KEY, Messaging

SAM = "+61412345678"


def sms_log(m: Messaging, patient: int = 0):  # type: ignore[no-untyped-def]
    return [e for e in message_log(m.ctx, m.c.patients[patient].id) if e.channel is Channel.SMS]


def test_a_reminder_is_texted_and_its_delivery_reported(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    [job] = m.queue.jobs(Channel.SMS)
    report = m.send_due()
    assert report.sms_sent == 1 and report.ok
    [sms] = m.gateway.sent
    assert (sms.to, sms.sender, sms.idempotency_key) == (SAM, "TestClinic", job.idempotency_key)
    assert sms.text == (
        "Hi Sam, a reminder of your appointment with Alice Physio at Test Clinic on "
        "Monday 3 March at 9:30 am. To change or cancel, please call 02 9555 0000."
    )
    [sent] = sms_log(m)
    assert (sent.status, sent.recipient, sent.segments) == (MessageStatus.SENT, SAM, 1)

    m.gateway.report(sms.id, "delivered")
    assert m.send_due().delivery_reports == 1
    [delivered] = sms_log(m)
    assert delivered.status is MessageStatus.DELIVERED


def test_a_failed_delivery_report_shows_the_gateways_reason(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.send_due()
    [sms] = m.gateway.sent
    m.gateway.report(sms.id, "failed", "Handset switched off for 48 hours")
    m.send_due()
    [entry] = sms_log(m)
    assert (entry.status, entry.detail) == (
        MessageStatus.UNDELIVERED,
        "Handset switched off for 48 hours",
    )


def test_429_waits_exactly_as_long_as_retry_after_says(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.gateway.fail_next(429, retry_after="120")
    report = m.send_due()
    assert (report.sms.retrying, report.sms_sent) == (1, 0) and m.gateway.sent == []
    [waiting] = sms_log(m)
    assert waiting.status is MessageStatus.RETRYING and "429" in waiting.detail
    assert waiting.due_at == m.clock.now + timedelta(seconds=120)
    m.clock.advance(seconds=119)
    assert m.send_due().sms.attempted == 0
    m.clock.advance(seconds=1)
    assert m.send_due().sms_sent == 1
    assert len(m.gateway.sent) == 1


def test_server_errors_back_off_and_then_send_once(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.gateway.fail_next(503, times=2)
    assert m.send_due().sms.retrying == 1
    m.clock.advance(minutes=1)
    assert m.send_due().sms.retrying == 1
    [waiting] = sms_log(m)
    assert waiting.attempts == 2 and "(503)" in waiting.detail
    m.clock.advance(minutes=2)
    assert m.send_due().sms_sent == 1
    assert len(m.gateway.sent) == 1


def test_a_lost_reply_is_retried_and_the_gateway_does_not_send_twice(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.gateway.lose_next_reply()  # it went to the phone, but we only saw a 504
    assert m.send_due().sms.retrying == 1
    assert len(m.gateway.sent) == 1
    m.clock.advance(minutes=1)
    assert m.send_due().sms_sent == 1
    posts = [r for r in m.gateway.requests if r[0] == "POST"]
    assert len(posts) == 2 and posts[0][2] == posts[1][2]  # the same idempotency key twice
    assert len(m.gateway.sent) == 1  # ...and one text on the patient's phone
    [job] = m.queue.jobs(Channel.SMS)
    assert job.result["gateway_id"] == m.gateway.sent[0].id


def test_a_crash_after_the_gateway_answered_does_not_send_again(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    channel = SmsChannel(m.ctx.database, m.queue, sms_providers(m.secrets, m.clock), m.clock)
    jobs = m.queue.claim_due(Channel.SMS, m.clock())
    list(channel.deliver(jobs))  # sent and remembered; then the worker died before settling
    m.clock.advance(minutes=10)
    assert m.send_due().sms.delivered == 1
    assert len([r for r in m.gateway.requests if r[0] == "POST"]) == 1
    assert len(m.gateway.sent) == 1


def test_a_crash_before_the_gateway_id_was_saved_is_caught_by_the_gateway(
    messaging: Messaging, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    queue = m.queue
    channel = SmsChannel(m.ctx.database, queue, sms_providers(m.secrets, m.clock), m.clock)

    remember = queue.remember

    def power_cut(job_id, result):  # type: ignore[no-untyped-def]
        if "gateway_id" in result:  # after the gateway answered, before its id was saved
            raise SystemExit("power cut")
        remember(job_id, result)

    monkeypatch.setattr(queue, "remember", power_cut)
    jobs = queue.claim_due(Channel.SMS, m.clock())
    with pytest.raises(SystemExit):
        list(channel.deliver(jobs))
    monkeypatch.undo()
    assert len(m.gateway.sent) == 1
    m.clock.advance(minutes=10)
    assert m.send_due().sms.delivered == 1
    assert len([r for r in m.gateway.requests if r[0] == "POST"]) == 2
    assert len(m.gateway.sent) == 1  # de-duplicated by the idempotency key


def test_the_log_counts_the_parts_the_provider_bills(messaging: Messaging) -> None:
    m = messaging
    m.save(sms_template="{first_name}: " + "x" * 150)  # 155 characters: still one part
    m.reminder_time(m.book(9, 30))
    m.send_due()
    m.save(sms_template="{first_name}: " + "€" * 80)  # 165 septets: two parts
    m.reminder_time(m.book(11, patient=1))
    m.send_due()
    assert [sms_log(m, p)[0].segments for p in (0, 1)] == [1, 2]


def test_a_number_the_gateway_refuses_is_parked_then_fixed(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.gateway.reject_number(SAM, "Number is disconnected")
    report = m.send_due()
    assert report.sms.parked == 1 and not report.ok
    [failed] = sms_log(m)
    assert failed.detail == "The SMS gateway refused the message (400): Number is disconnected."
    fix_recipient_and_retry(m.ctx, failed.id, "0499 123 456", clock=m.clock)
    assert m.send_due().sms_sent == 1
    assert [sms.to for sms in m.gateway.sent] == ["+61499123456"]


def test_a_patient_whose_mobile_became_a_landline_is_parked_with_a_clear_reason(
    messaging: Messaging,
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.set_patient(0, phone="02 9999 1111")  # changed after the reminder was queued
    channel = SmsChannel(m.ctx.database, m.queue, sms_providers(m.secrets, m.clock), m.clock)
    assert drain(m.queue, channel, m.clock).parked == 1
    [failed] = sms_log(m)
    assert failed.status is MessageStatus.FAILED
    assert failed.detail == (
        "Sam Lee has no mobile number to text (“02 9999 1111” is not a mobile number). "
        "Add one, then retry."
    )
    with pytest.raises(InvalidInput, match="is not a mobile number"):
        fix_recipient_and_retry(m.ctx, failed.id, "02 9999 2222", clock=m.clock)
    fix_recipient_and_retry(m.ctx, failed.id, "0412 000 999", clock=m.clock)
    assert m.send_due().sms_sent == 1
    assert [sms.to for sms in m.gateway.sent] == ["+61412000999"]


def test_the_sweep_withdraws_a_text_the_patient_can_no_longer_receive(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.set_patient(0, phone="02 9999 1111")
    assert m.send_due().ok
    assert sms_log(m) == []
    [withdrawn] = [
        e
        for e in message_log(m.ctx, m.c.patients[0].id, include_cancelled=True)
        if e.channel is Channel.SMS
    ]
    assert (withdrawn.status, withdrawn.detail) == (
        MessageStatus.CANCELLED,
        "The patient has no mobile number.",
    )


def test_a_wrong_api_key_waits_for_the_settings_not_for_each_message(messaging: Messaging) -> None:
    m = messaging
    appointment = m.book(9, 30)
    m.book(10, patient=1)
    m.reminder_time(appointment)
    m.clock.advance(hours=1)
    from desktop.services.messaging.configure import save_settings

    save_settings(m.ctx, m.settings(), sms_api_key="wrong", secrets=m.secrets, clock=m.clock)
    report = m.send_due()
    assert report.sms.retrying == 2 and report.ok
    assert (
        len([r for r in m.gateway.requests if r[0] == "POST"]) == 1
    )  # the rest of the batch waited
    assert all("refused the API key (401)" in e.detail for e in sms_log(m) + sms_log(m, 1))
    save_settings(m.ctx, m.settings(), sms_api_key=API_KEY, secrets=m.secrets, clock=m.clock)
    assert m.send_due().sms_sent == 2  # saving the settings nudged the waiting ones


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after("30", now) == timedelta(seconds=30)
    assert retry_after("Sat, 01 Mar 2031 12:02:00 GMT", now) == timedelta(minutes=2)
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None
    assert retry_after("999999", now) == timedelta(hours=6)


def test_the_gateway_client_says_plainly_when_nothing_listens() -> None:
    import socket

    from desktop.services.messaging.sms_gateway import GatewayUnavailable

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gateway = HttpSmsGateway(f"http://127.0.0.1:{port}/v1", "key", timeout=2)
    with pytest.raises(GatewayUnavailable, match="Could not reach the SMS gateway") as caught:
        gateway.send(SAM, "hello", "frontdesk-1")
    assert caught.value.affects_all
    gateway.close()
