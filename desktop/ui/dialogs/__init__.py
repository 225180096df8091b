"""Dialogs: booking, editing, cancelling, class attendees, patients, deactivation.

They open with `open()` (window-modal, never a nested event loop), do their work
through a `ServiceCaller`, publish the `Changes`, and close only on success; a
refusal leaves what the user typed in place.
"""
