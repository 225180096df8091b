"""The fields a CSV import fills and the column names other systems give them.

Kept apart from `desktop.domain.csv_import` (which reads the files) so that the
command line can describe `frontdesk import` without loading what reading takes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from desktop.domain.errors import InvalidInput


class ImportKind(enum.StrEnum):
    PATIENTS = "patients"
    APPOINTMENTS = "appointments"


@dataclass(frozen=True, slots=True)
class ImportField:
    """Something Frontdesk keeps, and the column names other systems give it."""

    key: str
    label: str
    aliases: tuple[str, ...]


def _field(key: str, label: str, *aliases: str) -> ImportField:
    return ImportField(key, label, (key, label, *aliases))


_SOURCE_ID = ("patient id", "client id", "patient number", "client number", "record number")
_PATIENT_EMAIL = ("email", "email address", "e-mail", "patient email")
_PATIENT_DOB = ("dob", "date of birth", "birth date", "birthdate", "birthday", "patient dob")

PATIENT_FIELDS: tuple[ImportField, ...] = (
    _field("first_name", "First name", "given name", "given names", "forename", "firstname"),
    _field("last_name", "Last name", "surname", "family name", "lastname"),
    _field("date_of_birth", "Date of birth", *_PATIENT_DOB),
    _field("mobile", "Mobile", "mobile phone", "phone (mobile)", "mobile number", "cell"),
    _field(
        "phone",
        "Phone",
        "home phone",
        "phone (home)",
        "work phone",
        "phone (work)",
        "telephone",
        "phone number",
        "landline",
    ),
    _field("email", "Email", *_PATIENT_EMAIL),
    _field("address", "Address", "address 1", "address line 1", "street", "street address"),
    _field("address_2", "Address line 2", "address 2", "address 3", "address line 3"),
    _field("suburb", "Suburb / city", "suburb", "city", "town", "locality"),
    _field("state", "State", "region", "province"),
    _field("postcode", "Postcode", "post code", "zip", "postal code", "zip code"),
    _field("health_fund", "Health fund", "health fund name", "private health fund", "fund"),
    _field(
        "health_fund_number",
        "Health fund member number",
        "medicare",
        "medicare number",
        "health fund number",
        "member number",
        "membership number",
        "fund number",
    ),
    _field("notes", "Notes", "note", "comments", "patient notes"),
    _field("source_id", "Patient ID (old system)", "id", *_SOURCE_ID),
)

APPOINTMENT_FIELDS: tuple[ImportField, ...] = (
    _field("patient", "Patient name", "patient", "client", "client name", "patient full name"),
    _field("patient_first_name", "Patient first name", "first name", "given name"),
    _field("patient_last_name", "Patient last name", "last name", "surname", "family name"),
    _field("patient_date_of_birth", "Patient date of birth", *_PATIENT_DOB),
    _field("patient_email", "Patient email", *_PATIENT_EMAIL),
    _field("patient_source_id", "Patient ID (old system)", *_SOURCE_ID),
    _field(
        "practitioner",
        "Practitioner",
        "practitioner name",
        "provider",
        "therapist",
        "clinician",
        "staff",
        "staff member",
    ),
    _field(
        "appointment_type",
        "Appointment type",
        "type",
        "service",
        "appointment type name",
        "billable item",
    ),
    _field("date", "Date", "appointment date", "day"),
    _field(
        "start",
        "Start",
        "starts at",
        "start time",
        "appointment start",
        "start date",
        "start date time",
        "time",
        "appointment time",
    ),
    _field("end", "End", "ends at", "end time", "appointment end", "finish", "finish time"),
    _field("status", "Status", "appointment status", "attendance", "outcome"),
    # Cliniko and others flag these in columns of their own rather than in a status.
    _field(
        "cancelled", "Cancelled (yes/date)", "cancelled at", "cancelled on", "cancellation date"
    ),
    _field("did_not_arrive", "Did not arrive (yes/no)", "did not arrive", "dna", "no show"),
    _field(
        "cancellation_reason",
        "Cancellation reason",
        "cancellation note",
        "reason for cancellation",
        "cancel reason",
    ),
    _field("notes", "Notes", "note", "comments", "appointment notes"),
)

FIELDS: Mapping[ImportKind, tuple[ImportField, ...]] = {
    ImportKind.PATIENTS: PATIENT_FIELDS,
    ImportKind.APPOINTMENTS: APPOINTMENT_FIELDS,
}


def parse_map_option(text: str) -> tuple[str, str]:
    """`"Column=field"` as given to `--map`; the field may be empty to ignore the column."""
    column, sep, key = text.partition("=")
    if not sep or not column.strip():
        raise InvalidInput(f'“{text}” is not a mapping: write it as "Column name=field".')
    return column.strip(), key.strip()
