"""Which practitioners get columns: a checkable menu, remembered in the preferences.

Only active practitioners are offered (inactive ones never appear in the calendar).
The last ticked one cannot be unticked, so the calendar is never empty by accident.

Signals:
    hidden_changed(frozenset[UUID]): the practitioners now hidden.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from desktop.domain.people import Practitioner


def swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class PractitionerChooser(QToolButton):
    hidden_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText("Practitioners")
        self.setObjectName("practitionerChooser")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = QMenu(self)
        self.setMenu(self.menu_)
        self._actions: dict[uuid.UUID, QAction] = {}

    def set_practitioners(
        self, active: Sequence[Practitioner], hidden: frozenset[uuid.UUID]
    ) -> None:
        self.menu_.clear()
        self._actions.clear()
        show_all = self.menu_.addAction("Show everyone")
        show_all.triggered.connect(lambda: self.hidden_changed.emit(frozenset()))
        self.menu_.addSeparator()
        for practitioner in active:
            action = self.menu_.addAction(swatch(practitioner.colour), practitioner.name)
            action.setCheckable(True)
            action.setChecked(practitioner.id not in hidden)
            action.toggled.connect(self._toggled)
            self._actions[practitioner.id] = action
        shown = sum(1 for a in self._actions.values() if a.isChecked())
        self.setText(
            "Practitioners"
            if shown == len(self._actions)
            else f"Practitioners ({shown} of {len(self._actions)})"
        )

    def action_for(self, practitioner_id: uuid.UUID) -> QAction:
        return self._actions[practitioner_id]

    def _toggled(self, checked: bool) -> None:
        hidden = frozenset(i for i, a in self._actions.items() if not a.isChecked())
        if len(hidden) == len(self._actions) and not checked:
            sender = self.sender()
            if isinstance(sender, QAction):
                sender.blockSignals(True)
                sender.setChecked(True)  # keep at least one column
                sender.blockSignals(False)
            return
        self.hidden_changed.emit(hidden)
