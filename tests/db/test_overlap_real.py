"""Overlap on a real network (see shared/data/real/SOURCES.md): the MUSAE Facebook page graph.

Each page's neighbours (edges undirected, self-loops dropped) stand for its audience; the node
ids are the dense member ids. Every figure of crm.audience.sets is checked against Python sets
built in the test straight from the CSV text.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from crm.audience import sets as S
from crm.audience.sets import Members

PAGES = 8  # the best-connected pages: their audiences overlap the most
FILE = "musae_facebook_edges.csv"


@pytest.fixture
def neighbours(real_data: Path) -> dict[int, set[int]]:
    return _neighbours(real_data / FILE)


@lru_cache(maxsize=1)
def _neighbours(path: Path) -> dict[int, set[int]]:
    """Brute force: each page's neighbour set, read with the csv module (once per run)."""
    found: dict[int, set[int]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        assert next(reader) == ["id_1", "id_2"]
        for row in reader:
            a, b = int(row[0]), int(row[1])
            if a == b:
                continue
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
    return found


@pytest.fixture
def pages(neighbours: dict[int, set[int]]) -> list[int]:
    return sorted(neighbours, key=lambda p: (-len(neighbours[p]), p))[:PAGES]


def members_of(real_data: Path, pages: list[int], shard_bits: int) -> list[Members]:
    """The engine's way: polars reads the edges, numpy arrays become bitmaps."""
    edges = pl.read_csv(real_data / FILE).filter(pl.col("id_1") != pl.col("id_2"))
    both = pl.concat(
        [
            edges.select(pl.col("id_1").alias("page"), pl.col("id_2").alias("member")),
            edges.select(pl.col("id_2").alias("page"), pl.col("id_1").alias("member")),
        ]
    )
    return [
        Members.from_ids(
            "facebook", both.filter(pl.col("page") == p)["member"].to_numpy(), shard_bits
        )
        for p in pages
    ]


@pytest.mark.parametrize("shard_bits", [S.SHARD_BITS, 8])
def test_pairs_overlap_as_brute_force(
    real_data: Path, neighbours: dict[int, set[int]], pages: list[int], shard_bits: int
) -> None:
    sets = members_of(real_data, pages, shard_bits)
    brute = [neighbours[p] for p in pages]
    assert [s.size for s in sets] == [len(b) for b in brute]
    assert sets[0].ids("facebook").tolist() == sorted(brute[0])
    if shard_bits == 8:
        assert len(sets[0].shards) > 20  # node ids up to 22,469: many shards of 256
    counts = S.overlap_counts(sets)
    jaccard = S.overlap_matrix(sets, "jaccard")
    share = S.overlap_matrix(sets, "share")
    overlapping = 0
    for i, j in combinations(range(PAGES), 2):
        common = len(brute[i] & brute[j])
        overlapping += common > 0
        assert counts[i][j] == counts[j][i] == common
        assert jaccard[i][j] == pytest.approx(common / len(brute[i] | brute[j]), abs=0)
        assert share[i][j] == common / len(brute[i])
        assert share[j][i] == common / len(brute[j])
    # the test means something only if real pages share audiences
    assert overlapping >= 5


def test_reach_of_five_pages(
    real_data: Path, neighbours: dict[int, set[int]], pages: list[int]
) -> None:
    chosen = pages[:5]
    sets = members_of(real_data, chosen, S.SHARD_BITS)
    brute = [neighbours[p] for p in chosen]
    union = set().union(*brute)
    total = sum(len(b) for b in brute)
    r = S.reach(sets)
    assert r.unique_reach == len(union)
    assert r.sum_of_audiences == total
    assert r.unique_reach < r.sum_of_audiences  # they do overlap
    assert r.duplication == pytest.approx(1 - len(union) / total)
    assert r.expected_frequency == pytest.approx(total / len(union))
    assert r.exclusive == [
        len(b - set().union(*(o for k, o in enumerate(brute) if k != i)))
        for i, b in enumerate(brute)
    ]
    covered = S.union(sets[:4])
    assert S.added_reach(sets[4], covered) == len(brute[4] - set().union(*brute[:4]))
    # the same selection in 8-bit shards gives the same figures
    assert S.reach([s.resharded(8) for s in sets]) == r
    # regions of three pages: members in exactly those pages
    three = brute[:3]
    regions = dict(S.regions(sets[:3]))
    for k in range(1, 4):
        for combo in combinations(range(3), k):
            inside = set.intersection(*(three[i] for i in combo))
            outside = set().union(*(three[i] for i in range(3) if i not in combo))
            assert regions.get(frozenset(combo), 0) == len(inside - outside)
    counts = S.membership_counts(sets)["facebook"]
    assert int(np.count_nonzero(counts)) == len(union)
    assert int(counts.sum()) == total
