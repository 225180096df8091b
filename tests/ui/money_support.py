"""Driving the patient card's money tabs in tests: a clinic on real SQLite, a card
open on a patient, and the user's answers to the dialogs the tabs open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from desktop.services.context import ServiceContext
from desktop.ui import prompts
from desktop.ui.change_bus import ChangeBus
from desktop.ui.patients.card import PatientCard
from desktop.ui.service_caller import ServiceCaller
from tests.helpers.background import settle
from tests.helpers.clinic import ZONE


@dataclass
class Answers:
    """Stands in for the user at each dialog, as `exec()` would run it: fills it with
    `fill` (a fill that needs what the dialog reads in the background settles first),
    waits for what is still being read, then presses its OK button if that button lets
    them (a disabled OK is a user who cannot go on) and waits for the save. A dialog
    still open after that (a refusal) is the user giving up: Cancel.

    A fill that returns a bool has answered the dialog itself (pressed OK and waited)."""

    fills: list[Callable[[Any], bool | None]] = field(default_factory=list)
    seen: list[QDialog] = field(default_factory=list)

    def then(self, fill: Callable[[Any], bool | None]) -> Answers:
        self.fills.append(fill)
        return self

    def run(self, dialog: QDialog) -> bool:
        self.seen.append(dialog)
        answered = self.fills.pop(0)(dialog)
        if answered is not None:
            return answered
        settle()
        ok = getattr(dialog, "ok_button", None)
        if ok is None or not ok.isEnabled():
            dialog.reject()
            return False
        ok.click()
        settle()  # the save runs in the background while the dialog waits
        if dialog.result() != QDialog.DialogCode.Accepted:
            dialog.reject()
            return False
        return True


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    found = Answers()
    monkeypatch.setattr(prompts, "run_dialog", found.run)
    return found


def open_card(qtbot: Any, ctx: ServiceContext, patient_id: object) -> PatientCard:
    card = PatientCard(ServiceCaller(ctx, ChangeBus(), None), ZONE)
    qtbot.addWidget(card)
    card.resize(1366, 768)
    card.show_patient(patient_id)  # type: ignore[arg-type]
    settle(qtbot)  # the card, its account and its credit are read in the background
    return card


def shot(card: PatientCard, qtbot: Any, folder: Path, name: str) -> Path:
    card.show()
    qtbot.waitExposed(card)
    path = folder / f"{name}.png"
    card.grab().save(str(path))
    return path
