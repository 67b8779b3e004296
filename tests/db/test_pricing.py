import datetime as dt
from decimal import Decimal

from crm import registry
from crm.pricing import PriceRow, channel_prices, per_thousand


def _price(store, cid, fmt, kind, amount, currency, date):
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


def test_channel_prices_latest_per_format_with_cpf_and_est_cpm(store) -> None:
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


def test_channel_prices_without_numbers(store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/unmeasured")
    _price(store, cid, "post", "listed", Decimal("500"), "RUB", dt.date(2026, 1, 1))
    [row] = channel_prices(store.cursor(), cid)
    assert (row.cpf, row.est_cpm) == (None, None)
