"""Settings: the clinic, practitioners, appointment types, packages, users, sign-in.

Naming, across `desktop.ui`: a *Dialog* is a QDialog (ClinicDialog, UsersDialog …);
a *Page* is a plain QWidget shown in a window of its own or inside another window
(XeroPage, MessagingSettingsPage, ServerSettingsPage) — and a wizard's steps are
its *Steps*.
"""
