"""`calendar.appointments_in_view` (plain rows, two statements) returns exactly what
the ORM path `appointments_between` returns, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from desktop.domain.appointments import Appointment, AppointmentStatus, CancellationReason
from desktop.domain.clinic_time import day_bounds, local_to_utc
from desktop.domain.people import Practitioner
from desktop.domain.repeats import Frequency, RepeatRule
from desktop.services import booking, calendar, practitioners, series
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.patients import PatientDetails, get_patient, update_patient
from desktop.services.practitioners import FutureBookings, PractitionerDetails
from desktop.services.series import SeriesRequest
from desktop.store.models import PatientRow
from tests.helpers.clinic import DAY, HOURS, ZONE, ClinicFixture


def book(ctx: ServiceContext, c: ClinicFixture, practitioner, kind, patient, starts_at):  # type: ignore[no-untyped-def]
    request = BookingRequest(
        clinic_id=c.clinic.id,
        practitioner_id=practitioner.id,
        appointment_type_id=kind.id,
        patient_id=patient.id if patient else None,
        starts_at=starts_at,
    )
    return booking.book_appointment(ctx, request).appointment


def fill_the_day(ctx: ServiceContext, c: ClinicFixture) -> None:
    sam, _, jo, ana = c.patients
    reformer = book(ctx, c, c.bob, c.pilates, None, c.at(7))
    for patient in (sam, jo, ana):
        booking.add_attendee(ctx, reformer.id, patient.id)
    booking.cancel_attendance(ctx, reformer.id, jo.id, CancellationReason.SICK)
    book(ctx, c, c.alice, c.consult, sam, c.at(9))
    cancelled = book(ctx, c, c.alice, c.consult, jo, c.at(10))
    booking.cancel_appointment(ctx, cancelled.id, CancellationReason.AWAY)
    noted = book(ctx, c, c.bob, c.consult, ana, c.at(9))
    booking.update_notes(ctx, noted.id, "Left knee")
    book(ctx, c, c.bob, c.consult, ana, c.at(9, day=DAY + timedelta(days=1)))


def both_ways(ctx: ServiceContext, c: ClinicFixture, start, end):  # type: ignore[no-untyped-def]
    ids = [c.bob.id, c.alice.id]
    fast = calendar.appointments_in_view(ctx, start, end, ids)
    orm = calendar.appointments_between(ctx, start, end, ids)
    return fast, sorted(orm, key=lambda a: (a.starts_at, fast.index(a) if a in fast else -1))


def test_the_whole_day_comes_back_as_the_orm_path_builds_it(ctx, clinic) -> None:
    fill_the_day(ctx, clinic)
    fast, orm = both_ways(ctx, clinic, clinic.at(0), clinic.at(23, 59))
    assert fast == orm
    assert len(fast) == 4
    reformer = fast[0]
    assert [a.patient_name for a in reformer.attendees] == ["Jo Citizen", "Sam Lee", "Ana Lima"]
    assert reformer.attendees[0].status is AppointmentStatus.CANCELLED
    assert reformer.attendees[0].cancellation_reason is CancellationReason.SICK
    assert reformer.booked_places == 2
    assert {a.status for a in fast} == {AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED}
    assert any(a.notes == "Left knee" and a.practitioner_id == clinic.bob.id for a in fast)


def test_a_range_keeps_what_started_before_it_and_drops_what_ended(ctx, clinic) -> None:
    fill_the_day(ctx, clinic)
    fast, orm = both_ways(ctx, clinic, clinic.at(9, 15), clinic.at(9, 45))
    assert fast == orm
    assert sorted(a.patient_name for a in fast) == ["Ana Lima", "Sam Lee"]


def test_only_the_practitioners_asked_for(ctx, clinic) -> None:
    fill_the_day(ctx, clinic)
    shown = calendar.appointments_in_view(ctx, clinic.at(0), clinic.at(23), [clinic.bob.id])
    assert {a.practitioner_id for a in shown} == {clinic.bob.id}
    assert len(shown) == 2
    assert calendar.appointments_in_view(ctx, clinic.at(0), clinic.at(23), []) == []


# --- a varied week: every kind of row the calendar meets, on SQLite and PostgreSQL ------

DST_WEEK = date(2031, 3, 31)  # Sydney's daylight saving ends in it: Sunday 6 April, 3:00 → 2:00


def on(day: int, hour: int, minute: int = 0) -> datetime:
    """Clinic time on the `day`-th day of the DST week (0 = Monday 31 March)."""
    return local_to_utc(DST_WEEK + timedelta(days=day), time(hour, minute), ZONE)


def request(c: ClinicFixture, who, kind, patient, starts_at, **extra):  # type: ignore[no-untyped-def]
    return BookingRequest(
        c.clinic.id, who.id, kind.id, starts_at, patient.id if patient else None, **extra
    )


def varied_week(ctx: ServiceContext, c: ClinicFixture) -> tuple[list[uuid.UUID], Practitioner]:
    """Books the DST week every way the calendar shows it; returns the ids asked for
    (including a practitioner deactivated with bookings kept read-only) and a
    practitioner who is not asked for."""
    sam, _, jo, ana = c.patients
    add = lambda r: booking.book_appointment(ctx, r).appointment  # noqa: E731
    late = {"override_availability": True}
    # Started the evening before the range, still running at its start (11 hours).
    add(request(c, c.alice, c.consult, sam, on(-1, 20), ends_at=on(0, 7), **late))
    # Ended exactly as the range starts, and starting exactly as it ends: not shown.
    add(request(c, c.bob, c.consult, sam, on(-1, 23), ends_at=on(0, 0), **late))
    add(request(c, c.bob, c.consult, sam, on(7, 0), **late))
    add(request(c, c.alice, c.consult, sam, on(0, 9), notes="Left knee"))
    away = add(request(c, c.alice, c.consult, jo, on(0, 10)))
    booking.cancel_appointment(ctx, away.id, CancellationReason.AWAY)
    missed = add(request(c, c.alice, c.consult, ana, on(1, 9)))
    booking.set_status(ctx, missed.id, AppointmentStatus.NO_SHOW)
    came = add(request(c, c.bob, c.consult, ana, on(1, 9)))
    booking.set_status(ctx, came.id, AppointmentStatus.ARRIVED)
    gone = add(request(c, c.bob, c.consult, sam, on(1, 11)))
    booking.delete_appointment(ctx, gone.id)
    reformer = add(request(c, c.bob, c.pilates, None, on(2, 7)))
    for patient in (sam, jo, ana):
        booking.add_attendee(ctx, reformer.id, patient.id)
    booking.cancel_attendance(ctx, reformer.id, jo.id, CancellationReason.SICK)
    booking.set_attendance_status(ctx, reformer.id, ana.id, AppointmentStatus.NO_SHOW)
    add(request(c, c.bob, c.pilates, None, on(3, 7)))  # a class nobody has joined yet
    # Across the change of clock on Sunday (15:30–16:30 UTC is 2:30 AEDT – 2:30 AEST).
    change = datetime(2031, 4, 5, 15, 30, tzinfo=UTC)
    add(request(c, c.alice, c.consult, ana, change, ends_at=change + timedelta(hours=1), **late))
    # Daily at 9:00 Saturday to Monday: the Monday is outside the range.
    series.book_series(
        ctx,
        SeriesRequest(
            request(c, c.bob, c.consult, jo, on(5, 9)), RepeatRule(Frequency.DAILY, count=3)
        ),
    )
    # Jo changed her name after booking; Ana's record is archived: both still shown.
    now = get_patient(ctx, jo.id)
    update_patient(ctx, jo.id, PatientDetails("Joanna", "Citizen", jo.date_of_birth), now.version)
    with ctx.unit_of_work() as uow:
        archived = uow.session.get(PatientRow, ana.id)
        assert archived is not None
        archived.archived = True
        uow.commit()
    # A practitioner leaving, her bookings kept read-only (the calendar still asks for her).
    kim, _ = practitioners.create_practitioner(ctx, PractitionerDetails("Kim", availability=HOURS))
    add(request(c, kim, c.consult, sam, on(4, 11)))
    practitioners.deactivate_practitioner(ctx, kim.id, FutureBookings.KEEP_READ_ONLY)
    other, _ = practitioners.create_practitioner(
        ctx, PractitionerDetails("Not Asked", availability=HOURS)
    )
    add(request(c, other, c.consult, sam, on(2, 9)))
    return [c.alice.id, c.bob.id, kim.id], other


def assert_built_alike(fast: list[Appointment], orm: list[Appointment]) -> None:
    """Equal field by field, with the same types (1 is not True, a str is not a UUID)."""
    assert [a.starts_at for a in fast] == sorted(a.starts_at for a in fast)
    key = lambda a: (a.starts_at, a.id)  # noqa: E731
    assert sorted(fast, key=key) == sorted(orm, key=key)
    for mine, theirs in zip(sorted(fast, key=key), sorted(orm, key=key), strict=True):
        assert type(mine) is Appointment
        assert hash(mine) == hash(theirs)
        for place, expected in [
            (mine, theirs),
            *zip(mine.attendees, theirs.attendees, strict=True),
        ]:
            for name in place.__dataclass_fields__:
                value, wanted = getattr(place, name), getattr(expected, name)
                assert type(value) is type(wanted), (name, value, wanted)
                assert value == wanted, name
                if isinstance(value, uuid.UUID):
                    assert (str(value), hash(value)) == (str(wanted), hash(wanted))
                if isinstance(value, datetime):
                    assert value.utcoffset() == timedelta(0)


def test_a_varied_week_comes_back_as_the_orm_path_builds_it(ctx, clinic) -> None:
    ids, _ = varied_week(ctx, clinic)
    start, end = on(0, 0), on(7, 0)
    fast = calendar.appointments_in_view(ctx, start, end, ids)
    orm = calendar.appointments_between(ctx, start, end, ids)
    assert_built_alike(fast, orm)
    # What the week holds, so the comparison above is not of two empty lists.
    assert len(fast) == 11
    assert fast[0].starts_at == on(-1, 20)
    assert {a.status for a in fast} == {
        AppointmentStatus.BOOKED,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.ARRIVED,
    }
    assert [a.read_only for a in fast].count(True) == 1
    assert len({a.series_id for a in fast if a.series_id is not None}) == 1
    assert sum(a.series_id is not None for a in fast) == 2
    names = {a.patient_name for a in fast}
    assert {"Joanna Citizen", "Ana Lima", ""} <= names and "Jo Citizen" not in names
    reformer = next(a for a in fast if a.attendees)
    assert [(p.patient_name, p.status) for p in reformer.attendees] == [
        ("Joanna Citizen", AppointmentStatus.CANCELLED),
        ("Sam Lee", AppointmentStatus.BOOKED),
        ("Ana Lima", AppointmentStatus.NO_SHOW),
    ]
    assert reformer.booked_places == 2
    assert any(a.starts_at == datetime(2031, 4, 5, 15, 30, tzinfo=UTC) for a in fast)


def test_each_day_of_the_varied_week_alike_including_the_dst_day(ctx, clinic) -> None:
    ids, other = varied_week(ctx, clinic)
    for day in range(7):
        start, end = day_bounds(DST_WEEK + timedelta(days=day), ZONE)
        fast = calendar.appointments_in_view(ctx, start, end, ids)
        assert_built_alike(fast, calendar.appointments_between(ctx, start, end, ids))
        everyone = calendar.appointments_in_view(ctx, start, end, [*ids, other.id])
        assert len(everyone) == len(fast) + (day == 2)
    sunday = day_bounds(date(2031, 4, 6), ZONE)
    assert sunday[1] - sunday[0] == timedelta(hours=25)
    shown = calendar.appointments_in_view(ctx, *sunday, ids)
    assert [a.patient_name for a in shown] == ["Ana Lima", "Joanna Citizen"]
