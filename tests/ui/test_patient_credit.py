"""The patient card's Credit tab, driven through its widgets on a real SQLite clinic:
apply credit by hand to the invoice the user picked, give one use back, refund unused
credit, add a goodwill credit; bad input gets one message and changes nothing."""

from __future__ import annotations

from pathlib import Path

from desktop.domain.billing import PaidStatus, PaymentMethod
from desktop.domain.credit import ApplicationStatus, CreditSource
from desktop.domain.money import Money
from desktop.domain.roles import Actor, Role
from desktop.services import billing, credit
from desktop.services.context import ServiceContext
from desktop.ui.credit.patient_credit_panel import PatientCreditPanel
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.helpers.background import off_gui_thread, settle
from tests.helpers.clinic import ClinicFixture, make_clinic
from tests.ui.money_support import Answers, answers, open_card, shot

__all__ = ["answers"]


def _credit(card: object) -> PatientCreditPanel:
    panel = card.credit_panel  # type: ignore[attr-defined]
    assert isinstance(panel, PatientCreditPanel)
    return panel


def _pass_and_two_classes(ctx: ServiceContext) -> tuple[ClinicFixture, list[object]]:
    clinic = make_clinic(ctx)
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=5))
    invoices = [invoice_class(ctx, clinic, book_class(ctx, clinic, week)) for week in (0, 1)]
    return clinic, invoices


def test_applying_credit_by_hand_pays_the_invoice_picked(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers, tmp_path: Path
) -> None:
    ctx = local_ctx
    credit.set_auto_apply(ctx, False)
    clinic, (first, second) = _pass_and_two_classes(ctx)
    card = open_card(qtbot, ctx, clinic.patients[0].id)
    panel = _credit(card)
    assert panel.balance.text() == "Credit: $225.00"
    assert not panel.apply_button.isEnabled()
    panel.lot_table.selectRow(0)

    def pick_second(dialog: object) -> None:
        box = dialog.invoice_box  # type: ignore[attr-defined]
        # Open at once; the owing invoices arrive from the background, Apply off till then.
        assert box.count() == 0 and not dialog.ok_button.isEnabled()  # type: ignore[attr-defined]
        settle()
        assert box.count() == 2 and box.itemData(0) == str(first.id)  # type: ignore[attr-defined]
        box.setCurrentIndex(1)
        assert dialog.amount.text() == "45.00"  # type: ignore[attr-defined]

    answers.then(pick_second)
    panel.apply_button.click()
    settle(qtbot)
    assert billing.get_invoice(ctx, second.id).paid_status is PaidStatus.PAID  # type: ignore[attr-defined]
    assert billing.get_invoice(ctx, first.id).paid_status is PaidStatus.UNPAID  # type: ignore[attr-defined]
    assert panel.balance.text() == "Credit: $180.00"
    assert panel.uses.index(0, 1).data() == second.number  # type: ignore[attr-defined]
    assert panel.selected_lot() is not None  # the chosen credit stays chosen

    # More than is left on the pass, or than the invoice owes: one sentence, no change.
    answers.then(lambda dialog: dialog.amount.setText("50"))
    panel.apply_button.click()
    settle(qtbot)
    assert answers.seen[-1].error.text() == "At most $45.00 can be used here."  # type: ignore[attr-defined]
    assert billing.get_invoice(ctx, first.id).paid_status is PaidStatus.UNPAID  # type: ignore[attr-defined]
    assert errors == []
    card.tabs.setCurrentWidget(panel)
    assert shot(card, qtbot, tmp_path, "credit").stat().st_size > 0


def test_giving_back_the_second_use_reopens_that_invoice(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    ctx = local_ctx
    clinic, (first, second) = _pass_and_two_classes(ctx)
    panel = _credit(open_card(qtbot, ctx, clinic.patients[0].id))
    assert panel.uses.rowCount() == 2
    assert not panel.give_back_button.isEnabled()
    panel.use_table.selectRow(1)
    use = panel.selected_use()
    assert use is not None and use.invoice_id == second.id  # type: ignore[attr-defined]
    answers.then(lambda dialog: dialog.reason.setText("Applied to the wrong class"))
    panel.give_back_button.click()
    settle(qtbot)
    assert billing.get_invoice(ctx, second.id).paid_status is PaidStatus.UNPAID  # type: ignore[attr-defined]
    assert billing.get_invoice(ctx, first.id).paid_status is PaidStatus.PAID  # type: ignore[attr-defined]
    [lot] = credit.patient_lots(ctx, clinic.patients[0].id)
    statuses = {a.invoice_id: a.status for a in lot.applications}
    assert statuses == {first.id: ApplicationStatus.APPLIED, second.id: ApplicationStatus.RETURNED}  # type: ignore[attr-defined]
    assert panel.uses.index(1, 4).data() == "given back"
    assert not panel.give_back_button.isEnabled()  # that use is already back
    assert panel.balance.text() == "Credit: $180.00"
    assert errors == []


def test_refunding_unused_credit_refuses_bad_amounts_then_refunds(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))  # $90
    panel = _credit(open_card(qtbot, ctx, clinic.patients[0].id))
    panel.lot_table.selectRow(0)
    for text, message in (
        ("95", "At most $90.00 can be refunded."),
        ("-5", "Enter an amount more than $0.00."),
        ("12.345", "“12.345” is not an amount of money (e.g. 85.00)"),
    ):

        def fill(dialog: object, text: str = text) -> None:
            dialog.amount.setText(text)  # type: ignore[attr-defined]
            dialog.reason.setText("Moving interstate")  # type: ignore[attr-defined]

        answers.then(fill)
        panel.refund_button.click()
        settle(qtbot)
        assert answers.seen[-1].error.text() == message  # type: ignore[attr-defined]
    [lot] = credit.patient_lots(ctx, clinic.patients[0].id)
    assert lot.refunds == ()

    def refund(dialog: object) -> None:
        dialog.amount.setText("60")  # type: ignore[attr-defined]
        dialog.method.setCurrentIndex(3)  # type: ignore[attr-defined]
        dialog.reason.setText("Moving interstate")  # type: ignore[attr-defined]

    answers.then(refund)
    panel.refund_button.click()
    settle(qtbot)
    [lot] = credit.patient_lots(ctx, clinic.patients[0].id)
    [done] = lot.refunds
    assert (done.amount, done.method, done.reason) == (
        Money(6000),
        PaymentMethod.BANK_TRANSFER.value,
        "Moving interstate",
    )
    assert panel.balance.text() == "Credit: $30.00"
    assert errors == []


def test_a_goodwill_credit_is_added_and_bad_input_adds_nothing(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    patient = clinic.patients[1].id
    panel = _credit(open_card(qtbot, ctx, patient))

    def bad(dialog: object) -> None:
        dialog.amount.setText("12.345")  # type: ignore[attr-defined]
        dialog.description.setText("Goodwill: class cancelled")  # type: ignore[attr-defined]

    answers.then(bad)
    panel.add_button.click()
    settle(qtbot)
    assert "12.345" in answers.seen[-1].error.text()  # type: ignore[attr-defined]
    assert credit.patient_lots(ctx, patient) == []

    def goodwill(dialog: object) -> None:
        assert dialog.source() is CreditSource.CREDIT_NOTE  # type: ignore[attr-defined]
        assert dialog.method.isHidden()  # type: ignore[attr-defined]
        dialog.amount.setText("20")  # type: ignore[attr-defined]
        dialog.description.setText("Goodwill: class cancelled")  # type: ignore[attr-defined]

    answers.then(goodwill)
    panel.add_button.click()
    settle(qtbot)
    [lot] = credit.patient_lots(ctx, patient)
    assert (lot.source, lot.amount, lot.description) == (
        CreditSource.CREDIT_NOTE,
        Money(2000),
        "Goodwill: class cancelled",
    )
    assert panel.balance.text() == "Credit: $20.00"
    assert panel.lots.index(0, 1).data() == "Credit note"
    assert errors == []


def test_a_practitioner_sees_no_refund_give_back_or_credit_note(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers, monkeypatch
) -> None:
    clinic = make_clinic(local_ctx)
    practitioner = Actor(None, "Alice", Role.PRACTITIONER, clinic.alice.id)
    monkeypatch.setattr(local_ctx.actors, "current_actor", lambda: practitioner)
    panel = _credit(open_card(qtbot, local_ctx, clinic.patients[0].id))
    assert panel.refund_button.isHidden() and panel.give_back_button.isHidden()
    assert not panel.apply_button.isHidden()

    def only_on_account(dialog: object) -> None:
        kind = dialog.kind  # type: ignore[attr-defined]
        assert [kind.itemText(i) for i in range(kind.count())] == ["Money received on account"]

    answers.then(only_on_account)
    panel.add_button.click()
    settle(qtbot)
    assert errors == []


def test_a_refund_refused_by_the_store_keeps_what_was_typed(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))  # $90
    panel = _credit(open_card(qtbot, ctx, clinic.patients[0].id))
    panel.lot_table.selectRow(0)

    def refund_after_another_desk(dialog: object) -> bool:
        dialog.amount.setText("60")  # type: ignore[attr-defined]
        dialog.reason.setText("Moving interstate")  # type: ignore[attr-defined]
        # Meanwhile another desk refunds $50 of the same pass: $40 is left.
        off_gui_thread(
            lambda: credit.refund_credit(ctx, lot.id, Money(5000), PaymentMethod.CASH, "Other")
        )
        dialog.ok_button.click()  # type: ignore[attr-defined]
        settle()
        assert len(errors) == 1
        assert dialog.result() != dialog.DialogCode.Accepted  # type: ignore[attr-defined]
        assert dialog.amount.text() == "60"  # type: ignore[attr-defined]
        assert dialog.reason.text() == "Moving interstate"  # type: ignore[attr-defined]
        assert dialog.ok_button.isEnabled()  # type: ignore[attr-defined]
        dialog.reject()  # type: ignore[attr-defined]
        return False

    answers.then(refund_after_another_desk)
    assert panel.refund_credit() is None
    settle(qtbot)
    [stored] = credit.patient_lots(ctx, clinic.patients[0].id)
    assert [r.amount for r in stored.refunds] == [Money(5000)]
    assert panel.balance.text() == "Credit: $40.00"
