"""Side-by-side placement of overlapping blocks in one calendar column.

Overlaps exist on purpose (a receptionist overrode the double-booking rule, or a
cancelled appointment shares its old slot with a new one) and must never hide each
other. The calendar therefore splits a column into lanes, the way KDE's
`CellItem::placeItem` does:

* blocks that overlap, directly or through a chain of others, form a *cluster*;
* each block takes the lowest lane that is free at its start (blocks ordered by
  start, then longest first), so a cluster needs exactly as many lanes as the most
  blocks that are ever running at once (greedy colouring is optimal for intervals);
* every block in a cluster is drawn with that cluster's lane count, then widened to
  the right over lanes that stay free for its whole length, so a short clash does
  not squeeze an unrelated block for the rest of the day.

Pure: numbers in, numbers out. The view only turns lanes into pixels.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Span(Generic[K]):
    """A block to place: a key the caller recognises, and a half-open [start, end)."""

    key: K
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a block goes: lanes [lane, lane + width) of `lanes` equal lanes."""

    lane: int
    width: int
    lanes: int

    @property
    def left(self) -> float:
        """Left edge as a fraction of the column's width."""
        return self.lane / self.lanes

    @property
    def share(self) -> float:
        """Width as a fraction of the column's width."""
        return self.width / self.lanes


def place_side_by_side(spans: Iterable[Span[K]]) -> dict[K, Placement]:
    """Lanes for every span; spans that touch end-to-start do not overlap.

    A span with no length (end <= start) is treated as one unit long so it still
    gets a lane of its own instead of vanishing under its neighbours.
    """
    ordered = [s if s.end > s.start else Span(s.key, s.start, s.start + 1) for s in spans]
    ordered.sort(key=_by_time)
    if any(a.start == b.start and a.end == b.end for a, b in pairwise(ordered)):
        # Identical times: ordered by key, so the input's order never moves a block.
        ordered.sort(key=lambda s: (s.start, -s.end, repr(s.key)))
    placements: dict[K, Placement] = {}
    for cluster in _clusters(ordered):
        if len(cluster) == 1:  # most blocks overlap nothing: the whole column
            placements[cluster[0].key] = _ALONE
        else:
            placements.update(_place_cluster(cluster))
    return placements


_ALONE = Placement(0, 1, 1)


def _by_time(span: Span[K]) -> tuple[float, float]:
    return span.start, -span.end


def _clusters(ordered: Sequence[Span[K]]) -> Iterable[list[Span[K]]]:
    """Runs of spans connected by overlaps (input sorted by start)."""
    cluster: list[Span[K]] = []
    reach = float("-inf")  # the latest end in the current cluster
    for span in ordered:
        if cluster and span.start >= reach:
            yield cluster
            cluster = []
            reach = float("-inf")
        cluster.append(span)
        reach = max(reach, span.end)
    if cluster:
        yield cluster


def _place_cluster(cluster: Sequence[Span[K]]) -> dict[K, Placement]:
    lane_ends: list[float] = []  # when each lane becomes free again
    lane_of: dict[K, int] = {}
    for span in cluster:
        lane = next((i for i, end in enumerate(lane_ends) if end <= span.start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(span.end)
        else:
            lane_ends[lane] = span.end
        lane_of[span.key] = lane
    lanes = len(lane_ends)
    by_lane: list[list[Span[K]]] = [[] for _ in range(lanes)]
    for span in cluster:
        by_lane[lane_of[span.key]].append(span)
    placed: dict[K, Placement] = {}
    for span in cluster:
        lane = lane_of[span.key]
        width = 1
        while lane + width < lanes and not any(
            other.start < span.end and span.start < other.end for other in by_lane[lane + width]
        ):
            width += 1
        placed[span.key] = Placement(lane, width, lanes)
    return placed
