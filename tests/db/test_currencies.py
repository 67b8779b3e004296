import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from crm.errors import NotFound, ValidationError
from crm.pricing.currencies import (
    KNOWN_CURRENCIES,
    Converted,
    base_currency,
    convert,
    converted_sql,
    delete_rate,
    rates_frame,
    set_base_currency,
    set_rate,
)
from crm.store import Store

D = dt.date


def _rates(store: Store) -> None:
    set_rate(store, "USD", D(2026, 3, 1), Decimal("90"), source="cbr")
    set_rate(store, "USD", D(2026, 3, 5), "92,50")
    set_rate(store, "EUR", D(2026, 3, 2), Decimal("100.12345678"))


def test_base_currency_defaults_to_rub_and_can_be_set(store: Store) -> None:
    assert base_currency(store.cursor()) == "RUB"
    set_base_currency(store, "usd")
    assert base_currency(store.cursor()) == "USD"
    assert "RUB" in KNOWN_CURRENCIES and "USD" in KNOWN_CURRENCIES


def test_base_currency_refuses_unknown_codes_and_a_change_under_stored_rates(store: Store) -> None:
    with pytest.raises(ValidationError, match="not a known ISO 4217"):
        set_base_currency(store, "ABC")
    set_rate(store, "USD", D(2026, 3, 1), "90")
    with pytest.raises(ValidationError, match="The base currency stays RUB: 1 exchange rate"):
        set_base_currency(store, "EUR")
    assert base_currency(store.cursor()) == "RUB"


def test_rates_are_stored_exactly_and_replace_the_same_day(store: Store) -> None:
    _rates(store)
    set_rate(store, "USD", D(2026, 3, 1), "91.5", source="manual")
    frame = rates_frame(store.cursor())
    assert frame.rows() == [
        ("EUR", D(2026, 3, 2), Decimal("100.12345678"), None),
        ("USD", D(2026, 3, 5), Decimal("92.50000000"), None),
        ("USD", D(2026, 3, 1), Decimal("91.50000000"), "manual"),
    ]
    assert rates_frame(store.cursor(), "eur").height == 1


@pytest.mark.parametrize(
    ("currency", "rate", "message"),
    [
        ("USD", "0", "A rate must be more than 0"),
        ("USD", Decimal("-3"), "A rate must be more than 0"),
        ("USD", "-3", "cannot be negative"),
        ("USD", "abc", "is not a number"),
        ("XYZ", "1", "not a known ISO 4217"),
        ("RUB", "1", "RUB is the base currency"),
        ("", "1", "Currency is required"),
    ],
)
def test_set_rate_refuses_bad_input_and_writes_nothing(
    store: Store, currency: str, rate: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        set_rate(store, currency, D(2026, 3, 1), rate)
    assert rates_frame(store.cursor()).height == 0


def test_delete_rate(store: Store) -> None:
    _rates(store)
    delete_rate(store, "USD", D(2026, 3, 1))
    assert rates_frame(store.cursor(), "USD")["date"].to_list() == [D(2026, 3, 5)]
    with pytest.raises(NotFound, match="no USD rate on 2026-03-01"):
        delete_rate(store, "USD", D(2026, 3, 1))


def test_convert_uses_the_nearest_earlier_rate_and_returns_its_date(store: Store) -> None:
    _rates(store)
    cur = store.cursor()
    # 100 USD on the 4th: the rate of the 1st (90), not the later one of the 5th
    assert convert(cur, Decimal("100"), "USD", D(2026, 3, 4)) == Converted(
        Decimal("9000.00"), "RUB", Decimal("90.00000000"), D(2026, 3, 1), None
    )
    # on the very day of a rate, that rate
    assert convert(cur, Decimal("10.01"), "USD", D(2026, 3, 5)).amount == Decimal("925.93")
    # base to base: rate 1 by definition, no rate needed
    assert convert(cur, Decimal("11000.50"), "RUB", D(2020, 1, 1)) == Converted(
        Decimal("11000.50"), "RUB", Decimal(1), None, None
    )


def test_a_missing_rate_gives_none_and_a_sentence_never_one(store: Store) -> None:
    _rates(store)
    cur = store.cursor()
    before = convert(cur, Decimal("100"), "USD", D(2026, 2, 28))
    assert before == Converted(None, "RUB", None, None, "No USD rate on or before 2026-02-28.")
    assert convert(cur, Decimal("5"), "KZT", D(2026, 3, 9)).missing == (
        "No KZT rate on or before 2026-03-09."
    )


def test_convert_between_two_foreign_currencies_goes_through_the_base(store: Store) -> None:
    _rates(store)
    cur = store.cursor()
    # 100 EUR → USD on the 6th: 100 × 100.12345678 / 92.5 = 108.2415749… → 108.24
    got = convert(cur, Decimal("100"), "EUR", D(2026, 3, 6), to="USD")
    assert got == Converted(Decimal("108.24"), "USD", Decimal("1.08241575"), D(2026, 3, 2), None)
    # base to a foreign currency: 9250 RUB on the 5th is 100 USD; the rate's date is USD's
    assert convert(cur, Decimal("9250"), "RUB", D(2026, 3, 5), to="USD") == Converted(
        Decimal("100.00"), "USD", Decimal("0.01081081"), D(2026, 3, 5), None
    )
    assert convert(cur, Decimal("1"), "EUR", D(2026, 3, 1), to="USD").missing == (
        "No EUR rate on or before 2026-03-01."
    )


_SOURCE = """
    select * from (values
        (1, 100.00::decimal(18, 2), 'USD', date '2026-03-04'),
        (2, 11000.50::decimal(18, 2), 'RUB', date '2026-03-04'),
        (3, 100.00::decimal(18, 2), 'USD', date '2026-02-28'),
        (4, 100.00::decimal(18, 2), 'EUR', date '2026-03-06'),
        (5, 10.01::decimal(18, 2), 'USD', date '2026-03-05'),
        (6, 9250.00::decimal(18, 2), 'RUB', date '2026-03-05')
    ) t(id, amount, currency, date)
    where id >= ?
"""


def test_converted_sql_converts_a_whole_table_as_convert_does(store: Store) -> None:
    _rates(store)
    cur = store.cursor()
    sql, params = converted_sql(_SOURCE)
    frame = cur.sql(f"{sql} order by id", params=[*params, 1]).pl()
    assert frame.select("id", "amount_to", "rate_to", "rate_date", "rate_missing").rows() == [
        (1, Decimal("9000.00"), Decimal("90"), D(2026, 3, 1), None),
        (2, Decimal("11000.50"), Decimal("1"), None, None),
        (3, None, None, None, "USD"),
        (4, Decimal("10012.35"), Decimal("100.12345678"), D(2026, 3, 2), None),
        (5, Decimal("925.93"), Decimal("92.5"), D(2026, 3, 5), None),
        (6, Decimal("9250.00"), Decimal("1"), None, None),
    ]
    assert frame.schema["amount_to"] == pl.Decimal(18, 2)
    for row in frame.iter_rows(named=True):
        one = convert(cur, row["amount"], row["currency"], row["date"])
        assert (one.amount, one.rate_date) == (row["amount_to"], row["rate_date"])


def test_converted_sql_to_another_currency_matches_convert(store: Store) -> None:
    _rates(store)
    cur = store.cursor()
    sql, params = converted_sql(_SOURCE, "usd")
    frame = cur.sql(f"{sql} order by id", params=[*params, 1]).pl()
    for row in frame.iter_rows(named=True):
        one = convert(cur, row["amount"], row["currency"], row["date"], to="USD")
        assert (one.amount, one.rate, one.rate_date) == (
            row["amount_to"],
            row["rate_to"],
            row["rate_date"],
        ), row
    assert frame["amount_to"].to_list() == [
        Decimal("100.00"), Decimal("122.23"), Decimal("100.00"), Decimal("108.24"),
        Decimal("10.01"), Decimal("100.00"),
    ]  # fmt: skip
    with pytest.raises(ValidationError):
        converted_sql(_SOURCE, "ABC")
