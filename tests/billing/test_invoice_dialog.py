"""The invoice dialog offscreen: money, split payments, the Xero state, the PDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.services import billing, booking, xero_settings
from desktop.services.context import ServiceContext
from desktop.store import migrate
from desktop.store.database import Database
from desktop.ui import operations
from desktop.ui.billing.invoice_dialog import InvoiceDialog
from desktop.ui.billing.payment_dialog import PaymentDialog
from desktop.ui.change_bus import ChangeBus
from desktop.ui.service_caller import ServiceCaller
from tests.helpers.clinic import make_clinic


@pytest.fixture
def local_ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    database = Database(f"sqlite:///{tmp_path / 'billing.sqlite3'}")
    migrate.upgrade(database)
    yield ServiceContext.for_system(database)
    database.dispose()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda _p, _t, text: shown.append(text))
    return shown


def test_taking_a_split_payment_and_seeing_it_wait_for_xero(
    qtbot, local_ctx: ServiceContext, errors: list[str], tmp_path: Path
) -> None:
    ctx = local_ctx
    xero_settings.save_connection(
        ctx.database, client_id="app", connection_key="k", tenant_id="t", tenant_name="Org"
    )
    clinic = make_clinic(ctx)
    appointment = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(9),
            patient_id=clinic.patients[0].id,
        ),
    ).appointment
    invoice, _ = billing.invoice_appointment(ctx, appointment.id)
    bus = ChangeBus()
    dialog = InvoiceDialog(ServiceCaller(ctx, bus, None), invoice.id)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Tax invoice FD-000001"
    assert "Owing <b>$90.00</b>" in dialog.money.text()
    assert "Waiting to go to Xero" in dialog.sync_label.text()
    assert not dialog.void_button.isEnabled() or dialog.invoice.live_payments == ()

    with qtbot.waitSignal(bus.changed):
        dialog.pay(
            [Tender(Money(5000), PaymentMethod.CASH), Tender(Money(4000), PaymentMethod.EFTPOS)]
        )
    assert dialog.windowTitle() == "Receipt FD-000001"
    assert dialog.status_label.text() == "Paid"
    assert dialog.payments.rowCount() == 2
    assert dialog.payments.item(1, 2).text() == "EFTPOS"
    assert not dialog.pay_button.isEnabled() and dialog.refund_button.isEnabled()
    dialog.write_pdf(tmp_path / "receipt.pdf")
    assert (tmp_path / "receipt.pdf").read_bytes().startswith(b"%PDF")
    assert errors == []

    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(tmp_path / "invoice_dialog.png"))


def test_the_payment_dialog_never_lets_more_than_is_owing_through(qtbot) -> None:
    dialog = PaymentDialog(Money(9000))
    qtbot.addWidget(dialog)
    ok = dialog.ok_button
    assert ok.isEnabled() and dialog.tenders() == [Tender(Money(9000), PaymentMethod.EFTPOS)]
    dialog.rows[0].amount.setText("60")
    dialog.split_button.click()
    dialog.rows[1].method.setCurrentIndex(list(PaymentMethod).index(PaymentMethod.EFTPOS))
    dialog.rows[1].amount.setText("40")
    assert not ok.isEnabled() and dialog.error.text().startswith(
        "$100.00 is more than the $90.00 owing."
    )
    assert "-" not in dialog.summary.text()  # never a negative "left owing"
    dialog.rows[1].amount.setText("30")
    assert ok.isEnabled() and dialog.summary.text() == "Paying $90.00; paid in full."
    dialog.rows[1].amount.setText("thirty")
    assert not ok.isEnabled() and "is not an amount of money" in dialog.error.text()
    assert isinstance(dialog.findChild(QDialogButtonBox), QDialogButtonBox)


def test_the_calendar_action_raises_the_invoice_once_then_reopens_it(
    qtbot, local_ctx: ServiceContext, errors: list[str]
) -> None:
    from desktop.ui.billing.invoice_dialog import open_invoice_for_service

    clinic = make_clinic(local_ctx)
    patient = clinic.patients[0]
    appointment = booking.book_appointment(
        local_ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(10),
            patient_id=patient.id,
        ),
    ).appointment
    caller = ServiceCaller(local_ctx, ChangeBus(), None)
    first = open_invoice_for_service(caller, appointment.id, patient.id)
    second = open_invoice_for_service(caller, appointment.id, patient.id)
    assert first is not None and second is not None
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    assert first.invoice_id == second.invoice_id
    assert errors == []
