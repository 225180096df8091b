"""Patients from another system: one new patient per row not already there."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.orm import Session

from desktop.domain.csv_import import SourceRow, parse_day
from desktop.services import billing_sync
from desktop.services.changes import Changes
from desktop.services.importing.report import Outcome, RowOutcome
from desktop.services.importing.rows import PatientIndex, check_lengths, parsed, writing
from desktop.services.patients import PatientDetails
from desktop.store import queries
from desktop.store.models import PatientRow


def _patient_details(values: Mapping[str, str]) -> PatientDetails:
    born = values.get("date_of_birth", "")
    mobile, phone = values.get("mobile", ""), values.get("phone", "")
    notes = [values.get("notes", "")]
    if mobile and phone and mobile != phone:
        notes.append(f"Other phone: {phone}")  # one phone is kept; the other is not lost
    locality = " ".join(filter(None, (values.get(k, "") for k in ("suburb", "state", "postcode"))))
    address = ", ".join(
        filter(None, (values.get("address", ""), values.get("address_2", ""), locality))
    )
    return PatientDetails(
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        date_of_birth=parsed("Date of birth", born, parse_day) if born else None,
        phone=mobile or phone,
        email=values.get("email", ""),
        address=address,
        health_fund=values.get("health_fund", ""),
        health_fund_number=values.get("health_fund_number", ""),
        notes="\n".join(filter(None, notes)),
    ).cleaned()


class PatientImporter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.index = PatientIndex(session)
        self.next_number: int | None = None
        self.xero = billing_sync.xero_enabled(session)  # asked once, not per patient
        self.changes = Changes()

    def take(self, row: SourceRow, values: dict[str, str]) -> RowOutcome:
        details = _patient_details(values)
        source_id = values.get("source_id", "")
        summary = f"{details.first_name} {details.last_name}"
        if details.date_of_birth:
            summary += f", born {details.date_of_birth:%d/%m/%Y}"
        found = self.index.same_person(details, source_id)
        if found is not None:
            existing, why = found
            return RowOutcome(
                row.number, Outcome.SKIPPED, summary, f"already there as #{existing.number} ({why})"
            )
        columns = {
            "first_name": details.first_name,
            "last_name": details.last_name,
            "phone": details.phone,
            "email": details.email,
            "health_fund": details.health_fund,
            "health_fund_number": details.health_fund_number,
            "source_id": source_id,
        }
        check_lengths(PatientRow, columns)
        if self.next_number is None:
            self.next_number = queries.next_patient_number(self.session)
        patient = PatientRow(
            id=uuid.uuid4(),
            number=self.next_number,
            date_of_birth=details.date_of_birth,
            address=details.address,
            notes=details.notes,
            **columns,
        )
        self.next_number += 1
        self.session.add(patient)
        if self.xero:
            with writing(f"Row {row.number}"):
                billing_sync.patient_changed(self.session, patient)  # their Xero contact
        self.index.add(patient)
        self.changes |= Changes(patients=True, outbox=self.xero, ids=frozenset({patient.id}))
        return RowOutcome(row.number, Outcome.CREATED, summary)
