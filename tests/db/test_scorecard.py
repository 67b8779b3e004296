"""Channel scorecards on a small hand-computed workspace: delivery, CPM and CPA against the median
of the channel's campaigns, time to first reply, on-time rate, cancelled and ghosted deals, and
"no history" (None, never 0) for a channel without any."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from crm import registry
from crm.errors import NotFound, ValidationError
from crm.outreach import add_to_shortlist, create_campaign, move_cards
from crm.placements.scorecard import (
    FIGURES,
    NO_HISTORY,
    Scorecard,
    channel_scorecard,
    scorecard_lines,
    scorecards,
)
from crm.pricing import set_rate
from crm.store import Store

T = dt.datetime(2026, 3, 1, 10, 0)


def _placement(
    store: Store,
    channel: int,
    campaign: int,
    *,
    status: str = "published",
    planned_on: dt.date | None = None,
    published_at: dt.datetime | None = None,
    agreed: str | None = None,
    paid: str | None = None,
    currency: str = "RUB",
    planned_reach: int | None = None,
) -> int:
    row = (
        store.cursor()
        .execute(
            """
            insert into placements (campaign_id, channel_id, status, planned_on, published_at,
                                    price_agreed, price_paid, currency, planned_reach)
            values (?, ?, ?, ?, ?, ?::decimal(18, 2), ?::decimal(18, 2), ?, ?) returning id
            """,
            [
                campaign,
                channel,
                status,
                planned_on,
                published_at,
                agreed,
                paid,
                currency,
                planned_reach,
            ],
        )  # fmt: skip
        .fetchall()
    )
    return int(row[0][0])


def _result(
    store: Store,
    placement: int,
    at: dt.datetime,
    *,
    reach: int | None,
    impressions: int | None,
    conversions: int | None,
) -> None:
    store.cursor().execute(
        """
        insert into results (placement_id, measured_at, reach, impressions, conversions,
                             provenance)
        values (?, ?, ?, ?, ?, 'platform_stats')
        """,
        [placement, at, reach, impressions, conversions],
    )


def _card(store: Store, campaign: int, channel: int, *moves: tuple[str, dt.datetime]) -> None:
    add_to_shortlist(store, campaign, [channel], at=T - dt.timedelta(days=1))
    for stage, at in moves:
        entry, version = (
            store.cursor()
            .execute(
                "select id, version from shortlist where campaign_id = ? and channel_id = ?",
                [campaign, channel],
            )
            .fetchall()[0]
        )
        move_cards(store, {entry: version}, stage, at=at)


@pytest.fixture
def workspace(store: Store) -> dict[str, int]:
    """Channels alpha and beta with placements in two campaigns, delta only contacted (ghosted
    once, declined once), gamma never touched."""
    ids = {
        h: registry.add_channel(store, "telegram", h) for h in ("alpha", "beta", "gamma", "delta")
    }
    k1 = create_campaign(store, name="K1")
    k2 = create_campaign(store, name="K2")
    set_rate(store, "USD", dt.date(2026, 3, 1), "100")
    a, b = ids["alpha"], ids["beta"]
    # alpha in K1: on time, late, cancelled; in K2: early, reach only
    p1 = _placement(
        store,
        a,
        k1,
        planned_on=dt.date(2026, 3, 10),
        published_at=dt.datetime(2026, 3, 10, 10),
        paid="10000",
        planned_reach=10_000,
    )
    _result(store, p1, dt.datetime(2026, 3, 11, 10), reach=5_000, impressions=6_000, conversions=2)
    _result(
        store, p1, dt.datetime(2026, 3, 17, 10), reach=8_000, impressions=10_000, conversions=5
    )  # the latest counts
    p2 = _placement(
        store,
        a,
        k1,
        planned_on=dt.date(2026, 3, 12),
        published_at=dt.datetime(2026, 3, 15, 12),
        agreed="50",
        currency="USD",
        planned_reach=5_000,
    )  # 50 USD × 100 = 5 000 RUB
    _result(store, p2, dt.datetime(2026, 3, 16, 12), reach=6_000, impressions=10_000, conversions=0)
    _placement(store, a, k1, status="cancelled", planned_on=dt.date(2026, 3, 20), agreed="3000")
    p4 = _placement(
        store,
        a,
        k2,
        planned_on=dt.date(2026, 3, 25),
        published_at=dt.datetime(2026, 3, 20, 9),
        paid="6000",
    )
    _result(store, p4, dt.datetime(2026, 3, 21, 9), reach=4_000, impressions=None, conversions=3)
    # beta in K1
    p5 = _placement(store, b, k1, planned_on=dt.date(2026, 3, 11),
                    published_at=dt.datetime(2026, 3, 11, 18), paid="20000",
                    planned_reach=20_000)  # fmt: skip
    _result(store, p5, dt.datetime(2026, 3, 12, 18), reach=10_000, impressions=10_000,
            conversions=10)  # fmt: skip
    # outreach: alpha replied in 6 h and in 24 h (straight to negotiating), beta in 2 h
    _card(store, k1, a, ("contacted", T), ("replied", T + dt.timedelta(hours=6)))
    _card(store, k2, a, ("contacted", T + dt.timedelta(days=1)),
          ("negotiating", T + dt.timedelta(days=2)))  # fmt: skip
    _card(store, k1, b, ("contacted", T), ("replied", T + dt.timedelta(hours=2)))
    d = ids["delta"]
    _card(store, k1, d, ("contacted", T), ("no_response", T + dt.timedelta(days=8)))
    _card(store, k2, d, ("contacted", T), ("declined", T + dt.timedelta(days=1)))
    return ids


def test_a_channel_in_two_campaigns_by_hand(store: Store, workspace: dict[str, int]) -> None:
    card = channel_scorecard(store.cursor(), workspace["alpha"])
    assert card == Scorecard(
        channel_id=workspace["alpha"],
        has_history=True,
        base_currency="RUB",
        placements=4,
        published=3,
        delivery=pytest.approx(14_000 / 15_000),  # (8 000 + 6 000) / (10 000 + 5 000)
        # (10 000 + 5 000) / (10 000 + 10 000) × 1000; the placement without impressions is out
        cpm=Decimal("750.00"),
        cpm_basis="impressions",
        cpa=Decimal("2625.00"),  # (10 000 + 5 000 + 6 000) / (5 + 0 + 3)
        campaigns=2,
        # K1: 35 000 / 30 000 × 1000 = 1 166.67; K2 (reach only): 6 000 / 4 000 × 1000 = 1 500
        campaign_cpm_median=Decimal("1333.33"),
        # K1: 35 000 / 15 = 2 333.33; K2: 6 000 / 3 = 2 000
        campaign_cpa_median=Decimal("2166.67"),
        contacted=2,
        replied=2,
        reply_hours=15.0,  # median of 6 h and 24 h
        on_time_rate=pytest.approx(2 / 3),  # on the day, 3 days late, 5 days early
        on_time_points=3,
        cancelled=1,
        cancelled_placements=1,
        declined=0,
        ghosted=0,
    )


def test_one_campaign_and_its_median(store: Store, workspace: dict[str, int]) -> None:
    card = channel_scorecard(store.cursor(), workspace["beta"])
    assert (card.delivery, card.cpm, card.cpa) == (0.5, Decimal("2000.00"), Decimal("2000.00"))
    assert (card.campaigns, card.campaign_cpm_median, card.campaign_cpa_median) == (
        1, Decimal("1166.67"), Decimal("2333.33"),
    )  # fmt: skip
    assert (card.reply_hours, card.on_time_rate, card.cancelled, card.ghosted) == (2.0, 1.0, 0, 0)


def test_outreach_only_history(store: Store, workspace: dict[str, int]) -> None:
    card = channel_scorecard(store.cursor(), workspace["delta"])
    assert card.has_history
    assert (card.placements, card.published, card.campaigns, card.on_time_points) == (0, 0, 0, 0)
    assert (card.delivery, card.cpm, card.cpa, card.on_time_rate) == (None, None, None, None)
    assert (card.contacted, card.replied, card.reply_hours) == (2, 0, None)
    assert (card.cancelled, card.declined, card.ghosted) == (1, 1, 1)
    lines = dict(scorecard_lines(card))
    assert lines["CPM"] == "—" and lines["Ghosted"] == "1"


def test_no_history_is_none_never_zero(store: Store, workspace: dict[str, int]) -> None:
    card = channel_scorecard(store.cursor(), workspace["gamma"])
    assert not card.has_history
    assert all(getattr(card, name) is None for name in FIGURES)
    assert scorecard_lines(card) == [("Scorecard", NO_HISTORY)]
    alpha = dict(scorecard_lines(channel_scorecard(store.cursor(), workspace["alpha"])))
    assert alpha["CPM"].replace("\u202f", " ").replace("\xa0", " ") == (
        "₽750.00 (median of its campaigns ₽1 333.33)"
    )
    assert alpha["Time to first reply"] == "15 h (2 of 2 contacted replied)"


def test_scorecards_set_based_match_one_by_one(store: Store, workspace: dict[str, int]) -> None:
    frame = scorecards(store.cursor())
    assert frame["channel_id"].to_list() == sorted(workspace.values())
    assert frame.columns == ["channel_id", "has_history", *FIGURES, "base_currency"]
    for row in frame.iter_rows(named=True):
        assert Scorecard(**row) == channel_scorecard(store.cursor(), row["channel_id"])
    two = scorecards(store.cursor(), [workspace["gamma"], workspace["beta"], 999])
    assert two["channel_id"].to_list() == sorted([workspace["gamma"], workspace["beta"]])
    with pytest.raises(NotFound):
        channel_scorecard(store.cursor(), 999)


def test_a_missing_rate_leaves_the_cost_out(store: Store, workspace: dict[str, int]) -> None:
    k3 = create_campaign(store, name="K3")
    p = _placement(store, workspace["beta"], k3, planned_on=dt.date(2026, 3, 1),
                   published_at=dt.datetime(2026, 3, 1, 12), agreed="100", currency="EUR",
                   planned_reach=1_000)  # fmt: skip
    _result(store, p, dt.datetime(2026, 3, 2, 12), reach=1_000, impressions=5_000, conversions=1)
    card = channel_scorecard(store.cursor(), workspace["beta"])
    # no EUR rate: CPM and CPA stay those of the placement in RUB; delivery takes both
    assert (card.cpm, card.cpa) == (Decimal("2000.00"), Decimal("2000.00"))
    assert card.delivery == pytest.approx(11_000 / 21_000)
    assert (card.placements, card.campaigns) == (2, 2)


def test_track_records_narrow_to_the_channels_whose_scorecard_meets_them() -> None:
    from crm.demo import generate_demo
    from crm.placements.scorecard import TRACK_RECORDS, scorecards, track_record_ids

    store = Store(":memory:")
    generate_demo(store)
    cur = store.cursor()
    cards = scorecards(cur)
    assert track_record_ids(cur, "history") == tuple(
        cards.filter(pl.col("has_history"))["channel_id"].to_list()
    )
    assert set(track_record_ids(cur, "none")) == set(cards["channel_id"]) - set(
        track_record_ids(cur, "history")
    )
    delivered = cards.filter(pl.col("delivery") >= 1)["channel_id"].to_list()
    assert track_record_ids(cur, "delivered") == tuple(delivered) and delivered
    assert set(TRACK_RECORDS) == {"history", "delivered", "under", "on_time", "none"}
    with pytest.raises(ValidationError, match="not a track record"):
        track_record_ids(cur, "best")
