"""The member-set engine on hand-computed cases (the property tests compare it with Python sets
on random lists)."""

from __future__ import annotations

import numpy as np
import pytest

from crm.audience.sets import (
    EMPTY,
    Members,
    added_reach,
    exclusive_sizes,
    marginal_gains,
    membership_counts,
    neighbours,
    overlap_counts,
    overlap_matrix,
    reach,
    regions,
    union,
    union_size,
)
from crm.errors import ValidationError

A = Members.from_ids("vk", [1, 2, 3, 4, 2**24 + 7])  # two shards
B = Members.from_ids("vk", [3, 4, 5, 2**24 + 7])
C = Members.from_ids("vk", [4, 9])
T = Members.from_ids("telegram", [1, 2, 3])  # the same dense ids, another platform


def test_sizes_shards_and_duplicates():
    assert Members.from_ids("vk", [5, 5, 5, 6]).size == 2
    assert A.size == 5
    assert set(A.shards) == {("vk", 0), ("vk", 1)}
    assert A.platforms == frozenset({"vk"})
    assert list(A.ids("vk")) == [1, 2, 3, 4, 2**24 + 7]
    assert EMPTY.size == 0 and Members.from_ids("vk", []).size == 0


def test_pair_figures():
    assert A.intersection_size(B) == 3  # 3, 4, 2^24+7
    assert A.difference_size(B) == 2
    assert A.union_size(B) == 6
    assert A.intersection_size(T) == 0


def test_overlap_matrix_metrics():
    counts = overlap_counts([A, B, C])
    assert counts == [[5, 3, 1], [3, 4, 1], [1, 1, 2]]
    share = overlap_matrix([A, B, C], "share")
    assert share[0][1] == pytest.approx(3 / 5)  # A's audience found in B
    assert share[1][0] == pytest.approx(3 / 4)  # directional
    jaccard = overlap_matrix([A, B], "jaccard")
    assert jaccard[0][1] == pytest.approx(3 / 6)
    # two platforms cannot be matched: no number, never zero
    assert overlap_matrix([A, T], "count")[0][1] is None
    with pytest.raises(ValidationError):
        overlap_matrix([A], "lift")  # type: ignore[arg-type]


def test_reach_of_a_selection():
    r = reach([A, B, C])
    assert r.unique_reach == 7  # 1 2 3 4 5 9 2^24+7
    assert r.sum_of_audiences == 11
    assert r.duplication == pytest.approx(1 - 7 / 11)
    assert r.expected_frequency == pytest.approx(11 / 7)
    assert r.exclusive == [2, 1, 1]  # A: 1, 2; B: 5; C: 9
    assert exclusive_sizes([A, T]) == [5, 3]
    # across platforms the audiences add up
    assert union_size([A, T]) == 8
    assert reach([]).unique_reach == 0 and reach([]).duplication is None


def test_union_and_added_reach():
    covered = union([A, B])
    assert covered.size == 6
    assert added_reach(C, covered) == 1  # 9
    assert added_reach(T, covered) == 3


def test_neighbours_share_members_with_a_target():
    found = neighbours(A, {1: A, 2: B, 3: C, 4: T, 5: Members.from_ids("vk", [100])})
    # A itself, the other platform and a set sharing nobody are left out
    assert [n.key for n in found] == [2, 3]
    b = found[0]
    assert (b.overlap, b.share, b.share_back) == (3, pytest.approx(3 / 5), pytest.approx(3 / 4))
    assert b.jaccard == pytest.approx(3 / 6)
    assert neighbours(A, {2: B, 3: C}, limit=1)[0].key == 2


def test_marginal_gains_in_order():
    assert marginal_gains([A, B, C]) == [5, 1, 1]  # B adds 5; C adds 9
    assert marginal_gains([C, B, A]) == [2, 3, 2]  # B adds 3, 5, 2^24+7; A adds 1, 2
    assert sum(marginal_gains([A, B, C, T])) == union_size([A, B, C, T])
    assert marginal_gains([]) == []


def test_regions_are_exact_memberships():
    got = dict(regions([A, B, C]))
    assert got == {
        frozenset({0}): 2,  # 1, 2
        frozenset({0, 1}): 2,  # 3, 2^24+7
        frozenset({0, 1, 2}): 1,  # 4
        frozenset({1}): 1,  # 5
        frozenset({2}): 1,  # 9
    }
    assert regions([A, B, C], limit=2)[0] == (frozenset({0}), 2)


def test_resharding_and_storage_keep_every_figure():
    fine = [s.resharded(1) for s in (A, B, C)]
    assert len(fine[0].shards) > len(A.shards)
    assert overlap_counts(fine) == overlap_counts([A, B, C])
    assert reach(fine) == reach([A, B, C])
    stored = Members.from_shards("vk", A.serialized())
    assert stored.size == A.size and list(stored.ids("vk")) == list(A.ids("vk"))
    with pytest.raises(ValueError):
        A.intersection_size(B.resharded(3))


def test_membership_counts():
    counts = membership_counts([A, B, C])
    assert counts["vk"][4] == 3 and counts["vk"][1] == 1 and counts["vk"][6] == 0
    assert counts["vk"][2**24 + 7] == 2


def test_bad_ids_are_refused():
    with pytest.raises(ValidationError):
        Members.from_ids("vk", np.array([1, -2]))
    with pytest.raises(ValidationError):
        Members.from_ids("vk", np.array([1.5]))
