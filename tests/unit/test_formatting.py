"""Numbers, percentages and money for people: one convention, exact strings."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from crm.formatting import (
    format_compact,
    format_count,
    format_hours,
    format_money,
    format_percent,
)

NNBSP = "\u202f"  # between thousands
NBSP = "\u00a0"  # before % and after a currency code


def spaced(text: str) -> str:
    """Test tables write a plain space for the narrow one and '_' for the no-break one."""
    return text.replace(" ", NNBSP).replace("_", NBSP)


@pytest.mark.parametrize(
    ("value", "count", "compact"),
    [
        (None, "—", "—"),
        (math.nan, "—", "—"),
        (math.inf, "—", "—"),
        (Decimal("NaN"), "—", "—"),
        (0, "0", "0"),
        (-0.0, "0", "0"),
        (7, "7", "7"),
        (950, "950", "950"),
        (999.6, "1 000", "1K"),
        (1_000, "1 000", "1K"),
        (1_250, "1 250", "1.2K"),  # halves go to the even digit
        (1_350, "1 350", "1.4K"),
        (12_000, "12 000", "12K"),
        (12_345.678, "12 346", "12.3K"),
        (-12_345.678, "-12 346", "-12.3K"),
        (99_950, "99 950", "100K"),
        (999_499, "999 499", "999.5K"),
        (999_950, "999 950", "1M"),  # never 1000K
        (1_000_000, "1 000 000", "1M"),
        (1_234_567, "1 234 567", "1.2M"),
        (409_800_000, "409 800 000", "409.8M"),
        (999_999_999, "999 999 999", "1B"),
        (Decimal("2500.5"), "2 500", "2.5K"),
    ],
)
def test_counts(value: object, count: str, compact: str) -> None:
    assert format_count(value) == spaced(count)  # type: ignore[arg-type]
    assert format_compact(value) == spaced(compact)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ratio", "one", "two"),
    [
        (None, "—", "—"),
        (math.nan, "—", "—"),
        (0, "0.0_%", "0.00_%"),
        (0.034, "3.4_%", "3.40_%"),
        (0.025, "2.5_%", "2.50_%"),
        (-0.12346, "-12.3_%", "-12.35_%"),
        (1, "100.0_%", "100.00_%"),
        (12.3456, "1 234.6_%", "1 234.56_%"),
        (Decimal("0.1"), "10.0_%", "10.00_%"),
    ],
)
def test_percentages_have_a_fixed_number_of_decimals(ratio: object, one: str, two: str) -> None:
    assert format_percent(ratio) == spaced(one)  # type: ignore[arg-type]
    assert format_percent(ratio, 2) == spaced(two)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("1250"), "RUB", "₽1 250.00"),
        (Decimal("1250.5"), "usd", "$1 250.50"),
        (Decimal("99.9"), "EUR", "€99.90"),
        (Decimal("99000"), "KZT", "₸99 000.00"),
        (15000.5, "RUB", "₽15 000.50"),
        (12_345.678, "USD", "$12 345.68"),
        (0, "EUR", "€0.00"),
        (-1250, "RUB", "-₽1 250.00"),
        (5, "GBP", "£5.00"),
        (5, "UAH", "₴5.00"),
        (5, "BYN", "BYN_5.00"),  # its own sign is a word (Br): the code reads better
        (5, "XYZ", "XYZ_5.00"),
        (Decimal("1250"), None, "1 250.00"),
        (Decimal("1250"), "", "1 250.00"),
        (None, "RUB", "—"),
        (math.nan, "USD", "—"),
        ("not a number", "USD", "—"),
    ],
)
def test_money_has_the_currency_sign_and_two_decimals(
    amount: object, currency: str | None, text: str
) -> None:
    assert format_money(amount, currency) == spaced(text)


@pytest.mark.parametrize(
    ("hours", "text"),
    [(None, "—"), (float("nan"), "—"), (-1.0, "—"), (0.25, "15 min"), (5.2, "5 h"),
     (48.0, "2 d"), (52.4, "2 d 4 h")],
)  # fmt: skip
def test_format_hours(hours: float | None, text: str) -> None:
    assert format_hours(hours) == text
