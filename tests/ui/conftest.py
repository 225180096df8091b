"""Fixtures for the calendar's UI tests (see calendar_support)."""

from tests.ui.calendar_support import confirm, errors, local_ctx, settings

__all__ = ["confirm", "errors", "local_ctx", "settings"]
