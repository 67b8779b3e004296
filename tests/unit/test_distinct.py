"""per_distinct: a column read once per distinct value is the column read row by row."""

from __future__ import annotations

import polars as pl

from crm.parsing.types import TYPES
from crm.vocab.distinct import per_distinct
from crm.vocab.geo import normalise_country_column
from crm.vocab.platforms import platform_column


def _upper(values: pl.Series) -> pl.Series:
    return values.str.to_uppercase()


def test_repeated_values_with_blanks_come_back_in_their_rows() -> None:
    values = pl.Series("x", ["a", None, "b", "a", "c"] * 1000)
    out = per_distinct(values, _upper)
    assert out.name == "x"
    assert out.to_list() == ["A", None, "B", "A", "C"] * 1000


def test_distinct_or_short_columns_are_read_as_they_are() -> None:
    calls: list[int] = []

    def counted(values: pl.Series) -> pl.Series:
        calls.append(values.len())
        return _upper(values)

    per_distinct(pl.Series("x", [f"v{i}" for i in range(5000)]), counted)
    per_distinct(pl.Series("x", ["a", "a"]), counted)
    per_distinct(pl.Series("x", ["a", "b"] * 1000), counted)
    assert calls == [5000, 2, 2]


def test_the_vocabulary_columns_read_the_same_either_way() -> None:
    words = ["Россия", " РФ ", "Kazakhstan", "", None, "Марс", "вк", "Telegram", "tg"]
    column = pl.Series("c", words * 500)
    for function in (normalise_country_column, platform_column):
        assert function(column).to_list() == [function(pl.Series("c", [w]))[0] for w in words] * 500
    for type_name in ("kind", "currency", "format"):
        clean, reason = TYPES[type_name].normalise(column, type_name)
        one = [TYPES[type_name].normalise(pl.Series("c", [w]), type_name) for w in words]
        assert clean.to_list() == [c[0] for c, _ in one] * 500
        assert reason.to_list() == [r[0] for _, r in one] * 500
