"""Setting a clinic up and changing it: clinic, practitioners, types, packages, sign-in."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from desktop.auth import SessionPolicy
from desktop.domain.appointments import AppointmentKind
from desktop.domain.errors import InvalidInput, PermissionDenied, StaleEdit
from desktop.domain.hours import TimeWindow, WeeklyHours, windows_from_text, windows_text
from desktop.domain.money import Money
from desktop.services import calendar, credit, practitioners, setup
from desktop.services.practitioners import PractitionerDetails
from tests.auth.people import DESK_PASSWORD, make_people

HOURS = WeeklyHours.same_every_day(range(5), time(8), time(17))


def test_hours_as_typed_with_a_break() -> None:
    windows = windows_from_text("13:30-17:00, 8-12:30")
    assert windows == (TimeWindow(time(8), time(12, 30)), TimeWindow(time(13, 30), time(17)))
    assert windows_text(windows) == "08:00-12:30, 13:30-17:00"
    assert windows_from_text("  ") == ()
    with pytest.raises(InvalidInput, match="09:00 is not after 17:00"):
        windows_from_text("17:00-09:00")
    with pytest.raises(InvalidInput, match="overlaps"):
        windows_from_text("08:00-12:00, 11:00-13:00")
    with pytest.raises(InvalidInput, match="not a time"):
        windows_from_text("8am-5pm")


def test_an_empty_database_lacks_everything_until_set_up(ctx) -> None:
    assert setup.missing_setup(ctx) == ["clinic", "practitioners", "types"]
    setup.create_clinic(ctx, "New Clinic", "Australia/Perth", HOURS)
    practitioners.create_practitioner(ctx, PractitionerDetails("Pat"))
    assert setup.missing_setup(ctx) == ["types"]


def test_clinic_details_are_edited_all_or_nothing(ctx) -> None:
    clinic, _ = setup.create_clinic(ctx, "New Clinic", "Australia/Perth", HOURS)
    with pytest.raises(InvalidInput, match="not a time zone"):
        setup.update_clinic(ctx, clinic.id, "Renamed", "Mars/Base", HOURS, "08 1234")
    assert calendar.main_clinic(ctx).name == "New Clinic"
    setup.update_clinic(ctx, clinic.id, "Renamed", "Australia/Sydney", WeeklyHours(), "08 1234")
    saved = calendar.main_clinic(ctx)
    assert (saved.name, saved.timezone, saved.phone) == ("Renamed", "Australia/Sydney", "08 1234")
    assert saved.opening_hours == WeeklyHours()


def test_editing_a_practitioner_keeps_others_and_replaces_provider_numbers(ctx) -> None:
    clinic, _ = setup.create_clinic(ctx, "New Clinic", "Australia/Perth", HOURS)
    first, _ = practitioners.create_practitioner(
        ctx, PractitionerDetails("Ann", "Physio", provider_numbers={clinic.id: "111A"})
    )
    second, _ = practitioners.create_practitioner(
        ctx, PractitionerDetails("Ben", "Physio", provider_numbers={clinic.id: "222B"})
    )
    practitioners.update_practitioner(
        ctx,
        second.id,
        PractitionerDetails(
            "Ben Smith", "Osteo", "#123456", HOURS, {clinic.id: "333C"}, display_order=0
        ),
    )
    by_id = {p.id: p for p in calendar.practitioners(ctx)}
    assert by_id[first.id] == first
    edited = by_id[second.id]
    assert (edited.name, edited.profession, edited.colour) == ("Ben Smith", "Osteo", "#123456")
    assert edited.provider_numbers == {clinic.id: "333C"}
    assert edited.availability == HOURS
    assert [p.name for p in calendar.practitioners(ctx)] == ["Ann", "Ben Smith"]  # 0, then name
    practitioners.update_practitioner(ctx, second.id, PractitionerDetails("Ben Smith"))
    assert calendar.practitioners(ctx)[1].provider_numbers == {}
    with pytest.raises(InvalidInput, match="needs a name"):
        practitioners.update_practitioner(ctx, first.id, PractitionerDetails(" "))


def test_appointment_types_are_edited_and_retired(ctx) -> None:
    details = setup.AppointmentTypeDetails("Class", AppointmentKind.CLASS, 55, Money(4500))
    kind, _ = setup.create_appointment_type(ctx, details)
    other, _ = setup.create_appointment_type(
        ctx, setup.AppointmentTypeDetails("Consult", AppointmentKind.INDIVIDUAL, 30, Money(9000))
    )
    with pytest.raises(InvalidInput, match="already an appointment type called “Consult”"):
        setup.update_appointment_type(
            ctx,
            kind.id,
            setup.AppointmentTypeDetails("Consult", AppointmentKind.CLASS, 5, Money(1)),
        )
    with pytest.raises(InvalidInput, match="cannot become a class"):
        setup.update_appointment_type(
            ctx,
            other.id,
            setup.AppointmentTypeDetails("Consult", AppointmentKind.CLASS, 30, Money(1)),
        )
    edited, _ = setup.update_appointment_type(
        ctx,
        kind.id,
        setup.AppointmentTypeDetails(
            "Mat class", AppointmentKind.CLASS, 45, Money(3000), "#abcdef", "560", 12
        ),
    )
    assert (edited.name, edited.capacity, edited.price, edited.item_code) == (
        "Mat class",
        12,
        Money(3000),
        "560",
    )
    setup.set_appointment_type_active(ctx, other.id, False)
    assert [t.name for t in calendar.appointment_types(ctx)] == ["Mat class"]
    setup.set_appointment_type_active(ctx, other.id, True)
    assert len(calendar.appointment_types(ctx)) == 2


def test_packages_are_edited_and_retired(ctx) -> None:
    first, _ = credit.create_package(ctx, credit.PackageDetails("Five", Money(40000), sessions=5))
    second, _ = credit.create_package(ctx, credit.PackageDetails("Ten", Money(75000), sessions=10))
    with pytest.raises(InvalidInput, match="already a package called “Five”"):
        credit.update_package(ctx, second.id, credit.PackageDetails("Five", Money(1)))
    edited, _ = credit.update_package(
        ctx, second.id, credit.PackageDetails("$500 credit", Money(50000), valid_days=365)
    )
    assert (edited.sessions, edited.valid_days, edited.active) == (None, 365, True)
    credit.set_package_active(ctx, second.id, False)
    assert credit.packages(ctx) == [first]


def test_only_an_administrator_sets_the_clinic_up(ctx) -> None:
    people = make_people(ctx)
    desk = people.context(people.signed_in("desk", DESK_PASSWORD))
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        setup.create_clinic(desk, "Mine", "Australia/Perth", HOURS)
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        practitioners.create_practitioner(desk, PractitionerDetails("Me"))
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        people.accounts.set_policy(desk, SessionPolicy(idle_timeout=timedelta(minutes=5)))
    changes = people.accounts.set_policy(ctx, SessionPolicy(idle_timeout=timedelta(minutes=5)))
    assert changes.sign_in_policy
    assert people.accounts.policy().idle_timeout == timedelta(minutes=5)


def test_an_edit_over_someone_elses_change_is_refused(ctx) -> None:
    shown, _ = practitioners.create_practitioner(ctx, PractitionerDetails("Ann", "Physio"))
    practitioners.update_practitioner(ctx, shown.id, PractitionerDetails("Ann", "Osteo"))
    with pytest.raises(StaleEdit, match="changed by someone else"):
        practitioners.update_practitioner(
            ctx, shown.id, PractitionerDetails("Ann B", "Physio"), shown.version
        )
    assert calendar.practitioners(ctx)[0].profession == "Osteo"
