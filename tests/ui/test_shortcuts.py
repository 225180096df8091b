"""One shortcut table drives both the window's actions and Help ▸ Keyboard shortcuts."""

from __future__ import annotations

from PySide6.QtGui import QAction

from desktop.ui.shortcuts import SHORTCUTS, help_html, keys_of, readable
from tests.ui.calendar_support import open_window


def test_every_action_key_comes_from_the_table_and_help_lists_every_row(
    qtbot, local_ctx, settings
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    window.add_session_actions(lambda: None, lambda: None, lambda: None)
    bound = {tuple(a.shortcuts()): a for a in window.findChildren(QAction) if a.shortcuts()}
    for row in SHORTCUTS:
        if row.action:
            assert keys_of(row.action) in bound, f"no action has the keys of {row.action!r}"
    table_keys = {keys_of(row.action) for row in SHORTCUTS if row.action}
    strays = [a.text() for keys, a in bound.items() if keys not in table_keys]
    assert strays == []  # a key bound outside the table would be missing from Help
    assert window.today_action.shortcuts() == list(keys_of("today"))
    shown = help_html()
    for row in SHORTCUTS:
        assert readable(row.keys) in shown and row.does in shown
