"""The demo's placements: at least 150 over the campaigns, platforms, formats and every content
type, consistent with the cards and their prices, with results, provenance and a few flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from polars.testing import assert_frame_equal

from crm.demo import DEMO_AS_OF, generate_demo
from crm.demo.placements import ERID_PLATFORMS
from crm.store import Store
from crm.vocab.platforms import HOSTS
from crm.vocab.terms import CONTENT_TYPES, PROVENANCES

NOW = dt.datetime.combine(DEMO_AS_OF, dt.time(18, 0))  # the demo's last moment
# each placement's latest measurement (max measured_at, then id)
LATEST = """
    (select * from results
     qualify row_number() over (partition by placement_id order by measured_at desc, id desc) = 1)
"""


@pytest.fixture(scope="module")
def demo() -> Store:
    """One default demo workspace (seed 0) shared by the read-only tests of this module."""
    s = Store(":memory:")
    generate_demo(s, seed=0)
    yield s
    s.close()


def _rows(store: Store, sql: str) -> list[tuple]:
    return store.cursor().execute(sql).fetchall()


def test_same_seed_gives_identical_placements_and_another_seed_differs(demo: Store) -> None:
    again, other = Store(":memory:"), Store(":memory:")
    generate_demo(again, seed=0)
    generate_demo(other, seed=1)
    for table in ("placements", "results"):
        sql = f"select * from {table} order by id"
        first = demo.cursor().sql(sql).pl()
        assert_frame_equal(first, again.cursor().sql(sql).pl())
        assert not first.equals(other.cursor().sql(sql).pl())


def test_counts_returned_match_the_tables() -> None:
    s = Store(":memory:")
    counts = generate_demo(s, seed=2)
    for table in ("placements", "results"):
        assert counts[table] == _rows(s, f"select count(*) from {table}")[0][0], table
    assert counts["placements"] >= 150


def test_at_least_150_over_campaigns_platforms_formats_and_every_content_type(
    demo: Store,
) -> None:
    (n, campaigns, platforms, formats) = _rows(
        demo,
        """
        select count(*), count(distinct p.campaign_id), count(distinct c.platform),
               count(distinct p.format)
        from placements p join channels c on c.id = p.channel_id
        """,
    )[0]
    assert n >= 150
    assert campaigns >= 4 and platforms >= 6 and formats >= 6
    # every content type has published placements with results
    measured = {
        r[0]
        for r in _rows(
            demo,
            "select distinct content_type from placements p join results r on r.placement_id = p.id",
        )
    }
    assert measured == set(CONTENT_TYPES)
    statuses = dict(_rows(demo, "select status, count(*) from placements group by all"))
    assert set(statuses) == {"planned", "published", "cancelled"}
    assert statuses["published"] >= 100


def test_placements_follow_the_cards_stages(demo: Store) -> None:
    rows = _rows(
        demo,
        """
        select s.stage, count(p.id), count(p.published_at),
               count(*) filter (where p.status = 'cancelled')
        from placements p
        left join shortlist s on s.campaign_id = p.campaign_id and s.channel_id = p.channel_id
        group by s.campaign_id, s.channel_id, s.stage
        """,
    )
    assert {r[0] for r in rows} <= {"scheduled", "published", "reported", "paid"}
    for stage, n, published, cancelled in rows:
        if stage == "scheduled":
            assert published == 0
        elif stage == "published":
            assert published >= 1
        else:  # reported and paid: every placement not cancelled is out
            assert published == n - cancelled
    # every card at scheduled or later has its placements
    unplaced = _rows(
        demo,
        """
        select count(*) from shortlist s
        where s.stage in ('scheduled', 'published', 'reported', 'paid')
          and not exists (select 1 from placements p where p.campaign_id = s.campaign_id
                          and p.channel_id = s.channel_id)
        """,
    )
    assert unplaced == [(0,)]


def test_published_ones_have_a_time_and_a_post_url_of_their_own_platform(demo: Store) -> None:
    rows = _rows(
        demo,
        """
        select p.status, p.published_at, p.post_url, c.platform, p.planned_on, p.created_at
        from placements p join channels c on c.id = p.channel_id
        """,
    )
    for status, published_at, post_url, platform, planned_on, created_at in rows:
        assert planned_on is not None
        if status != "published":
            assert published_at is None and post_url is None
            continue
        assert created_at < published_at <= NOW
        host = urlsplit(post_url).hostname or ""
        assert HOSTS[host.removeprefix("www.")] == platform, post_url
    # some were published after the planned day, most on time
    late, on_time = _rows(
        demo,
        """
        select count(*) filter (where published_at::date > planned_on),
               count(*) filter (where published_at::date <= planned_on)
        from placements where status = 'published'
        """,
    )[0]
    assert 0 < late < on_time


def test_prices_add_up_to_the_cards_agreed_and_paid_prices(demo: Store) -> None:
    rows = _rows(
        demo,
        """
        with deal as (
            select campaign_id, channel_id,
                   arg_max(amount, (date, id)) filter (where kind = 'agreed') as agreed,
                   arg_max(currency, (date, id)) filter (where kind = 'agreed') as currency,
                   arg_max(amount, (date, id)) filter (where kind = 'paid') as paid
            from prices where campaign_id is not null group by all
        )
        select s.stage, d.agreed, d.currency, d.paid, sum(p.price_agreed), sum(p.price_paid),
               list(distinct p.currency) filter (where p.currency is not null)
        from placements p
        join shortlist s on s.campaign_id = p.campaign_id and s.channel_id = p.channel_id
        join deal d on d.campaign_id = p.campaign_id and d.channel_id = p.channel_id
        group by s.campaign_id, s.channel_id, s.stage, d.agreed, d.currency, d.paid
        """,
    )
    assert len(rows) >= 60
    for stage, agreed, currency, paid, sum_agreed, sum_paid, currencies in rows:
        assert sum_agreed == agreed
        assert currencies == [currency]
        assert sum_paid == (paid if stage == "paid" else None)
    currencies = {r[0] for r in _rows(demo, "select distinct currency from placements")}
    assert {"RUB", "USD"} <= currencies
    # cancelled placements cost nothing and say why
    assert _rows(
        demo,
        """
        select count(*) from placements where status = 'cancelled'
          and (price_agreed is not null or notes is null)
        """,
    ) == [(0,)]


def test_a_few_flagged_ones(demo: Store) -> None:
    platforms = ", ".join(f"'{p}'" for p in ERID_PLATFORMS)
    with_erid, without = _rows(
        demo,
        f"""
        select count(erid), count(*) - count(erid)
        from placements p join channels c on c.id = p.channel_id
        where p.status = 'published' and c.platform in ({platforms})
        """,
    )[0]
    assert 1 <= without <= 8 and with_erid > 10 * without
    above = _rows(demo, f"select count(*) from {LATEST} where clicks > impressions")[0][0]
    assert 1 <= above <= 5


def test_results_are_consistent_and_never_before_publication(demo: Store) -> None:
    bad = _rows(
        demo,
        """
        select count(*) from results r join placements p on p.id = r.placement_id
        where p.status <> 'published' or r.measured_at < p.published_at
           or r.measured_at > ? or r.reach < 0 or r.clicks < 0 or r.conversions < 0
           or r.revenue < 0 or (r.revenue is null) <> (r.currency is null)
        """.replace("?", f"timestamp '{NOW}'"),
    )
    assert bad == [(0,)]
    per = dict(
        _rows(
            demo,
            "select n, count(*) from (select count(*) n from results group by "
            "placement_id) group by n",
        )  # fmt: skip
    )
    assert set(per) == {1, 2, 3}
    # a later measurement of a placement never shows less reach than an earlier one
    shrinking = _rows(
        demo,
        """
        select count(*) from (
            select reach, lag(reach) over (partition by placement_id order by measured_at) as prev
            from results
        ) where reach < prev
        """,
    )
    assert shrinking == [(0,)]
    provenances = {r[0] for r in _rows(demo, "select distinct provenance from results")}
    assert provenances <= set(PROVENANCES) and len(provenances) >= 5
    # revenue comes only with the shop's or UTM numbers
    assert _rows(
        demo,
        "select distinct provenance from results where revenue is not null order by 1",
    ) == [("shop_analytics",), ("utm_analytics",)]


def test_reach_follows_the_channel_and_content_types_differ(demo: Store) -> None:
    reach, planned = _rows(
        demo,
        f"""
        select sum(r.reach), sum(p.planned_reach) from placements p join {LATEST} r
          on r.placement_id = p.id where p.planned_reach is not null
        """,
    )[0]
    assert 0.6 < reach / planned < 1.4  # delivery overall
    ctr = dict(
        _rows(
            demo,
            f"""
            select p.content_type, sum(r.clicks) / sum(r.impressions)
            from placements p join {LATEST} r on r.placement_id = p.id
            where r.clicks is not null and r.impressions is not null group by all
            """,
        )
    )
    assert max(ctr.values()) > 2 * min(ctr.values())
    assert ctr["giveaway"] > ctr["humor"]
    money = _rows(demo, "select sum(revenue) from results where currency = 'RUB'")[0][0]
    assert isinstance(money, Decimal) and money > 0
