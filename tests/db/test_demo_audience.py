"""The demo's member lists: enough pages, realistic sizes, skewed overlap, owner networks, bots
that the quality signal finds, real-looking user ids, deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterator

import numpy as np
import pytest

from crm.audience.lists import export_members, member_sets
from crm.audience.quality import quality_frame
from crm.audience.sets import Members, membership_counts, overlap_matrix, union_size
from crm.demo import DEMO_AS_OF, generate_demo
from crm.demo.audience import (
    BOUGHT_SIZE,
    MAX_SIZE,
    MIN_SIZE,
    candidate_pages,
    choose_pages,
    member_lists,
)
from crm.store import Store


def _demo(seed: int) -> Store:
    """A demo workspace, with its member lists."""
    store = Store(":memory:")
    generate_demo(store, seed=seed)
    return store


@pytest.fixture(scope="module")
def demo() -> Iterator[Store]:
    store = _demo(0)
    yield store
    store.close()


@pytest.fixture(scope="module")
def lists(demo: Store) -> dict[int, Members]:
    return member_sets(demo.cursor())


def _platforms(demo: Store) -> dict[int, str]:
    rows = demo.cursor().execute("select id, platform from channels").fetchall()
    return {int(i): str(p) for i, p in rows}


def test_at_least_forty_public_pages_with_lists_and_prices(demo: Store) -> None:
    rows = (
        demo.cursor()
        .execute(
            """select c.platform, c.kind, a.size, a.id_kind, a.source,
                  exists (select 1 from prices p where p.channel_id = c.id and p.format = 'post')
           from audiences a join channels c on c.id = a.channel_id"""
        )
        .fetchall()
    )
    assert len(rows) >= 40
    assert {r[0] for r in rows} == {"vk", "telegram", "ok"}
    assert {r[1] for r in rows} == {"public_page"}
    assert {r[3] for r in rows} == {"number"}
    assert all(r[4].endswith("_members.csv") for r in rows)
    assert all(r[5] for r in rows)  # every page has a post price: the optimizer has work
    sizes = [int(r[2]) for r in rows]
    assert min(sizes) >= BOUGHT_SIZE[0] * 0.9 and max(sizes) <= MAX_SIZE
    assert statistics.median(sizes) >= MIN_SIZE * 0.9  # a few hundred thousand each
    history = demo.cursor().execute("select count(*) from audience_loads").fetchall()
    assert history == [(len(rows),)]


def test_lists_were_loaded_in_the_weeks_before_the_demo_day(demo: Store) -> None:
    (low, high), (loads_low, loads_high) = (
        demo.cursor().execute(f"select min(loaded_at), max(loaded_at) from {t}").fetchall()[0]
        for t in ("audiences", "audience_loads")
    )
    assert (low, high) == (loads_low, loads_high)
    start = dt.datetime.combine(DEMO_AS_OF, dt.time())
    assert start - dt.timedelta(days=36) <= low <= high < start


def test_overlap_is_skewed(demo: Store, lists: dict[int, Members]) -> None:
    platform = _platforms(demo)
    shares: list[float] = []
    for p in ("vk", "telegram", "ok"):
        sets = [m for cid, m in lists.items() if platform[cid] == p]
        matrix = overlap_matrix(sets, "share")
        shares += [
            float(v)
            for i, row in enumerate(matrix)
            for j, v in enumerate(row)
            if i != j and v is not None
        ]
    large = sum(s > 0.3 for s in shares)
    small = sum(s < 0.05 for s in shares)
    assert large >= 20  # pages of one niche and of one owner's network share a lot
    assert small > len(shares) / 2  # most pairs share next to nothing


def test_owner_networks_overlap_heavily(demo: Store, lists: dict[int, Members]) -> None:
    rows = (
        demo.cursor()
        .execute(
            """select c.owner_id, c.platform, list(c.id order by c.id) from audiences a
           join channels c on c.id = a.channel_id where c.owner_id is not null
           group by all having count(*) >= 3"""
        )
        .fetchall()
    )
    networks = []
    for _, _, ids in rows:
        matrix = overlap_matrix([lists[i] for i in ids], "share")
        pairs = [v for i, r in enumerate(matrix) for j, v in enumerate(r) if i != j]
        networks.append(statistics.median(float(v) for v in pairs if v is not None))
    assert sum(m > 0.3 for m in networks) >= 1  # an owner bundle worth pricing


def test_bots_sit_in_many_lists_and_crowd_a_few_pages(
    demo: Store, lists: dict[int, Members]
) -> None:
    platform = _platforms(demo)
    for p in ("vk", "telegram"):
        ids = [cid for cid in lists if platform[cid] == p]
        counts = membership_counts([lists[cid] for cid in ids])[p]
        threshold = max(10, math.ceil(len(ids) / 2))  # more than half of the platform's lists
        many = np.flatnonzero(counts >= threshold)
        assert many.size > 1000
        share = {cid: np.isin(lists[cid].ids(p).astype(np.int64), many).mean() for cid in ids}
        crowded = [cid for cid, s in share.items() if s >= 0.1]
        assert 1 <= len(crowded) <= 4
        assert statistics.median(share.values()) < 0.05
    # the quality signal finds them: a few pages score low on "members in many lists"
    frame = quality_frame(demo.cursor(), list(lists), lists)
    scores = frame.drop_nulls("lists_sub_score")["lists_sub_score"].to_list()
    assert len(scores) >= 40
    assert 2 <= sum(s <= 50 for s in scores) <= 8
    assert statistics.median(scores) >= 70


def test_real_looking_user_ids_in_the_dictionary(demo: Store, lists: dict[int, Members]) -> None:
    cur = demo.cursor()
    rows = cur.execute(
        """select platform, count(*), count(distinct number), min(number), max(number),
                  min(id), max(id), count(key), count(*) filter (where number > 4294967296)
           from members group by platform order by platform"""
    ).fetchall()
    by = {r[0]: r[1:] for r in rows}
    assert set(by) == {"vk", "telegram", "ok"}
    for n, distinct, _, _, low, high, keys, _ in by.values():
        assert n == distinct and (low, high) == (0, n - 1) and keys == 0  # dense, unique
    assert by["vk"][2] > 0 and by["vk"][3] < 900_000_000
    assert by["ok"][2] >= 10**11 and by["ok"][3] < 10**12  # twelve digits
    assert 0 < by["telegram"][7] < by["telegram"][0]  # some above 2^32, not all
    # the dictionary holds exactly the users in some list: each dense id has its user id
    platform = _platforms(demo)
    for p, (n, *_) in by.items():
        mine = [m for cid, m in lists.items() if platform[cid] == p]
        assert union_size(mine) == n


def test_a_demo_list_exports_as_user_ids(demo: Store, lists: dict[int, Members]) -> None:
    cid = min(lists)
    frame = export_members(demo.cursor(), cid)
    assert frame.height == lists[cid].size
    assert frame["member"].n_unique() == frame.height


def test_the_same_seed_gives_the_same_lists_and_another_differs(demo: Store) -> None:
    pages = candidate_pages(demo.cursor())
    first, numbers = member_lists(pages, 0)
    again, numbers_again = member_lists(pages, 0)
    assert [x.page.channel_id for x in first] == [x.page.channel_id for x in again]
    assert all(np.array_equal(a.members, b.members) for a, b in zip(first, again, strict=True))
    assert all(np.array_equal(numbers[p], numbers_again[p]) for p in numbers)
    other, _ = member_lists(pages, 1)
    assert not all(np.array_equal(a.members, b.members) for a, b in zip(first, other, strict=True))
    # and the stored lists are those of seed 0
    stored = member_sets(demo.cursor())
    for item in first:
        ids = stored[item.page.channel_id].ids(item.page.platform).astype(np.int64)
        assert np.array_equal(ids, item.members)


def test_page_choice_prefers_networks_and_suspects() -> None:
    from crm.demo.audience import DemoPage

    def page(
        cid: int, platform: str, owner: int | None, followers: int, suspect: bool = False
    ) -> DemoPage:
        return DemoPage(cid, platform, f"h{cid}", "food", owner, followers, True, suspect)

    pages = [
        *(page(i, "vk", 7, 1000 + i) for i in range(1, 5)),  # an owner's network of four
        page(10, "vk", None, 500, suspect=True),
        *(page(i, "vk", None, 100_000 + i) for i in range(20, 90)),
        *(page(i, "ok", None, 50_000) for i in range(100, 102)),  # ok has only two
    ]
    choice = choose_pages(pages)
    chosen = {p.channel_id for p in choice.pages}
    assert {1, 2, 3, 4, 10} <= chosen
    assert {choice.network_of[i] for i in (1, 2, 3, 4)} == {0}
    # bought followers: the tagged page, then the smallest plain ones
    assert choice.bought == {10, 20, 21, 100}  # and one of ok's
    assert {100, 101} <= chosen  # all the ok pages there are; the places left go to vk
    assert len(chosen) == 52
    # after the network and the suspects, the vk pages with the most followers
    assert {i for i in chosen if 20 <= i < 90} == {20, 21, *range(47, 90)}
