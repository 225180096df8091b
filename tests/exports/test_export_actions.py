"""The export actions a window wires in, with their questions answered by the test."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import icalendar
from pypdf import PdfReader
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from desktop.ui import operations
from desktop.ui.export_actions import (
    ExportActions,
    ExportQuestions,
    ExportRangeDialog,
    RangeAnswer,
    RangeQuestion,
)
from tests.exports.scenario import book_export_day
from tests.helpers.background import settle


class Answers:
    def __init__(self, folder: Path, answer: RangeAnswer | None = None) -> None:
        self.folder = folder
        self.answer = answer
        self.asked: list[RangeQuestion] = []
        self.suggested: list[str] = []
        self.opened: list[Path] = []

    def questions(self) -> ExportQuestions:
        return ExportQuestions(self.save_path, self.date_range, self.opened.append)

    def save_path(self, parent: QWidget | None, title: str, suggested: str, kind: str) -> Path:
        self.suggested.append(suggested)
        return self.folder / suggested

    def date_range(self, parent: QWidget | None, question: RangeQuestion) -> RangeAnswer | None:
        self.asked.append(question)
        return self.answer


def make_actions(qtbot, ctx, answers: Answers, practitioner=None) -> ExportActions:  # type: ignore[no-untyped-def]
    window = QWidget()
    qtbot.addWidget(window)
    return ExportActions(
        window,
        ctx,
        current_day=lambda: date(2031, 3, 3),
        current_practitioner=lambda: practitioner,
        questions=answers.questions(),
    )


def test_save_and_print_the_day_sheet(qtbot, ctx, clinic, tmp_path) -> None:
    book_export_day(ctx, clinic)
    answers = Answers(tmp_path)
    actions = make_actions(qtbot, ctx, answers)
    with qtbot.waitSignal(actions.finished) as finished:
        actions.day_sheet_action.trigger()
    saved = tmp_path / "day-sheet-2031-03-03.pdf"
    assert finished.args == [f"Saved the day sheet to {saved}"]
    assert "Alice Physio" in PdfReader(saved).pages[0].extract_text()

    printed = actions.print_day_sheet()
    assert answers.opened == []  # opened once written, not before
    settle(qtbot)
    assert printed is not None and answers.opened == [printed]
    assert printed.parent.name == "print" and printed.is_relative_to(tmp_path / "home")
    assert [a.text() for a in actions.actions()] == [
        "Print day sheet…",
        "Save day sheet as PDF…",
        "Export practitioner calendar (.ics)…",
        "Export appointments (CSV)…",
    ]


def test_ics_asks_for_the_practitioner_and_range(qtbot, ctx, clinic, tmp_path) -> None:
    booked = book_export_day(ctx, clinic)
    answers = Answers(tmp_path, RangeAnswer(date(2031, 3, 1), date(2031, 3, 31), clinic.bob.id))
    actions = make_actions(qtbot, ctx, answers, practitioner=clinic.alice.id)
    actions.save_ics()
    assert answers.asked == []  # asked once the practitioners are read, in the background
    with qtbot.waitSignal(actions.finished) as finished:
        settle(qtbot)
    out = tmp_path / "bob-pilates-2031-03-01.ics"
    assert finished.args == [f"Saved the calendar of Bob Pilates to {out}"]
    (question,) = answers.asked
    assert question.practitioner_id == clinic.alice.id  # the one selected on the calendar
    assert [p.name for p in question.practitioners or []] == ["Alice Physio", "Bob Pilates"]
    events = icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [str(booked.reformer.id)]


def test_csv_defaults_to_the_month_and_cancel_writes_nothing(qtbot, ctx, clinic, tmp_path) -> None:
    book_export_day(ctx, clinic)
    answers = Answers(tmp_path, None)
    actions = make_actions(qtbot, ctx, answers)
    assert actions.save_csv() is None
    assert (answers.asked[0].first, answers.asked[0].last) == (date(2031, 3, 1), date(2031, 3, 31))
    assert not list(tmp_path.glob("*.csv"))

    answers.answer = RangeAnswer(date(2031, 3, 1), date(2031, 3, 31))
    out = actions.save_csv()
    settle(qtbot)
    assert out == tmp_path / "appointments-2031-03-01-to-2031-03-31.csv"
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + 6


def test_a_file_that_cannot_be_written_is_a_message_not_a_crash(
    qtbot, ctx, clinic, tmp_path, monkeypatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, title, text: shown.append(text))
    actions = make_actions(qtbot, ctx, Answers(tmp_path / "no-such-folder"))
    reported: list[str] = []
    actions.finished.connect(reported.append)
    actions.save_day_sheet()
    settle(qtbot)
    assert reported == []
    assert shown and shown[0].startswith("Could not write") and "No such file" in shown[0]


def test_the_range_dialog_refuses_a_backwards_range(qtbot, clinic, tmp_path) -> None:
    question = RangeQuestion(
        "Export a practitioner's calendar",
        date(2031, 3, 3),
        date(2031, 5, 26),
        [clinic.alice, clinic.bob],
        clinic.bob.id,
    )
    dialog = ExportRangeDialog(question)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grab().save(str(tmp_path / "export-range-dialog.png"))
    assert dialog.answer() == RangeAnswer(date(2031, 3, 3), date(2031, 5, 26), clinic.bob.id)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.last.setDate(dialog.first.date().addDays(-1))
    assert not ok.isEnabled()
    assert dialog.problem.text() == "The end date is before the start date."
    dialog.grab().save(str(tmp_path / "export-range-dialog-refused.png"))
