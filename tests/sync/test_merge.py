"""Offline edits of different fields both survive; a true clash can be re-applied."""

from __future__ import annotations

import pytest

from desktop.services import patients
from desktop.services.patients import PatientDetails
from desktop.sync import conflicts
from desktop.sync.reapply import reapply
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import Desk, ServerSide
from tests.sync.test_convergence import converged

pytestmark = pytest.mark.postgres


def edit(desk: Desk, c: ClinicFixture, **changes: str) -> None:
    jo = c.patients[2]  # not the first patient in the list
    current = patients.get_patient(desk.ctx, jo.id)
    details = PatientDetails(
        current.first_name,
        current.last_name,
        current.date_of_birth,
        phone=changes.get("phone", current.phone),
        email=changes.get("email", current.email),
        address=current.address,
        health_fund=current.health_fund,
        health_fund_number=current.health_fund_number,
        notes=changes.get("notes", current.notes),
    )
    patients.update_patient(desk.ctx, jo.id, details, current.version)


def test_edits_to_different_fields_both_survive(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    edit(front, c, phone="0400 111 222")
    phone = patients.get_patient(front.ctx, c.patients[2].id).phone
    edit(back, c, notes="Prefers mornings; left knee.")  # typed offline meanwhile
    front.sync()
    back.sync()
    front.sync()
    assert not conflicts.open_conflicts(back.database)
    for desk in (front, back):
        jo = patients.get_patient(desk.ctx, c.patients[2].id)
        assert (jo.phone, jo.notes) == (phone, "Prefers mornings; left knee.")
    converged(server, front, back)


def test_a_true_clash_shows_both_versions_and_mine_can_be_reapplied(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    edit(front, c, email="jo@front.example")
    edit(back, c, email="jo@back.example", notes="Typed at the back desk")
    front.sync()
    back.sync()
    [conflict] = conflicts.open_conflicts(back.database)
    assert conflict.code == "stale_edit" and conflict.can_reapply
    assert {f: (mine, now) for f, mine, now in conflict.versions} == {
        "email": ("jo@back.example", "jo@front.example"),
        "notes": ("Typed at the back desk", ""),
    }
    reapply(back.database, conflict.id)
    assert not conflicts.open_conflicts(back.database)
    back.sync()
    front.sync()
    jo = patients.get_patient(front.ctx, c.patients[2].id)
    assert (jo.email, jo.notes) == ("jo@back.example", "Typed at the back desk")
    converged(server, front, back)
