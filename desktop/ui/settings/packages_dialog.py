"""Settings ▸ Packages: what the clinic sells ahead (a 10-class pass, $500 of credit),
and whether credit pays each session's invoice by itself.

A package is either a number of sessions or an amount of credit (its price), may be
limited to some appointment types and may expire a number of days after sale.
Editing changes what is sold from now on; packages already sold keep their terms.
Reception and administrators may change packages (the credit services' rule).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

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
from desktop.ui.settings.fields import money_from, note_label
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

    def saving(self) -> Callable[[], Changes]:
        ctx, package, details = self.caller.ctx, self.package, self.details()
        if package is None:
            return lambda: credit.create_package(ctx, details)[1]
        return lambda: credit.update_package(ctx, package.id, details)[1]


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
        self.package_model = PackageTableModel()
        self.auto_apply = QCheckBox(AUTO_APPLY_TEXT)
        self.auto_apply.setEnabled(False)  # until the role is known
        self.active_types: list[AppointmentType] = []  # what a package may pay for
        super().__init__(caller, self.package_model, parent)
        self.setWindowTitle("Packages")
        self.layout_.insertWidget(2, self.auto_apply)
        self.auto_apply.toggled.connect(self._auto_apply_toggled)
        self.reload()

    def may_edit(self, role: Role | None) -> bool:
        return role in (Role.ADMIN, Role.RECEPTIONIST)

    def note_for(self, can_edit: bool) -> str:
        if can_edit:
            return "A retired package is no longer sold; packages already sold keep working."
        return "Only reception or an administrator can change packages."

    def role_read(self, role: Role | None) -> None:
        super().role_read(role)
        self.auto_apply.setEnabled(self.can_edit)

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
        self.busy.save(
            lambda: credit.set_auto_apply(ctx, enabled),
            self.caller.publish,
            title="Packages",
            on_error=lambda _exc: self.reload(),  # refused: show what is really saved
        )

    def load(self) -> list[Package]:
        ctx = self.caller.ctx
        types = calendar.appointment_types(ctx, include_inactive=True)
        # Set before the packages are handed back, so the table reads both at once.
        self.package_model.type_names = {kind.id: kind.name for kind in types}
        self.active_types = [kind for kind in types if kind.active]
        return credit.packages(ctx, include_inactive=True)

    def changed(self, changes: Changes) -> bool:
        return changes.billing or changes.appointment_types

    def editor(self, record: Package | None) -> PackageDialog:
        # The types were read with the packages (`load`): no reading while the user waits.
        return PackageDialog(self.caller, self.active_types, record, self)

    def set_active(self, record: Package, active: bool) -> Changes:
        return credit.set_package_active(self.caller.ctx, record.id, active)
