"""A repeating series on desks following a server: it travels, and is judged, as one group."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from desktop.domain.repeats import Frequency, RepeatRule
from desktop.services import calendar, series
from desktop.services.booking import BookingRequest
from desktop.services.series import SeriesRequest
from desktop.store.sync_models import SyncMutationRow
from desktop.sync import conflicts
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import Desk, make_desk
from tests.sync.test_convergence import book, converged

pytestmark = pytest.mark.postgres

WEEK = timedelta(days=7)


def weekly(desk: Desk, c: ClinicFixture, hour: int, count: int) -> series.SeriesBooked:
    first = BookingRequest(
        c.clinic.id, c.alice.id, c.consult.id, c.at(hour), patient_id=c.patients[2].id
    )
    return series.book_series(
        desk.ctx, SeriesRequest(first, RepeatRule(Frequency.WEEKLY, count=count))
    )


def term(desk: Desk, c: ClinicFixture) -> list[object]:
    return calendar.appointments_between(desk.ctx, c.at(0), c.at(0) + WEEK * 6)


def test_a_series_goes_up_as_one_group_and_reaches_the_other_desk(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    c = clinic_on_server
    booked = weekly(front, c, 9, 4)
    with front.database.reading() as session:
        groups = set(session.execute(select(SyncMutationRow.group_id)).scalars())
    assert len(groups) == 1

    front.sync()
    back.sync()

    shown = term(back, c)
    assert {a.id for a in shown} == {a.id for a in booked.appointments}  # type: ignore[attr-defined]
    assert {a.series_id for a in shown} == {booked.appointments[0].series_id}  # type: ignore[attr-defined]
    converged(server, front, back)


def test_a_series_with_one_date_taken_meanwhile_is_refused_as_a_whole(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    c = clinic_on_server
    front_booking = book(front, c, 10)  # the first date's slot, taken on the other desk
    front.sync()
    weekly(back, c, 10, 3)  # back has not pulled yet: its check saw the slot free
    # (on back the first date is free locally; the server has front's booking)

    back.sync()

    refused = conflicts.open_conflicts(back.database)
    assert len(refused) == 3  # every appointment of the series, each with the reason
    assert all("already booked" in x.reason or "refused" in x.reason for x in refused)
    assert [a.id for a in term(back, c)] == [front_booking.appointment.id]
    converged(server, front, back)


def test_a_desk_joining_later_gets_the_series_in_its_first_sync(
    desks, server, clinic_on_server, tmp_path
) -> None:
    front, _ = desks
    c = clinic_on_server
    booked = weekly(front, c, 11, 3)
    front.sync()
    late = make_desk(tmp_path, "late", server)  # its first sync is the bulk snapshot
    try:
        late.sync()
        shown = term(late, c)
        assert {a.series_id for a in shown} == {booked.appointments[0].series_id}  # type: ignore[attr-defined]
        assert len(shown) == 3
        converged(server, front, late)
    finally:
        late.close()
