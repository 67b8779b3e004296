"""Every function of crm.audience.sets, and the optimizer, against brute-force Python sets.

Random lists hold small ids and ids spread over several shards (and beyond 2^32), of one or two
platforms; every figure must equal the brute-force one, with any partition of the id range.
"""

from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.audience import sets as S
from crm.audience.optimize import Candidate, naive_pick, optimize
from crm.audience.sets import EMPTY, Members
from crm.errors import ValidationError

PLATFORMS = ("vk", "telegram")
Brute = set[tuple[str, int]]

# small ids collide often; spread ones land in several shards of 2^24 (and above 2^32)
small_ids = st.integers(0, 40)
spread_ids = st.builds(
    lambda hi, lo: (hi << 24) | lo, st.sampled_from([0, 1, 2, 5, 300, 1 << 16]), st.integers(0, 40)
)
ids = st.one_of(small_ids, spread_ids)
# a list: one platform mostly, sometimes members of both (a union across platforms)
member_list = st.one_of(
    st.tuples(st.sampled_from(PLATFORMS), st.lists(ids, max_size=40)).map(
        lambda t: {(t[0], i) for i in t[1]}
    ),
    st.sets(st.tuples(st.sampled_from(PLATFORMS), ids), max_size=40),
)
member_lists = st.lists(member_list, max_size=7)
bits = st.sampled_from([24, 4, 1, 32])
RELAXED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(brute: Brute, shard_bits: int = S.SHARD_BITS) -> Members:
    """Members of a brute-force set (of one or two platforms)."""
    parts = [
        Members.from_ids(p, sorted(i for q, i in brute if q == p), shard_bits)
        for p in PLATFORMS
        if any(q == p for q, _ in brute)
    ]
    if not parts:
        return Members({}, 0, shard_bits)
    return S.union(parts)


def to_brute(members: Members) -> Brute:
    return {(p, int(i)) for p in members.platforms for i in members.ids(p)}


def platforms_of(brute: Brute) -> frozenset[str]:
    return frozenset(p for p, _ in brute)


def comparable(a: Brute, b: Brute) -> bool:
    return not a or not b or platforms_of(a) == platforms_of(b)


def ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


@RELAXED
@given(member_list, bits)
def test_members_hold_exactly_the_ids(brute: Brute, shard_bits: int) -> None:
    m = build(brute, shard_bits)
    assert m.size == len(brute)
    assert m.platforms == platforms_of(brute)
    assert to_brute(m) == brute
    for p in PLATFORMS:
        got = m.ids(p)
        assert got.dtype == np.uint64
        assert got.tolist() == sorted(i for q, i in brute if q == p)
    # every shard holds what its id range says
    for (p, shard), bitmap in m.shards.items():
        assert len(bitmap) > 0
        want = {
            i & ((1 << shard_bits) - 1) for q, i in brute if q == p and i >> shard_bits == shard
        }
        assert set(bitmap) == want


@RELAXED
@given(st.lists(ids, max_size=60), bits)
def test_from_ids_drops_duplicates_and_takes_numpy(values: list[int], shard_bits: int) -> None:
    m = Members.from_ids("vk", np.array(values, dtype=np.uint64), shard_bits)
    assert m.size == len(set(values))
    assert m.ids("vk").tolist() == sorted(set(values))
    assert Members.from_ids("vk", values, shard_bits).ids("vk").tolist() == sorted(set(values))


@RELAXED
@given(member_list, member_list, bits)
def test_pair_sizes(a: Brute, b: Brute, shard_bits: int) -> None:
    ma, mb = build(a, shard_bits), build(b, shard_bits)
    assert ma.intersection_size(mb) == len(a & b)
    assert ma.difference_size(mb) == len(a - b)
    assert ma.union_size(mb) == len(a | b)
    assert S.added_reach(ma, mb) == len(a - b)
    assert S.comparable(ma, mb) == comparable(a, b)


@RELAXED
@given(member_lists, bits)
def test_union_and_union_size(lists: list[Brute], shard_bits: int) -> None:
    sets = [build(b, shard_bits) for b in lists]
    everyone: Brute = set().union(*lists)
    assert S.union_size(sets) == len(everyone)
    united = S.union(sets)
    assert united.size == len(everyone)
    assert to_brute(united) == everyone


@RELAXED
@given(member_lists, bits)
def test_overlap_counts_and_matrix(lists: list[Brute], shard_bits: int) -> None:
    sets = [build(b, shard_bits) for b in lists]
    n = len(lists)
    assert S.overlap_counts(sets) == [
        [len(lists[i] & lists[j]) for j in range(n)] for i in range(n)
    ]
    count = S.overlap_matrix(sets, "count")
    share = S.overlap_matrix(sets, "share")
    jaccard = S.overlap_matrix(sets, "jaccard")
    for i, a in enumerate(lists):
        for j, b in enumerate(lists):
            if not comparable(a, b):
                # members of two platforms cannot be matched: no figure at all
                assert count[i][j] is share[i][j] is jaccard[i][j] is None
                continue
            assert count[i][j] == len(a & b)
            assert share[i][j] == ratio(len(a & b), len(a))
            assert jaccard[i][j] == ratio(len(a & b), len(a | b))


def test_overlap_matrix_refuses_an_unknown_metric() -> None:
    with pytest.raises(ValidationError, match="use count, share or jaccard"):
        S.overlap_matrix([EMPTY], "lift")  # type: ignore[arg-type]


@RELAXED
@given(member_lists, bits)
def test_reach(lists: list[Brute], shard_bits: int) -> None:
    sets = [build(b, shard_bits) for b in lists]
    r = S.reach(sets)
    unique = len(set().union(*lists))
    total = sum(len(b) for b in lists)
    assert r.unique_reach == unique
    assert r.sum_of_audiences == total
    assert r.duplication == (None if total == 0 else 1 - unique / total)
    assert r.expected_frequency == ratio(total, unique)
    exclusive = [
        len(b - set().union(*(o for k, o in enumerate(lists) if k != i)))
        for i, b in enumerate(lists)
    ]
    assert r.exclusive == exclusive
    assert S.exclusive_sizes(sets) == exclusive


@RELAXED
@given(member_lists, bits, st.one_of(st.none(), st.integers(0, 5)))
def test_regions(lists: list[Brute], shard_bits: int, limit: int | None) -> None:
    sets = [build(b, shard_bits) for b in lists]
    where: dict[tuple[str, int], frozenset[int]] = {}
    for i, b in enumerate(lists):
        for member in b:
            where[member] = where.get(member, frozenset()) | {i}
    tally = Counter(where.values())
    want = sorted(tally.items(), key=lambda item: (-item[1], len(item[0]), sorted(item[0])))
    got = S.regions(sets, limit)
    assert got == (want if limit is None else want[:limit])
    if limit is None:
        # the regions partition the union
        assert sum(c for _, c in got) == len(where)


@RELAXED
@given(
    st.lists(
        st.sets(st.tuples(st.sampled_from(PLATFORMS), st.integers(0, 300)), max_size=40),
        max_size=6,
    ),
    bits,
)
def test_membership_counts(lists: list[Brute], shard_bits: int) -> None:
    sets = [build(b, shard_bits) for b in lists]
    counts = S.membership_counts(sets)
    seen = Counter(member for b in lists for member in b)
    assert set(counts) == {p for p, _ in seen}
    for p, array in counts.items():
        assert len(array) == 1 + max(i for q, i in seen if q == p)
        assert {i: int(c) for i, c in enumerate(array) if c} == {
            i: c for (q, i), c in seen.items() if q == p
        }


@RELAXED
@given(member_lists, st.sampled_from([4, 1, 9, 32]))
def test_resharded_sets_give_the_same_figures(lists: list[Brute], other_bits: int) -> None:
    sets = [build(b) for b in lists]
    again = [s.resharded(other_bits) for s in sets]
    assert all(s.shard_bits == other_bits for s in again if s.shards)
    assert [to_brute(s) for s in again] == lists
    assert [s.size for s in again] == [len(b) for b in lists]
    assert S.overlap_counts(again) == S.overlap_counts(sets)
    for metric in S.METRICS:
        assert S.overlap_matrix(again, metric) == S.overlap_matrix(sets, metric)
    assert S.union_size(again) == S.union_size(sets)
    assert S.reach(again) == S.reach(sets)
    assert S.regions(again) == S.regions(sets)
    # back to the default partition: the same shards
    assert [dict(s.resharded(S.SHARD_BITS).shards) for s in again] == [dict(s.shards) for s in sets]


def test_sets_of_two_partitions_are_not_mixed() -> None:
    a = Members.from_ids("vk", [1, 2], 24)
    b = Members.from_ids("vk", [2, 3], 4)
    with pytest.raises(ValueError, match="different id ranges"):
        a.intersection_size(b)
    with pytest.raises(ValueError, match="different id ranges"):
        S.union([a, b])
    # an empty set fits any partition
    assert a.union_size(Members({}, 0, 4)) == 2


@RELAXED
@given(st.sampled_from(PLATFORMS), st.lists(ids, max_size=50), bits)
def test_serialization_round_trip(platform: str, values: list[int], shard_bits: int) -> None:
    m = Members.from_ids(platform, values, shard_bits)
    blobs = m.serialized()
    assert all(isinstance(k, int) and isinstance(v, bytes) for k, v in blobs.items())
    back = Members.from_shards(platform, blobs, shard_bits)
    assert back.size == m.size == len(set(values))
    assert back.ids(platform).tolist() == sorted(set(values))
    assert dict(back.shards) == dict(m.shards)


def test_a_set_of_two_platforms_is_not_serialised_as_one() -> None:
    both = S.union([Members.from_ids("vk", [1]), Members.from_ids("telegram", [1])])
    with pytest.raises(ValueError, match="one platform"):
        both.serialized()


def test_bad_ids_are_refused() -> None:
    with pytest.raises(ValidationError, match="negative"):
        Members.from_ids("vk", [3, -1])
    with pytest.raises(ValidationError, match="whole numbers"):
        Members.from_ids("vk", np.array([1.5]))
    with pytest.raises(ValueError, match="shard_bits"):
        Members.from_ids("vk", [1], 33)


# --- the optimizer ---------------------------------------------------------------------------

costs = st.integers(1, 40).map(lambda cents: Decimal(cents) / 4)
candidate_lists = st.lists(
    st.tuples(st.lists(st.integers(0, 30), max_size=12), costs, st.none() | st.integers(0, 10**6)),
    max_size=8,
)


def candidates_of(raw: list[tuple[list[int], Decimal, int | None]]) -> list[Candidate]:
    return [
        Candidate(10 + k, Members.from_ids("vk", members), cost, followers)
        for k, (members, cost, followers) in enumerate(raw)
    ]


def brute_reach(cands: list[Candidate], chosen: tuple[int, ...] | list[int]) -> int:
    by_id = {c.id: c for c in cands}
    return len(set().union(*(set(by_id[i].members.ids("vk").tolist()) for i in chosen)))


def brute_best(cands: list[Candidate], budget: Decimal, must: set[int]) -> int:
    """The true optimum: every subset that holds the must-include channels and fits."""
    best = 0
    for k in range(len(cands) + 1):
        for combo in combinations(cands, k):
            ids = {c.id for c in combo}
            if must <= ids and sum((c.cost for c in combo), Decimal(0)) <= budget:
                best = max(best, brute_reach(cands, list(ids)))
    return best


def must_of(cands: list[Candidate], budget: Decimal, picks: list[bool]) -> set[int]:
    """A must-include subset that fits the budget (the first flagged channels while they fit)."""
    must: set[int] = set()
    spent = Decimal(0)
    for c, flag in zip(cands, picks, strict=False):
        if flag and spent + c.cost <= budget:
            must.add(c.id)
            spent += c.cost
    return must


def check_pick_is_honest(
    cands: list[Candidate], budget: Decimal, must: set[int], ids: tuple[int, ...], cost: Decimal
) -> None:
    by_id = {c.id: c for c in cands}
    assert len(set(ids)) == len(ids)
    assert set(ids) <= by_id.keys()
    assert must <= set(ids)
    assert cost == sum((by_id[i].cost for i in ids), Decimal(0))
    assert cost <= budget


@RELAXED
@given(candidate_lists, st.integers(1, 80), st.lists(st.booleans(), max_size=8))
def test_optimizer_with_enumeration_is_within_its_guarantee(
    raw: list[tuple[list[int], Decimal, int | None]], quarters: int, flags: list[bool]
) -> None:
    cands, budget = candidates_of(raw), Decimal(quarters) / 4
    must = must_of(cands, budget, flags)
    pick = optimize(cands, budget, must_include=must)
    check_pick_is_honest(cands, budget, must, pick.ids, pick.cost)
    assert pick.unique_reach == brute_reach(cands, pick.ids)
    best = brute_best(cands, budget, must)
    assert pick.unique_reach <= best
    assert pick.unique_reach >= (1 - 1 / math.e) * best
    if len(cands) - len(must) <= 3:
        assert pick.unique_reach == best  # every combination was checked


@RELAXED
@given(candidate_lists, st.integers(1, 80), st.lists(st.booleans(), max_size=8))
def test_greedy_optimizer_beats_the_best_single_channel(
    raw: list[tuple[list[int], Decimal, int | None]], quarters: int, flags: list[bool]
) -> None:
    cands, budget = candidates_of(raw), Decimal(quarters) / 4
    must = must_of(cands, budget, flags)
    pick = optimize(cands, budget, must_include=must, enumerate_up_to=0)
    check_pick_is_honest(cands, budget, must, pick.ids, pick.cost)
    assert pick.unique_reach == brute_reach(cands, pick.ids)
    spent = sum((c.cost for c in cands if c.id in must), Decimal(0))
    singles = [
        brute_reach(cands, [*must, c.id])
        for c in cands
        if c.id not in must and spent + c.cost <= budget
    ]
    assert pick.unique_reach >= max(singles, default=brute_reach(cands, list(must)))
    assert pick.unique_reach >= 0.5 * (1 - 1 / math.e) * brute_best(cands, budget, must)


@RELAXED
@given(candidate_lists, st.integers(1, 80), st.lists(st.booleans(), max_size=8))
def test_naive_pick_fits_the_budget(
    raw: list[tuple[list[int], Decimal, int | None]], quarters: int, flags: list[bool]
) -> None:
    cands, budget = candidates_of(raw), Decimal(quarters) / 4
    must = must_of(cands, budget, flags)
    pick = naive_pick(cands, budget, must_include=must)
    check_pick_is_honest(cands, budget, must, pick.ids, pick.cost)
    assert pick.unique_reach == brute_reach(cands, pick.ids)
    # nothing left out would still have fitted
    left = budget - pick.cost
    assert all(c.cost > left for c in cands if c.id not in pick.ids)
