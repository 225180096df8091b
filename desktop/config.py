"""Settings: command-line flags, then environment, then the config file, then defaults.

The config file is TOML at `<user config dir>/Frontdesk/config.toml`, e.g.::

    database_url = "postgresql+psycopg://clinic@db.local/frontdesk"

A file that cannot be read is reported in one line naming the file and the
problem; it is never rewritten or deleted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from desktop.store.locations import APP_NAME, default_database_url

DATABASE_URL_ENV = "FRONTDESK_DATABASE_URL"
CONFIG_FILE_ENV = "FRONTDESK_CONFIG"
KNOWN_KEYS = {"database_url", "server_url"}


class ConfigError(Exception):
    """The config file is unreadable or holds something Frontdesk cannot use."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    server_url: str | None
    config_file: Path


def config_path() -> Path:
    override = os.environ.get(CONFIG_FILE_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}  # the usual case: the TOML reader is not even loaded
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"The config file {path} is not valid TOML ({exc}); fix or remove it."
        ) from exc
    except OSError as exc:
        raise ConfigError(f"The config file {path} cannot be read: {exc.strerror}") from exc
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ConfigError(
            f"The config file {path} has unknown setting(s): {', '.join(sorted(unknown))}"
        )
    for key, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(f"In {path}, {key} must be a quoted string")
    return data


def load_settings(database_url: str | None = None, server_url: str | None = None) -> Settings:
    path = config_path()
    file_values = read_config_file(path)
    return Settings(
        database_url=database_url
        or os.environ.get(DATABASE_URL_ENV)
        or file_values.get("database_url")
        or default_database_url(),
        server_url=server_url or file_values.get("server_url"),
        config_file=path,
    )
