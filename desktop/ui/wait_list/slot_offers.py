"""The booking dialog's wait-list part: who is waiting for the time being booked.

Whenever the practitioner, day, time or length in the dialog changes, the entries
that fit that slot are read in the background (urgent first, then oldest) and
listed under the form. Choosing one fills in the patient (and a type they can
take); Book then books them by the usual rules and takes them off the list — or,
for a patient waiting to come earlier than a booking they have, moves that booking.
When nobody fits and there is no good time for this patient, "Add to wait list…"
puts them on it with what the dialog holds.

Signals:
    chosen(WaitListEntry): an entry was picked to book.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DomainError
from desktop.domain.people import Patient
from desktop.domain.wait_list import WaitListEntry
from desktop.services import booking, patients, series, wait_list
from desktop.services.booking import Booked, BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.series import SeriesBooked, SeriesRequest
from desktop.ui.background_ops import TYPING_PAUSE_MS, Debounce
from desktop.ui.messaging.formatting import short_when
from desktop.ui.wait_list.entry_dialog import EntryPreset, WaitListEntryDialog

if TYPE_CHECKING:
    from desktop.ui.dialogs.booking import BookingDialog

ENTRY_ROLE = Qt.ItemDataRole.UserRole
URGENT = QColor("#b03a2e")


@dataclass(frozen=True, slots=True)
class Offer:
    entry: WaitListEntry
    patient: Patient


def read_offers(
    ctx: ServiceContext,
    practitioner_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
) -> list[Offer]:
    found = wait_list.matches_for_slot(ctx, practitioner_id, starts_at, ends_at, now=now)
    return [Offer(entry, patients.get_patient(ctx, entry.patient_id)) for entry in found]


def offer_text(offer: Offer, zone: ZoneInfo) -> str:
    entry = offer.entry
    parts = [
        "URGENT" if entry.urgent else "",
        offer.patient.display_name,
        f"waiting since {_day(entry.created_at, zone)}",
        (
            f"booked {short_when(entry.appointment_starts_at, zone)}, wants earlier"
            if entry.appointment_starts_at
            else ""
        ),
        entry.note.replace("\n", " "),
    ]
    return " · ".join(p for p in parts if p)


def _day(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local.day} {local:%b}"


def book_series(
    ctx: ServiceContext, entry: WaitListEntry | None, request: SeriesRequest
) -> SeriesBooked:
    """Book with Repeat on (in the background): the chosen entry's patient leaves the list
    (the first date fills their slot), anyone else gets a plain series."""
    if entry is not None and request.first.patient_id == entry.patient_id:
        return wait_list.book_entry_series(ctx, entry.id, request)
    return series.book_series(ctx, request)


class WaitListOffers(QWidget):
    chosen = Signal(object)

    def __init__(self, dialog: BookingDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.caller = dialog.caller
        self.entry: WaitListEntry | None = None  # the one being booked, if any
        self.heading = QLabel()
        self.heading.setObjectName("sectionHeading")
        self.offers = QListWidget()
        self.offers.setObjectName("waitListOffers")
        self.offers.setAccessibleName("Wait list for this time")
        self.offers.setMaximumHeight(92)
        self.offers.itemActivated.connect(self._picked)
        self.offers.itemClicked.connect(self._picked)
        self.add_button = QPushButton("Add to &wait list…")
        self.add_button.setAutoDefault(False)
        self.add_button.setToolTip("No good time for this patient: put them on the wait list")
        self.add_button.clicked.connect(self.add_to_wait_list)
        self.entry_dialog: WaitListEntryDialog | None = None
        row = QHBoxLayout()
        row.addWidget(self.heading, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.offers)
        self.offers.hide()
        self._key = f"wait-list-offers-{id(self)}"
        self.look_up_later = Debounce(TYPING_PAUSE_MS, lambda _text: self.look_up(), self)
        dialog.practitioner_box.currentIndexChanged.connect(self._slot_changed)
        dialog.date_edit.dateChanged.connect(self._slot_changed)
        dialog.time_edit.timeChanged.connect(self._slot_changed)
        dialog.duration.valueChanged.connect(self._slot_changed)
        dialog.picker.patient_chosen.connect(self._patient_changed)

    def _slot_changed(self) -> None:
        self.look_up_later("")

    def look_up(self) -> None:
        """Read who on the wait list fits the slot the dialog now holds."""
        practitioner_id = self.dialog.practitioner_box.currentData()
        if not isinstance(practitioner_id, uuid.UUID):
            self._show([])
            return
        try:
            starts_at = self.dialog.starts_at()
        except DomainError:  # a wall time the clocks skip: the dialog says so on Book
            self._show([])
            return
        ends_at = starts_at + timedelta(minutes=self.dialog.duration.value())
        ctx, clock = self.caller.ctx, self.dialog.now
        now = clock() if clock is not None else None
        self.caller.in_background(
            lambda: read_offers(ctx, practitioner_id, starts_at, ends_at, now),
            key=self._key,
            refresh_on_refusal=False,
        ).success(self._show).run()

    def _show(self, offers: list[Offer]) -> None:
        self.offers.clear()
        for offer in offers:
            item = QListWidgetItem(offer_text(offer, self.dialog.zone))
            item.setData(ENTRY_ROLE, offer)
            if offer.entry.urgent:
                item.setForeground(URGENT)
            self.offers.addItem(item)
            if self.entry is not None and offer.entry.id == self.entry.id:
                item.setSelected(True)
        self.offers.setVisible(bool(offers))
        self.heading.setText(
            f"On the wait list for this time ({len(offers)}): choose one to book them"
            if offers
            else "Nobody on the wait list fits this time."
        )

    def offer(self, row: int) -> Offer:
        found = self.offers.item(row).data(ENTRY_ROLE)
        assert isinstance(found, Offer)
        return found

    def choose(self, row: int) -> None:
        self._picked(self.offers.item(row))

    def _picked(self, item: QListWidgetItem) -> None:
        offer = item.data(ENTRY_ROLE)
        if not isinstance(offer, Offer):
            return
        self.entry = offer.entry
        self.dialog.picker.choose(offer.patient)
        wanted = offer.entry.wishes.type_ids
        kind = self.dialog.selected_type()
        if wanted and (kind is None or kind.id not in wanted):
            box = self.dialog.type_box
            index = next(
                (i for i in range(box.count()) if getattr(box.itemData(i), "id", None) in wanted),
                -1,
            )
            if index >= 0:
                box.setCurrentIndex(index)
        self.dialog.hint.setText(
            f"Booking {offer.patient.full_name} from the wait list: they come off it once booked."
            + (" Their later booking is moved here." if offer.entry.appointment_id else "")
        )
        self.chosen.emit(offer.entry)

    def _patient_changed(self, patient: object) -> None:
        if self.entry is not None and getattr(patient, "id", None) != self.entry.patient_id:
            self.entry = None  # another patient typed in: an ordinary booking

    def book(self, ctx: ServiceContext, request: BookingRequest) -> Booked:
        """What Book does: from the wait list when an entry was chosen, else a plain booking."""
        if self.entry is not None and request.patient_id == self.entry.patient_id:
            return wait_list.book_entry(ctx, self.entry.id, request)
        return booking.book_appointment(ctx, request)

    def add_to_wait_list(self) -> WaitListEntryDialog:
        dialog = self.dialog
        kind = dialog.selected_type()
        practitioner = dialog.practitioner_box.currentData()
        preset = EntryPreset(
            patient=dialog.picker.patient,
            practitioner_id=practitioner if isinstance(practitioner, uuid.UUID) else None,
            type_id=kind.id if kind else None,
        )
        entry_dialog = WaitListEntryDialog(self.caller, dialog.zone, preset, None, dialog)
        entry_dialog.saved.connect(lambda _entry: dialog.reject())  # nothing to book now
        self.entry_dialog = entry_dialog
        entry_dialog.open()
        return entry_dialog
