"""Local writes on a replica become mutations in the same transaction (no server needed)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from desktop.domain.errors import DoubleBooking
from desktop.services import booking, patients, practitioners
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.patients import PatientDetails
from desktop.services.practitioners import FutureBookings
from desktop.store import migrate
from desktop.store.database import Database
from desktop.store.models import PatientRow
from desktop.store.replica_binding import follows_a_server
from desktop.store.sync_models import SyncMutationRow
from desktop.sync.capture import CaptureBypassed, disable_capture
from desktop.sync.pending import PendingMutation, next_batch, to_pending
from desktop.sync.state import attach_if_bound, bind_replica
from tests.helpers.clinic import ClinicFixture, make_clinic


@pytest.fixture
def replica(sqlite_url: str):  # type: ignore[no-untyped-def]
    database = Database(sqlite_url)
    migrate.upgrade(database)
    bind_replica(database, "http://127.0.0.1:9")
    yield database
    disable_capture(database)
    database.dispose()


def mutations(database: Database) -> list[PendingMutation]:
    with database.reading() as session:
        rows = session.execute(select(SyncMutationRow).order_by(SyncMutationRow.position))
        return [to_pending(row) for row in rows.scalars()]


def test_every_service_write_is_captured_with_its_group_and_base_version(replica) -> None:
    ctx = ServiceContext.for_system(replica)
    c: ClinicFixture = make_clinic(ctx)
    before = len(mutations(replica))
    booked = booking.book_appointment(
        ctx, BookingRequest(c.clinic.id, c.alice.id, c.pilates.id, c.at(9), c.patients[0].id)
    )
    made = mutations(replica)[before:]
    assert [(m.entity, m.operation) for m in made] == [
        ("appointments", "insert"),
        ("attendances", "insert"),
    ]
    assert len({m.group_id for m in made}) == 1  # one transaction, one group
    assert made[0].fields["practitioner_id"] == str(c.alice.id)
    assert "version" not in made[0].fields

    booking.move_appointment(
        ctx,
        booked.appointment.id,
        practitioner_id=c.bob.id,
        starts_at=c.at(10),
        ends_at=c.at(11),
    )
    moved = mutations(replica)[-1]
    assert moved.operation == "update"
    assert moved.base_version == 1
    assert set(moved.fields) == {"practitioner_id", "starts_at", "ends_at"}


def test_a_refused_write_leaves_no_mutation(replica) -> None:
    ctx = ServiceContext.for_system(replica)
    c = make_clinic(ctx)
    request = BookingRequest(c.clinic.id, c.alice.id, c.consult.id, c.at(9), c.patients[0].id)
    booking.book_appointment(ctx, request)
    count = len(mutations(replica))
    with pytest.raises(DoubleBooking):
        booking.book_appointment(ctx, request)
    assert len(mutations(replica)) == count


def test_a_deactivation_and_its_cancellations_travel_as_one_group(replica) -> None:
    ctx = ServiceContext.for_system(replica)
    c = make_clinic(ctx)
    for hour in (9, 10):
        booking.book_appointment(
            ctx, BookingRequest(c.clinic.id, c.bob.id, c.consult.id, c.at(hour), c.patients[0].id)
        )
    practitioners.deactivate_practitioner(ctx, c.bob.id, FutureBookings.CANCEL)
    last = mutations(replica)[-3:]
    assert len({m.group_id for m in last}) == 1
    assert sorted(m.entity for m in last) == ["appointments", "appointments", "practitioners"]


def test_batches_never_split_a_group(replica) -> None:
    ctx = ServiceContext.for_system(replica)
    c = make_clinic(ctx)
    booking.book_appointment(
        ctx, BookingRequest(c.clinic.id, c.alice.id, c.pilates.id, c.at(9), c.patients[0].id)
    )
    everything = mutations(replica)
    batch = next_batch(replica, len(everything) - 1)  # the last group has two mutations
    assert [m.mutation_id for m in batch] == [m.mutation_id for m in everything[:-2]]
    assert len(next_batch(replica, 1)) == 1
    assert next_batch(replica, 1000)[-1].entity == "attendances"


def test_bulk_statements_on_synced_tables_are_refused_on_a_replica(replica) -> None:
    ctx = ServiceContext.for_system(replica)
    patients.create_patient(ctx, PatientDetails("Ana", "Lima"))
    session = replica.write_session()
    with pytest.raises(CaptureBypassed):
        session.execute(update(PatientRow).values(notes="bulk"))
    session.close()


def test_a_bound_database_keeps_capturing_after_a_restart(sqlite_url: str) -> None:
    first = Database(sqlite_url)
    migrate.upgrade(first)
    bind_replica(first, "http://127.0.0.1:9")
    disable_capture(first)
    first.dispose()

    again = Database(sqlite_url)
    assert attach_if_bound(again) is not None
    patients.create_patient(ServiceContext.for_system(again), PatientDetails("Ana", "Lima"))
    assert [m.entity for m in mutations(again)] == ["patients"]
    disable_capture(again)
    again.dispose()


def test_start_up_knows_which_databases_follow_a_server(sqlite_url: str) -> None:
    """The cheap check at start (no sync layer) agrees with the binding."""
    database = Database(sqlite_url)
    assert not follows_a_server(database)  # not even migrated: no sync table yet
    migrate.upgrade(database)
    assert not follows_a_server(database)
    bind_replica(database, "http://127.0.0.1:9")
    assert follows_a_server(database)
    disable_capture(database)
    database.dispose()


def test_a_database_with_its_own_clinic_cannot_become_a_replica(sqlite_url: str) -> None:
    from desktop.domain.errors import InvalidInput

    database = Database(sqlite_url)
    migrate.upgrade(database)
    make_clinic(ServiceContext.for_system(database))
    with pytest.raises(InvalidInput, match="already holds a clinic"):
        bind_replica(database, "http://127.0.0.1:9")
    database.dispose()
