"""Xero's wire formats: money, dates and JSON text.

* Money is ``Decimal`` inside the fake, rounded half-up to 2 dp (unit amounts
  to 2 or 4 dp with ``unitdp=4``) and written as JSON numbers with fixed
  decimals (``229.00``), the way Xero writes them.
* Dates go out as Microsoft JSON dates, ``"\\/Date(1539129600000+0000)\\/"``
  (Xero escapes the slashes; decoders see ``/Date(...)/``). Incoming dates are
  accepted as ``/Date(ms)/``, ``/Date(ms+0000)/``, ``YYYY-MM-DD`` or
  ``YYYY-MM-DDTHH:MM:SS`` - the xero-python SDK sends the first form.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

_MS_DATE_RE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO_DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)


class Fixed:
    """A number to be written with exactly ``places`` decimals (e.g. 1.0000)."""

    __slots__ = ("places", "value")

    def __init__(self, value: Decimal, places: int) -> None:
        self.value = value
        self.places = places

    def text(self) -> str:
        q = Decimal(1).scaleb(-self.places)
        return str(self.value.quantize(q, rounding=ROUND_HALF_UP))


def money(value: Any) -> Decimal:
    """Round to cents, half-up (raises ``ValueError`` for non-numbers)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_places(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal:
    """Decimal from a JSON number or numeric string."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    if isinstance(value, float):
        return Decimal(repr(value))
    raise ValueError(f"not a number: {value!r}")


def ms_date(d: date) -> str:
    """A date as Xero writes it: ``/Date(1539129600000+0000)/``."""
    dt = datetime.combine(d, time(0, 0), tzinfo=UTC)
    return f"/Date({int(dt.timestamp() * 1000)}+0000)/"


def ms_datetime(dt: datetime, *, offset: bool = True) -> str:
    """A timestamp as Xero writes it (``+0000`` suffix on entity timestamps)."""
    ms = int(dt.timestamp() * 1000)
    return f"/Date({ms}+0000)/" if offset else f"/Date({ms})/"


def iso_seconds(dt: datetime) -> str:
    """``2019-03-12T23:10:38Z`` (Xero's ``UpdatedDateUTCString``)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_string(d: date) -> str:
    """``2018-10-10T00:00:00`` (Xero's ``DateString``)."""
    return d.strftime("%Y-%m-%dT00:00:00")


def parse_date(value: Any) -> date:
    """Parse a date Xero would accept; raises ``ValueError`` otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    m = _MS_DATE_RE.match(text)
    if m:
        ms = int(m.group(1))
        dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
        return dt.date()
    m = _ISO_DATE_RE.match(text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(f"not a date: {value!r}")


def lock_date_text(d: date) -> str:
    """``31-Jul-2013``, as in Xero's lock-date validation message."""
    return d.strftime("%d-%b-%Y")


# --------------------------------------------------------------------------- JSON


def loads(raw: bytes) -> Any:
    """Parse request JSON keeping numbers exact (floats become ``Decimal``)."""
    return json.loads(raw.decode("utf-8"), parse_float=Decimal)


def dumps(obj: Any) -> str:
    """Serialise like Xero: fixed-decimal money, ``\\/Date(...)\\/`` strings."""
    parts: list[str] = []
    _emit(obj, parts)
    return "".join(parts)


def _emit(obj: Any, out: list[str]) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        text = json.dumps(obj, ensure_ascii=False)
        if obj.startswith("/Date("):
            text = text.replace("/", "\\/")
        out.append(text)
    elif isinstance(obj, Fixed):
        out.append(obj.text())
    elif isinstance(obj, Decimal):
        exponent = obj.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= 0:
            out.append(str(obj.quantize(CENT)))
        else:
            out.append(str(obj))
    elif isinstance(obj, (int, float)):
        out.append(json.dumps(obj))
    elif isinstance(obj, dict):
        out.append("{")
        first = True
        for key, value in obj.items():
            if not first:
                out.append(",")
            first = False
            out.append(json.dumps(str(key)))
            out.append(":")
            _emit(value, out)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i, value in enumerate(obj):
            if i:
                out.append(",")
            _emit(value, out)
        out.append("]")
    else:
        raise TypeError(f"cannot serialise {type(obj).__name__}")
