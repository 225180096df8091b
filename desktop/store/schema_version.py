"""Whether a database already has the newest schema, known without loading Alembic.

Every start checks this; Alembic (and its reading of every migration script)
loads only when the answer is no: to upgrade, or to explain why it cannot.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from desktop.store.database import Database

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_REVISION = re.compile(r"^revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def newest_revisions() -> set[str]:
    """The heads of the migration scripts, read from their `revision` and
    `down_revision` lines (what Alembic's own reading finds, see the tests)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return set()  # a script this reading does not understand: ask Alembic
        revisions.update(_QUOTED.findall(revision.group(1)))
        parents.update(_QUOTED.findall(down.group(1)))
    return revisions - parents


def is_newest(database: Database) -> bool:
    """True when the database's stored schema revisions are exactly the newest ones."""
    try:
        with database.engine.connect() as connection:
            stored = set(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    except DBAPIError:  # no schema yet, or not reachable: the full check says which
        return False
    newest = newest_revisions()
    return bool(newest) and stored == newest
