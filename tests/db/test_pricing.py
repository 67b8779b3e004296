import datetime as dt
from decimal import Decimal

from crm import metrics, registry
from crm.pricing import PriceRow, cents, channel_prices, per_thousand
from crm.store import Store


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


def test_cpf_and_est_cpm_use_the_newest_snapshot_as_recorded(store: Store) -> None:
    cid, _ = registry.add_channel_from_url(store, "t.me/regrown")
    registry.add_snapshot(store, cid, followers=20_000, avg_reach=5_000,
                          measured_on=dt.date(2026, 1, 1))  # fmt: skip
    # the newest: more followers and no reach measured; then an older one entered last
    registry.add_snapshot(store, cid, followers=40_000, measured_on=dt.date(2026, 2, 1))
    registry.add_snapshot(store, cid, followers=1, avg_reach=1, measured_on=dt.date(2025, 12, 1))
    _price(store, cid, "post", "listed", Decimal("18000"), "RUB", dt.date(2026, 2, 1))
    assert channel_prices(store.cursor(), cid) == [
        PriceRow("post", "listed", Decimal("18000.00"), "RUB", dt.date(2026, 2, 1), "media kit",
                 Decimal("450.00"), None),
    ]  # fmt: skip


def test_pricing_rounds_the_metrics_formulas_to_cents() -> None:
    assert per_thousand(Decimal("1000"), 3) == cents(metrics.cpf(Decimal("1000"), 3))
    assert cents(metrics.est_cpm(Decimal("2"), 3.0)) == Decimal("666.67")
    assert cents(None) is None
