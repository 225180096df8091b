"""A dialog whose OK saves in the background, and closes only once it is saved.

`dialog.saves(caller, work, title=...)`: pressing OK (or Enter) calls `work()` on
the GUI thread — it reads what was typed and returns the service call to make —
and that call runs off the GUI thread with the dialog held busy (`BusyForm`: every
control off, "Saving…", closing waits for the answer, a second press does
nothing). A refusal is shown once and the dialog stays with everything typed; a
lapsed session asks the user to sign in, then saves. On success the changes are
published, kept in `changes`, and the dialog is accepted: `prompts.run_dialog`
answers True only once the change is made. Without `saves`, OK simply accepts.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QWidget

from desktop.services.changes import Changes
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.busy_form import BusyForm

Save = Callable[[], Changes]


class SavingDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy: BusyForm | None = None
        self.changes: Changes | None = None
        self._start: Callable[[], None] | None = None

    def saves(
        self,
        caller: ServiceCaller,
        work: Callable[[], Save],
        *,
        title: str,
        doing: str = "Saving…",
    ) -> None:
        def start() -> None:
            if self.busy is None:
                self.busy = BusyForm(self, caller)  # the layout is complete by now
            if self.busy.busy:
                return  # already saving: one press, one change
            self.busy.save(work(), saved, title=title, doing=doing)

        def saved(changes: Changes) -> None:
            self.changes = changes
            caller.publish(changes)
            super(SavingDialog, self).accept()

        self._start = start

    def accept(self) -> None:
        if self._start is None:
            super().accept()
        else:
            self._start()
