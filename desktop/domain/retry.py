"""How long to wait before trying a failed delivery again: exponential backoff with jitter."""

from __future__ import annotations

import random
from datetime import timedelta

FIRST_RETRY = timedelta(seconds=15)
LONGEST_WAIT = timedelta(hours=1)


def backoff_delay(
    attempts: int,
    rng: random.Random | None = None,
    first: timedelta = FIRST_RETRY,
    longest: timedelta = LONGEST_WAIT,
) -> timedelta:
    """The wait after the `attempts`-th failure (1 = first failure).

    "Full jitter": a random wait between half and all of the exponential ceiling, so
    many desks retrying after the same outage do not all come back at once.
    """
    if attempts < 1:
        return timedelta(0)
    ceiling = min(longest, first * (2 ** min(attempts - 1, 20)))
    fraction = 0.5 + 0.5 * (rng or random).random()
    return timedelta(seconds=ceiling.total_seconds() * fraction)
