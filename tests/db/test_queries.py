"""The one latest-snapshot query: newest by date, then by entry order; scoped; faithful."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm import registry
from crm.registry import ChannelFilter
from crm.registry.queries import latest_known, latest_known_sql, latest_snapshot, latest_sql
from crm.store import Store
from crm.vocab.platforms import ChannelRef


def _row(store: Store, snapshot_id: int) -> dict[str, Any]:
    cur = store.cursor()
    [row] = cur.execute("select * from snapshots where id = ?", [snapshot_id]).fetchall()
    return dict(zip((d[0] for d in cur.description or ()), row, strict=True))


def _channels(store: Store) -> tuple[int, int, int]:
    a, _ = registry.add_channel_from_url(store, "t.me/alpha")
    b, _ = registry.add_channel_from_url(store, "vk.com/beta")
    c, _ = registry.add_channel_from_url(store, "t.me/unmeasured")
    return a, b, c


def test_latest_snapshot_is_the_newest_by_date_then_entry_order(store: Store) -> None:
    a, b, c = _channels(store)
    day = dt.date(2026, 3, 1)
    registry.add_snapshot(store, a, followers=300, avg_reach=30, measured_on=day)
    # two rows of one day (add_snapshot folds them into one; older data and imports may not)
    [(newest,)] = (
        store.cursor()
        .execute(
            "insert into snapshots (channel_id, measured_on, followers) values (?, ?, 310) "
            "returning id",
            [a, day],
        )
        .fetchall()
    )
    registry.add_snapshot(store, a, followers=100, avg_reach=10, measured_on=dt.date(2026, 1, 1))
    registry.add_snapshot(store, b, followers=5, measured_on=dt.date(2026, 2, 1))

    latest = latest_snapshot(store.cursor(), a)
    # the row exactly as recorded: its unknown reach stays unknown, not filled from older rows
    assert latest == _row(store, newest)
    assert latest is not None
    assert (latest["measured_on"], latest["followers"], latest["avg_reach"]) == (day, 310, None)
    assert latest_snapshot(store.cursor(), c) is None
    assert latest_snapshot(store.cursor(), 999_999) is None


def test_latest_sql_has_the_columns_of_snapshots_and_one_row_per_channel(store: Store) -> None:
    a, b, _ = _channels(store)
    for days, followers in ((0, 10), (7, 20), (14, 30)):
        when = dt.date(2026, 1, 1) + dt.timedelta(days=days)
        registry.add_snapshot(store, a, followers=followers, measured_on=when)
        registry.add_snapshot(store, b, followers=followers * 10, measured_on=when)
    cur = store.cursor()
    rel = cur.sql(f"with {latest_sql()} select * from latest order by channel_id")
    assert rel.columns == cur.sql("select * from snapshots").columns
    got = cur.sql(
        f"with {latest_sql()} select channel_id, measured_on, followers from latest "
        "order by channel_id"
    ).fetchall()
    assert got == [(a, dt.date(2026, 1, 15), 30), (b, dt.date(2026, 1, 15), 300)]
    # the registry's lists join the latest known numbers instead (latest_known_sql)
    assert latest_sql() != registry.LATEST_SQL


def test_latest_sql_scope_narrows_by_a_condition_over_channels(store: Store) -> None:
    a, b, _ = _channels(store)
    registry.add_snapshot(store, a, followers=1, measured_on=dt.date(2026, 1, 1))
    registry.add_snapshot(store, b, followers=2, measured_on=dt.date(2026, 1, 1))
    cur = store.cursor()
    sql = f"with {latest_sql('c.platform = ?')} select channel_id, followers from latest"
    assert cur.execute(sql, ["vk"]).fetchall() == [(b, 2)]
    # the import's classify query scopes by a sub-query over channels c, as here
    sql = f"""
        with {latest_sql("c.handle in (select unnest(?::varchar[]))")}
        select channel_id, followers from latest order by channel_id
    """
    assert cur.execute(sql, [["alpha", "beta"]]).fetchall() == [(a, 1), (b, 2)]


def test_latest_snapshot_leaves_the_cursor_free_for_the_next_query(store: Store) -> None:
    a, _, _ = _channels(store)
    registry.add_snapshot(store, a, followers=1, measured_on=dt.date(2026, 1, 1))
    cur = store.cursor()
    assert latest_snapshot(cur, a) is not None
    assert registry.list_channels(cur)["handle"].to_list() == ["alpha", "beta", "unmeasured"]


def test_page_channels_carries_each_channels_version(store: Store) -> None:
    a, b, _ = _channels(store)
    registry.update_channel(store, a, 1, notes="edited once")
    frame, matching = registry.page_channels(store.cursor(), sort="title", limit=2)
    assert frame.select("id", "version").rows() == [(a, 2), (b, 1)]
    assert matching == 3


# --- the latest known value of each number, and each ratio from one snapshot -----------------

JAN1, JAN8, JAN15 = dt.date(2026, 1, 1), dt.date(2026, 1, 8), dt.date(2026, 1, 15)


def _three_snapshots(store: Store) -> tuple[int, list[int]]:
    """Full numbers on Jan 1; followers and engagement on Jan 8; followers only on Jan 15."""
    a, b, _ = _channels(store)
    ids = [
        registry.add_snapshot(store, a, followers=1000, avg_reach=300, avg_engagement=30,
                              avg_likes=20, measured_on=JAN1),
        registry.add_snapshot(store, a, followers=1100, avg_engagement=44, measured_on=JAN8),
        registry.add_snapshot(store, a, followers=1200, measured_on=JAN15),
    ]  # fmt: skip
    registry.add_snapshot(store, b, avg_views=70, measured_on=JAN8)
    return a, ids


KNOWN_A = {
    "followers": 1200, "followers_on": JAN15,
    "avg_reach": 300.0, "avg_reach_on": JAN1,
    "avg_views": None, "avg_views_on": None,
    "avg_engagement": 44.0, "avg_engagement_on": JAN8,
    "avg_likes": 20.0, "avg_likes_on": JAN1,
    "avg_comments": None, "avg_comments_on": None,
    "avg_shares": None, "avg_shares_on": None,
    # each ratio from the newest snapshot that knows both of its terms, with that date
    "er": 44 / 1100, "er_on": JAN8,
    "err": 30 / 300, "err_on": JAN1,
    "reach_rate": 300 / 1000, "reach_rate_on": JAN1,
}  # fmt: skip


def test_latest_known_keeps_each_number_and_ratio_with_its_date(store: Store) -> None:
    a, ids = _three_snapshots(store)
    known = latest_known(store.cursor(), a)
    assert known is not None
    assert {k: known[k] for k in KNOWN_A} == KNOWN_A
    # the newest snapshot's own identity and date, as in latest_snapshot
    assert (known["channel_id"], known["id"], known["measured_on"]) == (a, ids[2], JAN15)
    assert latest_known(store.cursor(), 999_999) is None


def test_channel_list_shows_known_numbers_behind_a_partial_snapshot(store: Store) -> None:
    a, _ = _three_snapshots(store)
    frame = registry.list_channels(store.cursor(), ChannelFilter(search="alpha"))
    row = frame.row(0, named=True)
    assert {k: row[k] for k in KNOWN_A if k in frame.columns} == {
        k: KNOWN_A[k]
        for k in (
            "followers", "followers_on", "avg_reach", "avg_reach_on", "avg_engagement",
            "avg_engagement_on", "er", "er_on", "err", "err_on", "reach_rate", "reach_rate_on",
        )
    }  # fmt: skip
    assert row["measured_on"] == JAN15
    # the ER filter reads the ER the list shows
    assert registry.list_channels(store.cursor(), ChannelFilter(er_min=0.039))["id"].to_list() == [
        a
    ]


def test_latest_known_sql_is_what_lists_and_exports_join(store: Store) -> None:
    a, ids = _three_snapshots(store)
    cur = store.cursor()
    rel = cur.sql(f"with {latest_known_sql()} select * from latest")
    assert set(cur.sql("select * from snapshots").columns) <= set(rel.columns)
    assert set(KNOWN_A) <= set(rel.columns)
    assert latest_known_sql() == registry.LATEST_SQL
    scoped = cur.execute(
        f"with {latest_known_sql('c.platform = ?')} select channel_id, avg_views, avg_views_on "
        "from latest",
        ["vk"],
    ).fetchall()
    assert scoped == [(registry.find_channel(cur, ChannelRef("vk", "beta")), 70.0, JAN8)]


def test_a_zero_denominator_in_the_newest_pair_gives_no_ratio(store: Store) -> None:
    a, _ = _three_snapshots(store)
    registry.add_snapshot(
        store, a, followers=0, avg_engagement=5, measured_on=JAN15 + dt.timedelta(1)
    )
    known = latest_known(store.cursor(), a)
    assert known is not None
    # the newest snapshot with both terms says 0 followers: ER is unknown, not an older one
    assert (known["er"], known["er_on"]) == (None, JAN15 + dt.timedelta(1))
    assert (known["followers"], known["err"]) == (0, 30 / 300)


def test_matching_channel_ids_are_every_match_of_the_filter_across_pages(store: Store) -> None:
    a, b, c = _channels(store)
    registry.add_snapshot(store, a, followers=5_000, measured_on=dt.date(2026, 3, 1))
    registry.add_snapshot(store, b, followers=50, measured_on=dt.date(2026, 3, 1))
    cur = store.cursor()
    assert registry.matching_channel_ids(cur) == [a, b, c]
    assert registry.matching_channel_ids(cur, ChannelFilter(platforms=("telegram",))) == [a, c]
    assert registry.matching_channel_ids(cur, ChannelFilter(followers_min=1_000)) == [a]
    # the same channels page_channels counts as matching
    flt = ChannelFilter(platforms=("telegram",))
    assert len(registry.matching_channel_ids(cur, flt)) == registry.page_channels(cur, flt)[1]


def test_a_filter_narrowed_to_ids_lists_only_those(store: Store) -> None:
    a, b, c = _channels(store)
    cur = store.cursor()
    assert registry.matching_channel_ids(cur, ChannelFilter(ids=(a, c))) == [a, c]
    assert registry.page_channels(cur, ChannelFilter(ids=()))[1] == 0
    assert registry.page_channels(cur, ChannelFilter(ids=(b,), platforms=["telegram"]))[1] == 0
