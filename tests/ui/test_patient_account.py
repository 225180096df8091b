"""The patient card's Account tab, driven through its widgets on a real SQLite clinic:
pay the invoice the user picked (not the first), edit, refund, void; bad input is
refused with one message and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from desktop.domain.billing import PaidStatus, PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.domain.outbox import JobState
from desktop.services import billing, credit, xero_settings
from desktop.services.context import ServiceContext
from desktop.ui.export_actions import ExportQuestions, RangeAnswer, RangeQuestion
from desktop.ui.patients.account_tab import PatientAccountTab
from tests.credit.helpers import book_class, consult, invoice_class, pilates_pass, sell
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, make_clinic
from tests.ui.money_support import Answers, answers, open_card, shot
from tests.xero.conftest import ConnectedClinic, _openapi_loaded, fake, memory_keyring, xero
from tests.xero.helpers import invoiced

__all__ = ["_openapi_loaded", "answers", "fake", "memory_keyring", "xero"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The screens are checked on SQLite; the services' tests cover PostgreSQL."""
    return sqlite_url


def _account(card: object) -> PatientAccountTab:
    tab = card.account_tab  # type: ignore[attr-defined]
    assert isinstance(tab, PatientAccountTab)
    return tab


def _texts(tab: PatientAccountTab, column: int) -> list[str]:
    model = tab.invoices
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def test_paying_the_second_invoice_pays_that_one(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers, tmp_path: Path
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    first = consult(ctx, clinic, hour=9)
    second = consult(ctx, clinic, hour=10)
    card = open_card(qtbot, ctx, clinic.patients[0].id)
    tab = _account(card)
    # Newest first: the older invoice is the second row.
    assert _texts(tab, 0) == [second.number, first.number]
    assert tab.summary.text() == "Owing: $180.00 on 2 invoice(s)"
    assert not tab.pay_button.isEnabled()  # nothing chosen yet

    tab.invoice_table.selectRow(1)
    assert tab.selected() is not None and tab.selected().id == first.id
    answers.then(lambda dialog: dialog.rows[0].method.setCurrentIndex(0))  # cash, $90
    tab.pay_button.click()
    settle(qtbot)

    assert billing.get_invoice(ctx, first.id).paid_status is PaidStatus.PAID
    assert billing.get_invoice(ctx, second.id).paid_status is PaidStatus.UNPAID
    assert _texts(tab, 4) == ["Unpaid", "Paid"]
    assert tab.selected() is not None and tab.selected().id == first.id  # still chosen
    assert not tab.pay_button.isEnabled()
    movements = tab.movements
    assert movements.rowCount() == 1
    assert movements.index(0, 2).data() == first.number
    assert movements.index(0, 3).data() == "Payment, Cash"
    assert tab.summary.text() == "Owing: $90.00 on 1 invoice(s)"
    assert errors == []
    card.tabs.setCurrentWidget(tab)
    assert shot(card, qtbot, tmp_path, "account").stat().st_size > 0


def test_refund_then_void_act_on_the_chosen_invoice(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    first = consult(ctx, clinic, hour=9)
    second = consult(ctx, clinic, hour=10)
    billing.take_payment(ctx, first.id, [Tender(Money(9000), PaymentMethod.EFTPOS)])
    tab = _account(open_card(qtbot, ctx, clinic.patients[0].id))
    tab.select_invoice(first.id)
    assert tab.invoice_table.selectionModel().selectedRows()[0].row() == 1

    def refund_too_much(dialog: object) -> None:
        dialog.amount.setText("95")  # type: ignore[attr-defined]
        dialog.reason.setText("Session cut short")  # type: ignore[attr-defined]

    answers.then(refund_too_much)
    tab.refund_button.click()
    settle(qtbot)
    [refused] = answers.seen
    assert refused.error.text() == "At most $90.00 can be refunded."  # type: ignore[attr-defined]
    assert billing.get_invoice(ctx, first.id).refunds == ()

    def refund_part(dialog: object) -> None:
        dialog.amount.setText("30.00")  # type: ignore[attr-defined]
        dialog.method.setCurrentIndex(0)  # type: ignore[attr-defined]
        dialog.reason.setText("Session cut short")  # type: ignore[attr-defined]

    answers.then(refund_part)
    tab.refund_button.click()
    settle(qtbot)
    [refund] = billing.get_invoice(ctx, first.id).refunds
    assert refund.amount == Money(3000) and refund.method is PaymentMethod.CASH
    assert tab.movements.index(0, 4).data() == "-$30.00"

    # The paid invoice cannot be voided; the unpaid one (now row 0) can.
    assert not tab.void_button.isEnabled()
    tab.select_invoice(second.id)
    assert tab.void_button.isEnabled()
    answers.then(lambda dialog: dialog.reason.setText("Booked in error"))
    tab.void_button.click()
    settle(qtbot)
    voided = billing.get_invoice(ctx, second.id)
    assert voided.paid_status is PaidStatus.VOID and voided.void_reason == "Booked in error"
    assert billing.get_invoice(ctx, first.id).paid_status is PaidStatus.PART_REFUNDED
    assert _texts(tab, 4) == ["Void", "Paid, part refunded"]
    assert errors == []


def test_editing_the_fee_with_bad_input_changes_nothing(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    invoice = consult(ctx, clinic)
    before, _ = billing.take_payment(ctx, invoice.id, [Tender(Money(5000), PaymentMethod.CASH)])
    tab = _account(open_card(qtbot, ctx, clinic.patients[0].id))
    tab.invoice_table.selectRow(0)
    for text, message in (
        ("12.345", "“12.345” is not an amount of money (e.g. 85.00)"),
        ("-10", "The fee must be more than $0.00."),
    ):
        answers.then(lambda dialog, text=text: dialog.fee.setText(text))
        tab.edit_button.click()
        settle(qtbot)
        assert answers.seen[-1].error.text() == message  # type: ignore[attr-defined]
    # Below what is paid: the service says why, once, and the dialog keeps what was typed.
    answers.then(lambda dialog: dialog.fee.setText("40"))
    tab.edit_button.click()
    settle(qtbot)
    assert errors == [
        f"{invoice.number} has $50.00 paid already; the fee cannot be less than that."
    ]
    refused = answers.seen[-1]
    assert refused.fee.text() == "40" and refused.busy.label.isHidden()  # type: ignore[attr-defined]
    assert billing.get_invoice(ctx, invoice.id) == before


def test_editing_a_refused_invoice_supersedes_the_parked_job_and_it_goes(
    qtbot, xero: ConnectedClinic, errors: list[str], answers: Answers, tmp_path: Path
) -> None:
    ctx = xero.ctx
    xero_settings.set_account_mapping(
        ctx, income_account_code="999", bank_account_code="090", tax_type="EXEMPTOUTPUT"
    )
    invoice = invoiced(xero, patient=1)
    assert xero.sync_until_quiet().parked == 1
    [parked] = xero.jobs(JobState.PARKED)
    xero_settings.set_account_mapping(
        ctx, income_account_code="200", bank_account_code="090", tax_type="EXEMPTOUTPUT"
    )
    clinic = xero.clinic
    card = open_card(qtbot, ctx, clinic.patients[1].id)
    tab = _account(card)
    tab.invoice_table.selectRow(0)
    settle(qtbot)  # Xero's word on the invoice is read in the background
    assert "Xero refused" in tab.xero_state.text() and "999" in tab.xero_state.text()
    card.tabs.setCurrentWidget(tab)
    assert shot(card, qtbot, tmp_path, "account_refused").stat().st_size > 0

    def correct(dialog: object) -> None:
        box = dialog.practitioner_box  # type: ignore[attr-defined]
        # Open at once; the practitioners to change to arrive from the background.
        assert box.count() == 1 and not dialog.ok_button.isEnabled()  # type: ignore[attr-defined]
        dialog.fee.setText("95.50")  # type: ignore[attr-defined]
        settle()
        assert dialog.fee.text() == "95.50"  # type: ignore[attr-defined]
        assert box.currentIndex() == 0  # still as invoiced: the list arriving chose nothing
        index = next(i for i in range(box.count()) if box.itemData(i) == str(clinic.bob.id))
        box.setCurrentIndex(index)

    answers.then(correct)
    tab.edit_button.click()
    settle(qtbot)
    assert errors == []
    assert [j.state for j in xero.jobs() if j.id == parked.id] == [JobState.SUPERSEDED]
    edited = billing.get_invoice(ctx, invoice.id)
    assert edited.total == Money(9550)
    assert edited.service.practitioner_name == "Bob Pilates"
    assert edited.service.type_name == "Consult"  # not touched: not changed
    assert edited.service.service_date == DAY
    assert "Bob Pilates" in edited.lines[0].description
    assert tab.xero_state.text() == ""
    assert xero.sync_until_quiet().parked == 0
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.line_items[0].unit_amount == Decimal("95.50")


def test_a_practitioner_is_not_offered_refund_or_void(
    qtbot, local_ctx: ServiceContext, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.domain.roles import Actor, Role

    clinic = make_clinic(local_ctx)
    consult(local_ctx, clinic)
    practitioner = Actor(None, "Alice", Role.PRACTITIONER, clinic.alice.id)
    monkeypatch.setattr(local_ctx.actors, "current_actor", lambda: practitioner)
    tab = _account(open_card(qtbot, local_ctx, clinic.patients[0].id))
    tab.invoice_table.selectRow(0)
    assert tab.refund_button.isHidden() and tab.void_button.isHidden()
    assert not tab.pay_button.isHidden() and tab.pay_button.isEnabled()
    assert errors == []


def test_printing_the_receipts_of_a_range_writes_one_page_per_session(
    qtbot, local_ctx: ServiceContext, errors: list[str], tmp_path: Path
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    invoices = [invoice_class(ctx, clinic, book_class(ctx, clinic, week)) for week in (0, 1, 2)]
    tab = _account(open_card(qtbot, ctx, clinic.patients[0].id))
    asked: list[RangeQuestion] = []

    def weeks_one_and_two(_parent: object, question: RangeQuestion) -> RangeAnswer:
        asked.append(question)
        return RangeAnswer(DAY + timedelta(days=1), DAY + timedelta(days=14))

    tab.questions = ExportQuestions(
        save_path=lambda _p, _t, name, _k: tmp_path / name, date_range=weeks_one_and_two
    )
    assert tab.print_receipts() is not None
    assert not tab.receipts_button.isEnabled()  # while the PDF is being written
    settle(qtbot)
    # Offered: every session invoiced, first to last.
    assert (asked[0].first, asked[0].last) == (DAY, DAY + timedelta(days=14))
    written = tmp_path / "Receipts 2031-03-04 to 2031-03-17.pdf"
    assert tab.notice.text() == f"Receipts saved to {written}"
    assert tab.receipts_button.isEnabled()
    pages = pypdf.PdfReader(written).pages
    assert len(pages) == 2
    texts = [" ".join(page.extract_text().split()) for page in pages]
    for text, invoice in zip(texts, invoices[1:], strict=True):
        assert invoice.number in text and "560" in text

    # A range with no sessions: one sentence, no file.
    tab.questions = ExportQuestions(
        save_path=lambda _p, _t, _n, _k: tmp_path / "empty.pdf",
        date_range=lambda _p, _q: RangeAnswer(DAY + timedelta(days=30), DAY + timedelta(days=40)),
    )
    assert tab.print_receipts() is not None
    settle(qtbot)
    assert errors == ["No sessions between 02/04/2031 and 12/04/2031 have been invoiced."]
    assert tab.notice.text() == "" and tab.receipts_button.isEnabled()
    assert not (tmp_path / "empty.pdf").exists()


def test_paying_the_second_invoice_from_credit(
    qtbot, local_ctx: ServiceContext, errors: list[str]
) -> None:
    ctx = local_ctx
    credit.set_auto_apply(ctx, False)
    clinic = make_clinic(ctx)
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    first, second = (invoice_class(ctx, clinic, book_class(ctx, clinic, w)) for w in (0, 1))
    consult_invoice = consult(ctx, clinic, hour=8)
    tab = _account(open_card(qtbot, ctx, clinic.patients[0].id))
    tab.select_invoice(first.id)
    assert tab.invoice_table.selectionModel().selectedRows()[0].row() == 2
    tab.credit_button.click()
    settle(qtbot)
    assert billing.get_invoice(ctx, first.id).paid_status is PaidStatus.PAID
    assert billing.get_invoice(ctx, second.id).paid_status is PaidStatus.UNPAID
    assert _texts(tab, 7)[2] == "$45.00"
    # The pass is for classes only: a consult cannot be paid from it.
    tab.select_invoice(consult_invoice.id)
    tab.credit_button.click()
    settle(qtbot)
    assert errors == ["The patient has no credit that can pay this session."]
    assert billing.get_invoice(ctx, consult_invoice.id).paid_status is PaidStatus.UNPAID


def test_a_lapsed_session_signs_in_again_and_the_refund_is_made_once(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    from desktop.ui import operations
    from desktop.ui.signin import ReloginHandler, SignInDialog
    from tests.auth.people import DESK_PASSWORD, make_people

    clinic = make_clinic(local_ctx)
    invoice = consult(local_ctx, clinic)
    billing.take_payment(local_ctx, invoice.id, [Tender(Money(9000), PaymentMethod.EFTPOS)])
    people = make_people(local_ctx, clinic)
    session = people.signed_in("desk", DESK_PASSWORD)
    tab = _account(open_card(qtbot, people.context(session), clinic.patients[0].id))
    tab.select_invoice(invoice.id)
    settle(qtbot)
    kept: list[tuple[bool, str, str]] = []

    def sign_in(dialog: object) -> int:
        assert isinstance(dialog, SignInDialog)
        # While the user signs in again, the refund dialog is still up and filled in.
        [refund] = answers.seen
        busy = refund.busy.label  # type: ignore[attr-defined]
        kept.append((busy.isHidden(), refund.amount.text(), refund.reason.text()))  # type: ignore[attr-defined]
        dialog.username.setText("desk")
        dialog.password.setText(DESK_PASSWORD)
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        return dialog.result()

    def refund_part(dialog: object) -> None:
        dialog.amount.setText("30")  # type: ignore[attr-defined]
        dialog.reason.setText("Session cut short")  # type: ignore[attr-defined]
        people.clock.advance(timedelta(hours=12))  # the session's lifetime runs out

    operations.set_session_handler(
        ReloginHandler(people.accounts, session, run_modal=sign_in, notify=lambda *_: None)
    )
    try:
        answers.then(refund_part)
        tab.refund_button.click()
        settle(qtbot)
    finally:
        operations.set_session_handler(None)
    assert kept == [(False, "30", "Session cut short")]
    [refund] = billing.get_invoice(local_ctx, invoice.id).refunds  # made once, after sign-in
    assert refund.amount == Money(3000) and refund.reason == "Session cut short"
    assert tab.movements.index(0, 4).data() == "-$30.00"
    assert errors == []
