from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from desktop.domain.errors import InvalidInput, StaleEdit
from desktop.services import patients
from desktop.services.patients import PatientDetails
from desktop.store.models import PatientRow
from desktop.store.unit_of_work import UnitOfWork


def names(found) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.display_name for p in found]


def test_patients_get_unique_numbers_so_namesakes_are_distinguishable(ctx, clinic) -> None:
    sams = [p for p in clinic.patients if p.full_name == "Sam Lee"]
    assert len({p.display_name for p in sams}) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sam", ["Sam Lee (#1)", "Sam Lee (#2)"]),
        ("sam le", ["Sam Lee (#1)", "Sam Lee (#2)"]),
        ("lee sam", ["Sam Lee (#1)", "Sam Lee (#2)"]),
        ("cit", ["Jo Citizen (#3)"]),
        ("0412 345", ["Sam Lee (#1)"]),
        ("0412345678", ["Sam Lee (#1)"]),
        ("15/01/1982", ["Jo Citizen (#3)"]),
        ("1982-01-15", ["Jo Citizen (#3)"]),
        ("#4", ["Ana Lima (#4)"]),
        ("nobody", []),
        ("   ", []),
    ],
)
def test_type_ahead_search(ctx, clinic, query: str, expected: list[str]) -> None:
    assert names(patients.search_patients(ctx, query)) == expected


def test_invalid_details_are_refused_with_a_reason(ctx, clinic) -> None:
    with pytest.raises(InvalidInput, match="first and a last name"):
        patients.create_patient(ctx, PatientDetails(" ", "Lee"))
    with pytest.raises(InvalidInput, match="not an email"):
        patients.create_patient(ctx, PatientDetails("Al", "Lee", email="al@"))
    with pytest.raises(InvalidInput, match="future"):
        patients.create_patient(ctx, PatientDetails("Al", "Lee", date_of_birth=date(2999, 1, 1)))


def test_edits_from_a_stale_screen_are_refused(ctx, clinic) -> None:
    patient = clinic.patients[2]
    updated, _ = patients.update_patient(
        ctx, patient.id, PatientDetails("Joanne", "Citizen"), patient.version
    )
    assert updated.full_name == "Joanne Citizen"
    with pytest.raises(StaleEdit):
        patients.update_patient(ctx, patient.id, PatientDetails("Jo", "C"), patient.version)


def test_a_birth_date_before_1900_and_a_header_in_an_email_are_refused(ctx) -> None:
    with pytest.raises(InvalidInput, match="before 1900"):
        patients.create_patient(ctx, PatientDetails("Al", "Lee", date_of_birth=date(1850, 1, 1)))
    with pytest.raises(InvalidInput, match="not an email address"):
        patients.create_patient(ctx, PatientDetails("Al", "Lee", email="a@b.co\r\nBcc: x@evil.com"))


def test_a_phone_is_kept_in_e164_and_an_old_unreadable_one_does_not_block_other_edits(
    ctx, clinic
) -> None:  # type: ignore[no-untyped-def]
    patient, _ = patients.create_patient(ctx, PatientDetails("Kim", "Ng", phone="0412 999 000"))
    assert patient.phone == "+61412999000"
    with pytest.raises(InvalidInput, match="“12345” is not a phone number in AU"):
        patients.create_patient(ctx, PatientDetails("Lou", "Ng", phone="12345"))
    with UnitOfWork(ctx.database) as uow:  # a record from before numbers were checked
        row = uow.session.get(PatientRow, patient.id)
        row.phone = "ring after 5"
        uow.commit()
    details = PatientDetails("Kim", "Ng", phone="ring after 5", address="2 New St")
    updated, _ = patients.update_patient(ctx, patient.id, details, patient.version + 1)
    assert (updated.phone, updated.address) == ("ring after 5", "2 New St")
    fixed, _ = patients.update_patient(
        ctx, patient.id, replace(details, phone="0412 999 001"), updated.version
    )
    assert fixed.phone == "+61412999001"
