"""The demo workspace: deterministic, realistic, refused on a non-empty database."""

from __future__ import annotations

import re

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm.demo import DEMO_AS_OF, generate_demo
from crm.demo.words import handle_from
from crm.errors import ValidationError
from crm.exports import table_frame
from crm.registry import add_channel
from crm.store import Store
from crm.workspace import clear_workspace, workspace_kind

TABLES = ("channels", "owners", "snapshots", "prices")


@pytest.fixture(scope="module")
def demo() -> Store:
    """One demo workspace (seed 0) shared by the read-only tests of this module."""
    s = Store(":memory:")
    generate_demo(s, seed=0)
    yield s
    s.close()


def _frames(store: Store) -> dict[str, pl.DataFrame]:
    cur = store.cursor()
    frames = {t: table_frame(cur, t) for t in TABLES}
    frames["ids"] = cur.sql("select id, platform, handle, owner_id from channels order by id").pl()
    return frames


def test_same_seed_gives_identical_data_and_another_seed_differs(demo: Store) -> None:
    again = Store(":memory:")
    generate_demo(again, seed=0)
    other = Store(":memory:")
    generate_demo(other, seed=1)
    first, second, third = _frames(demo), _frames(again), _frames(other)
    for name in first:
        assert_frame_equal(first[name], second[name])
    assert not first["channels"].equals(third["channels"])


def test_counts_returned_match_the_tables() -> None:
    s = Store(":memory:")
    counts = generate_demo(s, seed=3)  # its speed is measured in bench/bench_demo.py
    cur = s.cursor()
    actual = {t: cur.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}
    assert {t: counts[t] for t in TABLES} == actual
    assert counts["channels"] == 320
    assert counts["snapshots"] == 320 * 26


def test_platforms_kinds_and_admin_networks(demo: Store) -> None:
    cur = demo.cursor()
    platforms = {r[0] for r in cur.execute("select distinct platform from channels").fetchall()}
    assert len(platforms) >= 6
    assert {"vk", "telegram", "instagram", "youtube"} <= platforms
    kinds = {r[0] for r in cur.execute("select distinct kind from channels").fetchall()}
    assert kinds == {"person", "public_page"}
    networks = cur.execute(
        """
        select owner_id, count(*) from channels where owner_id is not null
        group by owner_id having count(*) >= 3
        """
    ).fetchall()
    assert len(networks) >= 5
    # an admin network: one owner selling at least three public pages
    assert (
        cur.execute(
            """
        select count(*) from (
            select owner_id from channels where kind = 'public_page' and owner_id is not null
            group by owner_id having count(*) >= 3
        )
        """
        ).fetchall()[0][0]
        >= 3
    )


def test_six_months_of_weekly_snapshots_per_channel(demo: Store) -> None:
    rows = (
        demo.cursor()
        .execute(
            """
            select count(*), count(distinct measured_on), min(measured_on), max(measured_on)
            from snapshots group by channel_id
            """
        )
        .fetchall()
    )
    assert len(rows) == 320
    for n, distinct, first, last in rows:
        assert n == distinct == 26
        assert (last - first).days >= 175
        assert last == DEMO_AS_OF


def test_titles_handles_and_geo_look_real(demo: Store) -> None:
    frame = table_frame(demo.cursor(), "channels")
    titles = frame["title"].to_list()
    assert any(re.search("[а-яё]", t, re.I) for t in titles)
    assert any(re.fullmatch(r"[A-Za-z0-9 &'|.\-]+", t) for t in titles)
    assert all(re.fullmatch(r"[a-z0-9_.]+", h) for h in frame["handle"])
    assert frame.select(pl.struct("platform", "handle").is_unique().all()).item()
    countries = frame["country"].value_counts().sort("count", descending=True)
    assert countries["country"][0] == "Russia"
    assert {"Kazakhstan", "Belarus"} <= set(frame["country"])
    assert {"ru", "en"} <= set(frame["language"])
    tags = {t for joined in frame["tags"].drop_nulls() for t in joined.split(", ")}
    assert {"проверен", "накрутка?"} <= tags
    assert frame["notes"].drop_nulls().len() > 0
    cur = demo.cursor()
    archived = cur.execute("select count(*) from channels where archived").fetchall()[0][0]
    assert 0 < archived < 32
    contacts = cur.execute(
        "select count(email), count(telegram), count(phone) from owners"
    ).fetchall()[0]
    assert all(n > 0 for n in contacts)
    assert cur.execute(
        "select count(*) from owners where phone is not null and phone not like '+%'"
    ).fetchall() == [(0,)]


def test_transliterated_handles() -> None:
    assert handle_from("Типичный Екатеринбург") == "tipichnyy_ekaterinburg"
    assert handle_from("Лайфхаки для дома") == "layfkhaki_dlya_doma"
    assert handle_from("Crypto Daily") == "crypto_daily"


def test_numbers_are_plausible(demo: Store) -> None:
    cur = demo.cursor()
    negatives = cur.execute(
        """
        select count(*) from snapshots
        where least(followers, avg_reach, avg_views, avg_engagement,
                    avg_likes, avg_comments, avg_shares) < 0
        """
    ).fetchall()[0][0]
    assert negatives == 0
    mismatched = cur.execute(
        """
        select count(*) from snapshots
        where avg_engagement <> avg_likes + avg_comments + avg_shares
        """
    ).fetchall()[0][0]
    assert mismatched == 0
    low, high = cur.execute("select min(followers), max(followers) from snapshots").fetchall()[0]
    assert low >= 2_000 and high <= 3_000_000
    provenances = dict(
        cur.execute("select provenance, count(*) from snapshots group by all").fetchall()
    )
    main = sum(provenances.get(p, 0) for p in ("platform_stats", "screenshot", "platform_api"))
    assert main / sum(provenances.values()) > 0.9
    # Telegram reaches more of its followers than VK does (medians of the latest snapshot)
    rate = dict(
        cur.execute(
            """
            select c.platform, median(s.avg_reach / s.followers)
            from snapshots s join channels c on c.id = s.channel_id
            where s.measured_on = ? group by all
            """,
            [DEMO_AS_OF],
        ).fetchall()
    )
    assert 0.15 <= rate["telegram"] <= 0.40
    assert 0.03 <= rate["vk"] <= 0.15
    assert rate["telegram"] > rate["vk"]


def test_prices_follow_reach(demo: Store) -> None:
    cur = demo.cursor()
    currencies = dict(cur.execute("select currency, count(*) from prices group by all").fetchall())
    assert max(currencies, key=currencies.get) == "RUB"
    assert cur.execute("select typeof(amount) from prices limit 1").fetchall() == [
        ("DECIMAL(18,2)",)
    ]
    # listed posts and video integrations in rubles: CPM within 150–900 unless the 300 ₽ floor
    rows = cur.execute(
        """
        with latest as (
            select * from snapshots where measured_on = ?
        )
        select p.amount::double / l.avg_reach * 1000 as cpm, p.amount
        from prices p join latest l using (channel_id)
        where p.currency = 'RUB' and p.kind = 'listed' and p.date >= ?::date - 60
          and p.format in ('post', 'video_integration', 'native') and l.avg_reach > 0
        """,
        [DEMO_AS_OF, DEMO_AS_OF],
    ).fetchall()
    assert len(rows) > 100
    inside = [cpm for cpm, amount in rows if 100 <= cpm <= 1000 or amount <= 300]
    assert len(inside) / len(rows) > 0.9


def test_workspace_is_marked(demo: Store) -> None:
    cur = demo.cursor()
    assert workspace_kind(cur) == "demo"
    values = dict(cur.execute("select key, value from workspace").fetchall())
    assert values == {
        "kind": "demo",
        "seed": "0",
        "generated_as_of": "2026-11-23",
        "base_currency": "RUB",
        "no_response_days": "7",
    }


def test_refuses_a_database_with_channels(store: Store) -> None:
    add_channel(store, "telegram", "mine")
    with pytest.raises(ValidationError, match="already holds 1 channels"):
        generate_demo(store)
    cur = store.cursor()
    assert cur.execute("select count(*) from channels").fetchall() == [(1,)]
    assert cur.execute("select count(*) from snapshots").fetchall() == [(0,)]
    assert workspace_kind(cur) is None


def test_clear_workspace_empties_everything(store: Store) -> None:
    generate_demo(store, seed=2, channels=40, weeks=3)
    clear_workspace(store)
    cur = store.cursor()
    for table in TABLES:
        assert cur.execute(f"select count(*) from {table}").fetchall() == [(0,)]
    assert workspace_kind(cur) == "empty"
    assert dict(cur.execute("select key, value from workspace").fetchall()) == {"kind": "empty"}
    # and the demo can be generated again afterwards, ids continuing from the sequences
    counts = generate_demo(store, seed=2, channels=40, weeks=3)
    assert counts["channels"] == 40
    assert workspace_kind(cur) == "demo"


def test_small_and_custom_sizes(store: Store) -> None:
    counts = generate_demo(store, seed=5, channels=7, weeks=2)
    assert counts["channels"] == 7
    assert counts["snapshots"] == 14
    ids = store.cursor().execute("select min(id), max(id) from channels").fetchall()
    assert ids == [(1, 7)]
    # new rows added by hand after the demo take the next ids
    assert add_channel(store, "vk", "after_demo") == 8
