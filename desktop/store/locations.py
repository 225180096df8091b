"""Where the embedded database lives by default: known without loading SQLAlchemy, so the
command line reads its settings quickly."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "Frontdesk"


def data_folder() -> Path:
    """This user's Frontdesk data folder (~/.local/share/Frontdesk on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return data_folder() / "frontdesk.sqlite3"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"
