"""Settings ▸ Packages: what the clinic sells ahead (a 10-class pass, $500 of credit),
and whether credit pays each session's invoice by itself.

A package is either a number of sessions or an amount of credit (its price), may be
limited to some appointment types and may expire a number of days after sale.
Editing changes what is sold from now on; packages already sold keep their terms.
Reception and administrators may change packages (the credit services' rule).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from desktop.domain.appointments import AppointmentType
from desktop.domain.credit import Package
from desktop.domain.roles import Role
from desktop.services import calendar, credit
from desktop.services.changes import Changes
from desktop.services.credit import PackageDetails
from desktop.ui.models.rows import RecordTableModel
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.fields import actor_role, money_from, note_label
from desktop.ui.settings.record_list_dialog import EditorDialog, RecordListDialog

AUTO_APPLY_TEXT = "Use a patient's credit to pay each session's invoice automatically"


class PackageDialog(EditorDialog):
    def __init__(
        self,
        caller: ServiceCaller,
        types: list[AppointmentType],
        package: Package | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(caller, f"Edit {package.name}" if package else "Add a package", parent)
        self.package = package
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. 10 reformer classes")
        self.by_sessions = QRadioButton("A number of &sessions")
        self.by_amount = QRadioButton("An amount of &credit (the price)")
        self.sessions = QSpinBox()
        self.sessions.setRange(1, 500)
        self.sessions.setValue(10)
        self.price = QLineEdit()
        self.price.setPlaceholderText("e.g. 400.00")
        self.expires = QCheckBox("E&xpires")
        self.valid_days = QSpinBox()
        self.valid_days.setRange(1, 3650)
        self.valid_days.setValue(365)
        self.valid_days.setSuffix(" days after sale")
        self.types = QListWidget()
        self.types.setMaximumHeight(140)
        for kind in types:
            item = QListWidgetItem(kind.name)
            item.setData(Qt.ItemDataRole.UserRole, str(kind.id))  # str: Qt keeps it as is
            item.setCheckState(Qt.CheckState.Unchecked)
            self.types.addItem(item)
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("Holds", self.by_sessions)
        form.addRow("", self.sessions)
        form.addRow("", self.by_amount)
        form.addRow("&Price (AUD)", self.price)
        form.addRow(self.expires, self.valid_days)
        form.addRow("For these types", self.types)
        form.addRow("", note_label("None ticked: any appointment type."))
        self.body.addLayout(form)
        self.body.addStretch(1)  # spare height below the form, not between the list and its note
        self.by_sessions.toggled.connect(self.sessions.setEnabled)
        self.expires.toggled.connect(self.valid_days.setEnabled)
        self._show(package)
        self.resize(460, 460)

    def _show(self, package: Package | None) -> None:
        self.by_sessions.setChecked(package is None or package.sessions is not None)
        self.by_amount.setChecked(package is not None and package.sessions is None)
        self.expires.setChecked(package is not None and package.valid_days is not None)
        self.valid_days.setEnabled(self.expires.isChecked())
        if package is None:
            return
        self.name.setText(package.name)
        self.price.setText(str(package.price.to_decimal()))
        if package.sessions is not None:
            self.sessions.setValue(package.sessions)
        if package.valid_days is not None:
            self.valid_days.setValue(package.valid_days)
        eligible = {str(i) for i in package.eligible_type_ids}
        for row in range(self.types.count()):
            item = self.types.item(row)
            if item.data(Qt.ItemDataRole.UserRole) in eligible:
                item.setCheckState(Qt.CheckState.Checked)

    def tick_type(self, type_id: uuid.UUID) -> None:
        for row in range(self.types.count()):
            item = self.types.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == str(type_id):
                item.setCheckState(Qt.CheckState.Checked)

    def details(self) -> PackageDetails:
        ticked = [
            self.types.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.types.count())
            if self.types.item(row).checkState() == Qt.CheckState.Checked
        ]
        return PackageDetails(
            name=self.name.text(),
            price=money_from(self.price.text(), "Price"),
            sessions=self.sessions.value() if self.by_sessions.isChecked() else None,
            eligible_type_ids=frozenset(uuid.UUID(value) for value in ticked),
            valid_days=self.valid_days.value() if self.expires.isChecked() else None,
        )

    def save_changes(self) -> Changes:
        ctx = self.caller.ctx
        details = self.details()
        if self.package is None:
            self.package, changes = credit.create_package(ctx, details)
        else:
            self.package, changes = credit.update_package(ctx, self.package.id, details)
        return changes


class PackageTableModel(RecordTableModel[Package]):
    headers = ("Name", "Holds", "For", "Price", "Expires", "Status")

    def __init__(self) -> None:
        super().__init__()
        # Appointment type names by id (retired ones too), read with the packages.
        self.type_names: dict[uuid.UUID, str] = {}

    def eligible(self, record: Package) -> str:
        """Which types the package pays for, as the owner named them."""
        if not record.eligible_type_ids:
            return "any appointment type"
        return ", ".join(
            sorted(
                self.type_names.get(type_id, "a deleted type")
                for type_id in record.eligible_type_ids
            )
        )

    def cell(self, record: Package, column: int, role: int) -> object:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        holds = f"{record.sessions} sessions" if record.sessions else f"{record.price} of credit"
        expires = f"after {record.valid_days} days" if record.valid_days else "never"
        values = (
            record.name,
            holds,
            self.eligible(record),
            str(record.price),
            expires,
            "On sale" if record.active else "Retired",
        )
        return values[column] if 0 <= column < len(values) else None


class PackagesDialog(RecordListDialog[Package]):
    noun = "package"

    def __init__(self, caller: ServiceCaller, parent: QWidget | None = None) -> None:
        role = actor_role(caller)
        can_edit = role in (Role.ADMIN, Role.RECEPTIONIST)
        self.package_model = PackageTableModel()
        super().__init__(caller, self.package_model, can_edit, parent)
        self.setWindowTitle("Packages")
        self.auto_apply = QCheckBox(AUTO_APPLY_TEXT)
        self.auto_apply.setEnabled(can_edit)
        self.layout_.insertWidget(2, self.auto_apply)
        self.note.setText(
            "A retired package is no longer sold; packages already sold keep working."
            if can_edit
            else "Only reception or an administrator can change packages."
        )
        self.auto_apply.toggled.connect(self._auto_apply_toggled)
        self.reload()

    def reload(self) -> None:
        super().reload()
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: credit.auto_apply(ctx), key=f"auto-apply-{id(self)}", refresh_on_refusal=False
        ).success(self._show_auto_apply).run()

    def _show_auto_apply(self, enabled: bool) -> None:
        self.auto_apply.blockSignals(True)  # showing what is saved is not a change
        self.auto_apply.setChecked(enabled)
        self.auto_apply.blockSignals(False)

    def _auto_apply_toggled(self, enabled: bool) -> None:
        ctx = self.caller.ctx
        changes = self.caller.call(lambda: credit.set_auto_apply(ctx, enabled), title="Packages")
        if changes is None:
            self.reload()  # refused: show what is really saved
            return
        self.caller.publish(changes)

    def load(self) -> list[Package]:
        ctx = self.caller.ctx
        types = calendar.appointment_types(ctx, include_inactive=True)
        # Set before the packages are handed back, so the table reads both at once.
        self.package_model.type_names = {kind.id: kind.name for kind in types}
        return credit.packages(ctx, include_inactive=True)

    def changed(self, changes: Changes) -> bool:
        return changes.billing or changes.appointment_types

    def editor(self, record: Package | None) -> PackageDialog:
        ctx = self.caller.ctx
        types = self.caller.call(lambda: calendar.appointment_types(ctx), refresh_on_refusal=False)
        return PackageDialog(self.caller, types or [], record, self)

    def set_active(self, record: Package, active: bool) -> Changes:
        return credit.set_package_active(self.caller.ctx, record.id, active)
