"""The Xero token file is owner-only from its first byte, whatever lies beside it."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.xero.tokens import FileVault, TokenSet

TOKENS = TokenSet(
    "access", "refresh", datetime(2031, 3, 3, tzinfo=UTC) + timedelta(minutes=30), ("offline",)
)


def test_a_stale_world_readable_temporary_file_lends_no_permissions(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    stale = tmp_path / "tokens.json.tmp"
    stale.write_text("{}")
    stale.chmod(0o644)
    FileVault(path).save("clinic", TOKENS)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert FileVault(path).load("clinic") == TOKENS


def test_a_planted_symlink_does_not_redirect_the_tokens(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    elsewhere = tmp_path / "public.txt"
    elsewhere.write_text("nothing secret")
    (tmp_path / "tokens.json.tmp").symlink_to(elsewhere)
    FileVault(path).save("clinic", TOKENS)
    assert elsewhere.read_text() == "nothing secret"
    assert "refresh" in path.read_text()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".tokens.json")]
    assert leftovers == []
