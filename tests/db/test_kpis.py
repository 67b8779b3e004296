"""KPIs of placements on small hand-computed cases: ratios of sums, zero denominators, the
fallback to reach, currencies converted at the placement's and the measurement's dates, a
missing rate counted, the latest measurement or the one at a chosen time; and the speed."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest

from crm import registry
from crm.errors import ValidationError
from crm.outreach import create_campaign
from crm.placements.kpis import GROUPS, KPI_COLUMNS, kpi_table, kpi_totals
from crm.placements.placements import PlacementFilter, cancel_placement, log_placement
from crm.placements.results import record_result
from crm.pricing import set_rate
from crm.store import Store

T = dt.datetime


@dataclass(frozen=True)
class World:
    anna: int
    club: int
    bob: int
    a: int
    b: int
    p1: int
    p2: int
    p3: int
    p4: int


@pytest.fixture
def world(store: Store) -> World:
    """Campaign A: anna's post (RUB) and club's story (USD); B: bob's video (EUR, no rate) and
    anna's post with zeros; a cancelled placement of A that must not count. Base RUB."""
    anna = registry.add_channel(store, "telegram", "anna")
    club = registry.add_channel(store, "vk", "club", kind="public_page")
    bob = registry.add_channel(store, "youtube", "bob")
    a = create_campaign(store, name="A")
    b = create_campaign(store, name="B")
    set_rate(store, "USD", dt.date(2026, 1, 1), Decimal("90"))
    set_rate(store, "USD", dt.date(2026, 3, 1), Decimal("100"))
    set_rate(store, "USD", dt.date(2026, 4, 1), Decimal("120"))
    p1 = log_placement(
        store, channel_id=anna, campaign_id=a, format="post", content_type="review",
        published_at=T(2026, 2, 15, 10), price_paid=Decimal("10000"), price_agreed=Decimal("12000"),
        currency="RUB", planned_reach=20_000,
    )  # fmt: skip
    record_result(store, p1, measured_at=T(2026, 2, 15, 12), reach=5_000, impressions=8_000,
                  clicks=100)  # fmt: skip
    record_result(
        store, p1, measured_at=T(2026, 2, 16, 10), reach=10_000, impressions=20_000,
        views=15_000, likes=300, comments=50, shares=50, saves=100, clicks=400, conversions=20,
        revenue=Decimal("30000"), currency="RUB",
    )  # fmt: skip
    # 100 USD agreed, published 5 March: the rate of 1 March (100), not January's or April's
    p2 = log_placement(
        store, channel_id=club, campaign_id=a, format="story", content_type="humor",
        published_at=T(2026, 3, 5, 9), price_agreed=Decimal("100"), currency="USD", erid="abc",
    )  # fmt: skip
    # revenue measured on 2 April: converted at April's rate (120)
    record_result(store, p2, measured_at=T(2026, 4, 2, 9), reach=40_000, clicks=200,
                  conversions=10, revenue=Decimal("50"), currency="USD")  # fmt: skip
    p3 = log_placement(
        store, channel_id=bob, campaign_id=b, format="video_integration",
        planned_on=dt.date(2025, 12, 1), price_agreed=Decimal("200"), currency="EUR",
    )  # fmt: skip
    p4 = log_placement(
        store, channel_id=anna, campaign_id=b, format="post", published_at=T(2026, 3, 10, 9),
        price_paid=Decimal("5000"), currency="RUB",
    )  # fmt: skip
    record_result(store, p4, measured_at=T(2026, 3, 11), impressions=0, reach=0, clicks=0,
                  conversions=0)  # fmt: skip
    gone = log_placement(store, channel_id=anna, campaign_id=a, price_paid=Decimal("99999"),
                         currency="RUB", planned_on=dt.date(2026, 2, 1))  # fmt: skip
    cancel_placement(store, gone, 1)
    return World(anna, club, bob, a, b, p1, p2, p3, p4)


def _rows(store: Store, by: str, flt: PlacementFilter | None = None, **kw: object) -> dict:
    frame = kpi_table(store.cursor(), by, flt, **kw)  # type: ignore[arg-type]
    assert tuple(frame.columns) == KPI_COLUMNS
    return {row["name"]: row for row in frame.iter_rows(named=True)}


def test_campaign_kpis_are_ratios_of_sums_in_the_base_currency(store: Store, world: World) -> None:
    a = _rows(store, "campaign")["A"]
    assert a["key"] == world.a
    assert a["placements"] == 2  # the cancelled one is left out
    assert a["cost"] == Decimal("20000.00")  # 10 000 paid (not the 12 000 agreed) + 100 USD × 100
    assert a["revenue"] == Decimal("36000.00")  # 30 000 + 50 USD × 120 (at the measurement)
    assert (a["impressions"], a["reach"], a["views"], a["engagement"]) == (
        20_000,
        50_000,
        15_000,
        500,
    )
    assert (a["clicks"], a["conversions"], a["planned_reach"]) == (600, 30, 20_000)
    # CPM over the placements that know both cost and impressions: 10 000 / 20 000 × 1000
    assert (a["cpm"], a["cpm_basis"]) == (500.0, "impressions")
    assert a["ctr"] == 400 / 20_000  # club's story has no impressions: not in the CTR
    assert a["cpc"] == pytest.approx(20_000 / 600)
    assert a["cpc"] != pytest.approx((10_000 / 400 + 10_000 / 200) / 2)  # not a mean of ratios
    assert a["cr"] == 30 / 600
    assert a["cpa"] == pytest.approx(20_000 / 30)
    assert a["cpv"] == pytest.approx(10_000 / 15_000)
    assert a["cpe"] == 20.0  # 10 000 / (300 + 50 + 50 + 100)
    assert a["err"] == 500 / 10_000
    assert a["romi"] == pytest.approx((36_000 - 20_000) / 20_000)
    assert a["roas"] == pytest.approx(1.8)
    assert a["delivery"] == 0.5  # 10 000 of 20 000 planned; club had no plan
    assert a["missing_rates"] == 0


def test_zero_denominators_and_a_missing_rate(store: Store, world: World) -> None:
    b = _rows(store, "campaign")["B"]
    assert b["placements"] == 2
    assert b["cost"] == Decimal("5000.00")  # 200 EUR has no rate: no figure, never 1:1
    assert b["missing_rates"] == 1
    assert (b["impressions"], b["clicks"], b["conversions"]) == (0, 0, 0)
    # zero impressions are known: no fallback to reach, and no CPM or CTR at all
    assert (b["cpm"], b["cpm_basis"], b["ctr"]) == (None, "impressions", None)
    for name in ("cpc", "cr", "cpa", "cpv", "cpe", "err", "romi", "roas", "delivery"):
        assert b[name] is None, name
    assert b["revenue"] is None


def test_cpm_and_ctr_fall_back_to_reach_and_say_so(store: Store, world: World) -> None:
    rows = _rows(store, "platform")
    assert list(rows) == ["Telegram", "VK", "YouTube"]
    vk = rows["VK"]
    assert (vk["key"], vk["cpm_basis"]) == ("vk", "reach")
    assert vk["cpm"] == 250.0  # 10 000 / 40 000 reach × 1000
    assert vk["ctr"] == 200 / 40_000
    youtube = rows["YouTube"]
    assert (youtube["cpm"], youtube["cpm_basis"], youtube["missing_rates"]) == (None, None, 1)


def test_totals_and_every_grouping(store: Store, world: World) -> None:
    totals = kpi_totals(store.cursor())
    assert tuple(totals) == KPI_COLUMNS
    assert (totals["key"], totals["name"], totals["placements"]) == (None, "Total", 4)
    assert totals["cost"] == Decimal("25000.00")
    # cost and impressions both known: anna's two posts, 15 000 over 20 000 impressions
    assert totals["cpm"] == 750.0
    assert totals["missing_rates"] == 1
    for by in GROUPS:
        frame = kpi_table(store.cursor(), by)
        assert frame["placements"].sum() == 4, by
        assert frame["cost"].sum() == Decimal("25000.00"), by
    assert kpi_table(store.cursor(), "content_type")["name"].to_list() == [
        "Humor", "Review", "No content type",
    ]  # fmt: skip
    assert kpi_table(store.cursor(), "kind")["name"].to_list() == ["Blogger", "Public page"]
    months = kpi_table(store.cursor(), "month")
    assert months["key"].to_list() == ["2025-12", "2026-02", "2026-03"]
    channel = _rows(store, "channel")["telegram:anna"]
    assert (channel["key"], channel["placements"]) == (world.anna, 2)
    placements = kpi_table(store.cursor(), "placement")
    assert placements["key"].to_list() == [world.p3, world.p1, world.p2, world.p4]
    assert placements["name"][1] == "telegram:anna · post · 2026-02-15"
    with pytest.raises(ValidationError, match="grouped by one of"):
        kpi_table(store.cursor(), "colour")


def test_the_latest_measurement_or_the_one_at_a_chosen_time(store: Store, world: World) -> None:
    early = _rows(store, "campaign", as_of=T(2026, 2, 15, 13))["A"]
    # anna's first measurement only; club's story was not measured yet
    assert (early["impressions"], early["reach"], early["clicks"]) == (8_000, 5_000, 100)
    assert early["ctr"] == 100 / 8_000
    assert early["cost"] == Decimal("20000.00")  # the cost does not depend on results
    assert (early["revenue"], early["romi"]) == (None, None)


def test_the_filter_narrows_the_placements(store: Store, world: World) -> None:
    rows = _rows(store, "campaign", PlacementFilter(platforms=("telegram",)))
    assert {n: r["placements"] for n, r in rows.items()} == {"A": 1, "B": 1}
    cancelled = kpi_totals(store.cursor(), PlacementFilter(status=("cancelled",)))
    assert (cancelled["placements"], cancelled["cost"]) == (1, Decimal("99999.00"))
    none = kpi_totals(store.cursor(), PlacementFilter(campaign_ids=(987,)))
    assert (none["placements"], none["cost"], none["cpm"]) == (0, None, None)


def test_kpi_table_over_100000_placements_is_fast(store: Store) -> None:
    registry.add_channel(store, "telegram", "bulk")
    set_rate(store, "USD", dt.date(2020, 1, 1), Decimal("90"))
    with store.transaction() as cur:
        cur.execute("insert into campaigns (name) select 'C' || i from range(20) t(i)")
        cur.execute(
            """
            insert into placements (campaign_id, channel_id, format, status, published_at,
                                    price_paid, currency, planned_reach)
            select 1 + i % 20, 1, 'post', 'published',
                   timestamp '2025-01-01' + to_hours(i % 8000),
                   (100 + i % 900)::decimal(18, 2), case when i % 3 = 0 then 'USD' else 'RUB' end,
                   10000
            from range(100000) t(i)
            """
        )
        cur.execute(
            """
            insert into results (placement_id, measured_at, reach, impressions, clicks,
                                 conversions, revenue, currency)
            select id, published_at + interval 1 day, 1000 + id % 5000, 2000 + id % 7000,
                   id % 50, id % 5, (id % 300)::decimal(18, 2), 'RUB'
            from placements
            """
        )
    cur = store.cursor()
    # one thread's CPU time: what the query costs, which other work on a shared machine does not
    # inflate as it does the wall-clock time (two threads give about half of it on an idle one)
    cur.execute("set threads = 1")
    for by in ("campaign", "month", "platform"):
        frame = kpi_table(cur, by)  # warm
        times = []
        for _ in range(5):
            start = time.process_time()
            frame = kpi_table(cur, by)
            times.append(time.process_time() - start)
        assert frame["placements"].sum() == 100_000
        assert min(times) < 0.2, (by, times)
    assert kpi_table(cur, "campaign").height == 20


def test_a_placement_row_equals_a_group_of_that_one_placement(store: Store, world: World) -> None:
    rows = {r["key"]: r for r in kpi_table(store.cursor(), "placement").iter_rows(named=True)}
    for pid, flt in (
        (world.p1, PlacementFilter(campaign_ids=(world.a,), platforms=("telegram",))),
        (world.p2, PlacementFilter(platforms=("vk",))),
        (world.p4, PlacementFilter(campaign_ids=(world.b,), platforms=("telegram",))),
    ):
        alone = kpi_totals(store.cursor(), flt)
        assert alone["placements"] == 1
        row = rows[pid]
        for column in KPI_COLUMNS[2:]:
            assert row[column] == alone[column], (pid, column)
    p1 = rows[world.p1]
    assert (p1["cpm"], p1["ctr"], p1["cpc"], p1["romi"]) == (500.0, 0.02, 25.0, 2.0)
