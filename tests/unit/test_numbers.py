import polars as pl
import pytest
from polars.testing import assert_series_equal

from crm.formatting import format_compact, format_count, format_percent
from crm.parsing.numbers import parse_number, parse_number_column


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("409.8M", 409_800_000),
        ("388.9K", 388_900),
        ("12,5K", 12_500),
        ("1,2 млн", 1_200_000),
        ("350 тыс", 350_000),
        ("350 тыс.", 350_000),
        ("2 млрд", 2_000_000_000),
        ("1 234,5", 1234.5),
        ("1\u00a0234\u00a0567", 1_234_567),
        ("1,234,567", 1_234_567),
        ("1.234.567", 1_234_567),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("3.4%", 0.034),
        ("3,4 %", 0.034),
        ("-5", -5),
        ("0", 0),
        (42, 42),
    ],
)
def test_parse_number(text: object, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "  ", "—", "n/a", None])
def test_parse_number_empty(text: object) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["abc", "12 apples", "1,2,3", "1.2.3", "K"])
def test_parse_number_refuses_text(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text)


def test_parse_number_column_flags_text_but_not_blanks() -> None:
    values, invalid = parse_number_column(pl.Series("f", ["1", "2.5", "12,5K", "abc", None, ""]))
    assert_series_equal(values, pl.Series("f", [1.0, 2.5, 12_500.0, None, None, None]))
    assert invalid.to_list() == [False, False, False, True, False, False]


def test_formatting() -> None:
    assert format_count(1234567) == "1\u202f234\u202f567"
    assert format_count(None) == "—"
    assert format_compact(409_800_000) == "409.8M"
    assert format_compact(12_000) == "12K"
    assert format_compact(950) == "950"
    assert format_percent(0.034) == "3.4\u00a0%"
    assert format_percent(None) == "—"


def test_format_money() -> None:
    from decimal import Decimal

    from crm.formatting import format_money

    assert format_money(Decimal("1250"), "RUB") == "1\u202f250,00\u00a0₽"
    assert format_money(Decimal("1250.5"), "usd") == "$1,250.50"
    assert format_money(Decimal("99000"), "KZT") == "99\u202f000,00\u00a0₸"
    assert format_money(Decimal("5"), "GBP") == "5,00\u00a0GBP"
    assert format_money(None, "RUB") == "—"
