"""The one latest-snapshot query: newest by date, then by entry order; scoped; faithful."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm import registry
from crm.registry.queries import latest_snapshot, latest_sql
from crm.store import Store


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
    newest = registry.add_snapshot(store, a, followers=310, measured_on=day)  # same day, later
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
    assert latest_sql() == registry.LATEST_SQL


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
