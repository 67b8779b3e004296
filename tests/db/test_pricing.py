import datetime as dt
from decimal import Decimal

import pytest

from crm import metrics, registry
from crm.errors import NotFound, ValidationError
from crm.pricing import (
    PriceRow,
    add_price,
    cents,
    channel_prices,
    delete_price,
    latest_prices,
    per_thousand,
    price_history,
    set_rate,
)
from crm.store import Store

D = dt.date


def _price(
    store: Store, cid: int, fmt: str, kind: str, amount: Decimal, currency: str, date: dt.date
) -> None:
    with store.transaction() as cur:
        cur.execute(
            "insert into prices (channel_id, format, kind, amount, currency, date, source) "
            "values (?, ?, ?, ?, ?, ?, 'media kit')",
            [cid, fmt, kind, amount, currency, date],
        )


def test_per_thousand_is_money_and_none_without_a_denominator() -> None:
    assert per_thousand(Decimal("18000"), 20_000) == Decimal("900.00")
    assert per_thousand(Decimal("1000"), 3) == Decimal("333333.33")
    assert per_thousand(Decimal("1000"), 0) is None
    assert per_thousand(Decimal("1000"), None) is None
    assert per_thousand(None, 100) is None


def test_channel_prices_latest_per_format_with_cpf_and_est_cpm(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/priced")
    registry.add_snapshot(store, cid, followers=20_000, avg_reach=5_000,
                          measured_on=dt.date(2026, 2, 1))  # fmt: skip
    _price(store, cid, "post", "listed", Decimal("15000.50"), "RUB", dt.date(2026, 1, 1))
    _price(store, cid, "post", "listed", Decimal("18000"), "RUB", dt.date(2026, 2, 1))
    _price(store, cid, "story", "quoted", Decimal("100"), "USD", dt.date(2026, 2, 3))
    _price(store, cid, "post", "quoted", Decimal("16000"), "RUB", dt.date(2026, 2, 2))
    rows = channel_prices(store.cursor(), cid)
    assert rows == [
        PriceRow("post", "listed", Decimal("18000.00"), "RUB", dt.date(2026, 2, 1), "media kit",
                 Decimal("900.00"), Decimal("3600.00")),
        PriceRow("post", "quoted", Decimal("16000.00"), "RUB", dt.date(2026, 2, 2), "media kit",
                 Decimal("800.00"), Decimal("3200.00")),
        PriceRow("story", "quoted", Decimal("100.00"), "USD", dt.date(2026, 2, 3), "media kit",
                 Decimal("5.00"), Decimal("20.00")),
    ]  # fmt: skip


def test_channel_prices_without_numbers(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/unmeasured")
    _price(store, cid, "post", "listed", Decimal("500"), "RUB", dt.date(2026, 1, 1))
    [row] = channel_prices(store.cursor(), cid)
    assert (row.cpf, row.est_cpm) == (None, None)


def test_cpf_and_est_cpm_use_the_latest_known_numbers(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/regrown")
    registry.add_snapshot(store, cid, followers=20_000, avg_reach=5_000,
                          measured_on=dt.date(2026, 1, 1))  # fmt: skip
    # the newest: more followers and no reach measured; then an older one entered last
    registry.add_snapshot(store, cid, followers=40_000, measured_on=dt.date(2026, 2, 1))
    registry.add_snapshot(store, cid, followers=1, avg_reach=1, measured_on=dt.date(2025, 12, 1))
    _price(store, cid, "post", "listed", Decimal("18000"), "RUB", dt.date(2026, 2, 1))
    # CPF over the newest followers (40 000); est. CPM over the newest known reach (5 000 of
    # January), not "unknown" because February measured followers only
    assert channel_prices(store.cursor(), cid) == [
        PriceRow("post", "listed", Decimal("18000.00"), "RUB", dt.date(2026, 2, 1), "media kit",
                 Decimal("450.00"), Decimal("3600.00")),
    ]  # fmt: skip


def test_pricing_rounds_the_metrics_formulas_to_cents() -> None:
    assert per_thousand(Decimal("1000"), 3) == cents(metrics.cpf(Decimal("1000"), 3))
    assert cents(metrics.est_cpm(Decimal("2"), 3.0)) == Decimal("666.67")
    assert cents(None) is None


def _campaign(store: Store, name: str) -> int:
    with store.transaction() as cur:
        (cid,) = cur.execute(
            "insert into campaigns (name) values (?) returning id", [name]
        ).fetchall()[0]
    return int(cid)


def test_add_price_keeps_every_cent_and_reads_people_s_forms(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/anna")
    pid = add_price(store, cid, format="пост", kind="agreed", amount="11 000,50",
                    currency="руб", on=D(2026, 3, 1), source=" chat ", note="two posts")  # fmt: skip
    row = (
        store.cursor()
        .execute(
            "select channel_id, format, kind, amount, currency, date, source, note, campaign_id "
            "from prices where id = ?",
            [pid],
        )
        .fetchall()
    )
    assert row == [(cid, "post", "agreed", Decimal("11000.50"), "RUB", D(2026, 3, 1), "chat",
                    "two posts", None)]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "0"}, "The amount must be more than 0."),
        ({"amount": "-5"}, "Amount cannot be negative."),
        ({"amount": "abc"}, "Amount “abc” is not a number."),
        ({"amount": ""}, "A price needs an amount."),
        ({"currency": "XYZ"}, "The currency “XYZ” is not a known ISO 4217 code."),
        ({"currency": ""}, "A price needs a currency"),
        ({"format": "billboard"}, "Format must be one of"),
        ({"kind": "guessed"}, "Kind of price must be one of"),
    ],
)
def test_add_price_refuses_bad_input_and_writes_nothing(
    store: Store, changes: dict[str, str], message: str
) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/anna")
    values = {"format": "post", "kind": "listed", "amount": "100", "currency": "RUB"} | changes
    with pytest.raises(ValidationError) as info:
        add_price(store, cid, on=D(2026, 3, 1), **values)
    assert str(info.value).startswith(message)
    assert store.cursor().execute("select count(*) from prices").fetchall() == [(0,)]


def test_add_price_refuses_unknown_channel_and_campaign_and_delete_price(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/anna")
    with pytest.raises(NotFound, match="Channel 999 does not exist"):
        add_price(store, 999, format="post", kind="listed", amount="1", currency="RUB",
                  on=D(2026, 3, 1))  # fmt: skip
    with pytest.raises(NotFound, match="Campaign 7 does not exist"):
        add_price(store, cid, format="post", kind="listed", amount="1", currency="RUB",
                  on=D(2026, 3, 1), campaign_id=7)  # fmt: skip
    pid = add_price(store, cid, format="post", kind="listed", amount="1", currency="RUB",
                    on=D(2026, 3, 1))  # fmt: skip
    delete_price(store, pid)
    with pytest.raises(NotFound):
        delete_price(store, pid)


def test_price_history_converts_each_price_at_its_own_date(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/anna")
    campaign = _campaign(store, "Spring")
    set_rate(store, "USD", D(2026, 3, 1), "90")
    set_rate(store, "USD", D(2026, 3, 10), "95")
    add_price(store, cid, format="post", kind="listed", amount="100", currency="USD",
              on=D(2026, 3, 5))  # fmt: skip
    add_price(store, cid, format="post", kind="agreed", amount="100", currency="USD",
              on=D(2026, 3, 12), campaign_id=campaign)  # fmt: skip
    add_price(store, cid, format="story", kind="quoted", amount="50", currency="USD",
              on=D(2026, 2, 1))  # fmt: skip
    add_price(store, cid, format="post", kind="paid", amount="9000", currency="RUB",
              on=D(2026, 3, 20), campaign_id=campaign)  # fmt: skip
    frame = price_history(store.cursor(), cid)
    assert frame.columns == ["id", "format", "kind", "amount", "currency", "date", "source",
                             "note", "campaign_id", "campaign", "amount_base", "rate_date",
                             "base_currency"]  # fmt: skip
    assert frame.select("kind", "campaign", "amount_base", "rate_date", "base_currency").rows() == [
        ("quoted", None, None, None, "RUB"),  # no USD rate on or before 1 February
        ("listed", None, Decimal("9000.00"), D(2026, 3, 1), "RUB"),
        ("agreed", "Spring", Decimal("9500.00"), D(2026, 3, 10), "RUB"),
        ("paid", "Spring", Decimal("9000.00"), None, "RUB"),
    ]


def test_latest_prices_prefer_agreed_then_quoted_then_listed(store: Store) -> None:
    a, _ = registry.add_channel_from_url(store, "t.me/anna")
    b, _ = registry.add_channel_from_url(store, "t.me/boris")
    c, _ = registry.add_channel_from_url(store, "t.me/carl")
    spring, autumn = _campaign(store, "Spring"), _campaign(store, "Autumn")
    set_rate(store, "EUR", D(2026, 1, 1), "100")

    def price(channel: int, kind: str, amount: str, day: int, **kw: object) -> None:
        add_price(store, channel, format=str(kw.pop("format", "post")), kind=kind,
                  amount=amount, currency=str(kw.pop("currency", "RUB")), on=D(2026, 3, day),
                  campaign_id=kw.pop("campaign_id", None))  # type: ignore[arg-type]  # fmt: skip

    price(a, "listed", "1000", 20)  # newer, but only listed
    price(a, "quoted", "1200", 10)
    price(a, "agreed", "1100", 5, campaign_id=spring)
    price(b, "listed", "10", 1, currency="EUR")
    price(b, "listed", "12", 2, currency="EUR")
    price(b, "agreed", "5000", 3, format="story")  # another format
    price(c, "quoted", "700", 4, campaign_id=autumn)
    price(c, "quoted", "800", 3, campaign_id=spring)
    cur = store.cursor()
    frame = latest_prices(cur, [a, b, c])
    assert frame.select("channel_id", "kind", "amount", "currency", "amount_base").rows() == [
        (a, "agreed", Decimal("1100.00"), "RUB", Decimal("1100.00")),
        (b, "listed", Decimal("12.00"), "EUR", Decimal("1200.00")),
        (c, "quoted", Decimal("700.00"), "RUB", Decimal("700.00")),
    ]
    # the campaign's own price first, even when older
    in_spring = latest_prices(cur, [c], campaign_id=spring)
    assert in_spring.select("amount", "campaign_id").rows() == [(Decimal("800.00"), spring)]
    assert latest_prices(cur, [b], format="story")["amount"].to_list() == [Decimal("5000.00")]
    assert latest_prices(cur, None).height == 3
