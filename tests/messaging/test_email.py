"""Email through a real SMTP server on loopback (aiosmtpd): reminders and failures.

Nothing here waits: time moves by the injected clock, and the server answers as
scripted (451 then 250, 550 for an unknown mailbox, a refused sign-in).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from desktop.domain.errors import InvalidInput
from desktop.domain.outbox import Channel, JobState
from desktop.services.messaging.configure import save_settings
from desktop.services.messaging.email_channel import EmailChannel, smtp_senders
from desktop.services.messaging.message_log import (
    MessageStatus,
    check_address,
    fix_recipient_and_retry,
    message_log,
    retry_message,
)
from desktop.services.messaging.settings import SmtpSecurity
from desktop.services.outbox_dispatch import drain
from desktop.services.patients import get_patient
from tests.messaging.conftest import Messaging
from tests.messaging.helpers import EphemeralController, RecordingSmtp, self_signed_tls


def email_log(m: Messaging, patient: int = 0):  # type: ignore[no-untyped-def]
    return [e for e in message_log(m.ctx, m.c.patients[patient].id) if e.channel is Channel.EMAIL]


def test_the_reminder_arrives_with_clinic_local_times(messaging: Messaging) -> None:
    m = messaging
    appointment = m.book(9, 30)  # 9:30 am in Sydney is 22:30 UTC the day before
    assert appointment.starts_at.hour == 22
    assert m.send_due().email.delivered == 0  # it waits for its time
    m.reminder_time(appointment)
    report = m.send_due()
    assert (report.email.delivered, report.sms.delivered) == (1, 1)
    [reminder] = m.smtp.received
    assert reminder.rcpt_tos == ["sam.lee@example.com"]
    assert reminder.mail_from == "reception@testclinic.example"
    assert reminder.subject == "Your appointment on Monday 3 March at 9:30 am"
    assert "with Alice Physio at Test Clinic on Monday 3 March at 9:30 am" in reminder.text
    assert "call us on 02 9555 0000" in reminder.text
    assert reminder.message["Auto-Submitted"] == "auto-generated"
    [sent] = email_log(m)
    assert sent.status is MessageStatus.SENT and sent.recipient == "sam.lee@example.com"
    assert sent.subject == reminder.subject and sent.sent_at == m.clock.now


def test_every_email_has_a_message_id_derived_from_its_job(messaging: Messaging) -> None:
    m = messaging
    appointment = m.book(9, 30)
    m.reminder_time(appointment)
    [job] = m.queue.jobs(Channel.EMAIL)
    m.send_due()
    [mail] = m.smtp.received
    assert mail.message_id == f"<{job.idempotency_key}@testclinic.example>"
    [done] = m.queue.jobs(Channel.EMAIL)
    assert done.result["message_id"] == mail.message_id


def test_a_temporary_refusal_is_retried_later_and_delivered_exactly_once(
    messaging: Messaging,
) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.smtp.data_answers.append("451 4.3.0 Mail server busy, try again later")
    report = m.send_due()
    assert report.email.retrying == 1 and report.ok and m.smtp.received == []
    [waiting] = email_log(m)
    assert waiting.status is MessageStatus.RETRYING
    assert "451 4.3.0 Mail server busy" in waiting.detail
    assert waiting.due_at is not None and waiting.due_at > m.clock.now
    assert m.send_due().email.delivered == 0  # not due yet: nothing is tried
    m.clock.advance(minutes=1)
    assert m.send_due().email.delivered == 1
    assert m.send_due().email.delivered == 0
    assert len(m.smtp.received) == 1
    [sent] = email_log(m)
    assert (sent.status, sent.attempts) == (MessageStatus.SENT, 2)


def test_a_rejected_address_is_parked_then_fixed_and_retried_by_hand(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.smtp.unknown_recipients.add("sam.lee@example.com")
    report = m.send_due()
    assert not report.ok
    assert report.email.parked == 1
    assert "sam.lee@example.com" in report.parked[0] and "User unknown" in report.parked[0]
    [failed] = email_log(m)
    assert failed.status is MessageStatus.FAILED and failed.can_retry
    assert failed.detail.startswith("The mail server refused sam.lee@example.com: 550 5.1.1")
    m.clock.advance(hours=12)  # parked messages are not retried by themselves
    assert m.send_due().email.attempted == 0

    fix_recipient_and_retry(m.ctx, failed.id, "sam.lee@example.org", clock=m.clock)
    assert get_patient(m.ctx, m.c.patients[0].id).email == "sam.lee@example.org"
    report = m.send_due()
    assert report.ok and report.email.delivered == 1
    [mail] = m.smtp.received
    assert mail.rcpt_tos == ["sam.lee@example.org"]
    [sent] = email_log(m)
    assert sent.status is MessageStatus.SENT and sent.recipient == "sam.lee@example.org"


def test_retry_by_hand_after_the_mailbox_is_fixed_elsewhere(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.smtp.unknown_recipients.add("sam.lee@example.com")
    m.send_due()
    [failed] = email_log(m)
    m.smtp.unknown_recipients.clear()  # the patient fixed their mailbox
    retry_message(m.ctx, failed.id, clock=m.clock)
    assert m.send_due().email.delivered == 1
    with pytest.raises(Exception, match="Only a failed or waiting message can be retried"):
        retry_message(m.ctx, failed.id, clock=m.clock)


def test_a_crash_between_sending_and_recording_it_does_not_send_twice(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    queue = m.queue
    channel = EmailChannel(m.ctx.database, queue, smtp_senders(m.secrets), m.clock)
    jobs = queue.claim_due(Channel.EMAIL, m.clock())
    outcomes = list(channel.deliver(jobs))  # the server took it...
    assert len(outcomes) == 1 and len(m.smtp.received) == 1
    # ...and the worker died before settling: the job is still in flight.
    [in_flight] = queue.jobs(Channel.EMAIL)
    assert in_flight.state is JobState.IN_FLIGHT
    m.clock.advance(minutes=10)  # the lease ran out: another worker claims it
    report = m.send_due()
    assert report.email.delivered == 1
    assert len(m.smtp.received) == 1
    [done] = queue.jobs(Channel.EMAIL)
    assert done.state is JobState.DONE


def test_an_unreachable_mail_server_is_retried_not_parked(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))
    m.save(smtp_port=_closed_port())
    report = m.send_due()
    assert report.ok and report.email.retrying == 1
    [waiting] = email_log(m)
    assert waiting.detail.startswith("Could not connect to the mail server 127.0.0.1:")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def secure_smtp(tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    server_tls, client_tls = self_signed_tls(tmp_path)
    handler = RecordingSmtp()
    signed_in: list[str] = []

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        ok = (auth_data.login, auth_data.password) == (b"reception", b"s3cret pass")
        if ok:
            signed_in.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers 535 itself

    security = request.param
    options = (
        # aiosmtpd does not see TLS it did not start itself, so it is told AUTH is fine.
        {"ssl_context": server_tls, "auth_require_tls": False}
        if security is SmtpSecurity.SSL
        else {"tls_context": server_tls, "require_starttls": True}
    )
    controller = EphemeralController(
        handler, hostname="127.0.0.1", port=0, authenticator=authenticator, **options
    )
    controller.start()
    yield security, controller.port, handler, client_tls, signed_in
    controller.stop()


@pytest.mark.parametrize("secure_smtp", [SmtpSecurity.STARTTLS, SmtpSecurity.SSL], indirect=True)
def test_tls_and_sign_in(messaging: Messaging, secure_smtp) -> None:  # type: ignore[no-untyped-def]
    m = messaging
    security, port, handler, client_tls, signed_in = secure_smtp
    save_settings(
        m.ctx,
        replace(m.settings(), smtp_port=port, smtp_security=security, smtp_username="reception"),
        smtp_password="wrong",
        secrets=m.secrets,
        clock=m.clock,
    )
    m.reminder_time(m.book(9, 30))
    senders = smtp_senders(m.secrets, tls_context=client_tls)
    channel = EmailChannel(m.ctx.database, m.queue, senders, m.clock)
    report = drain(m.queue, channel, m.clock)
    assert report.retrying == 1 and handler.received == []
    [waiting] = email_log(m)
    assert "refused the username or password (535" in waiting.detail

    save_settings(
        m.ctx, m.settings(), smtp_password="s3cret pass", secrets=m.secrets, clock=m.clock
    )
    report = drain(m.queue, channel, m.clock)
    assert report.delivered == 1 and signed_in == ["reception"]
    [mail] = handler.received
    assert mail.rcpt_tos == ["sam.lee@example.com"]


def test_mail_that_is_no_longer_wanted_or_has_no_sender_never_goes(messaging: Messaging) -> None:
    from desktop.services.messaging.records import Purpose, add_message
    from desktop.store import outbox
    from desktop.store.unit_of_work import UnitOfWork

    m = messaging
    due = m.clock() - timedelta(minutes=1)
    with UnitOfWork(m.ctx.database) as uow:
        # A reminder whose appointment is gone, and a job another feature queued
        # on the email channel without a message record.
        gone = add_message(
            uow.session,
            clinic_id=m.clinic_id,
            channel=Channel.EMAIL,
            purpose=Purpose.REMINDER,
            subject_id=uuid.uuid4(),
            not_before=due,
        )
        foreign = outbox.enqueue(
            uow.session,
            channel=Channel.EMAIL,
            kind="email.newsletter",
            subject_id=uuid.uuid4(),
            not_before=due,
        )
        uow.commit()
    channel = EmailChannel(m.ctx.database, m.queue, smtp_senders(m.secrets), m.clock)
    report = drain(m.queue, channel, m.clock)
    assert (report.delivered, report.parked) == (1, 1) and m.smtp.received == []
    jobs = {job.id: job for job in m.queue.jobs(Channel.EMAIL)}
    assert jobs[gone.job_id].result == {"skipped": "The appointment was deleted."}
    assert jobs[foreign.id].state is JobState.PARKED
    assert jobs[foreign.id].last_error == "Frontdesk has no sender for “email.newsletter” messages."


@pytest.mark.parametrize("address", ["a@b.co\r\n", "\na@b.co", " a@b.co"])
def test_a_recipient_pushed_with_a_line_break_around_it_is_refused(address) -> None:
    """The server checks a desk's corrected address with this: a trailing CR/LF in To:
    would end the email's headers."""
    with pytest.raises(InvalidInput, match="is not an email address"):
        check_address(Channel.EMAIL, address)
    check_address(Channel.EMAIL, "a@b.co")
