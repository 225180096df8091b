"""Messages sync: every desk shows one message log, and only the server sends."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.appointments import Appointment, CancellationReason
from desktop.domain.outbox import Channel, JobState
from desktop.services import booking
from desktop.services.messaging import message_log, replies
from desktop.services.messaging.configure import save_settings
from desktop.services.messaging.message_log import MessageStatus
from desktop.services.messaging.send_due import SendDueReport
from desktop.services.messaging.settings import get_settings
from desktop.store import outbox
from desktop.store.messaging_models import OutgoingMessageRow
from desktop.store.outbox import OutboxQueue
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.unit_of_work import UnitOfWork
from desktop.sync import conflicts
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.helpers.clinic import DAY, ClinicFixture
from tests.messaging.conftest import (  # noqa: F401 - the mail and SMS servers
    Messaging,
    SmtpEndpoint,
    clock,
    configure,
    secrets,
    sms_gateway,
    smtp_server,
)
from tests.messaging.helpers import Clock
from tests.sync.harness import Desk, ServerSide, make_desk
from tests.sync.test_convergence import converged

pytestmark = pytest.mark.postgres

NEXT_WEEK = DAY + timedelta(days=7)  # after the server's clock: reminders are wanted


@pytest.fixture
def messaging_on_server(
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    clock: Clock,  # noqa: F811
    secrets,  # noqa: F811
    smtp_server: SmtpEndpoint,  # noqa: F811
    sms_gateway: FakeSmsGateway,  # noqa: F811
) -> Messaging:
    """Reminders by SMS and email, set up on the server (its keyring holds the secrets)."""
    m = Messaging(
        server.ctx, clinic_on_server, clock, secrets, smtp_server.handler, sms_gateway,
        smtp_server.port,
    )  # fmt: skip
    m.set_patient(0, email="sam.lee@example.com")
    configure(m)
    return m


def desk_send_due(desk: Desk, m: Messaging) -> SendDueReport:
    """A desk's own message pass, with every sender it could use within reach."""
    return replace(m, ctx=desk.ctx).send_due()


def book(desk: Desk, c: ClinicFixture, hour: int, patient: int = 0) -> Appointment:
    return booking.book_appointment(
        desk.ctx,
        booking.BookingRequest(
            c.clinic.id,
            c.alice.id,
            c.consult.id,
            c.at(hour, day=NEXT_WEEK),
            patient_id=c.patients[patient].id,
        ),
    ).appointment


def shown(desk: Desk, patient_id: uuid.UUID) -> list[tuple[uuid.UUID, Channel, MessageStatus]]:
    log = message_log.message_log(desk.ctx, patient_id, include_cancelled=True)
    return sorted(((e.id, e.channel, e.status) for e in log), key=str)


def test_a_reminder_queued_at_a_desk_goes_out_once_from_the_server(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    m = messaging_on_server
    c = m.c
    sam = c.patients[0].id
    front, back = desks
    assert get_settings(back.ctx, c.clinic.id).reminders_by_sms  # the settings came down
    appointment = book(front, c, 9)
    queued = shown(front, sam)
    assert [status for *_, status in queued] == [MessageStatus.SCHEDULED] * 2
    # At reminder time both desks run their message pass: neither sends.
    m.reminder_time(appointment)
    for desk in (front, back):
        report = desk_send_due(desk, m)
        assert report.server_sends == server.url
        assert "the server" in report.summary()
    assert not m.smtp.received and not m.gateway.sent
    for desk in (front, back, front):
        desk.sync()
    assert shown(back, sam) == queued  # the same messages, on every desk

    first = m.send_due()  # the clinic's one sender, on the server
    assert (first.emails_sent, first.sms_sent) == (1, 1)
    again = m.send_due()
    assert (again.emails_sent, again.sms_sent) == (0, 0)
    assert len(m.smtp.received) == 1 and len(m.gateway.sent) == 1
    for desk in (front, back):
        desk.sync()
    sent = [(i, ch, MessageStatus.SENT) for i, ch, _ in queued]
    assert shown(front, sam) == sent and shown(back, sam) == sent
    entry = message_log.message_log(back.ctx, sam)[0]
    assert entry.body and entry.recipient  # what went out, as the sender wrote it

    # The patient texts back: every desk shows the reply.
    replies.record_reply(
        server.database, c.clinic.id, m.gateway.sent[0].to, "See you then",
        "SM-reply-1", m.clock(),
    )  # fmt: skip
    for desk in (front, back):
        desk.sync()
        [reply] = replies.patient_replies(desk.ctx, sam)
        assert reply.text == "See you then"
    converged(server, front, back)


def test_desks_get_the_jobs_of_messages_only(
    tmp_path: Path, server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    """Xero's jobs stay on the server, by incremental pull and by first-sync snapshot."""
    m = messaging_on_server
    front, _ = desks
    book(front, m.c, 9)
    front.sync()
    with UnitOfWork(server.database) as uow:
        outbox.enqueue(
            uow.session, channel=Channel.XERO, kind="xero.contact", subject_id=m.c.patients[0].id
        )
        uow.commit()
    new = make_desk(tmp_path, "new", server)
    try:
        for desk in (front, new):
            desk.sync()
            channels = sorted(job.channel.value for job in OutboxQueue(desk.database).jobs())
            assert channels == ["email", "sms"], desk.name
    finally:
        new.close()


def test_a_reminder_withdrawn_offline_is_withdrawn_on_the_server(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    m = messaging_on_server
    c = m.c
    front, back = desks
    # The first Sam Lee is booked at 9, the second (not the first patient) at 11;
    # back cancels the second one's appointment offline.
    book(front, c, 9)
    lee = book(front, c, 11, patient=1)
    for desk in (front, back):
        desk.sync()
    booking.cancel_appointment(back.ctx, lee.id, CancellationReason.SICK)
    back.sync()
    front.sync()
    lee_messages = shown(front, c.patients[1].id)
    assert lee_messages and {s for *_, s in lee_messages} == {MessageStatus.CANCELLED}
    m.reminder_time(lee)
    m.send_due()
    sent_to = {mail.rcpt_tos[0] for mail in m.smtp.received}
    assert sent_to == {"sam.lee@example.com"}  # the first one's reminder only
    assert {sms.to for sms in m.gateway.sent} == {"+61412345678"}
    for desk in (front, back):
        desk.sync()
    assert shown(front, c.patients[1].id) == lee_messages
    converged(server, front, back)


def test_a_deleted_or_moved_appointments_reminder_is_withdrawn_on_the_server(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    """The server is the one sender: a deletion or move pushed from a desk withdraws
    (or replaces) the reminder queued there, so the old one never goes out."""
    m = messaging_on_server
    c = m.c
    front, back = desks
    sam = book(front, c, 9)
    lee = book(front, c, 11, patient=1)
    for desk in (front, back):
        desk.sync()
    booking.delete_appointment(back.ctx, lee.id)  # booked in error
    moved = booking.move_appointment(
        back.ctx,
        sam.id,
        practitioner_id=c.alice.id,
        starts_at=c.at(14, day=NEXT_WEEK),
        ends_at=c.at(14, day=NEXT_WEEK) + (sam.ends_at - sam.starts_at),
    ).appointment
    back.sync()
    front.sync()
    assert conflicts.open_conflicts(back.database) == []
    # At once, days before they were due, every desk shows them withdrawn.
    lee_log = message_log.message_log(front.ctx, c.patients[1].id, include_cancelled=True)
    assert lee_log and {e.status for e in lee_log} == {MessageStatus.CANCELLED}
    with server.database.reading() as session:
        reasons = session.execute(
            select(OutboxJobRow.last_error)
            .join(OutgoingMessageRow, OutgoingMessageRow.job_id == OutboxJobRow.id)
            .where(
                OutgoingMessageRow.id.in_([e.id for e in lee_log]),
                OutboxJobRow.state == JobState.SUPERSEDED.value,
            )
        ).scalars()
        assert list(reasons) == ["The appointment was deleted."] * len(lee_log)
    sam_log = sorted(status for *_, status in shown(front, c.patients[0].id))
    assert sam_log == sorted([MessageStatus.CANCELLED] * 2 + [MessageStatus.SCHEDULED] * 2)

    m.reminder_time(moved)  # past the 9 o'clock and 11 o'clock reminders' times too
    report = m.send_due()
    assert (report.emails_sent, report.sms_sent, report.not_needed) == (1, 1, 0)
    [sms] = m.gateway.sent  # the new time's, once
    assert sms.to == "+61412345678" and "2:00" in sms.text, sms.text
    assert [mail.rcpt_tos for mail in m.smtp.received] == [["sam.lee@example.com"]]
    for desk in (front, back):
        desk.sync()
    assert shown(front, c.patients[1].id) == shown(back, c.patients[1].id)
    assert {s for *_, s in shown(back, c.patients[1].id)} == {MessageStatus.CANCELLED}
    converged(server, front, back)


def test_a_reminder_the_server_refused_leaves_no_job_waiting_at_the_desk(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    """Back moves an appointment front has just deleted: the server refuses the move and
    the new reminder queued with it. Both are listed as conflicts with the reason, and
    the reminder's job goes too — the server, the one sender, never had it, so a copy
    left here would wait on this desk for ever."""
    m = messaging_on_server
    c = m.c
    front, back = desks
    lee = book(front, c, 11, patient=1)
    for desk in (front, back):
        desk.sync()
    booking.delete_appointment(front.ctx, lee.id)
    front.sync()
    booking.move_appointment(  # queues a reminder for 2 pm here
        back.ctx,
        lee.id,
        practitioner_id=c.alice.id,
        starts_at=c.at(14, day=NEXT_WEEK),
        ends_at=c.at(14, day=NEXT_WEEK) + (lee.ends_at - lee.starts_at),
    )
    waiting = {j.id for j in OutboxQueue(back.database).jobs() if j.state is JobState.PENDING}
    assert len(waiting) == 1
    back.sync()

    refused = {(x.entity, x.reason) for x in conflicts.open_conflicts(back.database)}
    gone = "This appointment was deleted on another computer."
    assert refused == {("outgoing_messages", gone), ("appointments", gone)}
    [message] = [x for x in conflicts.open_conflicts(back.database) if x.operation == "insert"]
    assert message.summary.startswith("New message: SMS reminder, Sam Lee, "), message.summary
    jobs = {j.id: j.state for j in OutboxQueue(back.database).jobs()}
    assert waiting.isdisjoint(jobs)  # dropped with its message
    assert set(jobs.values()) == {JobState.SUPERSEDED}  # the deleted one's, withdrawn
    assert {s for *_, s in shown(back, c.patients[1].id)} == {MessageStatus.CANCELLED}
    converged(server, front, back)


def test_the_server_rechecks_what_desks_push_about_messages(
    tmp_path, server: ServerSide, messaging_on_server: Messaging
) -> None:
    m = messaging_on_server
    c = m.c
    server.add_user("rita")  # a receptionist
    desk = make_desk(tmp_path, "front", server, username="rita")
    try:
        desk.sync()
        # Only an administrator changes the messaging settings.
        settings = get_settings(desk.ctx, c.clinic.id)
        save_settings(  # the desk's own check passes: its service runs as the system
            desk.ctx, replace(settings, sender_name="Reception"), secrets=m.secrets, clock=m.clock
        )
        appointment = book(desk, c, 10)
        # A reminder that says it was sent already never reaches the sender.
        with desk.database.write_session() as session:
            message = (
                session.execute(
                    select(OutgoingMessageRow).where(
                        OutgoingMessageRow.appointment_id == appointment.id
                    )
                )
                .scalars()
                .first()
            )
            assert message is not None
            message.recipient = "not a number"
            session.commit()
        desk.sync()
        refused = {(x.entity, x.code) for x in conflicts.open_conflicts(desk.database)}
        assert ("messaging_settings", "permission_denied") in refused
        assert ("outgoing_messages", "invalid_input") in refused
        with server.database.reading() as session:
            on_server = (
                session.execute(
                    select(OutgoingMessageRow.recipient).where(
                        OutgoingMessageRow.appointment_id == appointment.id
                    )
                )
                .scalars()
                .all()
            )
        assert on_server and "not a number" not in on_server
        assert get_settings(server.ctx, c.clinic.id).sender_name == ""
        jobs = OutboxQueue(server.database).jobs(Channel.SMS)
        assert jobs and {j.state for j in jobs} == {JobState.PENDING}
    finally:
        desk.close()


def test_retry_pressed_at_a_desk_reaches_the_servers_sender(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    m = messaging_on_server
    c = m.c
    front, back = desks
    m.smtp.unknown_recipients.add("sam.lee@example.com")
    m.reminder_time(book(front, c, 9))
    front.sync()
    m.send_due()  # the mail server refuses the email: it fails, waiting for a person
    back.sync()
    [failed] = [
        e for e in message_log.message_log(back.ctx, c.patients[0].id) if e.channel is Channel.EMAIL
    ]
    assert failed.status is MessageStatus.FAILED and failed.can_retry
    m.smtp.unknown_recipients.clear()
    message_log.retry_message(back.ctx, failed.id, clock=m.clock)
    assert not m.smtp.received
    back.sync()
    assert m.send_due().emails_sent == 1
    assert [mail.rcpt_tos for mail in m.smtp.received] == [["sam.lee@example.com"]]
    for desk in (front, back):
        desk.sync()
    [email] = [
        e
        for e in message_log.message_log(front.ctx, c.patients[0].id)
        if e.channel is Channel.EMAIL
    ]
    assert (email.id, email.status) == (failed.id, MessageStatus.SENT)
    converged(server, front, back)


def test_a_new_reminder_time_set_at_a_desk_retimes_the_servers_queue(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    m = messaging_on_server
    front, back = desks
    appointment = book(front, m.c, 9)
    front.sync()
    settings = get_settings(back.ctx, m.c.clinic.id)
    save_settings(
        back.ctx, replace(settings, reminder_lead=timedelta(hours=48)), secrets=m.secrets,
        clock=m.clock,
    )  # fmt: skip
    back.sync()
    jobs = OutboxQueue(server.database).jobs(Channel.EMAIL) + OutboxQueue(server.database).jobs(
        Channel.SMS
    )
    assert len(jobs) == 2
    assert {job.next_attempt_at for job in jobs} == {appointment.starts_at - timedelta(hours=48)}
    front.sync()
    due = {e.due_at for e in message_log.message_log(front.ctx, m.c.patients[0].id)}
    assert due == {appointment.starts_at - timedelta(hours=48)}


def test_a_class_attendee_added_at_a_desk_is_reminded_once(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    m = messaging_on_server
    c = m.c
    front, back = desks
    m.set_patient(3, email="ana@example.com")
    front.sync()
    pilates = booking.book_appointment(
        front.ctx,
        booking.BookingRequest(
            c.clinic.id, c.alice.id, c.pilates.id, c.at(9, day=NEXT_WEEK), c.patients[0].id
        ),
    ).appointment
    front.sync()
    back.sync()
    booking.add_attendee(back.ctx, pilates.id, c.patients[3].id)  # not the first patient
    back.sync()
    m.reminder_time(pilates)
    sent = m.send_due()
    assert (sent.emails_sent, sent.sms_sent) == (2, 2)
    assert sorted(mail.rcpt_tos[0] for mail in m.smtp.received) == [
        "ana@example.com",
        "sam.lee@example.com",
    ]
    for desk in (front, back):
        desk.sync()
    converged(server, front, back)
