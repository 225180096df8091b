"""The wait list through the real services, on SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.domain.errors import InvalidInput, NotFound, PractitionerInactive, StaleEdit
from desktop.domain.wait_list import NAMED_RANGES, OpenSlot, TimeRange, WaitWishes
from desktop.services import booking, calendar, wait_list
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.wait_list import WaitListRequest
from tests.helpers.clinic import DAY, ClinicFixture


def waiting(
    ctx: ServiceContext, c: ClinicFixture, index: int, **kw: object
) -> wait_list.SavedEntry:
    return wait_list.add_entry(ctx, WaitListRequest(c.patients[index].id, **kw))  # type: ignore[arg-type]


def consult(c: ClinicFixture, hour: int, patient: int = 0, day=DAY, who=None) -> BookingRequest:  # type: ignore[no-untyped-def]
    return BookingRequest(
        c.clinic.id,
        (who or c.alice).id,
        c.consult.id,
        c.at(hour, day=day),
        patient_id=c.patients[patient].id,
    )


def test_add_edit_and_remove_an_entry(ctx, clinic) -> None:
    wishes = WaitWishes(frozenset({clinic.bob.id}), frozenset({clinic.consult.id}), frozenset({0}))
    saved = waiting(ctx, clinic, 2, wishes=wishes, urgent=True, note=" knee ")
    assert saved.changes.wait_list and saved.entry.id in saved.changes.ids
    assert saved.entry.patient_name == "Jo Citizen"
    assert saved.entry.note == "knee"
    listed = wait_list.current_entries(ctx)
    assert [e.id for e in listed] == [saved.entry.id]
    assert listed[0].wishes == wishes

    evenings = WaitWishes(time_ranges=(TimeRange(time(17), time(19)),))
    changed = wait_list.update_entry(
        ctx,
        saved.entry.id,
        WaitListRequest(clinic.patients[2].id, evenings, urgent=False, note="knee"),
        saved.entry.version,
    )
    assert changed.entry.wishes == evenings and not changed.entry.urgent
    with pytest.raises(StaleEdit):  # a second desk's edit made on the old copy
        wait_list.update_entry(
            ctx, saved.entry.id, WaitListRequest(clinic.patients[2].id), saved.entry.version
        )
    wait_list.remove_entry(ctx, saved.entry.id)
    assert wait_list.current_entries(ctx) == []
    with pytest.raises(NotFound, match="no longer on the wait list"):
        wait_list.entry(ctx, saved.entry.id)


def test_an_inactive_practitioner_cannot_be_waited_for(ctx, clinic) -> None:
    with pytest.raises(InvalidInput, match="Rita Retired is inactive"):
        waiting(ctx, clinic, 0, wishes=WaitWishes(frozenset({clinic.retired.id})))
    assert wait_list.current_entries(ctx) == []


def test_matches_for_a_slot_are_urgent_first_then_oldest(ctx, clinic) -> None:
    oldest = waiting(ctx, clinic, 0).entry
    mornings = waiting(ctx, clinic, 2, wishes=WaitWishes(time_ranges=(NAMED_RANGES["Mornings"],)))
    urgent = waiting(ctx, clinic, 3, urgent=True).entry
    waiting(ctx, clinic, 1, wishes=WaitWishes(frozenset({clinic.bob.id})))  # Bob only
    start = clinic.at(10)
    found = wait_list.matches_for_slot(ctx, clinic.alice.id, start, start + timedelta(minutes=30))
    assert [e.id for e in found] == [urgent.id, oldest.id, mornings.entry.id]
    afternoon = clinic.at(15)
    found = wait_list.matches_for_slot(
        ctx, clinic.alice.id, afternoon, afternoon + timedelta(minutes=30)
    )
    assert [e.id for e in found] == [urgent.id, oldest.id]


def test_an_inactive_practitioners_slot_is_never_offered(ctx, clinic) -> None:
    waiting(ctx, clinic, 0)
    start = clinic.at(10)
    assert (
        wait_list.matches_for_slot(ctx, clinic.retired.id, start, start + timedelta(minutes=30))
        == []
    )


def test_a_patient_booked_at_that_time_is_not_offered_it(ctx, clinic) -> None:
    waiting(ctx, clinic, 0)
    booking.book_appointment(ctx, consult(clinic, 10, patient=0, who=clinic.bob))
    start = clinic.at(10)
    assert (
        wait_list.matches_for_slot(ctx, clinic.alice.id, start, start + timedelta(minutes=30)) == []
    )


def test_a_cancellation_frees_a_slot_that_fits_the_list_and_booking_takes_them_off(
    ctx, clinic
) -> None:
    appointment = booking.book_appointment(ctx, consult(clinic, 10, patient=0)).appointment
    entry = waiting(ctx, clinic, 2).entry
    assert wait_list.freed_slots(ctx, clinic.at(0), clinic.at(23)) == []
    booking.cancel_appointment(ctx, appointment.id, CancellationReason.SICK)

    freed = wait_list.freed_slots(ctx, clinic.at(0), clinic.at(23))
    assert [(f.slot.starts_at, f.practitioner_name) for f in freed] == [
        (clinic.at(10), "Alice Physio")
    ]
    assert [e.id for e in freed[0].entries] == [entry.id]

    booked = wait_list.book_entry(ctx, entry.id, consult(clinic, 10, patient=0))
    assert booked.appointment.patient_id == clinic.patients[2].id  # the entry's patient
    assert booked.changes.appointments and booked.changes.wait_list
    assert wait_list.current_entries(ctx) == []
    assert wait_list.freed_slots(ctx, clinic.at(0), clinic.at(23)) == []  # taken again


def test_the_rest_of_a_no_show_is_offered_and_can_be_booked(ctx, clinic) -> None:
    missed = booking.book_appointment(ctx, consult(clinic, 10, patient=0)).appointment
    entry = waiting(ctx, clinic, 2).entry
    booking.set_status(ctx, missed.id, AppointmentStatus.NO_SHOW)
    now = clinic.at(10, 7)  # seven minutes in: from 10:10, the next 5-minute mark

    freed = wait_list.freed_slots(ctx, clinic.at(0), clinic.at(23), now=now)
    assert [(f.slot.starts_at, f.slot.ends_at, f.slot.freed_by) for f in freed] == [
        (clinic.at(10, 10), clinic.at(10, 30), missed.id)
    ]
    assert [e.id for e in freed[0].entries] == [entry.id]

    request = replace(consult(clinic, 10, patient=2), starts_at=clinic.at(10, 10))
    request = replace(request, ends_at=clinic.at(10, 30))
    booked = wait_list.book_entry(ctx, entry.id, request).appointment
    assert (booked.starts_at, booked.ends_at) == (clinic.at(10, 10), clinic.at(10, 30))
    assert wait_list.current_entries(ctx, now=now) == []
    assert wait_list.freed_slots(ctx, clinic.at(0), clinic.at(23), now=now) == []  # taken
    shown = calendar.appointments_between(ctx, clinic.at(0), clinic.at(23))
    assert {a.status for a in shown} == {AppointmentStatus.NO_SHOW, AppointmentStatus.BOOKED}


def test_a_no_show_is_offered_whole_before_it_begins_and_not_when_little_is_left(
    ctx, clinic
) -> None:
    missed = booking.book_appointment(ctx, consult(clinic, 10, patient=0)).appointment
    waiting(ctx, clinic, 2)
    booking.set_status(ctx, missed.id, AppointmentStatus.NO_SHOW)
    early = wait_list.freed_slots(ctx, clinic.at(0), clinic.at(23), now=clinic.at(9))
    assert [(f.slot.starts_at, f.slot.ends_at) for f in early] == [
        (clinic.at(10), clinic.at(10, 30))
    ]
    assert wait_list.freed_slots(ctx, clinic.at(0), clinic.at(23), now=clinic.at(10, 16)) == []


def test_a_deleted_booking_is_offered_when_the_desk_remembers_it(ctx, clinic) -> None:
    appointment = booking.book_appointment(ctx, consult(clinic, 11, patient=0)).appointment
    waiting(ctx, clinic, 2)
    booking.delete_appointment(ctx, appointment.id)
    gone = OpenSlot(clinic.alice.id, appointment.starts_at, appointment.ends_at, clinic.consult.id)
    freed = wait_list.freed_slots(ctx, clinic.at(0), clinic.at(23), also=[gone])
    assert len(freed) == 1 and len(freed[0].entries) == 1


def test_an_entry_with_an_appointment_moves_it_earlier_and_leaves_when_it_passes(
    ctx, clinic
) -> None:
    later = booking.book_appointment(
        ctx, consult(clinic, 9, patient=2, day=DAY + timedelta(days=7))
    )
    entry = waiting(ctx, clinic, 2, appointment_id=later.appointment.id).entry
    assert entry.appointment_starts_at == later.appointment.starts_at
    start = clinic.at(14)
    assert [
        e.id
        for e in wait_list.matches_for_slot(
            ctx, clinic.alice.id, start, start + timedelta(minutes=30)
        )
    ] == [entry.id]
    after = clinic.at(14, day=DAY + timedelta(days=8))
    assert (
        wait_list.matches_for_slot(ctx, clinic.alice.id, after, after + timedelta(minutes=30)) == []
    )
    # On the day of that appointment they leave the list.
    that_morning = clinic.at(0, day=DAY + timedelta(days=7))
    assert wait_list.current_entries(ctx, now=that_morning - timedelta(minutes=1)) != []
    assert wait_list.current_entries(ctx, now=that_morning) == []

    moved = wait_list.book_entry(ctx, entry.id, consult(clinic, 14, patient=0, who=clinic.bob))
    assert moved.appointment.id == later.appointment.id  # moved, not a second booking
    assert moved.appointment.starts_at == start
    assert moved.appointment.practitioner_id == clinic.bob.id
    shown = calendar.appointments_between(
        ctx, clinic.at(0), clinic.at(23, day=DAY + timedelta(days=8))
    )
    assert len(shown) == 1
    assert wait_list.current_entries(ctx) == []


def test_only_a_future_booking_of_the_same_patient_can_be_tied_to_an_entry(ctx, clinic) -> None:
    theirs = booking.book_appointment(ctx, consult(clinic, 9, patient=0)).appointment
    with pytest.raises(InvalidInput, match="another patient's"):
        waiting(ctx, clinic, 2, appointment_id=theirs.id)
    booking.cancel_appointment(ctx, theirs.id, CancellationReason.SICK)
    with pytest.raises(InvalidInput, match="still to come"):
        waiting(ctx, clinic, 0, appointment_id=theirs.id)


def test_what_has_begun_is_judged_by_the_contexts_clock(ctx, clinic) -> None:
    """The desk's (or the server's) clock says what is past, not the machine's."""
    theirs = booking.book_appointment(ctx, consult(clinic, 9, patient=0)).appointment
    later = replace(ctx, clock=lambda: clinic.at(10))  # that morning, after it began
    with pytest.raises(InvalidInput, match="still to come"):
        waiting(later, clinic, 0, appointment_id=theirs.id)
    waiting(later, clinic, 1)
    start = clinic.at(9, 30)
    slot = (clinic.alice.id, start, start + timedelta(minutes=30))
    assert wait_list.matches_for_slot(later, *slot) == []  # begun by that clock
    assert len(wait_list.matches_for_slot(replace(ctx, clock=lambda: clinic.at(8)), *slot)) == 1


def test_booking_from_the_list_keeps_every_booking_rule(ctx, clinic) -> None:
    entry = waiting(ctx, clinic, 2).entry
    with pytest.raises(PractitionerInactive):
        wait_list.book_entry(ctx, entry.id, consult(clinic, 10, who=clinic.retired))
    assert [e.id for e in wait_list.current_entries(ctx)] == [entry.id]  # still waiting
    assert calendar.appointments_between(ctx, clinic.at(0), clinic.at(23)) == []


def test_an_edit_keeps_a_practitioner_who_has_left_since(ctx, clinic) -> None:
    from desktop.services import practitioners

    saved = waiting(ctx, clinic, 2, wishes=WaitWishes(frozenset({clinic.bob.id})))
    practitioners.deactivate_practitioner(ctx, clinic.bob.id)
    changed = wait_list.update_entry(
        ctx,
        saved.entry.id,
        WaitListRequest(clinic.patients[2].id, saved.entry.wishes, note="still keen"),
        saved.entry.version,
    )
    assert changed.entry.wishes.practitioner_ids == frozenset({clinic.bob.id})
    with pytest.raises(InvalidInput, match="Rita Retired is inactive"):  # but no new one
        wait_list.update_entry(
            ctx,
            saved.entry.id,
            WaitListRequest(
                clinic.patients[2].id, WaitWishes(frozenset({clinic.bob.id, clinic.retired.id}))
            ),
        )


def test_a_series_booked_from_the_list_takes_the_patient_off_it_in_the_same_transaction(
    ctx, clinic
) -> None:
    from desktop.domain.repeats import Frequency, RepeatRule
    from desktop.services.series import SeriesRequest

    entry = waiting(ctx, clinic, 2).entry
    other = waiting(ctx, clinic, 3).entry
    weekly = RepeatRule(Frequency.WEEKLY, count=3)
    booked = wait_list.book_entry_series(
        ctx, entry.id, SeriesRequest(consult(clinic, 10, patient=0), weekly)
    )
    assert [a.patient_id for a in booked.appointments] == [clinic.patients[2].id] * 3
    assert booked.appointments[0].starts_at == clinic.at(10)  # the first fills the slot
    assert booked.changes.appointments and booked.changes.wait_list
    assert [e.id for e in wait_list.current_entries(ctx)] == [other.id]

    # Refused as a whole (a date taken): nothing booked and the patient still waits.
    booking.book_appointment(ctx, consult(clinic, 11, patient=0, day=DAY + timedelta(days=7)))
    with pytest.raises(InvalidInput, match="Nothing was booked"):
        wait_list.book_entry_series(
            ctx, other.id, SeriesRequest(consult(clinic, 11, patient=3), weekly)
        )
    assert [e.id for e in wait_list.current_entries(ctx)] == [other.id]
