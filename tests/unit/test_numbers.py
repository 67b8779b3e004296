import polars as pl
import pytest
from polars.testing import assert_series_equal

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


# one parser: the scalar function is the column function on one value, so they cannot disagree
TRICKY = [
    ("1e5", 100_000.0),
    ("1.5E+07", 15_000_000.0),
    ("−5", -5.0),  # a typographic minus
    ("1 234,5", 1234.5),
    ("12,5K", 12_500.0),
    ("1,2 млн", 1_200_000.0),
    ("3.4%", 0.034),
    ("409.8M", 409_800_000.0),
    ("nan", None),
    ("n/a", None),
    ("inf", "error"),
    ("1e400", "error"),  # too large for a float
    ("12e", "error"),
    ("1,2,3", "error"),
]


@pytest.mark.parametrize(("text", "expected"), TRICKY)
def test_scalar_and_column_agree_on_tricky_inputs(text: str, expected: object) -> None:
    values, invalid = parse_number_column(pl.Series("x", [text]))
    column = "error" if invalid[0] else values[0]
    try:
        scalar: object = parse_number(text)
    except ValueError as exc:
        assert str(exc) == f"“{text}” is not a number"
        scalar = "error"
    assert scalar == column
    if isinstance(expected, float):
        assert scalar == pytest.approx(expected)
    else:
        assert scalar == expected


def test_column_gives_the_same_value_for_a_text_wherever_it_stands() -> None:
    # plain cells take a fast path and the rest the grammar, each distinct text once
    texts = [t for t, _ in TRICKY] * 3 + ["1", "2.5", None, "1 234 567", "1\u00a0234"]
    values, invalid = parse_number_column(pl.Series("x", texts))
    alone = [parse_number_column(pl.Series("x", [t])) for t in texts]
    assert values.to_list() == [v[0] for v, _ in alone]
    assert invalid.to_list() == [i[0] for _, i in alone]


def test_python_numbers_read_back_exactly() -> None:
    from decimal import Decimal

    assert parse_number(1e20) == 1e20
    assert parse_number(0.1) == 0.1
    assert parse_number(Decimal("1250.50")) == 1250.5
    assert parse_number(float("nan")) is None
    with pytest.raises(ValueError):
        parse_number(True)


def test_money_goes_to_decimal_without_a_float_when_plain() -> None:
    from decimal import Decimal

    from crm.parsing.numbers import decimal_column

    texts = ["1 250,50", "1.429999948", "0.1", "abc", None, "99999999999999999999", "1.5E+03"]
    money = decimal_column(pl.Series("x", texts))
    assert money.values.to_list() == [
        Decimal("1250.50"),
        Decimal("1.43"),
        Decimal("0.10"),
        None,
        None,
        None,
        Decimal("1500.00"),
    ]
    assert money.invalid.to_list() == [False, False, False, True, False, False, False]
    assert money.too_large.to_list() == [False, False, False, False, False, True, False]


def test_money_keeps_every_cent_the_database_keeps_and_rounds_half_up() -> None:
    from decimal import Decimal

    from crm.parsing.numbers import decimal_column

    texts = ["1.005", "2.675", "0.125", "1.00", "12.3", "1.004999", "9999999999999999.995"]
    money = decimal_column(pl.Series("x", texts))
    # half up, never half even, never truncated: 1.005 is 1.01, not 1.00
    assert money.values.to_list() == [
        Decimal("1.01"),
        Decimal("2.68"),
        Decimal("0.13"),
        Decimal("1.00"),
        Decimal("12.30"),
        Decimal("1.00"),
        None,  # rounds up to 10**16, beyond DECIMAL(18, 2)
    ]
    assert money.rounded.to_list() == [True, True, True, False, False, True, True]
    assert money.too_large.to_list() == [False] * 6 + [True]


def test_money_bounds_are_those_of_decimal_18_2() -> None:
    from decimal import Decimal

    from crm.parsing.numbers import decimal_column

    texts = ["9999999999999999.99", "10000000000000000", "1e17", "1e19", "9223372036854775807"]
    money = decimal_column(pl.Series("x", texts))
    assert money.values.to_list() == [Decimal("9999999999999999.99"), None, None, None, None]
    assert money.too_large.to_list() == [False, True, True, True, True]


def test_money_refuses_percent_and_abbreviations() -> None:
    from crm.parsing.numbers import decimal_column

    money = decimal_column(pl.Series("x", ["15%", "15K", "1,2 млн", "15 000", "2 тыс."]))
    assert money.values.to_list()[3] is not None
    assert money.suffixed.to_list() == [True, True, True, False, True]
    assert money.values.is_null().to_list() == [True, True, True, False, True]


def test_abbreviated_numbers_keep_whole_numbers() -> None:
    # 4.1 × 10⁶ in floats is 4099999.9999999995; the suffix moves the decimal point instead
    texts = ["4,1 млн", "4.1M", "409.8M", "0,7K", "1.15K", "388.9K", "2,3 млрд", "3,4%", "2.4%"]
    values, invalid = parse_number_column(pl.Series("x", texts))
    assert values.to_list() == [
        4_100_000.0, 4_100_000.0, 409_800_000.0, 700.0, 1150.0, 388_900.0, 2_300_000_000.0,
        0.034, 0.024,
    ]  # fmt: skip
    assert not invalid.any()
    assert parse_number("4,1 млн") == 4_100_000.0
    assert parse_number("1.5e3K") == 1_500_000.0


# the column parser reads plain numbers and decimal commas ("1234,5") past the grammar: it must
# read them as the grammar does (thousands in "1,234"; the sign; a leading zero; an exponent)
SHORTCUTS = [
    "1 234 567", "1234,5", "-1234,5", "+12,50", "0,5", "00,5", "1,234", "-1,234", "12,345",
    "123,456", "1,2345", "123,4567", "1234,567", "1E5", "1e-3", "+.5E2", "-0", "7",
]  # fmt: skip


def test_shortcuts_read_as_the_grammar_reads() -> None:
    from crm.parsing.numbers import _compact, _grammar

    texts = pl.Series("x", SHORTCUTS)
    values, invalid = parse_number_column(texts)
    by_grammar = _grammar(_compact(texts))
    assert values.to_list() == by_grammar["value"].to_list()
    assert invalid.to_list() == by_grammar["invalid"].to_list() == [False] * len(SHORTCUTS)


def test_repeated_texts_among_distinct_ones_are_read_as_alone() -> None:
    # distinct plain numbers, and abbreviations that repeat (read once per distinct text)
    texts = [f"{i} {i % 1000:03d}" for i in range(1, 3001)] + ["1,2 млн", "350 тыс", "abc"] * 600
    values, invalid = parse_number_column(pl.Series("x", texts))
    alone = [parse_number_column(pl.Series("x", [t])) for t in texts[2997:3003]]
    assert values[2997:3003].to_list() == [v[0] for v, _ in alone]
    assert invalid[2997:3003].to_list() == [f[0] for _, f in alone] == [False] * 5 + [True]
    assert values[3000:].to_list() == [1_200_000.0, 350_000.0, None] * 600


def test_abbreviated_amounts_are_written_out_exactly() -> None:
    from decimal import Decimal

    from crm.parsing.numbers import abbreviated_amounts, decimal_column

    texts = ["1,5 тыс", "15K", "1,2 млн", "2 тыс.", "0,7K", "-3k", "15%", "12 000", "abc", None]
    assert abbreviated_amounts(pl.Series("x", texts)).to_list() == [
        "1500", "15000", "1200000", "2000", "700", "-3000", "15%", "12 000", "abc", None,
    ]  # fmt: skip
    # what is written out is then read as money, never through a float
    money = decimal_column(abbreviated_amounts(pl.Series("x", ["4,1 млн", "1,005 тыс"])))
    assert money.values.to_list() == [Decimal("4100000.00"), Decimal("1005.00")]
