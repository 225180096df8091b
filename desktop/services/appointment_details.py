"""Everything the details panel shows about one appointment, read in one call.

The appointment itself, its patient's contact details, the invoice for the
service (raised or not, what is still owing), the credit the patient has left,
and where it stands in its repeating series. A class has no single patient: its
attendees are on the appointment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from desktop.domain.appointments import Appointment, AppointmentKind
from desktop.domain.billing import Invoice
from desktop.domain.money import Money
from desktop.domain.people import Patient
from desktop.services import billing, calendar, credit, patients
from desktop.services.context import ServiceContext
from desktop.services.series import SeriesPlace, place_in_series


@dataclass(frozen=True, slots=True)
class AppointmentDetails:
    appointment: Appointment
    patient: Patient | None  # None for a class
    invoice: Invoice | None  # None while the service has not been invoiced
    credit_left: Money | None  # the patient's prepaid credit; None for a class
    series: SeriesPlace | None = None  # None when it is not one of a repeating series


def appointment_details(ctx: ServiceContext, appointment_id: uuid.UUID) -> AppointmentDetails:
    """NotFound when the appointment (or its patient) has gone since it was shown."""
    appointment = calendar.appointment(ctx, appointment_id)
    patient_id = appointment.patient_id
    series = place_in_series(ctx, appointment)
    if appointment.kind is AppointmentKind.CLASS or patient_id is None:
        return AppointmentDetails(appointment, None, None, None, series)
    return AppointmentDetails(
        appointment,
        patients.get_patient(ctx, patient_id),
        billing.invoice_for_service(ctx, appointment_id, patient_id),
        credit.patient_credit(ctx, patient_id).balance,
        series,
    )
