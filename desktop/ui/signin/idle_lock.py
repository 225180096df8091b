"""The idle lock: after a spell without keyboard or mouse, hide every window until sign-in.

A front-desk screen is shared and faces the waiting room, so when nobody has
touched Frontdesk for the clinic's idle timeout, an opaque curtain covers the main
window *and* every other open window (a half-filled booking dialog keeps its
contents, hidden, and is back as it was after sign-in). Only one lock panel shows
its padlock and button: a dialog in front of the main window carries them, and
the curtain under it stays plain. While locked, keys, clicks
and shortcuts aimed at covered windows are swallowed; only the curtain's
"Sign in to unlock" button works, and windows that sign the user in (marked with
`UNLOCKS_PROPERTY`) are never covered.

`IdleLock(window, timeout, on_unlock)` attaches to any window. Activity is seen by
an event filter on the application; the time comes from `clock` (injectable), and
`check()` is what the timer calls, so tests move the clock and call it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from desktop.ui.signin.dialogs import UNLOCKS_PROPERTY

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
    }
)
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.ContextMenu,
        QEvent.Type.TouchBegin,
    }
)
_WINDOW_TYPES = frozenset(
    {Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Tool, Qt.WindowType.Sheet}
)
LOCKED_TITLE = "Frontdesk — locked"
PRIVACY_NOTE = (
    "Patient details stay hidden until someone signs in. "
    "Open windows keep everything that was entered."
)


class LockCurtain(QWidget):
    """An opaque panel over a whole window, with a padlock and the unlock button.

    Signals:
        unlock_requested(): the user pressed "Sign in to unlock".
    """

    unlock_requested = Signal()

    def __init__(self, window: QWidget, *, compact: bool) -> None:
        super().__init__(window)
        self.setObjectName("LockCurtain")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.compact = compact
        self.plain = False
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(10 if compact else 14)
        layout.addSpacing(48 if compact else 96)  # room for the padlock painted above
        self.title = QLabel("Locked" if compact else "Frontdesk is locked")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.button = QPushButton("Sign in to unlock")
        self.button.setAutoDefault(True)
        self.button.setDefault(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self.unlock_requested)
        for label in (self.title, self.detail):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * (1.4 if compact else 2.0))
        font.setBold(True)
        self.title.setFont(font)
        self.detail.setFixedWidth(300 if compact else 460)
        self.setStyleSheet(
            "QLabel { color: #f3f6fa; background: transparent; }"
            "QPushButton { background: #3d8bfd; color: white; border: none; border-radius: 6px;"
            " padding: 9px 22px; font-weight: bold; }"
            "QPushButton:hover, QPushButton:focus { background: #5a9cff; }"
        )
        layout.addWidget(self.title)
        layout.addWidget(self.detail, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(6)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        if not compact:
            layout.addSpacing(56)  # room for the privacy note painted below the button

    def set_detail(self, text: str) -> None:
        self.detail.setText(text)
        self.detail.setVisible(bool(text) and not self.plain)

    def set_plain(self, plain: bool) -> None:
        """Only the dark curtain, when another window's panel in front says "locked"."""
        self.plain = plain
        self.title.setVisible(not plain)
        self.button.setVisible(not plain)
        self.set_detail(self.detail.text())
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        gradient = QLinearGradient(QPointF(0, 0), QPointF(0, self.height()))
        gradient.setColorAt(0, QColor("#1d2b3a"))
        gradient.setColorAt(1, QColor("#101923"))
        painter.fillRect(self.rect(), gradient)
        if self.plain:
            painter.end()
            return
        self._paint_padlock(painter)
        if not self.compact:
            painter.setPen(QColor("#8ea2b8"))
            below = self.button.geometry().bottom() + 22
            painter.drawText(
                QRectF(self.width() / 2 - 240, below, 480, 60),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap),
                PRIVACY_NOTE,
            )
        painter.end()

    def _paint_padlock(self, painter: QPainter) -> None:
        """A padlock centred above the title (drawn, so no icon font is needed)."""
        size = 36.0 if self.compact else 64.0
        top = self.title.geometry().top() - size * 1.35
        centre = self.width() / 2
        body = QRectF(centre - size / 2, top + size * 0.45, size, size * 0.7)
        shackle = QPainterPath()
        radius = size * 0.3
        shackle.moveTo(centre - radius, body.top())
        shackle.lineTo(centre - radius, top + radius)
        shackle.arcTo(QRectF(centre - radius, top, radius * 2, radius * 2), 180, -180)
        shackle.lineTo(centre + radius, body.top())
        painter.setPen(QPen(QColor("#9fb3c8"), size * 0.11))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(shackle)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#9fb3c8"))
        painter.drawRoundedRect(body, size * 0.1, size * 0.1)
        painter.setBrush(QColor("#1d2b3a"))
        painter.drawEllipse(
            QPointF(centre, body.center().y() - size * 0.04), size * 0.08, size * 0.08
        )


class IdleLock(QObject):
    """Locks `window` (and the app's other open windows) after `timeout` without input.

    `on_unlock()` is called when the user asks to unlock; it signs someone in (a
    dialog) and returns True when that worked. A `timeout` of None never locks by
    itself; `lock()` still does (a "Lock screen" action, signing out).

    Signals:
        locked(): the curtains went up.
        unlocked(): the curtains came down.
        active(): the user is at the keyboard or mouse (at most once per `heartbeat`).
    """

    locked = Signal()
    unlocked = Signal()
    active = Signal()

    def __init__(
        self,
        window: QWidget,
        timeout: timedelta | None,
        on_unlock: Callable[[], bool],
        *,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: timedelta = timedelta(minutes=1),
    ) -> None:
        super().__init__(window)
        self.window = window
        self.timeout = timeout
        self._on_unlock = on_unlock
        self._clock = clock
        self._heartbeat = heartbeat.total_seconds()
        self._last_activity = self._last_beat = clock()
        self._curtains: dict[QWidget, LockCurtain] = {}
        self._titles: dict[QWidget, str] = {}
        self._focus: dict[QWidget, QWidget | None] = {}
        self._detail = ""
        self._unlocking = False
        self.is_locked = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.set_timeout(timeout)
        app = QApplication.instance()
        assert app is not None, "create the QApplication first"
        app.installEventFilter(self)

    def set_timeout(self, timeout: timedelta | None) -> None:
        self.timeout = timeout
        if timeout is None:
            self.timer.stop()
            return
        # Check often enough that the lock comes at most ~5 s (or a quarter) late.
        self.timer.start(int(min(5.0, timeout.total_seconds() / 4) * 1000))

    def set_detail(self, text: str) -> None:
        """A line under "Frontdesk is locked", e.g. who was signed in."""
        self._detail = text
        for curtain in self._curtains.values():
            curtain.set_detail(text)

    # --- locking ------------------------------------------------------------------

    def check(self) -> None:
        """Lock if the user has been idle for the timeout (what the timer calls)."""
        if self.is_locked or self.timeout is None:
            return
        if self._clock() - self._last_activity >= self.timeout.total_seconds():
            self.lock()

    def lock(self) -> None:
        if self.is_locked:
            return
        self.is_locked = True
        popup = QApplication.activePopupWidget()
        for _ in range(10):  # menus and combo lists close; they would sit above a curtain
            if popup is None:
                break
            popup.close()
            popup = QApplication.activePopupWidget()
        self._cover(self.window)
        for widget in QApplication.topLevelWidgets():
            if self._coverable(widget):
                self._cover(widget)
        self._one_panel()
        self.locked.emit()

    def unlock(self) -> None:
        if not self.is_locked:
            return
        self.is_locked = False
        for widget, curtain in list(self._curtains.items()):
            if not shiboken6.isValid(curtain):
                continue  # its window was deleted while locked (the curtain went with it)
            curtain.hide()
            curtain.deleteLater()
            widget.setWindowTitle(self._titles.pop(widget, widget.windowTitle()))
            focus = self._focus.pop(widget, None)
            if focus is not None:
                focus.setFocus()
        self._curtains.clear()
        self._last_activity = self._clock()
        self.unlocked.emit()

    def request_unlock(self) -> None:
        """Ask `on_unlock` to sign someone in; lift the curtains when it did."""
        if self._unlocking or not self.is_locked:
            return
        self._unlocking = True
        try:
            signed_in = self._on_unlock()
        finally:
            self._unlocking = False
        if signed_in:
            self.unlock()

    def curtain_of(self, widget: QWidget) -> LockCurtain | None:
        return self._curtains.get(widget)

    def _coverable(self, widget: QWidget) -> bool:
        return (
            widget.isVisible()
            and widget not in self._curtains
            and widget.windowType() in _WINDOW_TYPES
            and not widget.property(UNLOCKS_PROPERTY)
        )

    def _one_panel(self) -> None:
        """Of the windows over the main one, the front one shows the lock panel.

        The others (the main window included) get a plain curtain: two padlocks and
        two "Sign in" buttons stacked on each other read as a glitch. A window
        elsewhere on the screen keeps its own panel.
        """
        main = self.window.frameGeometry()
        over = [
            w for w in self._curtains if w is not self.window and w.frameGeometry().intersects(main)
        ]
        active = QApplication.activeWindow()
        front = active if active in over else (over[-1] if over else self.window)
        for widget, curtain in self._curtains.items():
            curtain.set_plain(widget is not front and (widget in over or widget is self.window))
        front_curtain = self._curtains.get(front)
        if front_curtain is not None:
            front_curtain.button.setFocus()

    def _cover(self, widget: QWidget) -> None:
        if widget in self._curtains:
            return
        curtain = LockCurtain(widget, compact=widget is not self.window)
        curtain.set_detail(self._detail)
        curtain.unlock_requested.connect(self.request_unlock)
        self._focus[widget] = widget.focusWidget()
        self._titles[widget] = widget.windowTitle()
        self._curtains[widget] = curtain
        widget.setWindowTitle(LOCKED_TITLE)
        curtain.setGeometry(widget.rect())
        curtain.show()
        curtain.raise_()
        curtain.button.setFocus()

    # --- events ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isValid(self.window) or not self.window.isVisible():
            return False  # closed or being destroyed: nothing left to guard
        kind = event.type()
        if not self.is_locked:
            if kind in _ACTIVITY:
                self._note_activity()
            return False
        if kind in _INPUT:
            return self._blocks(watched)
        if kind == QEvent.Type.Shortcut:
            return QApplication.activeWindow() in self._curtains
        if isinstance(watched, QWidget):
            curtain = self._curtains.get(watched)
            if curtain is not None and kind == QEvent.Type.Resize:
                curtain.setGeometry(watched.rect())
            elif curtain is not None and kind == QEvent.Type.ChildAdded:
                QTimer.singleShot(0, curtain.raise_)
            elif kind == QEvent.Type.Show and self._coverable(watched):
                self._cover(watched)  # a window opened while locked is covered too
                self._one_panel()
        return False

    def _blocks(self, watched: QObject) -> bool:
        """Swallow input aimed at a covered window, except at its curtain."""
        if not isinstance(watched, QWidget):
            return False
        curtain = self._curtains.get(watched.window())
        if curtain is None:
            return False
        return watched is not curtain and not curtain.isAncestorOf(watched)

    def _note_activity(self) -> None:
        now = self._clock()
        self._last_activity = now
        if now - self._last_beat >= self._heartbeat:
            self._last_beat = now
            self.active.emit()
