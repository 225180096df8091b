"""Opening a database maps every model first, so modules loaded later, on other
threads, never add a mapper that a query running meanwhile would have to configure
(a sign-in once failed on a model module another thread was half-way through)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from sqlalchemy.orm import Mapper
from desktop.store.database import Database
from desktop.store.models import Base

def mapped():
    return sorted(m.class_.__name__ for m in Base.registry.mappers)

database = Database(sys.argv[1])
at_open = mapped()
pending = any(not m.configured for m in Base.registry.mappers)
import desktop.ui.main_window, desktop.services.credit, desktop.server.app  # everything else
print(json.dumps({"at_open": at_open, "pending": pending, "later": mapped()}))
"""


def test_a_fresh_process_opening_a_database_has_every_model_mapped(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url], capture_output=True, text=True, env=env, check=True
    )
    found = json.loads(done.stdout)
    assert {"CreditLotRow", "CreditApplicationRow", "InvoiceRow", "UserRow"} <= set(
        found["at_open"]
    )
    assert not found["pending"]  # configured at open, not at some later first query
    assert found["later"] == found["at_open"]  # nothing loaded afterwards adds a mapper
