"""The credit widgets offscreen: the patient's card, selling a pass, the reconciliation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop.domain.money import Money
from desktop.services import credit, reconcile
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.ui import operations
from desktop.ui.change_bus import ChangeBus
from desktop.ui.credit import PatientCreditPanel, ReconciliationView, SellPackageDialog
from desktop.ui.service_caller import ServiceCaller
from tests.credit.helpers import book_class, invoice_class, pilates_pass
from tests.helpers import templates
from tests.helpers.background import settle
from tests.helpers.clinic import make_clinic


@pytest.fixture
def local_ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    database = Database(templates.migrated_sqlite(tmp_path / "credit.sqlite3"))
    yield ServiceContext.for_system(database)
    database.dispose()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda _p, _t, text: shown.append(text))
    return shown


def test_selling_a_pass_and_seeing_it_used(
    qtbot, local_ctx: ServiceContext, errors: list[str]
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    pilates_pass(ctx, clinic, sessions=10)
    bus = ChangeBus()
    caller = ServiceCaller(ctx, bus, None)
    patient = clinic.patients[0].id
    panel = PatientCreditPanel(caller, patient)
    qtbot.addWidget(panel)
    # What Add credit offers depends on who is signed in: off until that is known.
    assert not panel.add_button.isEnabled() and panel.refund_button.isHidden()
    settle(qtbot)  # the statement and the user are read in the background
    assert panel.balance.text() == "Credit: $0.00"
    assert panel.add_button.isEnabled() and not panel.refund_button.isHidden()

    dialog = SellPackageDialog(caller, patient)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    # Open at once; the packages arrive from the background, Take payment off till then.
    assert dialog.summary.text() == "Reading the packages for sale…" and not ok.isEnabled()
    settle(qtbot)
    assert "Take $450.00 now" in dialog.summary.text() and ok.isEnabled()
    with qtbot.waitSignal(bus.changed):
        ok.click()
        assert not ok.isEnabled() and not dialog.busy.label.isHidden()  # one sale per press
    assert dialog.lot is not None and dialog.lot.remaining == Money(45000)
    assert dialog.result() == SellPackageDialog.DialogCode.Accepted
    settle(qtbot)
    assert panel.balance.text() == "Credit: $450.00"

    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    bus.publish(Changes(billing=True))
    settle(qtbot)
    assert panel.balance.text() == "Credit: $405.00"
    assert panel.lots.index(0, 2).data() == "9 of 10 sessions ($405.00)"
    assert panel.uses.rowCount() == 1
    assert panel.uses.index(0, 1).data() == invoice.number
    assert panel.uses.index(0, 3).data() == "$45.00"
    assert errors == []


def test_the_reconciliation_view_lists_differences(
    qtbot, local_ctx: ServiceContext, errors: list[str]
) -> None:
    lot = reconcile.CreditBook(uuid.uuid4(), "FDC-000001", "prepayment", "x", Money(100))
    book = reconcile.PatientBook(uuid.uuid4(), "Sam Lee (#1)", (lot,), ())
    result = reconcile.compare(
        [book], {"x": reconcile.XeroCredit("x", Money(500), "AUTHORISED")}, {}
    )
    view = ReconciliationView(ServiceCaller(local_ctx, ChangeBus(), None), lambda: result)
    qtbot.addWidget(view)
    view.run()
    settle(qtbot)
    assert view.result is result
    assert view.summary.text() == "1 difference(s) in 1 documents."
    assert view.table.item(0, 2).text() == "$1.00 left"
    assert view.table.item(0, 3).text() == "$5.00 left"
    assert "allocation" in view.table.item(0, 4).text()
    assert errors == []


def test_a_refused_sale_keeps_the_choices_made(
    qtbot, local_ctx: ServiceContext, errors: list[str]
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    pilates_pass(ctx, clinic, sessions=10)
    five = pilates_pass(ctx, clinic, sessions=5)
    patient = clinic.patients[0].id
    dialog = SellPackageDialog(ServiceCaller(ctx, ChangeBus(), None), patient)
    qtbot.addWidget(dialog)
    settle(qtbot)
    box = dialog.package_box
    box.setCurrentIndex(next(i for i in range(box.count()) if box.itemData(i) == str(five.id)))
    dialog.method_box.setCurrentIndex(dialog.method_box.findData("cash"))
    credit.set_package_active(ctx, five.id, False)  # retired at another desk meanwhile
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    settle(qtbot)
    assert errors == ["“5 x Pilates Reformer” is no longer sold."]
    assert dialog.result() != SellPackageDialog.DialogCode.Accepted and dialog.lot is None
    assert box.currentData() == str(five.id) and dialog.method_box.currentData() == "cash"
    assert ok.isEnabled() and dialog.busy.label.isHidden()
    assert credit.patient_lots(ctx, patient) == []
