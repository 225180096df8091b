"""Instants as the desk reads them: in the clinic's zone, short and unambiguous."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from desktop.domain.clinic_time import to_local
from desktop.domain.messages import format_time


def short_when(instant: datetime, zone: ZoneInfo) -> str:
    """“Mon 3 Mar, 9:30 am”."""
    local = to_local(instant, zone)
    return f"{local:%a} {local.day} {local:%b}, {format_time(local)}"
