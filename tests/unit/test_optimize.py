"""The shortlist optimizer on small hand-computed cases: which method, which pick, which refusal."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from crm.audience.optimize import (
    GUARANTEE_ENUMERATION,
    GUARANTEE_EXHAUSTIVE,
    GUARANTEE_GREEDY,
    METHOD_ENUMERATION,
    METHOD_EXHAUSTIVE,
    METHOD_GREEDY,
    METHOD_NAIVE,
    Candidate,
    naive_pick,
    optimize,
)
from crm.audience.sets import Members
from crm.errors import ValidationError


def cand(id: int, ids: range | list[int], cost: str, followers: int | None = None) -> Candidate:
    return Candidate(id, Members.from_ids("vk", list(ids)), Decimal(cost), followers)


# disjoint lists: a cheap small one with the best ratio blocks the best pair for plain greedy
SMALL = cand(1, range(0, 2), "1")  # 2 members per 1 money: ratio 2
MID_A = cand(2, range(100, 109), "5")  # 9 per 5: ratio 1.8
MID_B = cand(3, range(200, 209), "5")  # 9 per 5: ratio 1.8
DEAR = cand(4, [300], "10")  # 1 per 10
TRAP = [SMALL, MID_A, MID_B, DEAR]


def test_greedy_alone_keeps_the_cheap_list_and_misses_the_best_pair() -> None:
    # greedy: SMALL (1), MID_A (6), MID_B no longer fits, DEAR neither → 2 + 9 = 11;
    # the best single channel reaches 9, so greedy's 11 stands
    pick = optimize(TRAP, Decimal(10), enumerate_up_to=3)
    assert pick.ids == (1, 2)
    assert (pick.cost, pick.unique_reach) == (Decimal(6), 11)
    assert pick.method == METHOD_GREEDY
    assert pick.guarantee == GUARANTEE_GREEDY
    assert "31%" in pick.guarantee and "best single channel" in pick.method


def test_partial_enumeration_finds_the_best_pair() -> None:
    pick = optimize(TRAP, Decimal(10))
    assert sorted(pick.ids) == [2, 3]
    assert (pick.cost, pick.unique_reach) == (Decimal(10), 18)
    assert pick.method == METHOD_ENUMERATION
    assert pick.guarantee == GUARANTEE_ENUMERATION
    assert "63%" in pick.guarantee


def test_greedy_loses_to_the_best_single_channel() -> None:
    # ratio 1 for a 1-member list; the 10-member list (ratio 10/11) no longer fits after it
    tiny, big = cand(1, [0], "1"), cand(2, range(10, 20), "11")
    fillers = [cand(10 + i, [1000 + i], "100") for i in range(3)]  # too dear: never considered
    pick = optimize([tiny, big, *fillers], Decimal(11), enumerate_up_to=0)
    assert pick.ids == (2,)
    assert (pick.cost, pick.unique_reach) == (Decimal(11), 10)


def test_lazy_greedy_recomputes_overlap_and_breaks_ties_by_id() -> None:
    a = cand(1, range(0, 10), "1")  # 10 members
    b = cand(2, [*range(0, 8), 20, 21], "1")  # 10 members, 8 of them in a
    c = cand(3, range(30, 36), "1")  # 6 members
    d = cand(4, range(40, 43), "1")  # 3 members
    pick = optimize([c, b, a, d], Decimal(2), enumerate_up_to=0)
    # a and b tie at 10 per 1 (a has the smaller id); then b adds only 2, c adds 6
    assert pick.ids == (1, 3)
    assert (pick.cost, pick.unique_reach) == (Decimal(2), 16)
    # with money for all four: b is still taken (it adds 2), after c and d
    everything = optimize([c, b, a, d], Decimal(4), enumerate_up_to=0)
    assert everything.ids == (1, 3, 4, 2)
    assert everything.unique_reach == 21


def test_a_channel_that_adds_nobody_is_not_bought() -> None:
    a = cand(1, range(0, 10), "1")
    inside = cand(2, range(0, 5), "1")  # all of its members are in a
    others = [cand(3 + i, [100 + i], "50") for i in range(3)]
    pick = optimize([a, inside, *others], Decimal(10), enumerate_up_to=0)
    assert pick.ids == (1,)
    assert pick.cost == Decimal(1)


def test_few_candidates_are_checked_exhaustively() -> None:
    a = cand(1, range(0, 6), "3")
    b = cand(2, range(3, 9), "3")  # shares 3 with a
    c = cand(3, range(20, 24), "3")
    pick = optimize([a, b, c], Decimal(6))
    # a+b reach 9, a+c and b+c reach 10: the tie falls to the smaller ids
    assert pick.ids == (1, 3)
    assert (pick.cost, pick.unique_reach) == (Decimal(6), 10)
    assert (pick.method, pick.guarantee) == (METHOD_EXHAUSTIVE, GUARANTEE_EXHAUSTIVE)


def test_must_include_seeds_the_pick() -> None:
    # DEAR is poor value but must be in: 10 of the 12 are spent, SMALL is the best of the rest
    pick = optimize(TRAP, Decimal(12), must_include=[4])
    assert pick.ids[0] == 4
    assert sorted(pick.ids) == [1, 4]
    assert (pick.cost, pick.unique_reach) == (Decimal(11), 3)
    assert pick.guarantee.endswith("includes the must-include channels")
    greedy = optimize(TRAP, Decimal(16), must_include=[4], enumerate_up_to=0)
    assert greedy.ids == (4, 1, 2)
    assert (greedy.cost, greedy.unique_reach) == (Decimal(16), 12)


def test_must_include_that_spends_the_whole_budget() -> None:
    pick = optimize(TRAP, Decimal(10), must_include=[2, 3])
    assert pick.ids == (2, 3)
    assert (pick.cost, pick.unique_reach) == (Decimal(10), 18)


def test_nothing_affordable_gives_an_empty_pick() -> None:
    pick = optimize([DEAR], Decimal(5))
    assert (pick.ids, pick.cost, pick.unique_reach) == ((), Decimal(0), 0)
    assert optimize([], Decimal(5)).ids == ()


def test_decimal_costs_are_kept_exact() -> None:
    a = cand(1, range(0, 3), "0.10")
    b = cand(2, range(3, 6), "0.20")
    c = cand(3, range(6, 9), "0.30")
    pick = optimize([a, b, c], Decimal("0.60"))
    assert pick.cost == Decimal("0.60")
    assert isinstance(pick.cost, Decimal)
    assert pick.unique_reach == 9


def test_members_of_two_platforms_never_match() -> None:
    vk = Candidate(1, Members.from_ids("vk", range(10)), Decimal(1), None)
    tg = Candidate(2, Members.from_ids("telegram", range(10)), Decimal(1), None)
    assert optimize([vk, tg], Decimal(2)).unique_reach == 20


@pytest.mark.parametrize(
    ("candidates", "budget", "must", "message"),
    [
        ([SMALL], Decimal(0), (), "above zero"),
        ([SMALL], Decimal(-5), (), "above zero"),
        ([SMALL], Decimal("NaN"), (), "above zero"),
        ([cand(1, [1], "0")], Decimal(5), (), "Channel 1 has a price of 0"),
        ([cand(1, [1], "-1")], Decimal(5), (), "a price must be above zero"),
        ([SMALL, SMALL], Decimal(5), (), "Channel 1 is among the candidates twice"),
        (
            [SMALL],
            Decimal(5),
            (7, 8),
            "not among the candidates (no price or no member list?): 7, 8",
        ),
        (TRAP, Decimal(12), (2, 4), "cost 15, more than the budget of 12"),
    ],
)
def test_bad_input_is_refused(
    candidates: list[Candidate], budget: Decimal, must: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        optimize(candidates, budget, must_include=must)
    with pytest.raises(ValidationError):
        naive_pick(candidates, budget, must_include=must)


def test_naive_pick_takes_the_largest_followers_first() -> None:
    big = cand(1, range(0, 10), "6", followers=50_000)
    twin = cand(2, range(0, 10), "3", followers=40_000)  # the same people as big
    other = cand(3, range(100, 105), "3", followers=None)  # no follower count: last
    small = cand(4, range(200, 203), "1", followers=1_000)
    pick = naive_pick([other, small, twin, big], Decimal(10))
    # big (6), twin (9), small (10); other no longer fits
    assert pick.ids == (1, 2, 4)
    assert (pick.cost, pick.unique_reach) == (Decimal(10), 13)
    assert pick.method == METHOD_NAIVE
    # the optimizer, same budget: big is not needed once twin is in
    best = optimize([other, small, twin, big], Decimal(10))
    assert sorted(best.ids) == [2, 3, 4]
    assert best.unique_reach == 18


def test_naive_pick_breaks_follower_ties_by_list_size_and_seeds_must_include() -> None:
    a = cand(1, range(0, 3), "2", followers=None)
    b = cand(2, range(10, 15), "2", followers=None)
    c = cand(3, range(20, 30), "2", followers=100)
    assert naive_pick([a, b, c], Decimal(4)).ids == (3, 2)
    seeded = naive_pick([a, b, c], Decimal(4), must_include=[1])
    assert seeded.ids == (1, 3)
    assert seeded.unique_reach == 13
