"""A no-show holds no time in the store's double-booking guards (revision 0012_noshow),
as a cancellation: the rest of its time can be booked, and setting it back is refused
once another booking has the time."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from desktop.domain.appointments import AppointmentStatus
from desktop.domain.errors import DoubleBooking
from desktop.store import migrate
from desktop.store.database import Database
from desktop.store.models import AppointmentRow
from desktop.store.unit_of_work import UnitOfWork
from tests.helpers.clinic import ClinicFixture
from tests.store.test_guards import insert_directly, raw_row


def no_show_at_nine(database: Database, clinic: ClinicFixture) -> AppointmentRow:
    row = raw_row(clinic, clinic.alice.id, 9)
    row.status = AppointmentStatus.NO_SHOW.value
    insert_directly(database, row)
    return row


def set_status(database: Database, row: AppointmentRow, status: AppointmentStatus) -> None:
    with UnitOfWork(database) as uow:
        stored = uow.session.get(AppointmentRow, row.id)
        assert stored is not None
        stored.status = status.value
        uow.commit()


def test_a_booking_may_take_a_no_shows_time(database, clinic) -> None:
    no_show_at_nine(database, clinic)
    insert_directly(database, raw_row(clinic, clinic.alice.id, 9, 10))  # no refusal
    with pytest.raises(DoubleBooking):  # live bookings still guard their time
        insert_directly(database, raw_row(clinic, clinic.alice.id, 9, 20))


def test_setting_a_no_show_back_is_refused_once_its_time_is_taken(database, clinic) -> None:
    no_show = no_show_at_nine(database, clinic)
    insert_directly(database, raw_row(clinic, clinic.alice.id, 9, 15))
    for status in (AppointmentStatus.ARRIVED, AppointmentStatus.BOOKED):
        with pytest.raises(DoubleBooking):
            set_status(database, no_show, status)


def test_setting_a_no_show_back_into_free_time_is_allowed(database, clinic) -> None:
    no_show = no_show_at_nine(database, clinic)
    insert_directly(database, raw_row(clinic, clinic.alice.id, 9, 30))  # back to back
    set_status(database, no_show, AppointmentStatus.ARRIVED)


def test_downgrade_restores_the_guard_that_counts_a_no_show(database, clinic) -> None:
    no_show_at_nine(database, clinic)
    config = migrate.alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012_smsdesk")  # the revision 0012_noshow follows
        revision = connection.execute(text("SELECT version_num FROM alembic_version"))
        assert revision.scalar_one() == "0012_smsdesk"
    with pytest.raises(DoubleBooking):  # the no-show holds its time again
        insert_directly(database, raw_row(clinic, clinic.alice.id, 9, 10))
    migrate.upgrade(database)
    insert_directly(database, raw_row(clinic, clinic.alice.id, 9, 10))
