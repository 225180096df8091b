"""Repeating appointments and classes through the real services, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.domain.errors import ClassFull, InvalidInput, PractitionerInactive
from desktop.domain.repeats import Frequency, RepeatRule, SeriesScope
from desktop.services import booking, calendar, series
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.series import SeriesEdit, SeriesRequest
from tests.helpers.clinic import DAY, ClinicFixture

WEEK = timedelta(days=7)


def weekly(c: ClinicFixture, hour: int = 9, count: int = 4, **kw: object) -> SeriesRequest:
    first = BookingRequest(
        clinic_id=c.clinic.id,
        practitioner_id=kw.pop("practitioner_id", c.bob.id),  # type: ignore[arg-type]
        appointment_type_id=kw.pop("type_id", c.consult.id),  # type: ignore[arg-type]
        patient_id=kw.pop("patient_id", c.patients[2].id),  # type: ignore[arg-type]
        starts_at=kw.pop("starts_at", c.at(hour)),  # type: ignore[arg-type]
        override_availability=bool(kw.pop("override_availability", False)),
    )
    rule = kw.pop("rule", RepeatRule(Frequency.WEEKLY, count=count))
    return SeriesRequest(first, rule, **kw)  # type: ignore[arg-type]


def book_one(ctx: ServiceContext, c: ClinicFixture, day: date, hour: int) -> None:
    booking.book_appointment(
        ctx,
        BookingRequest(
            c.clinic.id, c.bob.id, c.consult.id, c.at(hour, day=day), patient_id=c.patients[0].id
        ),
    )


def test_the_check_lists_every_date_that_cannot_be_booked_with_its_reason(ctx, clinic) -> None:
    book_one(ctx, clinic, DAY + WEEK, 9)  # week 2 is taken
    plan = series.check_series(ctx, weekly(clinic, hour=18, count=4))  # 18:00-18:30: in hours
    assert [o.will_book for o in plan] == [True, True, True, True]
    plan = series.check_series(ctx, weekly(clinic, hour=9, count=4))
    assert [o.number for o in plan] == [1, 2, 3, 4]
    assert [o.day for o in plan] == [DAY + WEEK * i for i in range(4)]
    assert [bool(o.problem) for o in plan] == [False, True, False, False]
    assert "Bob Pilates is already booked from 09:00 to 09:30" in plan[1].problem
    late = series.check_series(ctx, weekly(clinic, hour=18, count=2, starts_at=clinic.at(18, 45)))
    assert "not working from 18:45 to 19:15" in late[0].problem
    assert calendar.appointments_between(ctx, clinic.at(0), clinic.at(0) + WEEK * 5) != []


def test_booking_skips_what_the_user_skipped_and_books_the_rest_as_one_series(ctx, clinic) -> None:
    book_one(ctx, clinic, DAY + WEEK, 9)
    booked = series.book_series(ctx, weekly(clinic, count=4, skipped=frozenset({2})))
    assert [a.starts_at for a in booked.appointments] == [
        clinic.at(9, day=DAY + WEEK * i) for i in (0, 2, 3)
    ]
    series_ids = {a.series_id for a in booked.appointments}
    assert len(series_ids) == 1
    assert None not in series_ids
    assert booked.changes.appointments
    assert booked.changes.ids == {a.id for a in booked.appointments}
    assert all(a.patient_name == "Jo Citizen" for a in booked.appointments)


def test_a_date_taken_since_the_check_books_nothing(ctx, clinic) -> None:
    request = weekly(clinic, count=3)
    assert all(o.will_book for o in series.check_series(ctx, request))
    book_one(ctx, clinic, DAY + WEEK * 2, 9)  # another desk, meanwhile
    with pytest.raises(InvalidInput, match=r"Mon 17 Mar 2031 can no longer be booked"):
        series.book_series(ctx, request)
    shown = calendar.appointments_between(ctx, clinic.at(0), clinic.at(0) + WEEK * 4)
    assert len(shown) == 1  # only the other desk's


def test_a_moved_date_is_checked_again_and_booked_where_it_was_moved(ctx, clinic) -> None:
    book_one(ctx, clinic, DAY + WEEK, 9)
    clash = series.check_series(
        ctx, weekly(clinic, count=3, moved={2: clinic.at(9, 15, day=DAY + WEEK)})
    )
    assert clash[1].moved
    assert "already booked" in clash[1].problem
    own = series.check_series(
        ctx, weekly(clinic, count=3, moved={2: clinic.at(9, 10, day=DAY + WEEK * 2)})
    )
    assert own[1].problem == ""  # the moved date 2 is checked first, so date 3 clashes
    assert own[2].problem.endswith("on Mon 17 Mar (date 2 of this series).")
    moved_to = clinic.at(11, day=DAY + WEEK + timedelta(days=1))  # Tuesday 11:00 instead
    booked = series.book_series(ctx, weekly(clinic, count=3, moved={2: moved_to}))
    assert [a.starts_at for a in booked.appointments] == [
        clinic.at(9),
        moved_to,
        clinic.at(9, day=DAY + WEEK * 2),
    ]
    assert booked.appointments[1].ends_at - moved_to == timedelta(minutes=30)


def test_an_inactive_practitioner_is_the_reason_on_every_date_and_never_booked(ctx, clinic) -> None:
    request = weekly(clinic, count=3, practitioner_id=clinic.retired.id)
    plan = series.check_series(ctx, request)
    assert all("Rita Retired" in o.problem for o in plan)
    with pytest.raises(PractitionerInactive, match="Rita Retired"):
        series.book_series(
            ctx, weekly(clinic, count=3, practitioner_id=clinic.retired.id, skipped=frozenset())
        )


def test_a_time_the_clocks_skip_is_listed_and_the_rest_book(ctx, clinic) -> None:
    # Sydney's clocks go forward at 2:00 on Sunday 5 Oct 2031.
    first = clinic.at(2, 30, day=date(2031, 10, 4))
    request = weekly(
        clinic,
        starts_at=first,
        override_availability=True,
        rule=RepeatRule(Frequency.DAILY, count=3),
    )
    plan = series.check_series(ctx, request)
    assert [o.will_book for o in plan] == [True, False, True]
    assert "clocks go forward" in plan[1].problem
    booked = series.book_series(
        ctx,
        weekly(
            clinic,
            starts_at=first,
            override_availability=True,
            rule=RepeatRule(Frequency.DAILY, count=3),
            skipped=frozenset({2}),
        ),
    )
    assert len(booked.appointments) == 2


def test_dates_past_2099_are_listed_as_outside_the_window(ctx, clinic) -> None:
    request = weekly(
        clinic,
        starts_at=clinic.at(9, day=date(2099, 12, 21)),
        override_availability=True,
        rule=RepeatRule(Frequency.WEEKLY, count=3),
    )
    plan = series.check_series(ctx, request)
    assert [o.will_book for o in plan] == [True, True, False]
    assert "between 1990 and 2099" in plan[2].problem


def test_a_term_of_weekly_classes_books_each_class_with_its_attendees(ctx, clinic) -> None:
    sam, jo, ana = clinic.patients[0], clinic.patients[2], clinic.patients[3]
    request = weekly(
        clinic,
        hour=17,
        count=8,
        type_id=clinic.pilates.id,
        patient_id=sam.id,
        attendees=(jo.id, ana.id),
    )
    booked = series.book_series(ctx, request)
    assert len(booked.appointments) == 8
    for place in booked.appointments:
        assert place.capacity == 3
        assert {a.patient_id for a in place.attendees} == {sam.id, jo.id, ana.id}
        assert all(a.status is AppointmentStatus.BOOKED for a in place.attendees)
    too_many = weekly(
        clinic,
        hour=8,
        count=2,
        type_id=clinic.pilates.id,
        patient_id=sam.id,
        attendees=(jo.id, ana.id, clinic.patients[1].id),
    )
    with pytest.raises(ClassFull):
        series.check_series(ctx, too_many)


def test_an_empty_class_term_books_without_a_patient(ctx, clinic) -> None:
    request = weekly(clinic, hour=17, count=2, type_id=clinic.pilates.id, patient_id=None)
    booked = series.book_series(ctx, request)
    assert [a.booked_places for a in booked.appointments] == [0, 0]


def test_skipping_everything_books_nothing(ctx, clinic) -> None:
    with pytest.raises(InvalidInput, match="nothing to book"):
        series.book_series(ctx, weekly(clinic, count=2, skipped=frozenset({1, 2})))


def test_the_first_time_of_day_is_kept_in_local_time(ctx, clinic) -> None:
    # Across the end of daylight saving (Sunday 6 Apr 2031) 9:00 stays 9:00 in Sydney.
    booked = series.book_series(
        ctx, weekly(clinic, starts_at=clinic.at(9, day=date(2031, 3, 31)), count=2)
    )
    from desktop.domain.clinic_time import to_local
    from tests.helpers.clinic import ZONE

    assert [to_local(a.starts_at, ZONE).time() for a in booked.appointments] == [time(9)] * 2


# --- this one / this and the following / all ------------------------------------------

NOW = DAY + WEEK  # "now" is the second Monday, 00:00 in Sydney


def _term(ctx: ServiceContext, c: ClinicFixture, count: int = 5) -> list:  # type: ignore[type-arg]
    return list(series.book_series(ctx, weekly(c, hour=9, count=count)).appointments)


def _now(c: ClinicFixture):  # type: ignore[no-untyped-def]
    return c.at(0, day=NOW)


def test_cancelling_this_and_the_following_leaves_the_earlier_ones(ctx, clinic) -> None:
    term = _term(ctx, clinic)
    done = series.cancel_in_series(
        ctx, term[2].id, SeriesScope.FOLLOWING, CancellationReason.AWAY, now=_now(clinic)
    )
    assert [a.id for a in done.appointments] == [a.id for a in term[2:]]
    assert all(a.status is AppointmentStatus.CANCELLED for a in done.appointments)
    assert done.changes.ids >= {a.id for a in term[2:]}
    shown = {
        a.id: a.status
        for a in calendar.appointments_between(ctx, clinic.at(0), clinic.at(0) + WEEK * 6)
    }
    assert [shown[a.id] for a in term[:2]] == [AppointmentStatus.BOOKED] * 2


def test_all_never_touches_what_has_begun_and_says_how_many_it_left(ctx, clinic) -> None:
    term = _term(ctx, clinic)
    preview = series.scope_members(ctx, term[3].id, SeriesScope.ALL, now=_now(clinic))
    assert [a.id for a in preview.appointments] == [a.id for a in term[1:]]
    assert preview.past_left == 1
    done = series.cancel_in_series(
        ctx, term[3].id, SeriesScope.ALL, CancellationReason.SICK, now=_now(clinic)
    )
    assert done.past_left == 1
    assert {a.id for a in done.appointments} == {a.id for a in term[1:]}
    first = calendar.appointments_between(ctx, clinic.at(0), clinic.at(23))
    assert [a.status for a in first] == [AppointmentStatus.BOOKED]


def test_from_today_follows_the_contexts_clock(ctx, clinic) -> None:
    """Without an explicit `now`, the scope starts at the context's today, not the machine's."""
    term = _term(ctx, clinic, 3)
    second_monday = replace(ctx, clock=lambda: _now(clinic))
    done = series.change_in_series(
        second_monday, term[2].id, SeriesScope.ALL, SeriesEdit(notes="from today")
    )
    assert {a.id for a in done.appointments} == {a.id for a in term[1:]}
    assert done.past_left == 1


def test_this_one_changes_only_this_one(ctx, clinic) -> None:
    term = _term(ctx, clinic, 3)
    done = series.change_in_series(
        ctx, term[1].id, SeriesScope.THIS, SeriesEdit(notes="bring shoes"), now=_now(clinic)
    )
    assert [a.id for a in done.appointments] == [term[1].id]
    notes = [
        a.notes for a in calendar.appointments_between(ctx, clinic.at(0), clinic.at(0) + WEEK * 3)
    ]
    assert notes == ["", "bring shoes", ""]


def test_a_time_shift_and_a_new_practitioner_apply_to_the_following(ctx, clinic) -> None:
    term = _term(ctx, clinic, 4)
    edit = SeriesEdit(shift=timedelta(hours=2), practitioner_id=clinic.alice.id, notes="moved")
    done = series.change_in_series(ctx, term[1].id, SeriesScope.FOLLOWING, edit, now=_now(clinic))
    assert [a.starts_at for a in done.appointments] == [
        clinic.at(11, day=DAY + WEEK * i) for i in (1, 2, 3)
    ]
    assert {a.practitioner_id for a in done.appointments} == {clinic.alice.id}
    assert {a.notes for a in done.appointments} == {"moved"}
    assert [a.ends_at - a.starts_at for a in done.appointments] == [timedelta(minutes=30)] * 3


def test_one_refused_date_changes_nothing_and_is_named(ctx, clinic) -> None:
    term = _term(ctx, clinic, 3)
    booking.book_appointment(
        ctx,
        BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(9, day=DAY + WEEK * 2),
            patient_id=clinic.patients[0].id,
        ),
    )
    edit = SeriesEdit(practitioner_id=clinic.alice.id)
    with pytest.raises(
        InvalidInput, match=r"Mon 17 Mar 2031: Alice Physio is already booked.*Nothing was changed"
    ):
        series.change_in_series(ctx, term[0].id, SeriesScope.ALL, edit, now=clinic.at(0))
    shown = calendar.appointments_between(ctx, clinic.at(0), clinic.at(0) + WEEK * 3)
    assert sum(a.practitioner_id == clinic.bob.id for a in shown) == 3
    with pytest.raises(InvalidInput, match="Rita Retired"):
        series.change_in_series(
            ctx,
            term[0].id,
            SeriesScope.ALL,
            SeriesEdit(practitioner_id=clinic.retired.id),
            now=clinic.at(0),
        )


def test_undoing_a_scoped_cancel_restores_them_all_in_one_step(ctx, clinic) -> None:
    term = _term(ctx, clinic, 3)
    done = series.cancel_in_series(
        ctx, term[0].id, SeriesScope.ALL, CancellationReason.AWAY, now=clinic.at(0)
    )
    back = series.restore_cancelled(
        ctx, [(a.id, AppointmentStatus.BOOKED) for a in done.appointments]
    )
    assert [a.status for a in back.appointments] == [AppointmentStatus.BOOKED] * 3
    series.cancel_in_series(
        ctx, term[0].id, SeriesScope.ALL, CancellationReason.AWAY, now=clinic.at(0)
    )
    booking.book_appointment(  # the third slot is taken meanwhile
        ctx,
        BookingRequest(
            clinic.clinic.id,
            clinic.bob.id,
            clinic.consult.id,
            clinic.at(9, day=DAY + WEEK * 2),
            patient_id=clinic.patients[0].id,
        ),
    )
    with pytest.raises(InvalidInput, match="Mon 17 Mar 2031"):
        series.restore_cancelled(ctx, [(a.id, AppointmentStatus.BOOKED) for a in term])
    shown = calendar.appointments_between(ctx, clinic.at(0), clinic.at(0) + WEEK * 3)
    assert sum(a.status is AppointmentStatus.CANCELLED for a in shown) == 3


def test_putting_a_scoped_change_back_restores_each_as_it_was(ctx, clinic) -> None:
    term = _term(ctx, clinic, 3)
    edit = SeriesEdit(shift=timedelta(minutes=30), practitioner_id=clinic.alice.id, notes="x")
    done = series.change_in_series(ctx, term[0].id, SeriesScope.ALL, edit, now=clinic.at(0))
    assert [a.id for a in done.previous] == [a.id for a in term]
    series.put_back(ctx, done.previous)
    back = calendar.appointments_between(ctx, clinic.at(0), clinic.at(0) + WEEK * 3)
    assert [(a.practitioner_id, a.starts_at, a.notes) for a in back] == [
        (clinic.bob.id, a.starts_at, "") for a in term
    ]
    again = series.change_ids(ctx, [a.id for a in term], edit)
    assert {a.practitioner_id for a in again.appointments} == {clinic.alice.id}


def test_a_patient_joins_the_rest_of_a_term_and_a_full_class_refuses_the_lot(ctx, clinic) -> None:
    sam, jo, ana, other = clinic.patients
    classes = series.book_series(
        ctx, weekly(clinic, hour=17, count=4, type_id=clinic.pilates.id, patient_id=sam.id)
    ).appointments
    joined = series.add_attendee_in_series(
        ctx, classes[1].id, jo.id, SeriesScope.FOLLOWING, now=clinic.at(0)
    )
    assert [c.id for c in joined.appointments] == [c.id for c in classes[1:]]
    places = [calendar.appointment(ctx, c.id).booked_places for c in classes]
    assert places == [1, 2, 2, 2]
    # Already in classes 2-4: "all" adds only the first.
    again = series.add_attendee_in_series(
        ctx, classes[0].id, jo.id, SeriesScope.ALL, now=clinic.at(0)
    )
    assert [c.id for c in again.appointments] == [classes[0].id]
    booking.add_attendee(ctx, classes[3].id, ana.id)  # the last class is now full
    with pytest.raises(
        InvalidInput, match=r"Mon 24 Mar 2031: Reformer is full.*Nothing was changed"
    ):
        series.add_attendee_in_series(
            ctx, classes[0].id, other.id, SeriesScope.ALL, now=clinic.at(0)
        )
    assert [calendar.appointment(ctx, c.id).booked_places for c in classes] == [2, 2, 2, 3]


def test_each_knows_its_place_in_the_series_and_the_next_date(ctx, clinic) -> None:
    term = series.book_series(ctx, weekly(clinic, count=4)).appointments
    places = [series.place_in_series(ctx, a) for a in term]
    assert None not in places
    assert [(p.number, p.count) for p in places if p] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [p.next_starts_at for p in places if p] == [
        clinic.at(9, day=DAY + WEEK * i) for i in (1, 2, 3)
    ] + [None]
    second = term[1]
    booking.cancel_appointment(ctx, second.id, CancellationReason.OTHER, "away", second.version)
    first = series.place_in_series(ctx, term[0])
    assert first is not None and (first.number, first.count) == (1, 3)
    assert first.next_starts_at == clinic.at(9, day=DAY + WEEK * 2)
    itself = series.place_in_series(ctx, calendar.appointment(ctx, second.id))
    assert itself is not None and (itself.number, itself.count) == (2, 4)  # still shows its place
    alone = BookingRequest(
        clinic.clinic.id,
        clinic.bob.id,
        clinic.consult.id,
        clinic.at(15),
        patient_id=clinic.patients[0].id,
    )
    single = booking.book_appointment(ctx, alone).appointment
    assert series.place_in_series(ctx, single) is None
