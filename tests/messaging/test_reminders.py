"""Reminders follow the calendar: booked, moved, cancelled, class places, opt-outs, sweeps.

Every test runs on SQLite and on PostgreSQL (the `database` fixture underneath).
"""

from __future__ import annotations

from datetime import timedelta

from desktop.domain.appointments import CancellationReason
from desktop.domain.outbox import Channel, JobState
from desktop.services import booking
from desktop.services.booking import BookingRequest
from desktop.services.messaging.message_log import MessageStatus, message_log
from desktop.services.messaging.opt_outs import patient_opt_outs, set_opt_out
from tests.messaging.conftest import LEAD, Messaging, configure


def test_booking_queues_an_sms_and_an_email_reminder_a_day_ahead(messaging: Messaging) -> None:
    appointment = messaging.book(9, 30)
    jobs = messaging.queue.jobs(states=[JobState.PENDING])
    assert sorted(job.kind for job in jobs) == ["email.reminder", "sms.reminder"]
    assert {job.next_attempt_at for job in jobs} == {appointment.starts_at - LEAD}
    assert {job.subject_id for job in jobs} == {appointment.id}
    log = message_log(messaging.ctx, messaging.c.patients[0].id)
    assert [(e.channel, e.status) for e in sorted(log, key=lambda e: e.channel)] == [
        (Channel.EMAIL, MessageStatus.SCHEDULED),
        (Channel.SMS, MessageStatus.SCHEDULED),
    ]
    assert {e.due_at for e in log} == {appointment.starts_at - LEAD}


def test_moving_replaces_the_reminders_and_the_old_ones_say_why(messaging: Messaging) -> None:
    appointment = messaging.book(9, 30)
    later = appointment.starts_at + timedelta(hours=3)
    booking.move_appointment(
        messaging.ctx,
        appointment.id,
        practitioner_id=messaging.c.alice.id,
        starts_at=later,
        ends_at=later + timedelta(minutes=30),
    )
    pending = messaging.queue.jobs(states=[JobState.PENDING])
    assert {job.next_attempt_at for job in pending} == {later - LEAD}
    assert len(pending) == 2
    replaced = messaging.queue.jobs(states=[JobState.SUPERSEDED])
    assert len(replaced) == 2
    assert all("moved" in job.last_error for job in replaced)
    everything = message_log(messaging.ctx, messaging.c.patients[0].id, include_cancelled=True)
    assert sorted(e.status for e in everything).count(MessageStatus.CANCELLED) == 2
    assert len(message_log(messaging.ctx, messaging.c.patients[0].id)) == 2


def test_moving_to_another_practitioner_at_the_same_time_keeps_the_reminders(
    messaging: Messaging,
) -> None:
    appointment = messaging.book(9, 30)
    before = {job.id for job in messaging.queue.jobs(states=[JobState.PENDING])}
    booking.move_appointment(
        messaging.ctx,
        appointment.id,
        practitioner_id=messaging.c.bob.id,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
    )
    # The text is written when it is sent, so it will name Bob without a new job.
    assert {job.id for job in messaging.queue.jobs(states=[JobState.PENDING])} == before


def test_cancelling_withdraws_the_reminders_and_restoring_brings_them_back(
    messaging: Messaging,
) -> None:
    appointment = messaging.book(9, 30)
    booking.cancel_appointment(messaging.ctx, appointment.id, CancellationReason.SICK)
    assert messaging.queue.jobs(states=[JobState.PENDING]) == []
    withdrawn = messaging.queue.jobs(states=[JobState.SUPERSEDED])
    assert {job.last_error for job in withdrawn} == {"The appointment was cancelled."}
    booking.restore_appointment(messaging.ctx, appointment.id)
    assert len(messaging.queue.jobs(states=[JobState.PENDING])) == 2


def test_deleting_an_appointment_withdraws_its_reminders_and_keeps_the_log(
    messaging: Messaging,
) -> None:
    appointment = messaging.book(9, 30)
    booking.delete_appointment(messaging.ctx, appointment.id)
    assert messaging.queue.jobs(states=[JobState.PENDING]) == []
    log = message_log(messaging.ctx, messaging.c.patients[0].id, include_cancelled=True)
    assert {(e.status, e.detail, e.appointment_id) for e in log} == {
        (MessageStatus.CANCELLED, "The appointment was deleted.", None)
    }


def test_a_patient_without_a_mobile_gets_email_only(messaging: Messaging) -> None:
    messaging.book(10, patient=2)  # Jo Citizen: a landline and an email address
    assert [job.kind for job in messaging.queue.jobs()] == ["email.reminder"]


def test_opting_out_of_sms_withdraws_queued_texts_and_stops_new_ones(messaging: Messaging) -> None:
    sam = messaging.c.patients[0].id
    messaging.book(9, 30)
    choices, _ = set_opt_out(messaging.ctx, sam, Channel.SMS, True, clock=messaging.clock)
    assert not choices.allows(Channel.SMS) and not patient_opt_outs(messaging.ctx, sam).allows(
        Channel.SMS
    )
    assert [job.kind for job in messaging.queue.jobs(states=[JobState.PENDING])] == [
        "email.reminder"
    ]
    [withdrawn] = messaging.queue.jobs(states=[JobState.SUPERSEDED])
    assert withdrawn.last_error == "The patient asked not to receive SMS messages."
    messaging.book(11)
    kinds = sorted(job.kind for job in messaging.queue.jobs(states=[JobState.PENDING]))
    assert kinds == ["email.reminder", "email.reminder"]
    # Opting back in queues texts for the coming appointments again.
    set_opt_out(messaging.ctx, sam, Channel.SMS, False, clock=messaging.clock)
    kinds = sorted(job.kind for job in messaging.queue.jobs(states=[JobState.PENDING]))
    assert kinds == ["email.reminder", "email.reminder", "sms.reminder", "sms.reminder"]


def test_each_class_attendee_gets_a_reminder_and_leaving_withdraws_it(messaging: Messaging) -> None:
    c = messaging.c
    request = BookingRequest(
        clinic_id=c.clinic.id,
        practitioner_id=c.bob.id,
        appointment_type_id=c.pilates.id,
        patient_id=c.patients[0].id,
        starts_at=c.at(17),
    )
    pilates = booking.book_appointment(messaging.ctx, request).appointment
    booking.add_attendee(messaging.ctx, pilates.id, c.patients[3].id)
    assert len(messaging.queue.jobs(states=[JobState.PENDING])) == 4  # two patients, two channels
    booking.cancel_attendance(messaging.ctx, pilates.id, c.patients[3].id, CancellationReason.AWAY)
    pending = messaging.queue.jobs(states=[JobState.PENDING])
    assert len(pending) == 2
    assert message_log(messaging.ctx, c.patients[3].id) == []
    assert len(message_log(messaging.ctx, c.patients[0].id)) == 2


def test_changing_the_schedule_re_times_queued_reminders(messaging: Messaging) -> None:
    appointment = messaging.book(9, 30)
    messaging.save(reminder_lead=timedelta(hours=48))
    jobs = messaging.queue.jobs(states=[JobState.PENDING])
    assert {job.next_attempt_at for job in jobs} == {appointment.starts_at - timedelta(hours=48)}
    messaging.save(reminders_by_sms=False)
    [email] = messaging.queue.jobs(states=[JobState.PENDING])
    assert email.kind == "email.reminder"
    [texted] = messaging.queue.jobs(states=[JobState.SUPERSEDED])
    assert texted.last_error == "Reminders by SMS were turned off."


def test_send_due_gives_appointments_booked_before_reminders_existed_a_reminder(
    unconfigured: Messaging,
) -> None:
    m = unconfigured
    appointment = m.book(9, 30)  # no messaging settings yet: nothing is queued
    assert m.queue.jobs() == []
    configure(m)  # a week before: the appointment is beyond the sweep's reach for now
    assert m.queue.jobs() == []
    m.reminder_time(appointment)
    report = m.send_due()
    assert report.reminders_queued == 2
    assert (report.email.delivered, report.sms.delivered) == (1, 1)
    assert [sms.to for sms in m.gateway.sent] == ["+61412345678"]
    # A second pass finds nothing missing and sends nothing twice.
    again = m.send_due()
    assert (again.reminders_queued, again.email.delivered, again.sms.delivered) == (0, 0, 0)
    assert len(m.smtp.received) == 1


def test_a_reminder_that_was_not_sent_before_the_appointment_began_is_not_sent(
    messaging: Messaging,
) -> None:
    appointment = messaging.book(9, 30)
    messaging.clock.now = appointment.starts_at + timedelta(minutes=1)  # the PC was off all day
    report = messaging.send_due()
    assert messaging.smtp.received == [] and messaging.gateway.sent == []
    assert report.ok
    log = message_log(messaging.ctx, messaging.c.patients[0].id)
    assert {(e.status, e.detail) for e in log} == {
        (MessageStatus.NOT_SENT, "The appointment had already started.")
    }
