"""Side-by-side placement: overlaps never hide each other, and lanes are not wasted."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.side_by_side import Placement, Span, place_side_by_side


def place(*spans: tuple[int, int]) -> list[Placement]:
    placed = place_side_by_side(Span(i, start, end) for i, (start, end) in enumerate(spans))
    return [placed[i] for i in range(len(spans))]


def test_a_lone_block_takes_the_whole_column() -> None:
    assert place((0, 30)) == [Placement(0, 1, 1)]


def test_back_to_back_blocks_do_not_share_the_column() -> None:
    assert place((0, 30), (30, 60)) == [Placement(0, 1, 1), Placement(0, 1, 1)]


def test_two_overlapping_blocks_sit_side_by_side() -> None:
    assert place((0, 30), (15, 45)) == [Placement(0, 1, 2), Placement(1, 1, 2)]


def test_a_free_lane_is_reused_and_blocks_widen_into_free_lanes() -> None:
    # A long block, a clash at its start, then a block after the clash has ended.
    long, clash, later = place((0, 120), (0, 30), (60, 90))
    assert long == Placement(0, 1, 2)
    assert clash == Placement(1, 1, 2)
    assert later == Placement(1, 1, 2)  # reuses the clash's lane


def test_a_block_widens_to_the_right_when_the_lanes_there_stay_free() -> None:
    first, second, third, late = place((0, 60), (0, 30), (0, 30), (40, 60))
    assert (first.lanes, second.lanes, third.lanes) == (3, 3, 3)
    assert late == Placement(1, 2, 3)  # lanes 1 and 2 are both free from 40 to 60


def test_a_zero_length_block_still_gets_a_lane() -> None:
    assert place((10, 10), (0, 30)) == [Placement(1, 1, 2), Placement(0, 1, 2)]


def test_fractions_for_the_view() -> None:
    placement = Placement(lane=1, width=2, lanes=4)
    assert (placement.left, placement.share) == (0.25, 0.5)


spans = st.lists(
    st.tuples(st.integers(0, 24 * 60), st.integers(5, 240)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=25,
)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@given(spans)
def test_overlapping_blocks_never_share_a_lane(intervals: list[tuple[int, int]]) -> None:
    placed = place(*intervals)
    for i, a in enumerate(intervals):
        lanes_a = set(range(placed[i].lane, placed[i].lane + placed[i].width))
        assert 0 <= placed[i].lane < placed[i].lane + placed[i].width <= placed[i].lanes
        for j in range(i + 1, len(intervals)):
            if overlap(a, intervals[j]):
                lanes_b = set(range(placed[j].lane, placed[j].lane + placed[j].width))
                assert not lanes_a & lanes_b
                assert placed[i].lanes == placed[j].lanes  # one cluster, one lane count


@given(spans)
def test_a_cluster_uses_no_more_lanes_than_blocks_running_at_once(
    intervals: list[tuple[int, int]],
) -> None:
    placed = place(*intervals)
    for i, (start, _) in enumerate(intervals):
        # Somewhere in a block's cluster that many blocks run at once.
        cluster = _cluster_of(i, intervals)
        busiest = max(
            sum(1 for j in cluster if intervals[j][0] <= intervals[k][0] < intervals[j][1])
            for k in cluster
        )
        assert placed[i].lanes == busiest, (start, cluster)


@given(spans, st.randoms())
def test_the_placement_does_not_depend_on_input_order(
    intervals: list[tuple[int, int]], rng
) -> None:
    keyed = [Span(i, start, end) for i, (start, end) in enumerate(intervals)]
    shuffled = list(keyed)
    rng.shuffle(shuffled)
    assert place_side_by_side(keyed) == place_side_by_side(shuffled)


def _cluster_of(index: int, intervals: list[tuple[int, int]]) -> set[int]:
    members, frontier = {index}, [index]
    while frontier:
        current = frontier.pop()
        for other, interval in enumerate(intervals):
            if other not in members and overlap(intervals[current], interval):
                members.add(other)
                frontier.append(other)
    return members
