"""File ▸ Import… driven through its real widgets, on the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox

from desktop.services import patients
from desktop.ui import import_dialog
from desktop.ui.import_dialog import ImportDialog
from tests.helpers.clinic import make_clinic
from tests.helpers.import_files import write_csv
from tests.ui.calendar_support import open_window

# "Vorname" is not a name Frontdesk knows, and it is not the first column.
EXPORT = (
    "Patient ID,Vorname,Last Name,Date of Birth,Phone (mobile),Notes\r\n"
    'P-1,Zoë,Nguyễn,31/12/1980,0412 000 001,"Knee, left"\r\n'
    "P-2,Sam,Lee,1980-01-15,0412 345 678,\r\n"
    "P-3,Liam,O'Connor,31/02/1975,,\r\n"
)


def choose(picker: QComboBox, key: str) -> None:
    picker.setCurrentIndex(next(i for i in range(picker.count()) if picker.itemData(i) == key))


def test_mapping_a_column_by_hand_then_preview_and_import(
    qtbot, local_ctx, settings, errors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    make_clinic(local_ctx)
    window = open_window(qtbot, local_ctx, settings)
    path = write_csv(tmp_path, "export.csv", EXPORT)
    monkeypatch.setattr(import_dialog, "ask_open_path", lambda _parent: path)
    dialog = window.open_import()
    assert isinstance(dialog, ImportDialog)
    dialog.choose_file()
    assert [dialog.columns.item(i, 0).text() for i in range(6)][:3] == [
        "Patient ID",
        "Vorname",
        "Last Name",
    ]
    assert dialog.picker(1).currentData() == ""  # unknown: ignored until mapped
    assert dialog.picker(3).currentData() == "date_of_birth"
    assert not dialog.import_button.isEnabled()

    dialog.preview()
    assert errors == ["No column is mapped to “First name”."]
    choose(dialog.picker(1), "first_name")
    dialog.preview()
    results = [
        [dialog.rows.item(r, c).text() for c in range(3)] for r in range(dialog.rows.rowCount())
    ]
    assert results == [
        ["2", "Created", "Zoë Nguyễn, born 31/12/1980"],
        ["3", "Skipped", "Sam Lee, born 15/01/1980"],
        ["4", "Refused", "Liam O'Connor"],
    ]
    assert "“31/02/1975” is not a date that exists" in dialog.rows.item(2, 3).text()
    assert "Nothing would be imported: row 4 is refused" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()

    dialog.skip_bad_rows.setChecked(True)  # a new choice needs a new preview
    assert not dialog.import_button.isEnabled() and dialog.rows.rowCount() == 0
    dialog.preview()
    assert dialog.import_button.isEnabled()
    dialog.resize(1366, 768)
    dialog.grab().save(str(tmp_path / "import-preview.png"))
    assert patients.search_patients(local_ctx, "zoë") == []  # the preview wrote nothing

    dialog.run()
    assert dialog.summary.text().startswith("Created 1 patient, skipped 1 already there")
    zoe = patients.search_patients(local_ctx, "zoë")[0]
    assert (zoe.last_name, zoe.phone, zoe.notes) == ("Nguyễn", "0412 000 001", "Knee, left")
    assert not dialog.import_button.isEnabled()  # once is enough
    assert errors == ["No column is mapped to “First name”."]


def test_appointments_kind_offers_appointment_fields(
    qtbot, local_ctx, settings, errors, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    make_clinic(local_ctx)
    window = open_window(qtbot, local_ctx, settings)
    dialog = window.open_import()
    dialog.load(write_csv(tmp_path, "a.csv", "Client,Provider,Service,Start\r\n"))
    choose_kind = dialog.kind
    choose_kind.setCurrentIndex(
        next(i for i in range(choose_kind.count()) if choose_kind.itemData(i) == "appointments")
    )
    assert [dialog.picker(i).currentData() for i in range(4)] == [
        "patient",
        "practitioner",
        "appointment_type",
        "start",
    ]
