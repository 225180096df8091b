"""The patient card's wait-list line: whether the patient is waiting, and a button to add them.

"On the wait list since 3 Feb (urgent)" is read in the background for the patient
shown, and again when the wait list changes; "Add to wait list…" opens the entry
dialog for this patient.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.domain.people import Patient
from desktop.domain.wait_list import WaitListEntry
from desktop.services import wait_list
from desktop.services.changes import Changes
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.wait_list.entry_dialog import EntryPreset, WaitListEntryDialog


def waiting_text(entries: list[WaitListEntry], zone: ZoneInfo) -> str:
    if not entries:
        return "Not on the wait list."
    first = min(entries, key=lambda e: e.created_at)
    since = f"{first.created_at.astimezone(zone):%d %b %Y}"
    urgent = " (urgent)" if any(e.urgent for e in entries) else ""
    count = f" — {len(entries)} entries" if len(entries) > 1 else ""
    return f"On the wait list since {since}{urgent}{count}."


class PatientWaitListRow(QWidget):
    def __init__(
        self, caller: ServiceCaller, zone: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.zone = zone
        self.patient: Patient | None = None
        self.dialog: WaitListEntryDialog | None = None
        self.status = QLabel()
        self.status.setObjectName("patientWaitList")
        self.status.setProperty("muted", True)
        self.add_button = QPushButton("Add to &wait list…")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.add)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.add_button)
        self._key = f"patient-wait-list-{id(self)}"
        caller.bus.changed.connect(self._on_changes)

    def set_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        self.add_button.setEnabled(patient is not None)
        self.status.setText("")
        if patient is None:
            return
        ctx, patient_id = self.caller.ctx, patient.id
        self.caller.in_background(
            lambda: wait_list.current_entries(ctx, patient_id=patient_id),
            key=self._key,
            refresh_on_refusal=False,
        ).success(lambda entries: self.status.setText(waiting_text(entries, self.zone))).run()

    def _on_changes(self, changes: Changes) -> None:
        if changes.wait_list or changes.appointments:
            self.set_patient(self.patient)

    def add(self) -> WaitListEntryDialog | None:
        if self.patient is None:
            return None
        self.dialog = WaitListEntryDialog(
            self.caller, self.zone, EntryPreset(patient=self.patient), None, self
        )
        self.dialog.open()
        return self.dialog
