"""A test fails when the window touches the database on the GUI thread.

Every SQL statement is checked as it goes to the database: one sent from the
main thread while code of `desktop/ui` is on the stack is the UI doing store work
where the user waits (a slow PostgreSQL, a busy disk freezes the window). The
test's own calls into services (setting up, checking) have no `desktop/ui` frame
and pass; work handed to `desktop.ui.background_ops` runs on a worker and passes.

The site named in the failure is the innermost `desktop/ui` function that led
there (lambdas and the ServiceCaller plumbing skipped). `STILL_ON_THE_GUI_THREAD`
lists the sites not moved yet: a new synchronous call fails the test that
reaches it, and a site moved to the background is taken off the list.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

UI = "/desktop/ui/"
_PLUMBING = ("/desktop/ui/operations.py", "/desktop/ui/service_caller.py")

# file:function -> why it is still synchronous. Shrinks; never grows without a reason.
STILL_ON_THE_GUI_THREAD: dict[str, str] = {}  # every site has moved (issue #14)


def ui_site(frame: FrameType | None) -> str | None:
    """`desktop/ui/x.py:function` of the innermost UI function on the stack, if any."""
    while frame is not None:
        path = frame.f_code.co_filename.replace("\\", "/")
        name = frame.f_code.co_name
        if UI in path and not path.endswith(_PLUMBING) and not name.startswith("<"):
            return f"desktop/ui/{path.split(UI, 1)[1]}:{name}"
        frame = frame.f_back
    return None


class GuiThreadGuard:
    def __init__(self) -> None:
        self.seen: dict[str, str] = {}  # site -> the first statement it sent

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if threading.current_thread() is not threading.main_thread() or _active[-1] is not self:
            return  # a worker's statement, or a guard inside this one is watching
        site = ui_site(sys._getframe(1))
        if site is not None and site not in STILL_ON_THE_GUI_THREAD:
            self.seen.setdefault(site, " ".join(statement.split())[:80])

    def report(self) -> str:
        return "\n".join(f"  {site}: {sql}" for site, sql in sorted(self.seen.items()))


_active: list[GuiThreadGuard] = []


@contextmanager
def guarding() -> Iterator[GuiThreadGuard]:
    """Watch until the block ends; an inner guard (the guard's own tests) takes over."""
    guard = GuiThreadGuard()
    _active.append(guard)
    event.listen(Engine, "before_cursor_execute", guard)
    try:
        yield guard
    finally:
        event.remove(Engine, "before_cursor_execute", guard)
        _active.remove(guard)
