"""The guard every test runs under (tests/helpers/gui_thread_guard.py) catches UI code
that reads the database on the GUI thread, and lets the same read through on a worker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from desktop.services.context import ServiceContext
from tests.helpers.gui_thread_guard import STILL_ON_THE_GUI_THREAD, guarding

# A function that lives, as far as Python can tell, in desktop/ui: what a widget's
# handler that queries the database synchronously looks like on the stack.
_UI_SOURCE = """
def show_count(ctx):
    with ctx.database.reading() as session:
        return session.execute(query).scalar()
"""


def _ui_function(name: str) -> Callable[[ServiceContext], Any]:
    namespace: dict[str, Any] = {"query": text("SELECT 1")}
    exec(compile(_UI_SOURCE, f"/repo/desktop/ui/{name}.py", "exec"), namespace)
    return namespace["show_count"]  # type: ignore[no-any-return]


def test_a_read_from_ui_code_on_the_gui_thread_is_caught(local_ctx: ServiceContext) -> None:
    show_count = _ui_function("imaginary_page")
    with guarding() as guard:
        assert show_count(local_ctx) == 1
    assert list(guard.seen) == ["desktop/ui/imaginary_page.py:show_count"]
    assert "desktop/ui/imaginary_page.py:show_count" in guard.report()


def test_the_same_read_on_a_worker_thread_or_from_a_test_passes(
    local_ctx: ServiceContext,
) -> None:
    show_count = _ui_function("imaginary_page")
    with guarding() as guard:
        worker = threading.Thread(target=show_count, args=(local_ctx,))
        worker.start()
        worker.join()
        with local_ctx.database.reading() as session:  # a test checking the store
            session.execute(text("SELECT 2"))
    assert guard.seen == {}


def test_every_site_still_on_the_list_says_why() -> None:
    assert all(why.strip() for why in STILL_ON_THE_GUI_THREAD.values())
    assert all(site.startswith("desktop/ui/") and ":" in site for site in STILL_ON_THE_GUI_THREAD)
