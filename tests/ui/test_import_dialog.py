"""File ▸ Import… driven through its real widgets, on the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox

from desktop.services import patients
from desktop.ui import import_dialog
from desktop.ui.import_dialog import ImportDialog
from tests.helpers.background import settle
from tests.helpers.clinic import make_clinic
from tests.helpers.import_files import write_csv
from tests.ui.calendar_support import open_window, scene_of

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
    file_menu = window.menuBar().actions()[0].menu()
    entry = next(a for a in file_menu.actions() if a.text() == "&Import…")
    entry.trigger()  # File ▸ Import…, as a receptionist reaches it
    dialog = next(d for d in window.findChildren(ImportDialog) if d.isVisible())
    dialog.choose_file()
    settle(qtbot)
    assert [dialog.columns.item(i, 0).text() for i in range(6)][:3] == [
        "Patient ID",
        "Vorname",
        "Last Name",
    ]
    assert dialog.picker(1).currentData() == ""  # unknown: ignored until mapped
    assert dialog.picker(3).currentData() == "date_of_birth"
    assert not dialog.import_button.isEnabled()

    dialog.preview()
    settle(qtbot)
    assert errors == ["No column is mapped to “First name”."]
    choose(dialog.picker(1), "first_name")
    dialog.preview()
    settle(qtbot)
    results = [
        [dialog.rows.item(r, c).text() for c in range(3)] for r in range(dialog.rows.rowCount())
    ]
    assert results == [
        ["2", "Would create", "Zoë Nguyễn, born 31/12/1980"],
        ["3", "Would skip", "Sam Lee, born 15/01/1980"],
        ["4", "Refused", "Liam O'Connor"],
    ]
    assert "“31/02/1975” is not a date that exists" in dialog.rows.item(2, 3).text()
    assert "Nothing would be imported: row 4 is refused" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()

    dialog.skip_bad_rows.setChecked(True)  # a new choice needs a new preview
    assert not dialog.import_button.isEnabled() and dialog.rows.rowCount() == 0
    dialog.preview()
    settle(qtbot)
    assert dialog.import_button.isEnabled()
    assert dialog.summary.text() == (
        "Would create 1 patient, skip 1 already there, leave out 1 bad row."
    )
    dialog.resize(1366, 768)
    dialog.grab().save(str(tmp_path / "import-preview.png"))
    assert patients.search_patients(local_ctx, "zoë") == []  # the preview wrote nothing

    dialog.run()
    settle(qtbot)
    assert dialog.summary.text().startswith("Created 1 patient, skipped 1 already there")
    # Once imported, each row says what was done; a preview never claims it created.
    assert [dialog.rows.item(r, 1).text() for r in range(3)] == ["Created", "Skipped", "Left out"]
    zoe = patients.search_patients(local_ctx, "zoë")[0]
    assert (zoe.last_name, zoe.phone, zoe.notes) == ("Nguyễn", "0412 000 001", "Knee, left")
    assert not dialog.import_button.isEnabled()  # once is enough
    assert errors == ["No column is mapped to “First name”."]


APPOINTMENTS = (
    "Client,DOB,Provider,Service,Start,Status\r\n"
    "Jo Citizen,15/01/1982,Alice Physio,Consult,03/03/2031 09:00,Booked\r\n"
    "Ana Lima,15/01/1983,Alice Physio,Consult,03/03/2031 09:15,Booked\r\n"
    "Sam Lee,,Alice Physio,Consult,03/03/2031 11:00,Booked\r\n"
    "Ana Lima,15/01/1983,Rita Retired,Consult,03/03/2031 11:00,Booked\r\n"
)


def test_appointments_preview_names_each_refusal(
    qtbot, local_ctx, settings, errors, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clinic = make_clinic(local_ctx)
    window = open_window(qtbot, local_ctx, settings)
    dialog = window.open_import()
    dialog.load(write_csv(tmp_path, "a.csv", APPOINTMENTS))
    choose(dialog.kind, "appointments")  # the columns are read again for appointments
    settle(qtbot)
    assert [dialog.picker(i).currentData() for i in range(6)] == [
        "patient",
        "patient_date_of_birth",
        "practitioner",
        "appointment_type",
        "start",
        "status",
    ]
    dialog.preview()
    settle(qtbot)
    why = [dialog.rows.item(r, 3).text() for r in range(dialog.rows.rowCount())]
    assert why[0] == ""
    assert why[1].startswith("Alice Physio is already booked from 09:00 to 09:30")
    assert why[2].startswith("2 patients are called Sam Lee")
    assert why[3] == "Rita Retired is inactive and cannot be booked."
    dialog.resize(1366, 768)
    dialog.grab().save(str(tmp_path / "import-appointments.png"))
    dialog.skip_bad_rows.setChecked(True)
    dialog.preview()
    settle(qtbot)
    dialog.run()
    settle(qtbot)
    assert dialog.summary.text().startswith("Created 1 appointment, skipped 0 already there")
    assert dialog.imported is not None
    (new_id,) = dialog.imported.changes.ids
    block = scene_of(window).items_by_id[new_id]  # the calendar shows it without a reload
    assert block.appointment.patient_id == clinic.patients[2].id


def test_a_windows_1252_file_says_how_it_was_read(
    qtbot, local_ctx, settings, errors, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, local_ctx, settings)
    dialog = window.open_import()
    path = tmp_path / "old.csv"
    path.write_bytes("First name,Surname\r\nZoë,Müller\r\n".encode("cp1252"))
    dialog.load(path)
    settle(qtbot)
    assert dialog.note.isVisibleTo(dialog) and "Windows-1252" in dialog.note.text()
    assert dialog.columns.item(0, 1).text() == "Zoë"
