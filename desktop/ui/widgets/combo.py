"""Choosing a combo box item by its data.

`QComboBox.findData` compares Python objects by identity once they pass through
Qt: a `uuid.UUID` read again from the store is equal to the one stored but is
not found, and code that then falls back to index 0 silently picks the first
practitioner. Everything in the UI that chooses by data goes through here.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox


def index_of_data(combo: QComboBox, value: object) -> int:
    """The first item whose data equals `value`, or -1."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


def select_data(combo: QComboBox, value: object) -> bool:
    """Make the item holding `value` current; when none does, choose nothing (never item 0)."""
    index = index_of_data(combo, value)
    combo.setCurrentIndex(index)
    return index >= 0
