"""Field-level merge: an edit made on an older copy still applies if nobody else
changed the same fields since.

A desk that edits a patient's note offline while another desk changes the phone
number should keep both. Each pushed update carries, beside the new values of
the fields it changes, the values they had when the edit was made
(`base_fields`). If the server's row has moved on (its version is not the
mutation's base) the edit is still applied when, for every field it changes, the
server still holds the base value (nobody else touched it) or already holds the
new value (both made the same change). Otherwise it is a true clash: refused as
a stale edit, and the desk's Conflicts list shows both versions side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.domain.errors import InvalidInput, StaleEdit
from desktop.store.models import Row
from desktop.sync.codec import decode_fields


def ensure_mergeable(
    row: Row, fields: Mapping[str, Any], base_fields: Mapping[str, Any], what: str
) -> None:
    """Refuse (StaleEdit) an update on an older version that clashes with the server's."""
    if not fields or set(fields) - set(base_fields):
        raise StaleEdit(what)  # an old desk, or a field whose old value is not known
    try:
        base = decode_fields(row.__table__, {name: base_fields[name] for name in fields})  # type: ignore[arg-type]
    except InvalidInput as exc:
        raise StaleEdit(what) from exc
    for name, new in fields.items():
        current = getattr(row, name)
        if current != base[name] and current != new:
            raise StaleEdit(what)
