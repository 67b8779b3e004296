"""The Audience figures carry the values they are given: heatmap cells, Venn regions, UpSet bars
and dots, exclusive audiences, pick curves and quality contributions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.audience.sets import Members, overlap_matrix, reach, regions
from crm.charts.audience import (
    GREY,
    contributions_figure,
    exclusive_figure,
    overlap_heatmap_figure,
    pick_curve,
    picks_figure,
    upset_figure,
    venn_figure,
    venn_regions,
)

# A 1–10, B 6–15, C 11–14 and 20: A∩B = 6–10, B∩C = 11–14, A∩C = ∅
A = Members.from_ids("vk", range(1, 11))
B = Members.from_ids("vk", range(6, 16))
C = Members.from_ids("vk", [11, 12, 13, 14, 20])
T = Members.from_ids("telegram", [1, 2])


def test_heatmap_shows_share_in_percent_with_a_blank_diagonal() -> None:
    matrix = overlap_matrix([A, B, C], "share")
    fig = overlap_heatmap_figure(["a", "b", "c"], matrix, "share")
    heat = fig.data[0]
    assert [list(r) for r in heat.z] == [
        [None, 50.0, 0.0],
        [50.0, None, 40.0],
        [0.0, 80.0, None],
    ]
    assert [list(r) for r in heat.text] == [
        ["", "50\u00a0%", "0\u00a0%"],
        ["50\u00a0%", "", "40\u00a0%"],
        ["0\u00a0%", "80\u00a0%", ""],
    ]
    assert list(heat.x) == ["a", "b", "c"] and list(heat.y) == ["a", "b", "c"]
    assert heat.zmax == 100
    assert fig.layout.yaxis.autorange == "reversed"


def test_heatmap_counts_members_and_leaves_two_platforms_blank() -> None:
    matrix = overlap_matrix([A, B, T], "count")
    fig = overlap_heatmap_figure(["a", "b", "t"], matrix, "count")
    z = [list(r) for r in fig.data[0].z]
    assert z == [[None, 5.0, None], [5.0, None, None], [None, None, None]]
    assert fig.data[0].zmax is None
    assert fig.data[0].text[0][1] == "5"


def test_heatmap_jaccard() -> None:
    fig = overlap_heatmap_figure(["a", "b"], overlap_matrix([A, B], "jaccard"), "jaccard")
    # |A∩B| / |A∪B| = 5 / 15
    assert fig.data[0].z[0][1] == pytest.approx(100 * 5 / 15)


def test_venn_of_three_marks_every_region() -> None:
    fig = venn_figure(["a", "b", "c"], [A.size, B.size, C.size], regions([A, B, C]))
    assert len(fig.layout.shapes) == 3
    assert all(s.type == "circle" for s in fig.layout.shapes)
    labels = dict(zip(fig.data[0].customdata, fig.data[0].text, strict=True))
    # only A 1–5, only B 15, only C 20, A∩B 6–10, B∩C 11–14, nothing else
    assert labels == {
        "a": "5",
        "b": "1",
        "c": "1",
        "a ∩ b": "5",
        "a ∩ c": "0",
        "b ∩ c": "4",
        "a ∩ b ∩ c": "0",
    }
    names = [a.text for a in fig.layout.annotations]
    assert names == [
        "<b>a</b><br>10 members",
        "<b>b</b><br>10 members",
        "<b>c</b><br>5 members",
    ]


def test_venn_of_two_and_its_limits() -> None:
    fig = venn_figure(["a", "b"], [A.size, B.size], regions([A, B]))
    assert list(fig.data[0].text) == ["5", "5", "5"]
    assert len(fig.layout.shapes) == 2
    assert venn_regions(2, []) == {frozenset({0}): 0, frozenset({1}): 0, frozenset({0, 1}): 0}
    with pytest.raises(ValueError, match="2 or 3"):
        venn_figure(["a", "b", "c", "d"], [1, 1, 1, 1], [])


def test_upset_bars_and_dots_follow_the_regions() -> None:
    found = regions([A, B, C])
    fig = upset_figure(["a", "b", "c"], found, limit=3)
    bars, grid, dots = fig.data
    assert list(bars.y) == [n for _, n in found[:3]] == [5, 5, 4]
    assert list(bars.customdata) == ["a", "a ∩ b", "b ∩ c"]
    # 3 columns × 3 channels of grey dots, then each column's channels joined by a line
    assert len(grid.x) == 9 and grid.marker.color == GREY
    assert list(dots.x) == [0, None, 1, 1, None, 2, 2, None]
    assert list(dots.y) == [0, None, 0, 1, None, 1, 2, None]
    assert list(fig.layout.yaxis2.ticktext) == ["a", "b", "c"]


def test_exclusive_bars_split_each_audience() -> None:
    figures = reach([A, B, C])
    fig = exclusive_figure(["a", "b", "c"], [A.size, B.size, C.size], figures.exclusive)
    own, shared = fig.data
    assert list(own.x) == [5, 1, 1]
    assert list(shared.x) == [5, 9, 4]
    assert list(own.text) == ["50\u00a0%", "10\u00a0%", "20\u00a0%"]
    assert fig.layout.barmode == "stack"


def test_pick_curve_sums_cost_and_unique_reach_in_order() -> None:
    sets = {1: A, 2: B, 3: C}
    costs = {1: Decimal("100"), 2: Decimal("50"), 3: Decimal("10")}
    names = {1: "a", 2: "b", 3: "c"}
    given = pick_curve("naive", [1, 2, 3], sets, costs, names)
    assert given.channels == ["a", "b", "c"]
    assert given.costs == [Decimal("100"), Decimal("150"), Decimal("160")]
    assert given.reaches == [10, 15, 16]
    # best value first: c (5 per 10), then b (5 new per 50 vs a's 5 new per 100), then a
    greedy = pick_curve("opt", [1, 2, 3], sets, costs, names, greedy=True)
    assert greedy.channels == ["c", "b", "a"]
    assert greedy.costs == [Decimal("10"), Decimal("60"), Decimal("160")]
    assert greedy.reaches == [5, 11, 16]


def test_picks_figure_draws_each_curve_from_zero_and_the_budget() -> None:
    sets = {1: A, 2: B}
    costs = {1: Decimal("100"), 2: Decimal("50")}
    curve = pick_curve("Optimizer", [1, 2], sets, costs, {1: "a", 2: "b"})
    fig = picks_figure([curve], Decimal("200"), "RUB")
    trace = fig.data[0]
    assert list(trace.x) == [0.0, 100.0, 150.0]
    assert list(trace.y) == [0, 10, 15]
    assert list(trace.customdata) == ["start", "a", "b"]
    assert fig.layout.shapes[0].x0 == 200.0
    assert fig.layout.xaxis.title.text == "Money spent, RUB"


def test_contributions_mark_missing_signals() -> None:
    fig = contributions_figure(["Reach rate", "ER", "Jumps"], [30.0, None, 12.5])
    bar = fig.data[0]
    assert list(bar.x) == [30.0, 0.0, 12.5]
    assert list(bar.text) == ["30.0", "not available", "12.5"]
    assert list(bar.marker.color)[1] == GREY
