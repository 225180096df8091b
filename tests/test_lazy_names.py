"""Packages that hand out their names lazily still give the same objects, and refuse
a name they do not have as a module would (the laziness itself:
tests/test_startup_imports.py)."""

from __future__ import annotations

import pytest

import desktop.auth
import desktop.ui.signin
from desktop.auth.authenticator import SignedIn
from desktop.auth.passwords import MIN_PASSWORD_LENGTH
from desktop.ui.signin.dialogs import SignInDialog


def test_a_lazy_name_is_its_modules_own_object() -> None:
    assert desktop.auth.SignedIn is SignedIn
    assert desktop.auth.MIN_PASSWORD_LENGTH == MIN_PASSWORD_LENGTH
    assert desktop.ui.signin.SignInDialog is SignInDialog


def test_every_listed_name_is_there() -> None:
    for package in (desktop.auth, desktop.ui.signin):
        for name in package.__all__:
            assert getattr(package, name) is not None, (package.__name__, name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = desktop.auth.Nope  # type: ignore[attr-defined]
    assert not hasattr(desktop.ui.signin, "Nope")
