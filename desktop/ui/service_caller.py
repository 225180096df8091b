"""Calling a service from a widget: through `run_operation`, then refresh on refusal.

Every widget that changes data holds a `ServiceCaller`. It runs the call (on the
GUI thread with `call`, or off it with `in_background`) through
`operations.run_operation` (the one place errors become messages and expired
sessions become a sign-in), and when a rule refused the change it tells every
screen to reload, because the refusal usually means the screen was stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from desktop.domain.errors import DomainError
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.ui import operations
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.change_bus import ChangeBus

T = TypeVar("T")


class ServiceCaller:
    def __init__(self, ctx: ServiceContext, bus: ChangeBus, parent: QWidget | None) -> None:
        self.ctx = ctx
        self.bus = bus
        self.parent = parent

    def call(
        self,
        action: Callable[[], T],
        *,
        title: str = "Frontdesk",
        refresh_on_refusal: bool = True,
        on_error: Callable[[Exception], None] | None = None,
    ) -> T | None:
        """The action's result, or None once the user has been told why it failed."""
        return operations.run_operation(
            self.parent, action, title=title, on_error=self._failed(refresh_on_refusal, on_error)
        )

    def in_memory(self, action: Callable[[], T], *, title: str = "Frontdesk") -> T | None:
        """`call` for work that touches neither the store nor the network (reading and
        checking what was typed, say a wall time the clocks skip): on the GUI thread,
        a refusal shown as any other. The screen is not stale, so nothing reloads."""
        return operations.run_operation(self.parent, action, title=title)

    def in_background(
        self,
        action: Callable[[], T],
        *,
        key: str | None = None,
        title: str = "Frontdesk",
        refresh_on_refusal: bool = True,
        on_error: Callable[[Exception], None] | None = None,
        reports: tuple[type[Exception], ...] = (),
        parent: QWidget | None = None,
    ) -> BackgroundOp[T]:
        """`call`, off the GUI thread: add `.success(...)` and `.run()` it.

        Calls that share a `key` supersede each other (the newest result wins);
        `reports` as for `BackgroundOp`. `parent`: the widget the result is for
        (a dialog or page; the caller's own widget by default): messages are shown
        over it, and a result for it once deleted is dropped.
        """
        op = BackgroundOp(
            action, parent=parent or self.parent, key=key, title=title, reports=reports
        )
        return op.failure(self._failed(refresh_on_refusal, on_error))

    def _failed(
        self, refresh_on_refusal: bool, on_error: Callable[[Exception], None] | None
    ) -> Callable[[Exception], None]:
        def failed(exc: Exception) -> None:
            if refresh_on_refusal and isinstance(exc, DomainError):
                self.bus.refresh_stale()
            if on_error is not None:
                on_error(exc)

        return failed

    def publish(self, changes: Changes) -> None:
        self.bus.publish(changes)
