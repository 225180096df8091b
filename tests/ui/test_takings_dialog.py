"""File ▸ Day's takings… driven as the desk would at close."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QTableWidget

from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.domain.roles import Actor, Role
from desktop.services import billing, booking
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.ui.change_bus import ChangeBus
from desktop.ui.export_actions import ExportQuestions
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.takings_dialog import TakingsDialog
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ClinicFixture, make_clinic
from tests.ui.calendar_support import open_window


def _paid_consult(
    ctx: ServiceContext,
    clinic: ClinicFixture,
    practitioner_index: int,
    cents: int,
    method: PaymentMethod,
    hour: int = 9,
) -> None:
    who = (clinic.alice, clinic.bob)[practitioner_index]
    booked = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            who.id,
            clinic.consult.id,
            clinic.at(hour + practitioner_index),
            patient_id=clinic.patients[practitioner_index].id,
        ),
    )
    invoice, _ = billing.invoice_appointment(ctx, booked.appointment.id)
    billing.take_payment(ctx, invoice.id, [Tender(Money(cents), method)], received_on=DAY)


def _rows(table: QTableWidget) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_takings_from_the_file_menu_shows_and_saves(
    qtbot, local_ctx: ServiceContext, settings, errors: list[str], tmp_path: Path
) -> None:
    clinic = make_clinic(local_ctx)
    _paid_consult(local_ctx, clinic, 0, 9000, PaymentMethod.CASH)
    _paid_consult(local_ctx, clinic, 1, 4550, PaymentMethod.EFTPOS)
    window = open_window(qtbot, local_ctx, settings)
    assert window.takings_action in window.file_menu.actions()
    dialog = window.open_takings()
    settle(qtbot)
    methods = _rows(dialog.methods)
    assert ["Cash", "$90.00", "$0.00", "$0.00", "$90.00"] in methods
    assert ["EFTPOS", "$45.50", "$0.00", "$0.00", "$45.50"] in methods
    assert methods[-1] == ["Total", "$135.50", "$0.00", "$0.00", "$135.50"]
    assert [row[0] for row in _rows(dialog.people)] == ["Alice Physio", "Bob Pilates"]
    assert "Cash the drawer should hold: <b>$90.00</b>" in dialog.summary.text()
    assert "still owing for these days: <b>1</b>, $44.50" in dialog.summary.text()
    dialog.resize(1366, 768)
    dialog.grab().save(str(tmp_path / "takings.png"))
    if shots := os.environ.get("FRONTDESK_SHOTS"):  # for a person to look at
        dialog.grab().save(str(Path(shots) / "takings.png"))

    # The next day alone has nothing; the range back to DAY has it all again.
    dialog.first.setDate(QDate(2031, 3, 4))
    settle(qtbot)
    assert dialog.last.date() == QDate(2031, 3, 4)  # the end follows a later start
    assert _rows(dialog.methods)[-1][1] == "$0.00"
    dialog.first.setDate(QDate(2031, 3, 3))
    settle(qtbot)
    assert _rows(dialog.methods)[-1][1] == "$135.50"

    out_csv, out_pdf = tmp_path / "t.csv", tmp_path / "t.pdf"
    dialog.questions = ExportQuestions(save_path=lambda *_a: out_csv)
    assert dialog.save_csv() == out_csv
    settle(qtbot)
    assert "By method,Cash,90.00,0.00,0.00,90.00" in out_csv.read_text("utf-8-sig")
    dialog.questions = ExportQuestions(save_path=lambda *_a: out_pdf)
    dialog.save_pdf()
    settle(qtbot)
    assert out_pdf.read_bytes().startswith(b"%PDF")
    assert f"Saved to {out_pdf}" in dialog.summary.text()

    # Money taken while the window is open shows up without reopening it.
    _paid_consult(local_ctx, clinic, 1, 4450, PaymentMethod.CASH, hour=14)
    window.bus.publish(Changes(billing=True))
    settle(qtbot)
    assert "Cash the drawer should hold: <b>$134.50</b>" in dialog.summary.text()
    assert errors == []


def test_a_practitioner_sees_their_own_takings(
    qtbot, local_ctx: ServiceContext, errors: list[str], monkeypatch
) -> None:
    clinic = make_clinic(local_ctx)
    _paid_consult(local_ctx, clinic, 0, 9000, PaymentMethod.CASH)
    _paid_consult(local_ctx, clinic, 1, 4550, PaymentMethod.EFTPOS)
    bob = Actor(None, "Bob", Role.PRACTITIONER, clinic.bob.id)
    monkeypatch.setattr(local_ctx.actors, "current_actor", lambda: bob)
    dialog = TakingsDialog(ServiceCaller(local_ctx, ChangeBus(), None), DAY)
    qtbot.addWidget(dialog)
    settle(qtbot)
    assert [row[0] for row in _rows(dialog.people)] == ["Bob Pilates"]
    assert _rows(dialog.methods)[-1][1] == "$45.50"
    assert "(Bob Pilates only)" in dialog.summary.text()
    assert errors == []
