"""Instants on the clinic's wall clock, each conversion made once.

A week's thousands of appointments start and end on a few hundred instants, and both
the week's read (on the worker) and the scene placing its blocks ask for the same
ones several times: converting each anew was a third of placing a week.
"""

from __future__ import annotations

from functools import lru_cache

from desktop.domain import day_axis
from desktop.domain.clinic_time import local_date

local_day = lru_cache(maxsize=4096)(local_date)
wall_minute = lru_cache(maxsize=4096)(day_axis.wall_minute)
