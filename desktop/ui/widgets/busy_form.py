"""A dialog or page while its save runs in the background.

`BusyForm(dialog, caller).save(action, saved)` runs the service call off the GUI
thread (`ServiceCaller.in_background`). Meanwhile every control is off, a line
says "Saving…", and closing (Escape, the window's close button) waits for the
answer: the save is under way and its outcome must be seen. On a refusal the
message is shown once, every control comes back as it was, and what was typed is
still there to fix. On success `saved(result)` runs (it usually publishes the
changes and closes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QBoxLayout, QLabel, QWidget

from desktop.ui.service_caller import ServiceCaller

T = TypeVar("T")


class BusyForm(QObject):
    def __init__(self, form: QWidget, caller: ServiceCaller) -> None:
        super().__init__(form)
        self.form = form
        self.caller = caller
        self.label = QLabel()
        self.label.setObjectName("busyLine")
        self.label.setProperty("muted", True)
        self.label.hide()
        layout = form.layout()
        if isinstance(layout, QBoxLayout):
            # Just above the buttons, where the eye is after pressing Save.
            layout.insertWidget(max(layout.count() - 1, 0), self.label)
        self._disabled: list[QWidget] = []
        self._cursor = False
        form.installEventFilter(self)

    @property
    def busy(self) -> bool:
        return not self.label.isHidden()

    def save(
        self,
        action: Callable[[], T],
        saved: Callable[[T], None],
        *,
        title: str = "Frontdesk",
        doing: str = "Saving…",
        refresh_on_refusal: bool = True,
        on_error: Callable[[Exception], None] | None = None,
        reports: tuple[type[Exception], ...] = (),
    ) -> None:
        """Run `action` in the background with the form held busy; `reports`: refusals
        the form shows itself (in place, no message box), through `on_error`."""
        self.hold(doing)

        def done(result: T) -> None:
            self.release()
            saved(result)

        def failed(exc: Exception) -> None:
            self.release()
            if on_error is not None:
                on_error(exc)

        self.caller.in_background(
            action,
            title=title,
            refresh_on_refusal=refresh_on_refusal,
            on_error=failed,
            reports=reports,
            parent=self.form,
        ).success(done).run()

    def hold(self, doing: str) -> None:
        """Every enabled control off, and `doing` shown, until `release()`."""
        if not self._disabled:
            self._disabled = [
                child
                for child in self.form.findChildren(QWidget)
                if child.isEnabled() and child is not self.label and child.parent() is self.form
            ]
            for child in self._disabled:
                child.setEnabled(False)
        self.label.setText(doing)
        self.label.show()
        if self.form.isVisible() and not self._cursor:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self._cursor = True

    def release(self) -> None:
        for child in self._disabled:
            child.setEnabled(True)
        self._disabled = []
        self.label.hide()
        if self._cursor:
            QApplication.restoreOverrideCursor()
            self._cursor = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.form and self.busy:
            if event.type() == QEvent.Type.Close:
                event.ignore()
                return True
            if (
                event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape
            ):
                return True
        return super().eventFilter(watched, event)
