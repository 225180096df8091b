"""Correct an invoice: the fee, the appointment type, the date of service, the
practitioner. This is how an invoice Xero refused is fixed so it can go.

Only what the user changed is sent (`edit()` leaves the rest None), so a save never
rewrites facts nobody touched. Choosing another type proposes its price as the fee;
a fee typed by hand wins.

The dialog opens at once with the invoice's own type and practitioner; the others
to choose from are read in the background and added by `offer` (Save stays off
until then). Adding them never changes what is chosen.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLineEdit,
    QWidget,
)

from desktop.domain.appointments import AppointmentType
from desktop.domain.billing import Invoice, InvoiceEdit
from desktop.domain.money import Money, MoneyError
from desktop.domain.people import Practitioner
from desktop.ui.widgets.form_dialog import FormDialog

_AS_INVOICED = ""  # item data of the entry that keeps what the invoice says


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _chosen_id(box: QComboBox) -> uuid.UUID | None:
    # Qt keeps plain strings as item data; a UUID would not round-trip (findData).
    value = box.currentData()
    return uuid.UUID(value) if value else None


class EditInvoiceDialog(FormDialog):
    def __init__(
        self,
        invoice: Invoice,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Edit invoice {invoice.number}",
            "Save",
            "Correct what was invoiced. The receipt and Xero are updated; an invoice "
            "Xero refused goes again.",
            parent,
        )
        self.invoice = invoice
        self.types: dict[str, AppointmentType] = {}
        service = invoice.service
        self.fee = QLineEdit(f"{invoice.lines[0].unit_price.to_decimal()}")
        self.fee.setObjectName("invoiceFee")
        self.type_box = QComboBox()
        self.type_box.setObjectName("invoiceType")
        self.type_box.addItem(f"{service.type_name} (as invoiced)", _AS_INVOICED)
        self.service_date = QDateEdit(_qdate(service.service_date))
        self.service_date.setObjectName("invoiceServiceDate")
        self.service_date.setCalendarPopup(True)
        self.service_date.setDisplayFormat("dd/MM/yyyy")
        self.practitioner_box = QComboBox()
        self.practitioner_box.setObjectName("invoicePractitioner")
        self.practitioner_box.addItem(service.practitioner_name, _AS_INVOICED)
        self.form.addRow("&Appointment type", self.type_box)
        self.form.addRow("&Fee", self.fee)
        self.form.addRow("&Date of service", self.service_date)
        self.form.addRow("&Practitioner", self.practitioner_box)
        self.type_box.currentIndexChanged.connect(self._type_chosen)
        self.fee.textChanged.connect(self._check)
        self.wait_for("Reading the appointment types and practitioners…")
        self._check()

    def offer(self, types: list[AppointmentType], practitioners: list[Practitioner]) -> None:
        """The other types and practitioners, now read; the choices made stay as they are."""
        service = self.invoice.service
        for kind in types:
            if kind.name != service.type_name:
                self.types[str(kind.id)] = kind
                retired = "" if kind.active else " (retired)"
                self.type_box.addItem(f"{kind.name}{retired} — {kind.price}", str(kind.id))
        for person in practitioners:
            if person.id != service.practitioner_id:
                left = "" if person.active else " (inactive)"
                self.practitioner_box.addItem(f"{person.name}{left}", str(person.id))
        self.arrived()
        self._check()

    def _type_chosen(self) -> None:
        kind = self.types.get(self.type_box.currentData() or "")
        price = kind.price if kind is not None else self.invoice.lines[0].unit_price
        self.fee.setText(f"{price.to_decimal()}")

    def _fee(self) -> Money:
        return Money.parse(self.fee.text(), self.invoice.currency)

    def _check(self) -> None:
        problem = ""
        try:
            if self._fee().cents <= 0:
                problem = "The fee must be more than $0.00."
        except MoneyError as exc:
            problem = str(exc)
        self.show_problem(problem)

    def edit(self) -> InvoiceEdit:
        """What the user changed, and nothing else."""
        fee = self._fee()
        day = self.service_date.date()
        service_date = date(day.year(), day.month(), day.day())
        service = self.invoice.service
        return InvoiceEdit(
            unit_price=fee if fee != self.invoice.lines[0].unit_price else None,
            type_id=_chosen_id(self.type_box),
            service_date=service_date if service_date != service.service_date else None,
            practitioner_id=_chosen_id(self.practitioner_box),
        )
