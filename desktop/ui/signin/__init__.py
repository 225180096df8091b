"""Signing in on the desktop: dialogs, re-login after an expired session, the idle lock.

* `sign_in_at_startup` — first-run administrator, remembered sign-in, or the dialog
* `SignInController.attach(window)` — installs the `ReloginHandler` for
  `run_operation` and an `IdleLock` on the window
* `IdleLock(window, timeout, on_unlock)` — reusable on any window
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.lazy_names import lazy_names

if TYPE_CHECKING:
    from desktop.ui.signin.controller import SignInController, describe_user
    from desktop.ui.signin.dialogs import (
        ChangePasswordDialog,
        FirstAdminDialog,
        RememberChoice,
        SignInDialog,
    )
    from desktop.ui.signin.idle_lock import IdleLock, LockCurtain
    from desktop.ui.signin.relogin import ReloginHandler
    from desktop.ui.signin.startup import Startup, sign_in_at_startup

# Loaded when first asked for: the sign-in dialog at start-up needs neither the idle
# lock nor the controller (they come with the main window).
__getattr__ = lazy_names(
    __name__,
    {
        "ChangePasswordDialog": "dialogs",
        "FirstAdminDialog": "dialogs",
        "RememberChoice": "dialogs",
        "SignInDialog": "dialogs",
        "IdleLock": "idle_lock",
        "LockCurtain": "idle_lock",
        "ReloginHandler": "relogin",
        "SignInController": "controller",
        "describe_user": "controller",
        "Startup": "startup",
        "sign_in_at_startup": "startup",
    },
)


__all__ = [
    "ChangePasswordDialog",
    "FirstAdminDialog",
    "IdleLock",
    "LockCurtain",
    "ReloginHandler",
    "RememberChoice",
    "SignInController",
    "SignInDialog",
    "Startup",
    "describe_user",
    "sign_in_at_startup",
]
