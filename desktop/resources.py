"""Where the shipped resources (icons, stylesheets, demo data) live.

* a checkout: `resources/` beside the package;
* a PyInstaller bundle: `resources/` inside the bundle;
* an installed wheel (`pip install .`): `share/frontdesk/resources` under the
  install prefix, where the wheel's data files go — found by walking up from the
  installed package (a venv, a user install and a system install alike).
"""

from __future__ import annotations

import sys
from pathlib import Path

INSTALLED = Path("share") / "frontdesk" / "resources"


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    package = Path(__file__).resolve().parent
    checkout = package.parent / "resources"
    if checkout.is_dir():
        return checkout
    for prefix in package.parents:
        if (prefix / INSTALLED).is_dir():
            return prefix / INSTALLED
    return checkout  # not found: the caller's error names the expected place
