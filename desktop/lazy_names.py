"""A package that hands out its names from their own modules when first asked for.

    __getattr__ = lazy_names(__name__, {"SignedIn": "authenticator", ...})

(PEP 562.) Importing one module of the package then loads that module only, not
every module the package names: the start-up's sign-in dialog needs a few names of
`desktop.auth` and `desktop.ui.signin`, not the hashing or the idle lock behind the
rest. List the same names under `if TYPE_CHECKING:` for the type checker.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` for `package`: each name of `homes` comes from its
    submodule (`homes[name]`), imported on first use."""

    def attribute(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{home}"), name)

    return attribute
