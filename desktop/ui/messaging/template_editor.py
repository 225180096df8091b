"""Editing reminder templates with a live preview, the SMS count, and problems as you type.

The preview renders the template with sample facts (the clinic's own name and
phone, a practitioner, tomorrow at 9:30 am) through the same domain code the
sender uses, so what the receptionist sees is what the patient gets. The SMS
count comes from the same segment counter that charges credit.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.messages import (
    PLACEHOLDERS,
    SmsEncoding,
    Template,
    TemplateError,
    non_gsm_characters,
    sms_length,
)


class TemplateField(QWidget):
    """One template: the text, a menu to insert placeholders, and what is wrong with it.

    Signals:
        changed(): the text changed (check `problem()` and re-render).
    """

    changed = Signal()

    def __init__(self, what: str, *, multiline: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.editor: QPlainTextEdit | QLineEdit
        if multiline:
            self.editor = QPlainTextEdit()
            self.editor.setTabChangesFocus(True)
            self.editor.setMinimumHeight(90)
            self.editor.textChanged.connect(self.changed)
        else:
            self.editor = QLineEdit()
            self.editor.textChanged.connect(self.changed)
        self.insert_button = QToolButton()
        self.insert_button.setText("Insert {…}")
        self.insert_button.setToolTip("Insert a placeholder at the cursor")
        self.insert_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.insert_button)
        for name, meaning in PLACEHOLDERS.items():
            action = QAction(f"{{{name}}} — {meaning}", menu)
            action.triggered.connect(lambda _=False, n=name: self.insert(n))
            menu.addAction(action)
        self.insert_button.setMenu(menu)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("formError")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        self.changed.connect(self._show_problem)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.editor, 1)
        row.addWidget(self.insert_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.problem_label)

    def text(self) -> str:
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        return self.editor.text()

    def set_text(self, text: str) -> None:
        if isinstance(self.editor, QPlainTextEdit):
            self.editor.setPlainText(text)
        else:
            self.editor.setText(text)

    def insert(self, name: str) -> None:
        if isinstance(self.editor, QLineEdit):
            self.editor.insert(f"{{{name}}}")
        else:
            self.editor.insertPlainText(f"{{{name}}}")
        self.editor.setFocus()

    def problem(self) -> str:
        try:
            Template.parse(self.text(), self.what)
        except TemplateError as exc:
            return str(exc)
        return ""

    def rendered(self, values: dict[str, str]) -> str | None:
        """The text with the sample values, or None while the template has a problem."""
        if self.problem():
            return None
        shown = {name: values.get(name, f"{{{name}}}") for name in PLACEHOLDERS}
        return Template(self.text()).render(shown)

    def _show_problem(self) -> None:
        problem = self.problem()
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))


def _bubble() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setObjectName("messagePreview")
    label.setFrameShape(QFrame.Shape.StyledPanel)
    label.setMargin(10)
    return label


class SmsTemplateEditor(QWidget):
    """The SMS template, its preview as a text bubble, and what it will cost."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict[str, str] = {}
        self.field = TemplateField("The SMS template", multiline=True)
        self.field.editor.setMaximumHeight(96)
        self.preview = _bubble()
        self.preview.setStyleSheet(
            "QLabel#messagePreview { background: #e9f1ff; border: 1px solid #c6d8f7;"
            " border-radius: 12px; color: #1f2933; }"
        )
        self.count = QLabel()
        self.count.setObjectName("smsCount")
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setProperty("muted", True)
        self.field.changed.connect(self.refresh)
        self.field.changed.connect(self.changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(QLabel("Preview"))
        layout.addWidget(self.preview)
        layout.addWidget(self.count)
        layout.addWidget(self.warning)

    def set_sample(self, values: dict[str, str]) -> None:
        self.values = values
        self.refresh()

    def refresh(self) -> None:
        text = self.field.rendered(self.values)
        if text is None:
            self.preview.setText("(fix the template to see the preview)")
            self.count.setText("")
            self.warning.setText("")
            return
        self.preview.setText(text)
        length = sms_length(text)
        parts = "SMS" if length.segments == 1 else "SMS parts"
        self.count.setText(
            f"{length.describe()} — the provider bills {length.segments} {parts} per reminder"
        )
        notes = []
        if length.encoding is SmsEncoding.UCS2:
            odd = " ".join(non_gsm_characters(text)[:6])
            notes.append(
                f"{odd} cannot be sent in the plain SMS alphabet, so each SMS holds 70 "
                "characters instead of 160. Plain quotes and dashes (' \" -) avoid this."
            )
        notes.append("Counted with the sample above; names and times change the length a little.")
        self.warning.setText(" ".join(notes))


class EmailTemplateEditor(QWidget):
    """The email subject and text, with a preview of the email as it will arrive."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict[str, str] = {}
        self.subject = TemplateField("The email subject", multiline=False)
        self.body = TemplateField("The email text", multiline=True)
        self.body.editor.setMinimumHeight(170)
        self.preview_subject = QLabel()
        self.preview_subject.setWordWrap(True)
        self.preview_subject.setStyleSheet("font-weight: 600;")
        self.preview = _bubble()
        self.preview.setStyleSheet(
            "QLabel#messagePreview { background: #ffffff; border: 1px solid #d9dee6;"
            " border-radius: 6px; color: #1f2933; }"
        )
        for field in (self.subject, self.body):
            field.changed.connect(self.refresh)
            field.changed.connect(self.changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Subject"))
        layout.addWidget(self.subject)
        layout.addWidget(QLabel("Text"))
        layout.addWidget(self.body)
        layout.addWidget(QLabel("Preview"))
        layout.addWidget(self.preview_subject)
        layout.addWidget(self.preview)

    def set_sample(self, values: dict[str, str]) -> None:
        self.values = values
        self.refresh()

    def refresh(self) -> None:
        subject = self.subject.rendered(self.values)
        body = self.body.rendered(self.values)
        self.preview_subject.setText(subject if subject is not None else "")
        self.preview.setText(body if body is not None else "(fix the template to see the preview)")
