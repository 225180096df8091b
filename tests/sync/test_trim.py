"""The change log's tombstones are trimmed once every desk has them, or after an age."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from desktop.server.trim import MAX_AGE, trim
from desktop.services import booking
from desktop.store.sync_models import SyncChangeRow
from desktop.store.types import utc_now
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import Desk, ServerSide
from tests.sync.test_convergence import book, converged, day

pytestmark = pytest.mark.postgres


def tombstones(server: ServerSide) -> int:
    with server.database.reading() as session:
        return int(
            session.execute(
                select(func.count()).select_from(SyncChangeRow).where(SyncChangeRow.deleted)
            ).scalar_one()
        )


def test_a_tombstone_goes_once_every_desk_has_pulled_past_it(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    doomed = book(front, clinic_on_server, 15)
    front.sync()
    booking.delete_appointment(front.ctx, doomed.appointment.id)
    front.sync()
    back.sync()  # downloads the deletion, but has not yet said it holds it
    assert trim(server.database, utc_now()).tombstones == 0
    assert tombstones(server) == 1
    front.sync()
    back.sync()  # each pull starts after the deletion: both desks hold it
    report = trim(server.database, utc_now())
    assert (report.tombstones, tombstones(server)) == (1, 0)
    back.sync()  # a desk that has everything carries on as usual
    converged(server, front, back)


def test_a_desk_that_missed_trimmed_deletions_downloads_the_clinic_again(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    doomed = book(front, c, 15)
    front.sync()
    back.sync()
    assert [a.id for a in day(back, c)] == [doomed.appointment.id]
    booking.delete_appointment(front.ctx, doomed.appointment.id)
    front.sync()
    # The back desk stays switched off past the age limit: the tombstone goes anyway.
    report = trim(server.database, utc_now() + MAX_AGE + timedelta(days=1))
    assert report.tombstones == 1 and tombstones(server) == 0
    kept = book(back, c, 16)  # made while it was off: still waiting to upload
    back.transport.requests.clear()
    back.sync()  # told to re-download: the deleted appointment goes, its own stays
    assert [a.id for a in day(back, c)] == [kept.appointment.id]
    assert "GET /v1/sync/snapshot" in back.transport.requests  # the same bulk path
    front.sync()
    converged(server, front, back)
