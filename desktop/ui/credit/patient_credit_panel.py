"""The patient card's Credit tab: the balance, what is left of each package or credit,
and every use (which session, when, how much).

From here the front desk sells a package, adds credit by hand (a goodwill credit
note, or money left on account), applies the selected credit to an owing invoice,
refunds what is unused of it, and gives one use back (the invoice is owing again).
Giving back, refunding and credit notes are the front desk's: practitioners do not
see them (the services refuse them too). Reloads itself when billing changes.

Nothing waits on the store on the GUI thread: the statement and who is signed in
are read in the background (*Add credit…* and the front desk's buttons wait for
the latter), each question's dialog saves in the background and stays up, with
what was typed, when the change is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.credit import Application, CreditLot, CreditStatement
from desktop.domain.roles import Actor
from desktop.services import billing, credit
from desktop.services.changes import Changes
from desktop.ui.billing.invoice_actions import read_actor, save_in_dialog, with_reason
from desktop.ui.billing.small_dialogs import RefundDialog
from desktop.ui.credit.credit_dialogs import AddCreditDialog, ApplyCreditDialog
from desktop.ui.credit.sell_package_dialog import SellPackageDialog
from desktop.ui.models.credit import CreditUseModel, LotTableModel
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.saving_dialog import Save, SavingDialog
from desktop.ui.widgets.tables import record_table


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionHeading")
    return label


class PatientCreditPanel(QWidget):
    def __init__(
        self, caller: ServiceCaller, patient_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.patient_id = patient_id
        self.statement: CreditStatement | None = None
        self.balance = QLabel()
        self.balance.setObjectName("creditBalance")
        self.balance.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.lots = LotTableModel(self)
        self.lot_table = record_table(self.lots, "creditLots", 0)
        self.uses = CreditUseModel(self)
        self.use_table = record_table(self.uses, "creditUses", 2)
        self.sell_button = QPushButton("Sell package…")
        self.sell_button.setObjectName("sellPackage")
        self.add_button = QPushButton("Add credit…")
        self.apply_button = QPushButton("Apply to invoice…")
        self.refund_button = QPushButton("Refund unused…")
        self.give_back_button = QPushButton("Give back…")
        self.sell_button.clicked.connect(self.sell_package)
        self.add_button.clicked.connect(self.add_credit)
        self.apply_button.clicked.connect(self.apply_credit)
        self.refund_button.clicked.connect(self.refund_credit)
        self.give_back_button.clicked.connect(self.give_back)
        self.money_back = False  # until the signed-in user is known
        self.add_button.setEnabled(False)  # what it offers depends on who that is
        self.refund_button.setVisible(False)
        self.give_back_button.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.balance, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.sell_button)
        lot_buttons = QHBoxLayout()
        lot_buttons.addWidget(self.apply_button)
        lot_buttons.addWidget(self.refund_button)
        lot_buttons.addStretch(1)
        use_buttons = QHBoxLayout()
        use_buttons.addWidget(self.give_back_button)
        use_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(_heading("Packages and credit"))
        layout.addWidget(self.lot_table, 1)
        layout.addLayout(lot_buttons)
        layout.addWidget(_heading("Used"))
        layout.addWidget(self.use_table, 1)
        layout.addLayout(use_buttons)
        self.lot_table.selectionModel().selectionChanged.connect(self._enable)
        self.use_table.selectionModel().selectionChanged.connect(self._enable)
        caller.bus.changed.connect(self._on_changes)
        read_actor(caller, self, self._signed_in)
        self.reload()

    def _signed_in(self, actor: Actor) -> None:
        self.money_back = actor.handles_money_back
        self.add_button.setEnabled(True)
        self.refund_button.setVisible(self.money_back)
        self.give_back_button.setVisible(self.money_back)

    # ------------------------------------------------------------------ showing

    def _on_changes(self, changes: Changes) -> None:
        if changes.billing or changes.patients:
            self.reload()

    def reload(self) -> None:
        ctx, patient_id = self.caller.ctx, self.patient_id
        self.caller.in_background(
            lambda: credit.patient_credit(ctx, patient_id),
            key=f"patient-credit-{id(self)}",
            title="Credit",
            refresh_on_refusal=False,
            parent=self,
        ).success(self._show_statement).run()

    def _show_statement(self, found: CreditStatement) -> None:
        lot, use = self.selected_lot(), self.selected_use()
        self.statement = found
        self.balance.setText(f"Credit: {found.balance}")
        self.lots.set_records(found.lots)
        self.uses.set_records(found.uses)
        if lot is not None:
            self.select_lot(lot.id)
        if use is not None:
            self._select(self.use_table, [u.id for u in found.uses], use.id)
        self._enable()

    def selected_lot(self) -> CreditLot | None:
        rows = self.lot_table.selectionModel().selectedRows()
        return self.lots.record(rows[0].row()).lot if rows else None

    def selected_use(self) -> Application | None:
        rows = self.use_table.selectionModel().selectedRows()
        return self.uses.record(rows[0].row()) if rows else None

    def select_lot(self, lot_id: uuid.UUID) -> None:
        if self.statement is not None:
            self._select(self.lot_table, [s.lot.id for s in self.statement.lots], lot_id)

    def select_use(self, application_id: uuid.UUID) -> None:
        if self.statement is not None:
            self._select(self.use_table, [u.id for u in self.statement.uses], application_id)

    @staticmethod
    def _select(table: QTableView, ids: list[uuid.UUID], wanted: uuid.UUID) -> None:
        if wanted in ids:
            table.selectRow(ids.index(wanted))

    def _enable(self, *_: object) -> None:
        lot, use = self.selected_lot(), self.selected_use()
        has_left = lot is not None and lot.remaining.cents > 0
        self.apply_button.setEnabled(has_left)
        self.refund_button.setEnabled(has_left)
        self.give_back_button.setEnabled(use is not None and use.live)

    # ------------------------------------------------------------------ acting

    def _save(self, dialog: SavingDialog, work: Callable[[], Save], title: str) -> Changes | None:
        return self._reload_unless_done(save_in_dialog(self.caller, dialog, work, title))

    def _reload_unless_done(self, changes: Changes | None) -> Changes | None:
        if changes is None:
            self.reload()  # backed out, or refused: perhaps changed elsewhere meanwhile
        return changes

    def sell_package(self) -> SellPackageDialog:
        dialog = SellPackageDialog(self.caller, self.patient_id, self)
        dialog.open()
        return dialog

    def add_credit(self) -> Changes | None:
        dialog = AddCreditDialog(self.money_back, self)
        ctx, patient_id = self.caller.ctx, self.patient_id

        def work() -> Save:
            source, amount, method = dialog.source(), dialog.money(), dialog.chosen_method()
            description = dialog.description.text()
            return lambda: credit.add_credit(
                ctx, patient_id, amount, source, description, method=method
            )[1]

        return self._save(dialog, work, "Add credit")

    def apply_credit(self) -> Changes | None:
        """The dialog opens at once; the owing invoices to choose from arrive later."""
        lot = self.selected_lot()
        if lot is None:
            return None
        dialog = ApplyCreditDialog(lot, self)
        ctx, patient_id = self.caller.ctx, self.patient_id
        self.caller.in_background(
            lambda: billing.patient_invoices(ctx, patient_id),
            title="Apply credit",
            refresh_on_refusal=False,
            parent=dialog,
        ).success(
            lambda invoices: dialog.offer([i for i in reversed(invoices) if i.amount_due.cents > 0])
        ).run()  # oldest first

        def work() -> Save:
            invoice, amount = dialog.invoice(), dialog.money()
            assert invoice is not None  # Apply is off without one
            return lambda: credit.apply_credit(ctx, invoice.id, lot.id, amount)[1]

        return self._save(dialog, work, "Apply credit")

    def refund_credit(self) -> Changes | None:
        lot = self.selected_lot()
        if lot is None:
            return None
        dialog = RefundDialog(
            lot.remaining, self, title=f"Refund unused credit {lot.number}", available="Unused"
        )
        ctx = self.caller.ctx

        def work() -> Save:
            amount, method, reason = dialog.money(), dialog.chosen_method(), dialog.reason.text()
            return lambda: credit.refund_credit(ctx, lot.id, amount, method, reason)[1]

        return self._save(dialog, work, "Refund credit")

    def give_back(self) -> Changes | None:
        use = self.selected_use()
        if use is None:
            return None
        ctx = self.caller.ctx
        return self._reload_unless_done(
            with_reason(
                self.caller,
                self,
                "Give credit back",
                f"Take {use.number} ({use.amount}) off {use.invoice_number}? The credit "
                "returns to the patient and the invoice is owing again.",
                "Give back",
                lambda reason: lambda: credit.return_credit(ctx, use.id, reason),
            )
        )
