"""A small JSON file only its owner can read: secrets on a server without a keyring."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def write_private_json(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a crash never leaves half a file. The temporary
    # file is always a new one (O_EXCL, never through a symlink), so it is
    # owner-only from its first byte: a stale or planted file of the same name can
    # neither lend it its permissions nor redirect the write.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_private_json(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8") or "{}")
    return {str(k): str(v) for k, v in data.items()}
