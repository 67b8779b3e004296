"""Placements: logging with its checks, the card moving forward (never back), edits, filters,
and the set-based frame with cost in the base currency, the latest results and the flags."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from crm.errors import NotFound, StaleEdit, ValidationError
from crm.outreach.campaigns import create_campaign
from crm.outreach.events import move_cards
from crm.outreach.shortlist import add_to_shortlist
from crm.placements import (
    PlacementFilter,
    cancel_placement,
    delete_placement,
    filter_sql,
    flags,
    get_placement,
    log_placement,
    placements_frame,
    placements_sql,
    record_result,
    update_placement,
)
from crm.pricing import set_rate
from crm.registry import add_channel
from crm.store import Store

DAY = dt.date(2026, 3, 2)
AT = dt.datetime(2026, 3, 2, 18, 30)


@pytest.fixture
def world(store: Store) -> dict[str, int]:
    """A campaign, a vk public page and a telegram blogger, both shortlisted."""
    ids = {
        "campaign": create_campaign(store, name="Ягода Beauty — запуск"),
        "vk": add_channel(store, "vk", "brand", title="Brand", kind="public_page"),
        "tg": add_channel(store, "telegram", "anna", title="Anna"),
    }
    add_to_shortlist(store, ids["campaign"], [ids["vk"], ids["tg"]])
    return ids


def _stage(store: Store, campaign_id: int, channel_id: int) -> str:
    rows = (
        store.cursor()
        .execute(
            "select stage from shortlist where campaign_id = ? and channel_id = ?",
            [campaign_id, channel_id],
        )
        .fetchall()
    )
    return str(rows[0][0])


def _entry(store: Store, campaign_id: int, channel_id: int) -> tuple[int, int]:
    rows = (
        store.cursor()
        .execute(
            "select id, version from shortlist where campaign_id = ? and channel_id = ?",
            [campaign_id, channel_id],
        )
        .fetchall()
    )
    return int(rows[0][0]), int(rows[0][1])


def test_log_placement_stores_every_field(store: Store, world: dict[str, int]) -> None:
    pid = log_placement(
        store,
        channel_id=world["vk"],
        campaign_id=world["campaign"],
        format="Пост",
        content_type="Розыгрыш",
        planned_on="01.03.2026",
        published_at="2026-03-02 18:30",
        post_url="https://vk.com/wall-1_123",
        price_agreed="5 000",
        price_paid=Decimal("4500.50"),
        currency="руб.",
        erid="2VtzqwXyz",
        promo_code="BERRY10",
        planned_reach="12,5K",
        planned_clicks=300,
        planned_conversions=20,
        notes="  first post ",
        ref="vk-1",
    )
    p = get_placement(store.cursor(), pid)
    assert (p.format, p.content_type, p.status) == ("post", "giveaway", "published")
    assert (p.planned_on, p.published_at) == (dt.date(2026, 3, 1), AT)
    assert (p.price_agreed, p.price_paid, p.cost) == (
        Decimal("5000.00"),
        Decimal("4500.50"),
        Decimal("4500.50"),
    )
    assert (p.currency, p.erid, p.promo_code, p.ref, p.notes) == (
        "RUB",
        "2VtzqwXyz",
        "BERRY10",
        "vk-1",
        "first post",
    )
    assert (p.planned_reach, p.planned_clicks, p.planned_conversions) == (12_500, 300, 20)
    assert p.version == 1


def test_card_moves_to_scheduled_then_published(store: Store, world: dict[str, int]) -> None:
    cid, ch = world["campaign"], world["tg"]
    pid = log_placement(store, channel_id=ch, campaign_id=cid, planned_on=DAY, author="ira")
    assert _stage(store, cid, ch) == "scheduled"
    assert get_placement(store.cursor(), pid).status == "planned"
    # the time alone is not publication for the card; the link too makes it published
    v = update_placement(store, pid, 1, {"published_at": AT})
    assert _stage(store, cid, ch) == "scheduled"
    assert get_placement(store.cursor(), pid).status == "published"
    update_placement(store, pid, v, {"post_url": "t.me/anna/15"})
    assert _stage(store, cid, ch) == "published"
    events = (
        store.cursor()
        .execute(
            "select stage_from, stage_to, author from events where type = 'stage' "
            "and stage_from is not null order by id"
        )
        .fetchall()
    )
    assert events == [("shortlisted", "scheduled", "ira"), ("scheduled", "published", None)]


def test_card_never_moves_back(store: Store, world: dict[str, int]) -> None:
    cid, ch = world["campaign"], world["vk"]
    entry, version = _entry(store, cid, ch)
    move_cards(store, {entry: version}, "paid")
    log_placement(store, channel_id=ch, campaign_id=cid, planned_on=DAY)
    log_placement(
        store, channel_id=ch, campaign_id=cid, published_at=AT, post_url="https://vk.com/wall-1_5"
    )
    assert _stage(store, cid, ch) == "paid"
    # a card already published stays there when a planned placement is logged
    entry, version = _entry(store, cid, world["tg"])
    move_cards(store, {entry: version}, "published")
    log_placement(store, channel_id=world["tg"], campaign_id=cid, planned_on=DAY)
    assert _stage(store, cid, world["tg"]) == "published"


def test_card_in_a_closing_stage_moves_on(store: Store, world: dict[str, int]) -> None:
    cid, ch = world["campaign"], world["tg"]
    entry, version = _entry(store, cid, ch)
    move_cards(store, {entry: version}, "no_response")
    log_placement(store, channel_id=ch, campaign_id=cid, planned_on=DAY)
    assert _stage(store, cid, ch) == "scheduled"


def test_placement_without_shortlist_or_campaign(store: Store, world: dict[str, int]) -> None:
    other = create_campaign(store, name="Other")
    log_placement(store, channel_id=world["vk"], campaign_id=other)
    log_placement(store, channel_id=world["vk"])
    assert _stage(store, world["campaign"], world["vk"]) == "shortlisted"
    assert store.cursor().execute("select count(*) from placements").fetchone() == (2,)


def test_post_url_of_another_platform_is_refused(store: Store, world: dict[str, int]) -> None:
    with pytest.raises(
        ValidationError,
        match=r"The post link “https://t.me/brand/5” is on Telegram, but the channel vk:brand "
        r"is on VK",
    ):
        log_placement(store, channel_id=world["vk"], post_url="https://t.me/brand/5")
    with pytest.raises(ValidationError, match=r"is not a link to VK"):
        log_placement(store, channel_id=world["vk"], post_url="https://example.com/post/1")
    with pytest.raises(ValidationError, match=r"is not a valid web address"):
        log_placement(store, channel_id=world["vk"], post_url="not a link")
    # www. and the mobile host are VK all the same
    pid = log_placement(store, channel_id=world["vk"], post_url="https://m.vk.com/wall-1_7")
    assert get_placement(store.cursor(), pid).post_url == "https://m.vk.com/wall-1_7"
    assert store.cursor().execute("select count(*) from placements").fetchone() == (1,)


def test_bad_input_is_refused_and_nothing_written(store: Store, world: dict[str, int]) -> None:
    ch = world["tg"]
    cases = [
        ({"price_paid": "1000"}, r"^Price paid needs a currency"),
        ({"price_agreed": -5, "currency": "RUB"}, r"cannot be negative"),
        ({"planned_reach": -1}, r"^Planned reach cannot be negative\.$"),
        ({"currency": "XYZ"}, r"not a known ISO 4217"),
        ({"content_type": "meme-war"}, r"^Content type must be one of provocation"),
        ({"format": "banner"}, r"^Format must be one of post"),
        ({"published_at": "yesterday"}, r"“yesterday” is not a date and time"),
        (
            {"planned_on": dt.date(2026, 3, 1), "published_at": dt.datetime(2023, 1, 5, 12)},
            r"^Published 2023-01-05, 1151 days before it was planned \(2026-03-01\): "
            r"check the dates\.$",
        ),
        ({"campaign_id": 999}, r"Campaign 999 does not exist"),
        (
            {"published_at": dt.datetime.now() + dt.timedelta(days=3)},
            r"is in the future: a post not out yet has a planned day",
        ),
    ]
    for values, message in cases:
        with pytest.raises((ValidationError, NotFound), match=message):
            log_placement(store, channel_id=ch, **values)  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="Channel 999 does not exist"):
        log_placement(store, channel_id=999)
    # a price of 0 (barter) needs no currency
    log_placement(store, channel_id=ch, price_paid=0)
    log_placement(store, channel_id=ch, ref="A-1")
    with pytest.raises(ValidationError, match="has the ref “A-1” already"):
        log_placement(store, channel_id=ch, ref="A-1")
    assert store.cursor().execute("select count(*) from placements").fetchone() == (2,)
    assert _stage(store, world["campaign"], ch) == "shortlisted"


def test_update_checks_the_whole_record_and_versions(store: Store, world: dict[str, int]) -> None:
    pid = log_placement(store, channel_id=world["vk"], price_agreed=100, currency="USD")
    with pytest.raises(ValidationError, match=r"^Price agreed needs a currency"):
        update_placement(store, pid, 1, {"currency": None})
    with pytest.raises(ValidationError, match="is on Telegram"):
        update_placement(store, pid, 1, {"post_url": "https://t.me/x/1"})
    with pytest.raises(ValidationError, match="“handle” is not a field of a placement"):
        update_placement(store, pid, 1, {"handle": "x"})
    v2 = update_placement(store, pid, 1, {"price_paid": "90"})
    assert v2 == 2
    with pytest.raises(StaleEdit):
        update_placement(store, pid, 1, {"erid": "abc"})
    # moving the placement to the telegram channel takes a post link there
    v3 = update_placement(store, pid, v2, {"channel_id": world["tg"], "post_url": "t.me/anna/3"})
    p = get_placement(store.cursor(), pid)
    assert (p.channel_id, p.post_url, p.price_paid, p.version) == (
        world["tg"],
        "https://t.me/anna/3",
        Decimal("90.00"),
        v3,
    )


def test_cancel_keeps_status_when_edited(store: Store, world: dict[str, int]) -> None:
    pid = log_placement(store, channel_id=world["tg"], planned_on=DAY)
    v = cancel_placement(store, pid, 1)
    assert get_placement(store.cursor(), pid).status == "cancelled"
    v = update_placement(store, pid, v, {"published_at": AT})
    assert get_placement(store.cursor(), pid).status == "cancelled"
    update_placement(store, pid, v, {"status": "planned"})
    assert get_placement(store.cursor(), pid).status == "published"  # its time is known
    with pytest.raises(ValidationError, match="status is one of planned, published, cancelled"):
        update_placement(store, pid, v + 1, {"status": "done"})


def test_delete_placement_takes_its_results(store: Store, world: dict[str, int]) -> None:
    pid = log_placement(store, channel_id=world["tg"])
    record_result(store, pid, reach=10, measured_at=AT)
    with pytest.raises(StaleEdit):
        delete_placement(store, pid, 7)
    delete_placement(store, pid, 1)
    cur = store.cursor()
    assert cur.execute("select count(*) from results").fetchone() == (0,)
    with pytest.raises(NotFound):
        get_placement(cur, pid)


# ---------------------------------------------------------------- the frame


def test_frame_cost_base_with_rates_and_a_missing_rate(store: Store, world: dict[str, int]) -> None:
    set_rate(store, "USD", dt.date(2026, 2, 1), "90")
    set_rate(store, "USD", dt.date(2026, 3, 1), "92.5")
    usd = log_placement(
        store, channel_id=world["vk"], price_agreed="120", price_paid="100.01",
        currency="USD", published_at=AT, planned_on=dt.date(2026, 2, 10),
    )  # fmt: skip
    # planned before the March rate: converted at February's
    planned = log_placement(
        store, channel_id=world["tg"], price_agreed="10", currency="USD", planned_on="2026-02-15"
    )
    rub = log_placement(store, channel_id=world["tg"], price_agreed="5000", currency="RUB")
    eur = log_placement(
        store, channel_id=world["tg"], price_paid="50", currency="EUR", planned_on=DAY
    )
    free = log_placement(store, channel_id=world["tg"], price_paid=0)
    nothing = log_placement(store, channel_id=world["tg"])
    df = placements_frame(store.cursor())
    rows = {r["id"]: r for r in df.iter_rows(named=True)}
    # 100.01 × 92.5 = 9250.925 → 9250.93 (half up)
    assert rows[usd]["cost"] == Decimal("100.01")
    assert rows[usd]["cost_base"] == Decimal("9250.93")
    assert rows[planned]["cost_base"] == Decimal("900.00")
    assert rows[rub]["cost_base"] == Decimal("5000.00")
    assert rows[eur]["cost_base"] is None  # never at a rate of 1
    assert rows[eur]["cost_rate_missing"] == "EUR"
    assert rows[eur]["flags"] == ["No EUR rate on or before 2026-03-02: the cost is not converted"]
    assert rows[free]["cost_base"] == Decimal("0.00")
    assert rows[nothing]["cost_base"] is None and rows[nothing]["flags"] == []
    assert rows[usd]["channel"] == "vk:brand" and rows[usd]["kind"] == "public_page"


def test_frame_latest_result_and_as_of(store: Store, world: dict[str, int]) -> None:
    set_rate(store, "USD", dt.date(2026, 3, 1), "90")
    pid = log_placement(
        store, channel_id=world["tg"], campaign_id=world["campaign"], published_at=AT,
        post_url="t.me/anna/1", erid="tok",
    )  # fmt: skip
    record_result(store, pid, measured_at=AT + dt.timedelta(hours=24), reach=100, clicks=5)
    late = AT + dt.timedelta(days=7)
    record_result(
        store, pid, measured_at=late, reach=300, clicks=12, revenue="10", currency="USD",
        provenance="platform_stats",
    )  # fmt: skip
    # the same time twice: the later record wins
    record_result(store, pid, measured_at=AT + dt.timedelta(hours=72), reach=200)
    second = record_result(store, pid, measured_at=AT + dt.timedelta(hours=72), reach=210)
    row = placements_frame(store.cursor()).row(0, named=True)
    assert (row["reach"], row["clicks"], row["revenue"], row["revenue_base"]) == (
        300,
        12,
        Decimal("10.00"),
        Decimal("900.00"),
    )
    assert (row["provenance"], row["measured_at"], row["campaign"]) == (
        "platform_stats",
        late,
        "Ягода Beauty — запуск",
    )
    at_72 = placements_frame(store.cursor(), as_of=AT + dt.timedelta(hours=100)).row(0, named=True)
    assert (at_72["result_id"], at_72["reach"], at_72["clicks"], at_72["revenue"]) == (
        second,
        210,
        None,
        None,
    )
    before = placements_frame(store.cursor(), as_of=AT).row(0, named=True)
    assert before["result_id"] is None and before["reach"] is None


def test_flags(store: Store, world: dict[str, int]) -> None:
    no_erid = log_placement(store, channel_id=world["vk"], published_at=AT)
    labelled = log_placement(store, channel_id=world["vk"], published_at=AT, erid="2Vtz")
    planned_only = log_placement(store, channel_id=world["vk"], planned_on=DAY)
    early = log_placement(
        store, channel_id=world["tg"], erid="x", planned_on=dt.date(2026, 4, 6),
        published_at=dt.datetime(2025, 3, 2, 9, 0),
    )  # fmt: skip
    record_result(store, early, measured_at=dt.datetime(2025, 3, 3), impressions=100, clicks=120)
    cur = store.cursor()
    assert flags(cur, no_erid) == ["No erid (ad label) on a published vk placement"]
    assert flags(cur, labelled) == []
    assert flags(cur, planned_only) == []
    assert flags(cur, early) == [
        "Clicks (120) above impressions (100)",
        "Published 400 days before planned",
    ]
    by_reach = log_placement(store, channel_id=world["tg"], erid="z", published_at=AT)
    record_result(store, by_reach, measured_at=AT, reach=50, clicks=70)
    assert flags(cur, by_reach) == ["Clicks (70) above reach (50)"]
    # a week early is normal; conversions without clicks are allowed and not flagged
    ok = log_placement(
        store, channel_id=world["tg"], erid="y", planned_on=dt.date(2026, 3, 9), published_at=AT
    )
    record_result(store, ok, measured_at=AT, conversions=3)
    assert flags(cur, ok) == []
    with pytest.raises(NotFound):
        flags(cur, 999)


def test_filters(store: Store, world: dict[str, int]) -> None:
    other = create_campaign(store, name="Autumn")
    a = log_placement(
        store, channel_id=world["vk"], campaign_id=world["campaign"], format="story",
        content_type="humor", planned_on=dt.date(2026, 1, 10), promo_code="BERRY",
    )  # fmt: skip
    b = log_placement(
        store, channel_id=world["tg"], campaign_id=other, content_type="review", published_at=AT
    )
    c = log_placement(store, channel_id=world["tg"], planned_on=dt.date(2026, 5, 1))
    cancel_placement(store, c, 1)

    def ids(flt: PlacementFilter) -> set[int]:
        return set(placements_frame(store.cursor(), flt)["id"].to_list())

    assert ids(PlacementFilter()) == {a, b, c}
    assert ids(PlacementFilter(campaign_ids=(world["campaign"],))) == {a}
    assert ids(PlacementFilter(platforms=("telegram",))) == {b, c}
    assert ids(PlacementFilter(kinds=("public_page",))) == {a}
    assert ids(PlacementFilter(formats=("story",))) == {a}
    assert ids(PlacementFilter(content_types=("review", "humor"))) == {a, b}
    assert ids(PlacementFilter(status=("cancelled",))) == {c}
    assert ids(PlacementFilter(date_from=dt.date(2026, 2, 1))) == {b, c}
    assert ids(PlacementFilter(date_from=DAY, date_to=DAY)) == {b}
    assert ids(PlacementFilter(search="berry")) == {a}
    assert ids(PlacementFilter(search="@ANNA autumn")) == {b}
    sql, params = placements_sql(PlacementFilter(platforms=("telegram",)), ids=(a, b))
    assert store.cursor().execute(f"select id from ({sql})", params).fetchall() == [(b,)]
    where, params = filter_sql(None)
    assert (where, params) == ("true", [])


def test_frame_of_100k_placements_is_fast(store: Store) -> None:
    cur = store.cursor()
    cur.execute(
        "insert into channels (platform, handle) select 'vk', 'c' || i from range(1000) t(i)"
    )
    cur.execute(
        """
        insert into placements (channel_id, currency, price_paid, planned_on, published_at,
                                status)
        select 1 + i % 1000, case when i % 3 = 0 then 'USD' else 'RUB' end, 1000 + i % 500,
               date '2026-01-01' + (i % 60)::int, timestamp '2026-01-01 12:00' + to_days(i % 60),
               'published'
        from range(100000) t(i)
        """
    )
    cur.execute(
        """
        insert into results (placement_id, measured_at, reach, impressions, clicks)
        select p.id, p.published_at + to_hours(24 * k), 100 * k, 150 * k, k
        from placements p, range(1, 3) t(k)
        """
    )
    set_rate(store, "USD", dt.date(2025, 12, 1), "90")
    placements_frame(store.cursor())  # warm
    start = time.perf_counter()
    df = placements_frame(store.cursor())
    elapsed = time.perf_counter() - start
    assert df.height == 100_000
    assert df["reach"].sum() == 200 * 100_000
    assert df.filter(df["cost_base"].is_null()).height == 0
    assert elapsed < 3.0, elapsed
